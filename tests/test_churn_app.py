"""The churn alerts page and the overview's churn line in the real app (AppTest), on a copy of the
shared March demo with its own follow-up store."""
import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import db
from cxdata.churn import alerts
from cxdata.store import Store, store_path
from tests.conftest import ROOT


@pytest.fixture
def churn_app(demo_march, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    monkeypatch.delenv("CX_STORE", raising=False)
    shutil.copyfile(demo_march, path)
    shutil.copyfile(store_path(demo_march), store_path(path))   # the demo's past of worked alerts
    monkeypatch.setenv("CX_DB", str(path))
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
    assert tiles["Customers at high risk"] == f"{total['n_at_risk']:,}"
    assert int(tiles["Open alerts"].replace(",", "")) > 0
    assert any("trained on" in c.value for c in at.caption)  # which score is in use
    assert len(at.dataframe) == 1 and len(at.get("download_button")) == 2
    # how the score held up: the sentence, and every tenth drawn in its expander
    assert any("customers scored highest" in m.value and "points on average" in m.value for m in at.markdown)
    held_up = next(e for e in at.expander if e.label.startswith("How well the score has held up"))
    chart = json.loads(held_up.get("plotly_chart")[0].proto.spec)
    assert [len(trace["x"]) for trace in chart["data"]] == [10, 10]
    how = next(e for e in at.expander if e.label == "How this is computed")
    assert any("customers held back" in m.value for m in how.markdown)


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


def test_two_sessions_on_one_alert_never_lose_a_change(churn_app):
    """Issue 23's lost update in the app: one session sets "Plan in place"; a second, opened before,
    edits only the note and saves: the status stays "plan". A third, also on an older page, changes
    the status: refused with who changed it and when, and nothing of it is written. (Without sign-in
    every session is the local user.)"""
    start, path = churn_app
    luis, ana, ben = start(), start(), start()
    key = luis.selectbox(key="churn_alert_pick").value
    assert ana.selectbox(key="churn_alert_pick").value == ben.selectbox(key="churn_alert_pick").value == key
    luis.selectbox(key=f"churn_status_{key}").set_value("plan")
    luis.button(key="churn_save").click().run()
    ana.text_area(key=f"churn_note_{key}").input("Called, no answer")
    ana.button(key="churn_save").click().run()
    assert not luis.exception and not ana.exception and not ana.error
    state = Store.beside(path).records(alerts.KIND)[key]
    assert state["status"] == "plan" and state["note"] == "Called, no answer"
    ben.selectbox(key=f"churn_status_{key}").set_value("lost")
    ben.button(key="churn_save").click().run()
    assert not ben.exception
    assert [e.value for e in ben.error] and "changed by local at" in ben.error[0].value
    assert "reload" in ben.error[0].value
    assert Store.beside(path).records(alerts.KIND)[key]["status"] == "plan"
    assert ben.selectbox(key=f"churn_status_{key}").value == "plan"   # his view now shows the current state
    assert ben.text_area(key=f"churn_note_{key}").value == "Called, no answer"


def test_the_list_opens_on_the_high_band_explained_in_one_sentence_with_the_outcomes_of_past_alerts(churn_app):
    """Issue 26: the tiles, the sentence above the list and the list tell one story from the same data; a
    warning sign makes a customer high risk whatever the score, and is their first reason; the demo's
    past alerts give the outcome tiles figures."""
    from cxdata import formatting as fmt
    start, path = churn_app
    at = start()
    assert not at.exception and not at.error
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        total = alerts.headline(reader, _view_filters(at))
        listed = alerts.at_risk(reader, _view_filters(at), Store.beside(path))
        newest = reader.run("data_extent").iloc[0]["newest_on"].date()
        follow = alerts.follow_up_summary(reader, Store.beside(path), newest)
    finally:
        con.close()
    tiles = {m.label: m.value for m in at.metric}
    n_open = int((~listed["status"].isin(alerts.CLOSED)).sum())
    assert tiles["Customers at high risk"] == f"{total['n_at_risk']:,}" and tiles["Open alerts"] == f"{n_open:,}"
    assert total["n_at_risk"] > total["n_at_score"] > 0   # warning signs add customers a score alone misses
    sentence = alerts.alerts_sentence(total["n_at_risk"], total["n_at_score"], n_open, alerts.Rules())
    assert [m.value for m in at.markdown if m.value == sentence]
    assert sentence.startswith(f"{n_open:,} open alerts: {total['n_at_score']:,} customers at a risk score of 30")
    # outcomes of the demo's past alerts, as worked out from its store
    assert tiles["Average days to close"] == f"{follow['avg_days_to_close']:.1f}"
    assert tiles["Saved and kept"] == f"{follow['n_saved_kept']:,} of {follow['n_saved_checked']:,}"
    assert "—" not in (tiles["Average days to close"], tiles["Saved and kept"])
    # the list: every row high risk, by revenue at risk; a warning sign under the threshold leads its reasons
    table = at.dataframe[0].value
    assert (table["Risk band"] == "high").all() and table["Revenue at risk"].is_monotonic_decreasing
    assert table["Customer"].tolist() == listed.loc[~listed["status"].isin(alerts.CLOSED), "name"].tolist()
    asked = table[(table["Risk score (0-100)"] < 30) & (table["Alerts"] == "Asked to cancel")]
    assert not asked.empty and asked["Top reasons"].str.startswith("asked to cancel in the last 90 days").all()
    assert not asked["Top reasons"].str.contains("asked to cancel.*asked to cancel").any()
    assert fmt.MISSING not in table["Top reasons"].tolist()


def test_after_a_load_the_page_says_the_scores_are_older_than_the_data(churn_app, tmp_path):
    """A load leaves the scoring to the scheduled refresh (cxdata.derive.refresh): the page names the day
    the scores are as of and the day the data now reaches, instead of calling the scores the newest."""
    from cxdata.load import load_files
    start, path = churn_app
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("interaction_id,customer_id,started_at,channel,department,kind\n"
                        "LATE-1,C0000001,2026-03-15 08:30:00,phone,Support,inquiry\n")
    load_files([contacts], db_path=path)
    at = start()
    assert not at.exception and not at.error
    captions = " ".join(c.value for c in at.caption)
    assert "scored as of **14 Mar 2026**; the data now reaches 15 Mar 2026" in captions
    assert "the newest data" not in captions
