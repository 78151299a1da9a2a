"""The initiatives' figures (cxdata/charts.py) on small hand-made values: the effect against zero and
the expected change, the trends before and after the start (points joined by weeks, means weighted by
n), and the launch and checkpoint markers on the KPI trends chart (cxdata/trends.py picks them)."""
import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from cxdata import charts, i18n, trends

START = dt.date(2026, 3, 2)


def test_the_effect_chart_draws_the_interval_zero_the_expected_change_and_what_is_too_small():
    fig = charts.initiative_effect("csat", 6.0, 2.0, 10.0, "T", "S", expected=8.0, smallest=3.0, judged="better",
                                   n_text="n = 1,204")
    traces = {t.name: t for t in fig.data}
    assert list(traces["95% interval"].x) == [2.0, 10.0] and list(traces["Measured"].x) == [6.0]
    assert list(traces["Expected"].x) == [8.0] and traces["Measured"].text == ("+6.0 pts",)
    assert traces["Measured"].marker.color == charts.COLORS["better"]
    assert "likely between +2.0 pts and +10.0 pts<br>n = 1,204" in traces["Measured"].customdata[0][1]
    shades = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(s.x0, s.x1) for s in shades] == [(-3.0, 3.0)]   # no change could not be told from ±3 points
    ticks = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext))
    assert ticks[0] == "no change" and ticks[10] == "+10"
    assert fig.layout.xaxis.range[0] == -fig.layout.xaxis.range[1] == pytest.approx(-12.5)   # zero in the middle
    assert fig.layout.xaxis.title.text == "Change in CSAT (points)"
    # no effect: grey, and no expected row when none was given
    flat = charts.initiative_effect("ces", 0.1, -0.2, 0.4, "T", judged="neutral")
    assert [t.name for t in flat.data] == ["95% interval", "Measured"]
    assert flat.data[1].marker.color == charts.COLORS["neutral"] and flat.layout.xaxis.title.text == "Change in CES"


def test_the_effect_chart_speaks_spanish():
    with i18n.using("es"):
        fig = charts.initiative_effect("nps", -2.5, -4.0, -1.0, "T", expected=-3.0)
    assert fig.data[1].text == ("-2,5 p. p.",) and fig.layout.xaxis.title.text == "Cambio en NPS (puntos)"
    assert "sin cambios" in fig.layout.xaxis.ticktext


def _periods():
    """Six weeks before the start and four after; the comparison flat at 80, the scope 70 then 75 and 90."""
    rows = []
    for week in range(-6, 4):
        rows.append({"period": START + dt.timedelta(days=7 * week), "week": week, "group": "comparison",
                     "value": 80.0, "n": 100})
        rows.append({"period": START + dt.timedelta(days=7 * week), "week": week, "group": "scope",
                     "value": 70.0 if week < 0 else (75.0 if week % 2 == 0 else 90.0), "n": 10 if week % 2 == 0 else 30})
    return pd.DataFrame(rows)


def test_the_trends_chart_joins_weeks_from_the_start_weighting_by_n():
    fig = charts.parallel_trends(_periods(), "csat", START, "T", "S", names={"scope": "In scope", "comparison": "Rest"},
                                 weeks_per_point=2)
    scope = next(t for t in fig.data if t.name == "In scope")
    # weeks 0-1: (75 x 10 + 90 x 30) / 40 = 86.25, and so for weeks 2-3; before: 70 in blocks -6..-5, -4..-3, -2..-1
    assert list(scope.y) == [70.0, 70.0, 70.0, 86.25, 86.25]
    assert [pd.Timestamp(x).date() for x in scope.x] == [START - dt.timedelta(days=42), START - dt.timedelta(days=28),
                                                         START - dt.timedelta(days=14), START, START + dt.timedelta(days=14)]
    assert scope.customdata[3][1] == "CSAT 86.2%<br>n = 40"
    assert fig.layout.showlegend and fig.layout.xaxis.title.text == "2 weeks per point"
    line = next(s for s in fig.layout.shapes if s.type == "line")
    assert pd.Timestamp(line.x0).date() == START
    assert any(a.text == "start 02 Mar 2026" for a in fig.layout.annotations)
    alone = charts.parallel_trends(_periods()[lambda d: d["group"] == "scope"], "csat", START, "T")
    assert not alone.layout.showlegend and len(alone.data) == 1
    empty = charts.parallel_trends(_periods().assign(value=None), "csat", START, "T")
    assert not empty.data and "No CSAT values before and after the start" in empty.layout.annotations[0].text


