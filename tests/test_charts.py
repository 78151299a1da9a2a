"""The figure builders draw what the house style promises: bands, hollow points, targets, n in every hover."""
import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from cxdata import charts, data_status
from tests.conftest import ROOT

MONTHS = [dt.date(2025, m, 1) for m in range(1, 8)]
JAN, FEB, MAR, APR, MAY, JUN, JUL = MONTHS


@pytest.fixture
def trend() -> pd.DataFrame:
    """Seven months of NPS: February and June are under the minimum, March has no margin, July is cut short."""
    return pd.DataFrame({
        "period_start": MONTHS,
        "value": [30.0, 45.0, 32.0, 34.0, 35.0, 10.0, 38.0],
        "moe": [6.0, 20.0, np.nan, 5.0, 4.0, 25.0, 9.0],
        "n": [200, 12, 180, 220, 240, 8, 60],
        "is_enough": [True, False, True, True, True, False, True],
        "is_complete": [True] * 6 + [False],
    })


def _hover_traces(fig):
    return [t for t in fig.data if t.hoverinfo != "skip"]


def _x_dates(trace) -> set[dt.date]:
    return {pd.Timestamp(x).date() for x in trace.x}


def test_the_template_is_registered_and_every_builder_uses_it(trend):
    assert "cx" in pio.templates and pio.templates[charts.TEMPLATE] == pio.templates["plotly_white+cx"]
    cx = pio.templates["cx"].layout
    assert cx.font.size >= 14 and 18 <= cx.title.font.size <= 22 and cx.xaxis.showgrid is False
    assert set(charts.COLORS) >= {"better", "worse", "neutral", "target", "band"}
    volume = pd.DataFrame({"table_name": ["feedback"], "month_start": MONTHS[:1], "n_rows": [5]})
    breakdown = pd.DataFrame({"member": ["a"], "value": [1.0], "n": [40]})
    for fig in (charts.kpi_trend(trend, "nps", "T", "S"), charts.ranked_bars(breakdown, "csat", "T", "S"),
                charts.monthly_volume(volume, "T", "S")):
        assert fig.layout.template.layout.font.size == cx.font.size
        assert fig.layout.template.layout.plot_bgcolor == pio.templates["plotly_white"].layout.plot_bgcolor
        assert fig.layout.title.text == "T" and fig.layout.title.subtitle.text == "S"


def test_band_is_drawn_only_where_a_shown_score_has_a_margin(trend):
    fig = charts.kpi_trend(trend, "nps", "T")
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len(bands) == 1 and bands[0].fillcolor == charts.COLORS["band"]
    assert _x_dates(bands[0]) == {APR, MAY} and list(bands[0].y) == [34.0 + 5.0, 35.0 + 4.0]
    lower = fig.data[fig.data.index(bands[0]) - 1]
    assert _x_dates(lower) == {APR, MAY} and list(lower.y) == [34.0 - 5.0, 35.0 - 4.0]
    # January and July have margins but no banded neighbour: an error bar on the marker instead.
    filled = next(t for t in fig.data if t.mode == "markers" and t.marker.symbol is None)
    errors = dict(zip(pd.to_datetime(list(filled.x)).date, filled.error_y.array))
    assert errors[JAN] == 6.0 and errors[JUL] == 9.0
    assert all(np.isnan(errors[m]) for m in (MAR, APR, MAY))
    assert FEB not in errors and JUN not in errors   # not scores: no interval at all


def test_points_under_the_minimum_are_hollow_and_say_why(trend):
    fig = charts.kpi_trend(trend, "nps", "T", min_n=30)
    hollow = [t for t in fig.data if t.marker and t.marker.symbol == "circle-open"]
    assert len(hollow) == 1 and _x_dates(hollow[0]) == {FEB, JUN}
    assert list(hollow[0].y) == [45.0, 10.0]
    assert hollow[0].customdata[0][1] == "n = 12, under the minimum of 30: not shown as a score"
    filled = [t for t in _hover_traces(fig) if t.marker.symbol != "circle-open"]
    assert set().union(*(_x_dates(t) for t in filled)) == set(MONTHS) - {FEB, JUN}
    line = next(t for t in fig.data if t.mode == "lines" and t.line.dash is None and t.fill is None
                and t.line.width)
    assert _x_dates(line) == {JAN, MAR, APR, MAY}   # joined across February, not through it


