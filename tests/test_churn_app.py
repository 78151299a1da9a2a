"""The churn alerts page and the overview's churn line in the real app (AppTest), on a copy of the
shared March demo with its own follow-up store."""
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import db
from cxdata.churn import alerts
from cxdata.store import Store
from tests.conftest import ROOT


@pytest.fixture
def churn_app(demo_march, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.delenv("CX_STORE", raising=False)
    monkeypatch.setenv("CX_USER", "Test Owner")   # a name the app once prefilled: never recorded now
    monkeypatch.chdir(ROOT)

    def start() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.run()
        at.switch_page("pages/churn.py")
        return at.run()
    return start, path


def test_the_page_shows_revenue_at_risk_the_list_and_exports(churn_app):
    start, path = churn_app
    at = start()
    assert not at.exception and not at.error
    tiles = {m.label: m.value for m in at.metric}
    con = db.connect_readonly(path)
    try:
        total = alerts.headline(db.Reader(con), _view_filters(at))
    finally:
        con.close()
    from cxdata import formatting as fmt
    assert tiles["Revenue at risk"] == fmt.money(total["value_at_risk"])
    assert tiles["Customers at score ≥ 30"] == f"{total['n_at_risk']:,}"
    assert int(tiles["Open alerts"].replace(",", "")) > 0
    assert any("trained on" in c.value for c in at.caption)  # which score is in use
    assert len(at.dataframe) == 1 and len(at.get("download_button")) == 2


def test_a_status_change_on_the_page_is_saved_with_who_and_shown_after_a_restart(churn_app):
    start, path = churn_app
    at = start()
    key = at.selectbox(key="churn_alert_pick").value
    at.selectbox(key=f"churn_status_{key}").set_value("plan")
    at.text_area(key=f"churn_note_{key}").input("Offered a review call")
    at.button(key="churn_save").click().run()
    assert not at.exception
    history = Store.beside(path).history(alerts.KIND, key)
    saved = dict(zip(history["field"], history["value"]))
    assert saved["status"] == "plan" and saved["note"] == "Offered a review call"
    assert set(history["changed_by"]) == {"local"}   # the one user of local mode, not a typed or prefilled name
    assert not any("Your name" in t.label for t in at.text_input)
    again = start()  # a new session: the store, not the session, holds the state
    assert again.selectbox(key=f"churn_status_{key}").value == "plan"
    assert again.text_area(key=f"churn_note_{key}").value == "Offered a review call"


def test_a_bad_threshold_setting_is_a_message_not_a_traceback(churn_app, monkeypatch):
    start, _ = churn_app
    monkeypatch.setenv(alerts.THRESHOLD_ENV, "lots")
    at = start()
    assert not at.exception
    # the setting in plain words on the page (the command line names the environment variable)
    assert any("churn alert threshold set by the administrator ('lots')" in e.value for e in at.error)
    assert not any("CX_" in e.value for e in at.error)


def test_the_overview_has_one_line_with_revenue_at_risk_linking_to_the_page(churn_app):
    start, _ = churn_app
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    line = [m.value for m in at.markdown if "at risk of churning" in m.value]
    assert len(line) == 1 and "open churn alerts" in line[0]


def _view_filters(at):
    return at.session_state["cx_view"].filters
