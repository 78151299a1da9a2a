"""The KPI trends page under AppTest: every metric at every grain on the demo, links, bad URLs."""

import pytest

from cxdata import trends
from tests.test_app import _starter


@pytest.fixture(scope="module")
def demo_db(demo_december):
    return demo_december


@pytest.fixture
def start(demo_db, monkeypatch):
    """Open the trends page with these URL parameters (as a link would)."""
    opened = _starter(demo_db, monkeypatch)
    return lambda **query_params: opened("pages/trends.py", **query_params)


def test_every_metric_renders_at_every_grain(start):
    at = start()
    assert not at.exception
    for grain in trends.GRAINS:
        at.radio(key="pg_grain").set_value(grain).run()
        for kpi in trends.METRICS:
            at.selectbox(key="pg_metric").set_value(kpi).run()
            assert not at.exception, (kpi, grain, at.exception)
            assert not at.error, (kpi, grain)
            assert at.query_params["metric"] == kpi and at.query_params["grain"] == grain
            assert len(at.get("plotly_chart")) >= 1, (kpi, grain)


def test_the_default_view_names_the_holiday_dip_in_words(start):
    at = start()
    anomalies = [m.value for m in at.markdown if "times its usual variation" in m.value]
    assert anomalies and "December 2025" in anomalies[0] and "is below the 35 its recent history predicts" in anomalies[0]
    table = at.dataframe[0].value
    assert list(table.columns[:5]) == ["Member", "Value", "n", "Change", "Verdict"]
    assert set(table["Member"]) == {"Consumer", "SMB", "Mid-Market", "Enterprise"}


def test_a_link_with_metric_grain_and_filters_opens_that_view(start):
    at = start(metric="sla_compliance", grain="quarter", by="department", department="Billing")
    assert not at.exception
    assert at.selectbox(key="pg_metric").value == "sla_compliance" and at.radio(key="pg_grain").value == "quarter"
    assert at.multiselect(key="flt_department").value == ["Billing"]
    assert any("SLA compliance by department" in h.value for h in at.subheader)


@pytest.mark.parametrize("params, notice", [
    ({"metric": "nps; drop table feedback"}, "Ignored unknown metric"),
    ({"grain": "decade"}, "Ignored unknown grain"),
    ({"by": "shoe_size"}, "Ignored unknown break down by"),
])
def test_an_unknown_metric_or_grain_in_the_url_gives_a_notice_and_the_default(start, params, notice):
    at = start(**params)
    assert not at.exception
    assert any(w.value.startswith(notice) for w in at.warning), [w.value for w in at.warning]
    assert at.selectbox(key="pg_metric").value in trends.METRICS


def test_a_customer_kpi_by_channel_says_why_there_is_no_breakdown(start):
    at = start(metric="churn_rate", by="channel")
    assert any("is a customer KPI" in i.value for i in at.info)


def test_filters_with_no_data_show_an_empty_state(start):
    at = start(period="custom", **{"from": "2030-01-01", "to": "2030-03-01"})
    assert not at.exception
    at = start(segment="SMB", channel="kiosk", department="Marketing", metric="csat")
    assert not at.exception
    assert any("No CSAT data matches these filters" in i.value for i in at.info) or at.get("plotly_chart")


def test_nps_shows_its_drivers_in_words_and_a_quadrant(start):
    at = start(period="12m")
    assert any(h.value == "What drives NPS" for h in at.subheader)
    assert any(m.value.startswith(("Fix first:", "Nothing to fix first", "Too few answers")) for m in at.markdown)
    at.radio(key="drivers_by").set_value("touchpoint").run()
    assert not at.exception
    at.selectbox(key="pg_metric").set_value("csat").run()
    assert not any(h.value == "What drives NPS" for h in at.subheader)