def test_every_hover_carries_n_and_the_value_in_its_unit(trend):
    fig = charts.kpi_trend(trend, "nps", "T")
    points = 0
    for t in _hover_traces(fig):
        assert "customdata" in t.hovertemplate
        for header, body in t.customdata:
            assert "n = " in body
            points += 1
    assert points == len(trend)
    seconds = trend.assign(value=[2520.0, 60, 2400, 2460, 2410, 30, 2300],
                           moe=[120.0, 30, np.nan, 100, 90, 20, 200])
    fig = charts.kpi_trend(seconds, "first_response_written", "T")
    bodies = [body for t in _hover_traces(fig) for _, body in t.customdata]
    assert bodies[0].startswith("First response (written) 42 min ±2.0 min<br>n = 200")
    assert fig.layout.yaxis.title.text == "First response (written) (minutes)"
    assert max(max(t.y) for t in _hover_traces(fig)) == pytest.approx(42.0)
    csat = charts.kpi_trend(trend.assign(value=78.4, moe=2.0), "csat", "T")
    assert csat.layout.yaxis.ticksuffix == "%"
    assert "CSAT 78.4% ±2.0 pts" in _hover_traces(csat)[0].customdata[0][1]


def test_the_incomplete_period_is_dotted_and_labelled(trend):
    fig = charts.kpi_trend(trend, "nps", "T")
    dotted = [t for t in fig.data if t.line and t.line.dash == "dot"]
    assert len(dotted) == 1 and _x_dates(dotted[0]) == {MAY, JUL}   # from the last complete score
    labels = [a for a in fig.layout.annotations if a.text == "incomplete"]
    assert len(labels) == 1 and pd.Timestamp(labels[0].x).date() == JUL
    july = [body for t in _hover_traces(fig) for (header, body) in t.customdata if header == "July 2025"]
    assert "incomplete" in july[0]
    line = next(t for t in fig.data if t.mode == "lines" and t.line.dash is None and t.line.width)
    assert JUL not in _x_dates(line)


def test_target_is_a_dashed_line_at_its_value_with_a_label(trend):
    fig = charts.kpi_trend(trend, "nps", "T", target=35)
    lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(lines) == 1 and lines[0].y0 == lines[0].y1 == 35 and lines[0].line.color == charts.COLORS["target"]
    assert any(a.text == "Target<br>35" for a in fig.layout.annotations)
    assert not charts.kpi_trend(trend, "nps", "T").layout.shapes
    minutes = charts.kpi_trend(trend.assign(value=600.0, moe=60.0), "first_response_written", "T", target=300)
    assert minutes.layout.shapes[0].y0 == 5   # 300 s on a minutes axis


def test_a_trend_without_values_says_so():
    empty = pd.DataFrame(columns=["period_start", "value", "moe", "n", "is_enough", "is_complete"])
    fig = charts.kpi_trend(empty, "nps", "T")
    assert not fig.data and "No NPS values" in fig.layout.annotations[0].text


@pytest.fixture
def breakdown() -> pd.DataFrame:
    return pd.DataFrame({"member": ["Billing", "Support", "Product", "Sales", "Returns"],
                         "value": [71.2, 84.5, 88.1, np.nan, 76.3], "n": [812, 2310, 1320, 14, 390],
                         "is_better": [False, True, None, None, False]})


def _bar_colours(fig) -> dict[str, str]:
    return {member: t.marker.color for t in fig.data for member in t.y}


def test_ranked_bars_sort_by_value_and_colour_by_judgement(breakdown):
    fig = charts.ranked_bars(breakdown, "csat", "T", target=80, dimension="Department")
    # Plotly draws the first category at the bottom: the highest value is at the top, no value below all.
    assert list(fig.layout.yaxis.categoryarray) == ["Sales", "Billing", "Returns", "Support", "Product"]
    assert _bar_colours(fig) == {"Billing": charts.COLORS["worse"], "Returns": charts.COLORS["worse"],
                                 "Support": charts.COLORS["better"], "Product": charts.COLORS["neutral"]}
    assert {t.name for t in fig.data} == {"Better", "Worse", "No significant change"} and fig.layout.showlegend
    assert fig.layout.shapes[0].x0 == 80 and fig.layout.shapes[0].line.dash == "dash"
    assert fig.layout.xaxis.range[1] > 88.1   # room for the value written past the longest bar


def test_ranked_bars_show_n_as_a_label_and_in_every_hover(breakdown):
    fig = charts.ranked_bars(breakdown, "csat", "T")
    labels = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    assert "n = 2,310" in labels["Support"] and "n = 14" in labels["Sales"]
    for t in fig.data:
        assert "customdata" in t.hovertemplate
        assert all(body.split("<br>")[1].startswith("n = ") for _, body in t.customdata)
    support = next(t for t in fig.data if "Support" in t.y)
    assert support.text[list(support.y).index("Support")] == "84.5%"
    assert any("too few responses" in a.text for a in fig.layout.annotations)


def test_unjudged_bars_take_the_series_colour_without_a_legend(breakdown):
    fig = charts.ranked_bars(breakdown.drop(columns="is_better"), "nps", "T")
    assert set(_bar_colours(fig).values()) == {charts.COLORS["series"]}
    assert not fig.layout.showlegend