def _plan(name, kpi, start, checkpoints=(), status="running"):
    points = tuple(SimpleNamespace(due=d, what=w, state=s) for d, w, s in checkpoints)
    return SimpleNamespace(name=name, kpi=kpi, start=start, status=status, checkpoints=points)


def _trend(kpi="csat", months=12):
    starts = [dt.date(2025, 4 + i, 1) if i < 9 else dt.date(2026, i - 8, 1) for i in range(months)]
    series = pd.DataFrame({"period_start": starts, "value": 80.0, "moe": 2.0, "n": 200, "is_enough": True,
                           "is_complete": True})
    return trends.TrendData(kpi, "month", "none", "previous", series, pd.Series(dtype=float), {}, pd.DataFrame(),
                            pd.DataFrame())


def test_the_markers_are_the_chart_kpis_initiatives_inside_its_window():
    plans = [_plan("Billing <fix>", "csat", dt.date(2025, 9, 15), [(dt.date(2025, 11, 1), "Layout live", "met"),
                                                                 (dt.date(2027, 1, 1), "Later", "upcoming")]),
             _plan("Welcome calls", "nps", dt.date(2025, 9, 15)),                       # another KPI
             _plan("Old one", "csat", dt.date(2024, 1, 1), [(dt.date(2025, 6, 1), "Still shown", "missed")])]
    markers = trends.initiative_markers(plans, _trend())
    assert markers[["on", "kind", "name", "state"]].values.tolist() == [
        [dt.date(2025, 9, 15), "start", "Billing <fix>", "running"],
        [dt.date(2025, 11, 1), "checkpoint", "Billing <fix>", "met"],
        [dt.date(2025, 6, 1), "checkpoint", "Old one", "missed"]]
    assert markers["text"].tolist()[1] == "Billing <fix>, checkpoint of 01 Nov 2025: Layout live (met)"
    assert trends.initiative_markers([], _trend()).empty


def test_the_trend_chart_marks_starts_and_checkpoints_without_labels_over_each_other():
    data = _trend()
    plans = [_plan("Billing <fix>", "csat", dt.date(2025, 9, 15), [(dt.date(2025, 11, 1), "Layout live", "met")]),
             _plan("A much longer initiative name that is cut", "csat", dt.date(2025, 9, 22)),
             _plan("Third at the same time", "csat", dt.date(2025, 9, 29)),
             _plan("Fourth: no room left for its label", "csat", dt.date(2025, 10, 6))]
    fig = charts.kpi_trend(data.series, "csat", "T", "S", markers=trends.initiative_markers(plans, data))
    lines = [s for s in fig.layout.shapes if s.type == "line" and s.line.dash == "dot"]
    assert len(lines) == 4   # every start drawn
    labels = [a for a in fig.layout.annotations if a.text.startswith("▸")]
    assert [a.text for a in labels] == ["▸ Billing &lt;fix&gt;", "▸ A much longer initiative name tha…",
                                        "▸ Third at the same time"]        # the fourth has no free row: hover only
    assert [a.yshift for a in labels] == [0, -18, -36]
    assert labels[0].hovertext == "Billing &lt;fix&gt;: the initiative started on 15 Sep 2025"
    diamonds = [a for a in fig.layout.annotations if a.text == "◆"]
    assert len(diamonds) == 1 and diamonds[0].font.color == charts.COLORS["better"]
    assert diamonds[0].hovertext == "Billing &lt;fix&gt;, checkpoint of 01 Nov 2025: Layout live (met)"
    plain = charts.kpi_trend(data.series, "csat", "T", "S")   # no initiative: the chart as before
    assert not plain.layout.shapes and not plain.layout.annotations
