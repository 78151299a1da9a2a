"""One period per view (issue 22, item 2): the overview, KPI trends (its selected-period value), the
department scorecards' company row and the board pack state the same headline numbers for the same
filters; the trend chart shades the period; the department quarter follows the period's end."""
import datetime as dt
import random

import pytest

from cxdata import data_status, db, departments, derive, overview, trends
from cxdata.filters import COMPARISONS, PRESETS, Filters, ViewState, preset_range
from cxdata.report import sections
from tests.test_periods import LAST_DAY, ROWS

HEADLINE = ("nps", "csat", "sla_compliance")
LABELS = {"nps": "NPS", "csat": "CSAT", "sla_compliance": "SLA compliance"}


# ---- By hand: the data of tests/test_periods.py ----------------------------------------------------------
# Two NPS answers a day from 1 Sep 2025: every one a 10 through November, every one a 0 from 1 December to
# the data's end on 6 December. Over 1 Nov - 6 Dec: 60 promoters and 12 detractors of 72 answers, NPS
# (60 - 12) / 72 = 66.7, shown "67"; November alone, the latest whole month, is 100.
NOV_TO_END = Filters(dt.date(2025, 11, 1), LAST_DAY)


@pytest.fixture(scope="module")
def hand_reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("one_period") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
    con = db.connect_readonly(path)
    yield db.Reader(con)
    con.close()


def test_trends_states_the_periods_value_as_the_overview_does(hand_reader):
    data = trends.load(hand_reader, NOV_TO_END, "nps", "month", "none", "previous", 1, dt.date(2025, 9, 1),
                       LAST_DAY, compare="previous")
    assert data.selected.text == "67" and data.selected.value == pytest.approx(200 / 3)
    assert data.changes["previous"].period == dt.date(2025, 11, 1) and data.changes["previous"].value == 100
    assert trends.headline(data).startswith("NPS is 67 over 1 Nov – 6 Dec 2025; it is 100 in November 2025")
    tiles = overview.tiles(overview.load(hand_reader, NOV_TO_END, "previous", 1),
                           ViewState(NOV_TO_END, "custom", "previous"), 1)
    assert next(t.value for t in tiles if t.kpi == "nps") == "67"


def test_without_a_comparison_or_for_a_kpi_the_overview_lacks_there_is_no_period_value(hand_reader):
    plain = trends.load(hand_reader, NOV_TO_END, "nps", "month", "none", "previous", 1, None, LAST_DAY)
    assert plain.selected is None and trends.headline(plain).startswith("NPS is 100 in November 2025")
    fcr = trends.load(hand_reader, NOV_TO_END, "first_contact_resolution", "month", "none", "previous", 1, None,
                      LAST_DAY, compare="previous")
    assert fcr.selected is None


def test_the_trend_chart_shades_the_selected_period_and_labels_its_value(hand_reader):
    view = Filters(dt.date(2025, 10, 15), LAST_DAY)   # starts mid-October: the band holds October's point
    data = trends.load(hand_reader, view, "nps", "month", "none", "previous", 1, dt.date(2025, 9, 1), LAST_DAY,
                       compare="previous")
    fig = trends.figure(data, 1)
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == 1
    assert str(bands[0].x0)[:10] == "2025-10-01" and str(bands[0].x1)[:10] == "2025-12-06"
    # 15 Oct - 30 Nov: 47 days x 2 = 94 promoters; 1 - 6 Dec: 12 detractors; (94 - 12) / 106 = 77.4
    assert any(a.text == "Selected period: 77" for a in fig.layout.annotations)
    assert "shaded: the selected period, 15 Oct – 6 Dec 2025" in trends.subtitle(data)


def test_the_department_company_row_is_the_periods_value(hand_reader):
    row = departments.company_row(hand_reader, NOV_TO_END, 1)
    assert row["NPS"] == "67"   # the period's, not Q4 2025's (82)
    # one ticket a day, each resolved in 1 hour against a 2-hour SLA: all on time
    assert row["SLA compliance"] == "100.0%"
    assert list(row)[:3] == ["NPS", "CSAT", "CES"] and row["CSAT"] == "Too few answers"


# ---- Across many views of the demo -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(demo_december):
    con = db.connect_readonly(demo_december)
    reader = db.Reader(con)
    yield reader, data_status.facts(reader), data_status.filter_options(reader)
    con.close()


def _random_views(facts, options, count=8, seed=2):
    """Seeded random views: a preset or a custom range inside the data, a comparison, and a few
    segments and channels (sometimes none: all)."""
    rng = random.Random(seed)
    today, oldest = facts["last_complete_on"], facts["oldest_on"]
    views = []
    for _ in range(count):
        preset = rng.choice(list(PRESETS))
        if preset == "custom":
            start = oldest + dt.timedelta(days=rng.randrange(400, (today - oldest).days - 30))
            end = min(today, start + dt.timedelta(days=rng.randrange(20, 200)))
        else:
            start, end = preset_range(preset, today)
        chosen = {key: rng.sample(options[key], rng.randrange(0, 3)) for key in ("segment", "channel")}
        views.append(ViewState(Filters(start, end, **chosen), preset, rng.choice(list(COMPARISONS))))
    return views


def test_the_same_view_gives_the_same_headline_numbers_on_every_page(demo):
    reader, facts, options = demo
    minimum = 30
    shown_numbers = 0
    for view in _random_views(facts, options):
        gaps = bool(overview.comparison_gaps(view, facts))
        data = overview.load(reader, view.filters, view.compare, minimum)
        tile = {t.kpi: t for t in overview.tiles(data, view, minimum, withhold_counts=gaps)}
        pack = sections.kpi_summary(reader, view, sections.Context(facts, minimum))[0]
        pack_value = {row[0]: row[1] for row in pack.table.rows}
        company = departments.company_row(reader, view.filters, minimum)
        for kpi in HEADLINE:
            trend = trends.load(reader, view.filters, kpi, "month", "none", "previous", minimum, facts["oldest_on"],
                                facts["last_complete_on"], compare=view.compare, withhold_counts=gaps)
            where = (kpi, view.filters, view.compare)
            assert trend.selected.text == tile[kpi].value == pack_value[LABELS[kpi]] == company[LABELS[kpi]], where
            assert trend.selected.change == tile[kpi].delta, where
            row = data.summary.set_index("kpi").loc[kpi]
            assert trend.selected.value == (row["value"] if row["is_enough"] else None), where
            shown_numbers += trend.selected.value is not None
    assert shown_numbers >= 20   # of 24: numbers, not only "Too few answers" (23 on this demo)


def test_the_views_cover_presets_custom_ranges_comparisons_and_filters(demo):
    _, facts, options = demo
    views = _random_views(facts, options)
    assert "custom" in {v.preset for v in views} and len({v.preset for v in views}) >= 5
    assert {v.compare for v in views} == set(COMPARISONS)
    assert any(v.filters.chosen for v in views) and any(not v.filters.chosen for v in views)