@pytest.fixture
def volume() -> pd.DataFrame:
    rows = [("interactions", m, 21000 + i) for i, m in enumerate(MONTHS)]
    rows += [("feedback", m, 0 if m == MAR else 2000) for m in MONTHS]
    rows += [("transactions", m, 9000) for m in MONTHS[3:]]
    volume = pd.DataFrame(rows, columns=["table_name", "month_start", "n_rows"])
    return volume.assign(is_complete=volume["month_start"] != JUL)   # the data ends inside July


def test_monthly_volume_has_one_panel_per_table_with_its_own_scale(volume):
    fig = charts.monthly_volume(volume)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["interactions", "feedback", "transactions"]
    assert len({t.yaxis for t in bars}) == 3 and [a.text for a in fig.layout.annotations] == [t.name for t in bars]
    assert all(fig.layout[f"yaxis{i if i > 1 else ''}"].matches is None for i in (1, 2, 3))
    assert fig.layout.title.text == "Rows loaded per month"
    gaps = [t for t in fig.data if t.type == "scatter"]
    assert len(gaps) == 1 and gaps[0].yaxis == bars[1].yaxis and _x_dates(gaps[0]) == {MAR}
    assert all("rows" in body for t in fig.data for _, body in t.customdata)


def test_monthly_volume_draws_a_partly_covered_month_pale(volume):
    bars = [t for t in charts.monthly_volume(volume).data if t.type == "bar"]
    for t in bars:
        pale = {pd.Timestamp(x).date() for x, c in zip(t.x, t.marker.color) if c == charts.COLORS["band"]}
        assert pale == {JUL}
        july = dict(zip(pd.to_datetime(list(t.x)).date, t.customdata))[JUL]
        assert "partial month" in july[1]
    unmarked = charts.monthly_volume(volume.drop(columns="is_complete")).data[0]
    assert set(unmarked.marker.color) == {charts.COLORS["series"]}


def test_monthly_volume_of_nothing_says_so():
    fig = charts.monthly_volume(pd.DataFrame(columns=["table_name", "month_start", "n_rows"]))
    assert not fig.data and fig.layout.annotations[0].text == "No rows loaded yet"


def test_volume_headline_names_the_gaps(volume):
    assert data_status.volume_headline(volume) == "Feedback has no rows in Mar 2025"
    full = volume[volume["n_rows"] > 0]
    assert data_status.volume_headline(full[full["table_name"] != "transactions"]) \
        == "Rows in every month, Jan 2025 to Jul 2025"
    assert data_status.volume_headline(full).startswith("No gaps")


def test_charts_import_without_streamlit():
    code = "import cxdata.charts, sys; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def _monthly(values, n, complete=None) -> pd.DataFrame:
    return pd.DataFrame({"month_start": MONTHS[:len(values)], "value": values, "n": n,
                         "is_complete": complete or [True] * len(values)})


def test_a_sparkline_names_each_month_and_draws_only_what_it_can_vouch_for():
    # February has 12 answers (under 30): a gap, not a point; July is cut short: left out.
    fig = charts.sparkline(_monthly([30.0, 45.0, 32.0, 34.0, 35.0, 36.0, 60.0], [200, 12, 180, 220, 240, 250, 40],
                                    [True] * 6 + [False]), "nps", min_n=30)
    line = fig.data[0]
    assert len(line.x) == 6                                   # complete months only
    assert pd.isna(line.y[1]) and line.y[0] == 30.0
    assert line.text[0] == "Jan 2025: 30 · n = 200"
    assert line.text[1] == "Feb 2025: under 30 answers"


def test_a_sparkline_axis_spans_at_least_the_kpis_least_span_and_writes_its_ends():
    # A 0.5-point wobble in NPS on an axis of at least 20 points, not stretched to fill the tile.
    fig = charts.sparkline(_monthly([30.0, 30.5, 30.2], [300, 300, 300]), "nps")
    low, high = fig.layout.yaxis.tickvals
    assert high - low == pytest.approx(20.0) and low < 30.0 < 30.5 < high
    assert list(fig.layout.yaxis.ticktext) == ["20", "40"]
    # durations write their ends in one unit: 5.6 h, not "5 h 38 min" clipped at the tile's edge
    hours = charts.sparkline(_monthly([12_000.0, 20_300.0], [500, 500]), "first_response_written")
    assert list(hours.layout.yaxis.ticktext) == ["3.3 h", "5.6 h"]


