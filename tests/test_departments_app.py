"""The department scorecards and service levels pages under AppTest: what they show on the demo, and
editing a target (by the local administrator: kept across a restart and a load; out of range: refused;
by a role that may not: no form, see tests/test_access_app.py)."""
import datetime as dt
import shutil

import pytest

from cxdata import db, departments, service
from cxdata import formatting as fmt
from cxdata.filters import Filters
from cxdata.load import load_files
from cxdata.store import STORE_ENV, Store
from tests.test_app import _starter


@pytest.fixture
def start_on(monkeypatch, tmp_path):
    """Open a page of the app on a database, with the follow-up store in tmp (never beside a shared demo)."""
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "state.sqlite"))

    def start(path, page, **query_params):
        return _starter(path, monkeypatch)(page, **query_params)
    return start


def test_scorecards_page_shows_billing_last_and_its_card(start_on, demo_december, monkeypatch):
    at = start_on(demo_december, "pages/departments.py", card="Billing")
    assert not at.exception and not at.error
    assert any("**Billing** ranks last" in m.value for m in at.markdown)
    card = at.dataframe[0].value.set_index("Metric")
    assert card.loc["SLA compliance", "Status"] == "missed" and card.loc["SLA compliance", "Target"] == "90.0%"
    assert card.loc["Churn after a bad experience", "Target"] == "no target"
    # the same numbers as the module, for the view the page shows (last 90 days to 30 Nov 2026)
    con = db.connect_readonly(demo_december)
    try:
        view = Filters(dt.date(2026, 9, 2), dt.date(2026, 11, 30))
        cards = departments.scorecards(db.Reader(con), view, newest_on=dt.date(2026, 12, 1))
    finally:
        con.close()
    expected = cards.cards[cards.cards["department"] == "Billing"].set_index("label")
    assert card.loc["SLA compliance", "Value"] == fmt.value("sla_compliance", expected.loc["SLA compliance", "value"])
    # the one local user is the administrator: the form is there, and no box asks for a name
    assert at.number_input(key="target_value") and not any("Your name" in t.label for t in at.text_input)


def test_an_edited_target_survives_a_restart_and_a_load(start_on, tiny_db, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    shutil.copy(tiny_db, path)
    at = start_on(path, "pages/departments.py", card="Billing")
    assert not at.exception
    at.selectbox(key="target_metric").set_value("sla_compliance")
    at.number_input(key="target_value").set_value(150.0)
    at.button(key="target_save").click().run()  # out of range: refused with the range, nothing kept
    assert any("between 0 and 100" in e.value for e in at.error)
    assert Store.beside(path).records(departments.STORE_KIND) == {}
    at.selectbox(key="target_metric").set_value("sla_compliance")
    at.number_input(key="target_value").set_value(85.0)
    at.button(key="target_save").click().run()
    assert not at.exception and not at.error

    def shown_target() -> str:
        again = start_on(path, "pages/departments.py", card="Billing")  # a fresh app: a restart
        return again.dataframe[0].value.set_index("Metric").loc["SLA compliance", "Target"]

    assert shown_target() == "85.0% (edited)"
    targets = tmp_path / "targets.csv"
    targets.write_text("metric,department,period_start,period_end,target\nsla_compliance,Billing,2026-01-01,2026-03-31,95\n")
    assert load_files([targets], db_path=path).total("n_loaded") == 1
    assert shown_target() == "85.0% (edited)"  # the load swapped the database; the edit is beside it
    history = departments.target_history(Store.beside(path))
    assert history.iloc[0]["target"] == 85.0 and history.iloc[0]["department"] == "Billing"
    assert history.iloc[0]["changed_by"] == "local"   # the signed-in user (here the local one), never a typed name


def test_service_page_shows_the_levels_of_the_view(start_on, demo_december):
    at = start_on(demo_december, "pages/service.py")
    assert not at.exception and not at.error
    con = db.connect_readonly(demo_december)
    try:
        reader = db.Reader(con)
        view = Filters(dt.date(2026, 9, 2), dt.date(2026, 11, 30))
        total = service.levels(reader, view).total
        backlog = service.backlog(reader, view, 24)
    finally:
        con.close()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Answered immediately"] == f"{total['immediate_share']:.1f}%"
    assert tiles["SLA compliance"] == f"{total['sla_compliance']:.1f}%"
    assert any(f"**{fmt.count(backlog.n_due_soon)}** open contacts breach" in m.value for m in at.markdown)
    at.radio(key="pg_by").set_value("office").run()
    assert not at.exception and at.query_params["by"] == "office"
    assert len(at.get("plotly_chart")) == 3
