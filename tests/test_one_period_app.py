"""One period per view under AppTest, on the demo as of 1 December 2026: KPI trends and the department
scorecards state the overview's numbers for the sidebar's period, the department quarter follows the
period's end, and each page draws only the global controls that act on it."""
import json

import pytest

from tests.test_app import _starter, shown

VIEW = {"period": "90d", "compare": "year", "segment": "SMB"}


@pytest.fixture
def start(demo_december, monkeypatch, tmp_path):
    monkeypatch.setenv("CX_STORE", str(tmp_path / "state.sqlite"))
    opened = _starter(demo_december, monkeypatch)
    return lambda page, **params: opened(page, **params)


@pytest.fixture
def overview_tiles(start):
    at = start("pages/overview.py", **VIEW)
    assert not at.exception
    return shown(at)


def _widget_keys(at) -> set[str]:
    """The global filters drawn in the sidebar (the language box is always there: it is not a filter)."""
    return {w.key for kind in ("selectbox", "multiselect", "date_input") for w in at.sidebar.get(kind)
            if w.key != "cx_language_picker"}


def test_trends_states_the_overviews_value_for_the_period_and_marks_it(start, overview_tiles):
    at = start("pages/trends.py", **VIEW)
    assert not at.exception and not at.error
    selected = next(m for m in at.metric if m.label.startswith("Selected period"))
    assert selected.label == "Selected period, 2 Sep – 30 Nov 2026"
    assert selected.value == overview_tiles["NPS"]
    # the chart's title leads with it, and a band shades it
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith(f"NPS is {overview_tiles['NPS']} over 2 Sep – 30 Nov 2026")
    assert [s["type"] for s in spec["layout"]["shapes"]].count("rect") == 1
    # no comparison of its own: the sidebar's is the page's
    assert not [s for s in at.selectbox if s.label == "Change against"]
    assert at.selectbox(key="flt_compare").value == "year"
    at.selectbox(key="pg_metric").set_value("sla_compliance").run()
    selected = next(m for m in at.metric if m.label.startswith("Selected period"))
    assert selected.value == overview_tiles["SLA compliance"]


def test_departments_company_row_and_the_quarter_that_follows_the_period(start, overview_tiles):
    at = start("pages/departments.py", **VIEW)
    assert not at.exception and not at.error
    company = next(m.value for m in at.markdown if m.value.startswith("**Company**"))
    for label in ("NPS", "CSAT", "SLA compliance"):
        assert f"{label} **{overview_tiles[label]}**" in company, (label, company)
    assert company.startswith("**Company**, 2 Sep – 30 Nov 2026:")
    quarter = at.selectbox(key="pg_quarter")
    assert quarter.value == "2026-10-01"                       # the quarter holding 30 Nov 2026
    quarter.set_value("2026-07-01").run()
    assert at.selectbox(key="pg_quarter").value == "2026-07-01"   # a quarter picked stays while the period does
    at.selectbox(key="flt_period").set_value("custom").run()
    at.sidebar.date_input(key="flt_range").set_value(("2026-02-01", "2026-05-20")).run()
    assert not at.exception
    assert at.selectbox(key="pg_quarter").value == "2026-04-01"   # a new period's end: its quarter
    assert "compare" not in {k.removeprefix("flt_") for k in _widget_keys(at)}


def test_a_link_naming_a_quarter_opens_it(start):
    at = start("pages/departments.py", quarter="2026-01-01", **VIEW)
    assert at.selectbox(key="pg_quarter").value == "2026-01-01"


def test_each_page_draws_only_the_controls_that_act_on_it_and_keeps_the_others(start):
    at = start("pages/churn.py", period="12m", compare="year", channel="chat", segment="SMB")
    assert not at.exception
    assert _widget_keys(at) == {"flt_segment", "flt_region", "flt_plan"}
    assert at.query_params["period"] == "12m" and at.query_params["channel"] == "chat"   # the link still holds them
    assert any("no period applies here" in c.value for c in at.caption)
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert at.selectbox(key="flt_period").value == "12m" and at.selectbox(key="flt_compare").value == "year"
    assert at.multiselect(key="flt_channel").value == ["chat"] and at.multiselect(key="flt_segment").value == ["SMB"]
    for page in ("pages/service.py", "pages/journey.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert "flt_period" in _widget_keys(at) and "flt_compare" not in _widget_keys(at), page
    at.selectbox(key="flt_period").set_value("30d").run()        # changed where the comparison is hidden ...
    assert at.query_params["compare"] == "previous"               # ... it brings its natural comparison
    at.switch_page("pages/voice.py").run()
    assert at.selectbox(key="flt_period").value == "30d" and at.selectbox(key="flt_compare").value == "previous"