def test_channel_mix_and_nps_composition_say_their_finding_in_the_title():
    mix = pd.DataFrame({"channel": ["email", "chat", "in_person"], "is_live": [False, True, True],
                        "n": [600, 300, 100], "share": [60.0, 30.0, 10.0], "prev_n": [500, 500, 0],
                        "prev_share": [50.0, 50.0, 0.0]})
    fig = charts.channel_mix(mix, "previous period")
    assert fig.layout.title.text == "Live channels carry 40% of 1,000 contacts"
    assert list(fig.layout.yaxis.ticktext) == ["in person", "chat", "email"]   # every channel named
    summary = pd.DataFrame({"kpi": ["nps", "nps_promoters", "nps_passives", "nps_detractors"],
                            "value": [30.0, 50.0, 30.0, 20.0], "prev_value": [10.0, 40.0, 30.0, 30.0],
                            "n": [100] * 4, "prev_n": [100] * 4})
    nps = charts.nps_composition(summary, "previous period")
    assert nps.layout.title.text == "NPS 30 = 50% promoters − 20% detractors"
    assert [list(t.x) for t in nps.data] == [[40.0, 50.0], [30.0, 30.0], [30.0, 20.0]]


# ---- Numbers that read right: labels that never overlap, colours named as drawn, money with its symbol ------

def _anomalies(n: int, odd: list[int], grain_days: int = 7) -> pd.DataFrame:
    """n weekly points of CSAT, the ones at `odd` flagged as anomalies, the last period incomplete."""
    start = pd.Timestamp("2025-01-06")
    return pd.DataFrame({"period_start": [start + pd.Timedelta(days=grain_days * i) for i in range(n)],
                         "value": [80.0] * n, "moe": [1.0] * n, "n": [500] * n, "is_enough": [True] * n,
                         "is_complete": [True] * (n - 1) + [False], "is_anomaly": [i in odd for i in range(n)],
                         "expected": [80.0] * n})


def _label_boxes(fig, df: pd.DataFrame) -> list[tuple[str, float, float]]:
    """Each point label's middle in pixels on the PLOT_PX plot the chart assumes (hand geometry)."""
    x = pd.to_datetime(df["period_start"])
    low, high = float((df["value"] - df["moe"]).min()), float((df["value"] + df["moe"]).max())
    span = x.max() - x.min()
    out = []
    for a in fig.layout.annotations:
        if a.text in ("anomaly", "incomplete"):
            px = charts.PLOT_PX[0] * (pd.Timestamp(a.x) - x.min()) / span
            py = charts.PLOT_PX[1] * ((a.y - low) / (high - low) if high > low else 0.5) + a.yshift
            out.append((a.text, px, py))
    return out


def _overlaps(boxes) -> list:
    w, h = charts.LABEL_PX
    return [(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1:] if abs(a[1] - b[1]) < w and abs(a[2] - b[2]) < h]


def test_anomaly_labels_go_below_then_above_and_are_dropped_when_neither_is_free():
    # 52 flat weeks (14.9 px apart on a 760 px plot): weeks 10, 11 and 12 cannot all be labelled
    df = _anomalies(52, [10, 11, 12, 30, 50])
    fig = charts.kpi_trend(df, "csat", "T", grain="week")
    week = lambda i: pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=i)   # noqa: E731
    anomaly = sorted((pd.Timestamp(a.x), a.yshift) for a in fig.layout.annotations if a.text == "anomaly")
    # week 10 below, 11 above, 12 unlabelled (its ring still drawn); 30 and 50 below (week 51's "incomplete" is above)
    assert anomaly == [(week(10), charts.BELOW), (week(11), charts.ABOVE), (week(30), charts.BELOW),
                       (week(50), charts.BELOW)]
    assert len(next(t for t in fig.data if t.name == "anomaly").x) == 5
    assert not _overlaps(_label_boxes(fig, df))


def test_anomaly_labels_do_not_collide_when_neighbours_sit_at_different_heights():
    # a dip like the demo's SLA in December: neighbours 1.5 points apart, where "below, then above" collided
    df = _anomalies(26, [11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24])
    df["value"] = [90.0] * 11 + [79.2, 77.7, 80.8, 78.0, 79.7, 78.8, 79.6, 80.3, 80.3, 90.5, 89.2, 91.4, 90.3, 89.7, 90.0]
    fig = charts.kpi_trend(df, "sla_compliance", "T", grain="week")
    boxes = _label_boxes(fig, df)
    assert not _overlaps(boxes) and sum(t == "anomaly" for t, _, _ in boxes) >= 4   # some labelled, none overlapping


def test_the_sankey_drops_a_label_that_could_print_over_another():
    # 1,000 customers from A: 950 to B, 38 to C, 10 to D, 2 to E
    nodes = ["A", "B", "C", "D", "E"]
    links = pd.DataFrame({"source": [0, 0, 0, 0], "target": [1, 2, 3, 4], "value": [950, 38, 10, 2],
                          "color": ["#ccc"] * 4, "hover": ["x"] * 4})
    heights, columns = charts.sankey_layout(5, links, 308, charts.SANKEY_PAD)
    # the second column holds 4 nodes: (308 - 3 * 14) / 1,000 customers = 0.266 px a customer
    assert heights == pytest.approx([266.0, 252.7, 10.108, 2.66, 0.532]) and columns == [0, 1, 1, 1, 1]
    # C (10 px) is labelled: beside B its middle is 131 px away; D (2.7 px) beside C only 20.4 px: kept;
    # E (0.5 px) beside D: 15.6 px, under the 18 px a label needs: its name is left to the hover
    sankey = charts.journey_sankey(nodes, ["#000"] * 5, links, "t").data[0]
    assert list(sankey.node.label) == ["A", "B", "C", "D", ""]
    assert list(sankey.node.customdata) == nodes and "%{customdata}" in sankey.node.hovertemplate
    # a thin node alone beside a big one (the churned customers at the end of the paths) keeps its label
    ends = pd.DataFrame({"source": [0, 0], "target": [1, 2], "value": [995, 5], "color": ["#ccc"] * 2, "hover": ["x"] * 2})
    assert list(charts.journey_sankey(["A", "stayed", "churned"], ["#000"] * 3, ends, "t").data[0].node.label) == \
        ["A", "stayed", "churned"]


def test_a_sparkline_with_nothing_to_draw_says_so_within_the_tile():
    fig = charts.sparkline(_monthly([30.0, 45.0], [5, 5]), "nps", min_n=30, height=46)
    (note,) = fig.layout.annotations
    assert note.text == "No complete month yet" and note.xanchor == "left" and note.x == 0
    assert note.font.size + 4 <= 46 and len(note.text) * 0.6 * note.font.size <= 180   # fits a 180 px tile
    assert (fig.layout.margin.l, fig.layout.margin.r) == (0, 0)


def _hue(hex_colour: str) -> tuple[float, float]:
    import colorsys
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    return 360 * h, s


@pytest.mark.parametrize("word, hues", [("red", [(345, 360), (0, 12)]), ("orange", [(15, 45)]), ("amber", [(30, 50)]),
                                        ("green", [(90, 170)]), ("blue", [(190, 250)])])
def test_every_colour_word_names_the_hue_drawn(word, hues):
    """A legend that says red shows red: each colour named in a subtitle or legend lies in that word's hues."""
    named = {charts.COLORS[k]: w for k, w in charts.COLOR_WORDS.items() if w in ("orange", "blue")}
    from cxdata import verdict   # the matrix's met, close and missed, named green, amber and red in its legend
    named.update({charts.STATUS_COLORS[k]: w for k, w in ((verdict.MET, "green"), (verdict.CLOSE, "amber"),
                                                          (verdict.MISSED, "red"))})
    for colour in (c for c, w in named.items() if w == word):
        hue, saturation = _hue(colour)
        assert saturation > 0.5 and any(lo <= hue <= hi for lo, hi in hues), (word, colour, hue)


def test_the_subtitles_name_the_colours_their_charts_draw():
    from cxdata import journey
    assert "orange: worse" in journey.map_subtitle() and "blue: better" in journey.map_subtitle()
    assert "red" not in journey.map_subtitle()
    drivers = pd.DataFrame([{"dimension": "channel", "member": "chat", "is_supported": True, "performance": 70.0,
                             "importance": 30.0, "is_significant": True, "quadrant": "fix first", "reach": 40.0,
                             "importance_line": 20.0, "performance_line": 80.0, "importance_moe": 5.0,
                             "p_value": 0.001, "nps_good": 40.0, "nps_bad": 10.0, "n_good": 100, "n_bad": 100,
                             "performance_moe": 3.0, "performance_n": 300, "is_weak": True, "n_nps_respondents": 500,
                             "reason": None}])
    fig = charts.nps_drivers(drivers, "channel", "T", "")
    assert fig.layout.title.subtitle.text.startswith("orange: fix first")
    assert fig.data[0].marker.color[0] == charts.COLORS["worse"]


def test_money_axes_carry_the_currency(monkeypatch):
    monkeypatch.setenv("CX_CURRENCY", "EUR")
    revenue = pd.DataFrame({"period_start": MONTHS[:3], "value": [4.1e6, 4.3e6, 4.2e6], "moe": [np.nan] * 3,
                            "n": [900] * 3, "is_enough": [True] * 3, "is_complete": [True] * 3})
    fig = charts.kpi_trend(revenue, "revenue", "T")
    assert fig.layout.yaxis.tickprefix == "€" and fig.layout.yaxis.title.text == "Revenue (EUR)"
    summary = pd.DataFrame({"dimension": ["segment"], "member": ["SMB"], "value_at_risk": [1_234_567.0],
                            "n_at_risk": [12], "n_customers": [400]})
    bars = charts.revenue_at_risk_bars(summary, "segment", "T")
    assert list(bars.data[0].text) == ["€1.23 M"] and bars.layout.xaxis.tickprefix == "€"


def test_every_axis_writes_thousands_separators():
    cx = pio.templates["cx"].layout
    assert cx.xaxis.separatethousands and cx.yaxis.separatethousands   # 8,000 contacts, not 8000


def _driver(member: str, supported: bool = True, performance: float = 70.0, **more) -> dict:
    return {"dimension": "touchpoint", "member": member, "is_supported": supported, "performance": performance,
            "importance": 30.0, "is_significant": True, "quadrant": "fix first", "reach": 40.0,
            "importance_line": 20.0, "performance_line": 80.0, "importance_moe": 5.0, "p_value": 0.001,
            "nps_good": 40.0, "nps_bad": 10.0, "n_good": 100, "n_bad": 100, "performance_moe": 3.0,
            "performance_n": 300, "is_weak": True, "n_nps_respondents": 500,
            "reason": None if supported else "too few answers (30 of each needed)", **more}


def test_every_figure_builder_wraps_its_subtitle():
    """Every public function that draws a titled figure goes through the one wrapping rule."""
    import inspect
    builders = [name for name, f in inspect.getmembers(charts, inspect.isfunction)
                if f.__module__ == charts.__name__ and not name.startswith("_")
                and inspect.signature(f).return_annotation == "go.Figure"]
    untitled = {"sparkline", "for_slide"}   # a sparkline has no title; a slide states its own
    assert len(builders) == 26   # initiative_effect, parallel_trends and customer_risk the newest
    assert [n for n in builders if n not in untitled and not getattr(getattr(charts, n), "wraps_subtitle", False)] == []


def _lines(fig) -> list[str]:
    return fig.layout.title.subtitle.text.split("<br>")


def test_a_long_subtitle_wraps_at_words_and_the_chart_makes_room_for_it():
    # the service page's split at 1280 px lost "… at the front office" past the right edge
    rows = pd.DataFrame({"member": ["Sales", "IT"], "immediate_share": [69.0, 28.0], "n_due": [2832, 1466]})
    fig = charts.immediate_split(rows, "Answered immediately or deferred, by department",
                                 "% of the contacts due an answer; immediate = answered within 3 min at the front office")
    assert _lines(fig) == ["% of the contacts due an answer; immediate = answered within",
                           "3 min at the front office"]   # "3 min" kept together
    assert fig.layout.margin.t == 96 + 20 and fig.layout.height == 160 + 46 * 2 + 20   # one line added
    short = charts.immediate_split(rows, "T", "% of the contacts due an answer")
    assert _lines(short) == ["% of the contacts due an answer"] and short.layout.margin.t is None


def test_the_driver_matrix_subtitle_and_its_note_wrap_within_a_half_column():
    # the trends page cut "… not shown: under 30 respondents with a good or with a …" at 1280 px
    drivers = pd.DataFrame([_driver("chat"), _driver("portal", False), _driver("shop", False)])
    fig = charts.nps_drivers(drivers, "touchpoint", "T", "NPS gap between customers with a good and a bad "
                             "experience there, against CSAT there, 02 Sep 2026 – 30 Nov 2026")
    assert _lines(fig) == ["NPS gap between customers with a good and a bad experience",
                           "there, against CSAT there, 02 Sep 2026 – 30 Nov 2026",
                           "orange: fix first, judged on the margins, not the lines alone;",
                           "hollow: a gap within the noise; 2 touchpoints not shown: under",
                           "30 respondents with a good or with a bad experience"]
    assert all(len(line) <= charts.SUBTITLE_CHARS for line in _lines(fig))
    assert fig.layout.margin.t == 124 + 3 * 20 and fig.layout.height == 560 + 3 * 20   # 2 lines became 5


def test_the_driver_matrix_csat_axis_spans_at_least_ten_points_with_whole_ticks():
    # touchpoints at 83.3-83.6% and the view at 83.5%: an axis 0.3 points wide made 0.1 look large
    close = pd.DataFrame([_driver("web", performance=83.3), _driver("app", performance=83.4),
                          _driver("shop", performance=83.6)]).assign(performance_line=83.5)
    fig = charts.nps_drivers(close, "touchpoint", "T")
    # 83.45 ± 5 -> [78.45, 88.45], then 12% of 10 points of room each side
    assert list(fig.layout.xaxis.range) == pytest.approx([77.25, 89.65])
    assert fig.layout.xaxis.tickformat == ".0f" and fig.layout.xaxis.ticksuffix == "%"
    # near the top: 96-98.5% -> [92.25, 102.25], moved under 100 -> [90, 100], then the room
    high = pd.DataFrame([_driver("web", performance=97.0), _driver("app", performance=98.5)]).assign(
        performance_line=96.0)
    assert list(charts.nps_drivers(high, "touchpoint", "T").layout.xaxis.range) == pytest.approx([88.8, 101.2])
    # spread wider than 10 points: as before, the values plus 12% room
    wide = pd.DataFrame([_driver("web", performance=60.0), _driver("app", performance=90.0)]).assign(
        performance_line=80.0)
    assert list(charts.nps_drivers(wide, "touchpoint", "T").layout.xaxis.range) == pytest.approx([56.4, 93.6])
    # the top bubble's name needs room under the view's CSAT label: 30% of the gaps' span above, 15% below
    assert list(charts.nps_drivers(close, "touchpoint", "T").layout.yaxis.range) == pytest.approx([-4.5, 39.0])


# ---- Names from the data are drawn as the text they are, never as Plotly markup (issue 23) -------------

NAME = '<a href="https://evil.example/">X</a>&<b>y</b>'
SHOWN = "&lt;a href=\"https://evil.example/\"&gt;X&lt;/a&gt;&amp;&lt;b&gt;y&lt;/b&gt;"   # Plotly draws this as NAME


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (dict, list)):
        for v in value.values() if isinstance(value, dict) else value:
            yield from _strings(v)


def _named_figures(trend) -> dict:
    """Every builder that draws names from the data, given NAME as a department, segment, touchpoint,
    stage, theme, channel, customer and member, and in its title; a subtitle long enough to wrap."""
    other = "Sales"
    title, sub = f"{NAME}: 75% within SLA", f"{NAME} against the previous period, in every channel and every region"
    members = pd.DataFrame({"member": [NAME, other], "value": [71.2, 84.5], "n": [812, 2310], "is_better": [False, True]})
    per_member = pd.concat([trend.assign(member=m) for m in (NAME, other)])
    mix = pd.DataFrame({"channel": [NAME, "chat"], "is_live": [False, True], "n": [600, 300], "share": [60.0, 30.0],
                        "prev_n": [500, 500], "prev_share": [50.0, 50.0]})
    cells = pd.DataFrame({"is_stage": [False], "is_total": [False], "stage": [NAME], "touchpoint_name": [NAME],
                          "n_interactions": [11], "csat": [80.0], "ces": [2.1], "complaint_pct": [9.0],
                          "sla_breach_pct": [45.0], "n_sla_judged": [11], "csat_vs": ["worse"], "ces_vs": ["neutral"],
                          "complaint_pct_vs": ["better"], "sla_breach_pct_vs": ["neutral"]})
    links = pd.DataFrame({"source": [0], "target": [1], "value": [950], "color": ["#ccc"], "hover": [f"{NAME} to {other}"]})
    moments = pd.DataFrame({"stage": [NAME], "touchpoint_name": [NAME], "is_tested": [True], "churn_good": [5.0],
                            "churn_bad": [12.0], "n_good": [400], "n_bad": [80], "is_significant": [True]})
    themes = pd.DataFrame({"label": [NAME, "Price"], "is_significant": [True, False],
                           "detractor_share": [30.0, 10.0], "n_detractor": [30, 10], "n_detractor_comments": [100, 100],
                           "promoter_share": [5.0, 8.0], "n_promoter": [5, 8], "n_promoter_comments": [100, 100]})
    changes = pd.DataFrame({"label": [NAME, "Price"], "delta": [4.0, -1.0], "share": [12.0, 3.0], "n": [120, 30],
                            "prev_share": [8.0, 4.0], "prev_n": [80, 40], "p_value": [0.001, 0.4],
                            "is_significant": [True, False]})
    heat = pd.DataFrame({"theme": ["t1", "t1", "t2", "t2"], "position": [1, 1, 2, 2], "label": [NAME, NAME, "Price", "Price"],
                         "member": [NAME, other] * 2, "share": [10.0, 20.0, 30.0, 40.0], "n": [10, 20, 30, 40],
                         "negative_share": [50.0, 40.0, 30.0, 20.0], "n_member": [100, 100, 100, 100]})
    risk = pd.DataFrame({"dimension": ["segment"] * 2, "member": [NAME, other], "value_at_risk": [1.2e6, 3e5],
                         "n_at_risk": [12, 3], "n_customers": [400, 100]})
    points = pd.DataFrame({"band": ["high", "low"], "annual_value": [5e4, 1e4], "score": [80.0, 10.0],
                           "customer_id": [NAME, "C-2"], "value_at_risk": [5e4, 0.0]})
    matrix = pd.DataFrame({"department": [NAME, other], "sla_compliance": [("met", "91%"), ("missed", "60%")],
                           "index": [95.0, 40.0]})
    quarters = pd.DataFrame({"department": [NAME, NAME], "period_start": [JAN, APR], "index": [80.0, 90.0],
                             "n_met": [4, 5], "n_metrics": [5, 5]})
    split = pd.DataFrame({"member": [NAME, other], "immediate_share": [69.0, 28.0], "n_due": [2832, 1466]})
    return {
        "kpi_trend": charts.kpi_trend(trend, "nps", title, sub, period=(JAN, MAR, NAME)),
        "small_multiples": charts.small_multiples(per_member, "nps", [NAME, other], title, sub),
        "ranked_bars": charts.ranked_bars(members, "csat", title, sub, target=80.0, dimension="department"),
        "channel_mix": charts.channel_mix(mix, "previous period"),
        "nps_drivers": charts.nps_drivers(pd.DataFrame([_driver(NAME), _driver(other)]), "touchpoint", title, sub),
        "journey_map": charts.journey_map(cells, [NAME], {NAME: f"{NAME} · 11 contacts"}, {NAME}, title, sub),
        "journey_sankey": charts.journey_sankey([NAME, other], ["#000"] * 2, links, title, sub),
        "moments_of_truth": charts.moments_of_truth(moments, title, sub),
        "detractor_drivers": charts.detractor_drivers(themes, title, sub),
        "theme_changes": charts.theme_changes(changes, title, sub),
        "theme_heatmap": charts.theme_heatmap(heat, "Touchpoint", title, sub),
        "revenue_at_risk_bars": charts.revenue_at_risk_bars(risk, "segment", title, sub),
        "churn_risk_value": charts.churn_risk_value(points, 50.0, title, sub),
        "alignment_matrix": charts.alignment_matrix(matrix, ["sla_compliance"], title, sub),
        "alignment_trend": charts.alignment_trend(quarters, [NAME], title, sub),
        "immediate_split": charts.immediate_split(split, title, sub),
    }


def test_names_from_the_data_are_drawn_as_text_never_as_markup(trend):
    for name, fig in _named_figures(trend).items():
        strings = list(_strings(json.loads(fig.to_json())))
        assert not [s for s in strings if "<a" in s or "<b>y" in s or "</a>" in s], name   # no live link, no bold
        assert any(SHOWN in s for s in strings), name                                     # the name is drawn
        if name == "channel_mix":
            continue   # titled by its own numbers
        assert SHOWN in fig.layout.title.text, name
        # the builder's own markup still works: the wrapped subtitle's line break and the hovers' bold
        assert "<br>" in fig.layout.title.subtitle.text and "&lt;br&gt;" not in fig.layout.title.subtitle.text, name
    bars = _named_figures(trend)["ranked_bars"]
    # categories still match their order and their n labels: one entry per member, the same text
    assert set(bars.layout.yaxis.tickvals) == {SHOWN, "Sales"} and SHOWN in {y for t in bars.data for y in t.y}
    assert "<b>%{customdata[0]}</b>" in bars.data[0].hovertemplate


def test_a_name_is_made_literal_exactly_once_and_comes_back_whole():
    assert charts.literal(NAME) == SHOWN and charts.plain(SHOWN) == NAME
    assert charts.literal("Billing") == "Billing" and charts.plain(charts.literal("&lt; R&D")) == "&lt; R&D"


def test_a_customers_risk_over_time_draws_each_scoring_by_band_with_its_reasons():
    risk = pd.DataFrame({"scored_on": pd.to_datetime(["2026-06-01", "2026-09-01", "2026-12-01"]),
                         "score": [4.0, 18.0, 64.0], "band": ["low", "medium", "high"],
                         "reasons": [[], ["2 complaints in the last 90 days"], ["asked to cancel", "NPS fell from 9 to 4"]]})
    fig = charts.customer_risk(risk, 30.0, "Risk rose", "n = 3")
    line, *points = fig.data
    assert list(line.y) == [4.0, 18.0, 64.0] and line.hoverinfo == "skip"
    assert [p.name for p in points] == ["Low risk", "Medium risk", "High risk"]
    assert points[2].customdata[0][1] == "asked to cancel<br>NPS fell from 9 to 4"
    assert points[0].customdata[0][1] == "no warning sign"
    assert fig.layout.shapes[0].y0 == 30.0                          # the alert threshold, dashed
    assert list(fig.layout.xaxis.ticktext) == ["01 Jun 2026", "01 Sep 2026", "01 Dec 2026"]
    empty = charts.customer_risk(risk.iloc[0:0], 30.0, "None")
    assert empty.layout.annotations[0].text == "No risk score for this customer: scores are for active customers"
