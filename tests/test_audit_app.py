"""The audit log in the real app (AppTest): the Audit page for administrators only, and an entry under
the signed-in user for every write and every file taken from a page, recorded when it is clicked."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from cxdata.access.audit import AuditLog
from cxdata.access.roles import ROLES_ENV
from cxdata.churn import alerts
from cxdata.store import STORE_ENV, Store
from tests.conftest import ROOT
from tests.test_signin_app import AUTH

ROLES = """
[users."ana@example.com"]
role = "admin"

[users."vic@example.com"]
role = "viewer"
"""
LAST_90 = {"from": "2025-12-06", "to": "2026-03-05"}  # the tiny data's default view


def _serve(path, tmp_path, monkeypatch) -> None:
    """The app's settings for a copy of a database at `path`: its roles file, its store beside it."""
    (tmp_path / "roles.toml").write_text(ROLES)
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.setenv(ROLES_ENV, str(tmp_path / "roles.toml"))
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.delenv("CX_ANONYMOUS", raising=False)
    monkeypatch.chdir(ROOT)


@pytest.fixture
def app(tiny_db, tmp_path, monkeypatch):
    """Open a page of the app on a copy of the tiny database, signed in as `email` (None: no sign-in,
    the local administrator); returns (start, the log)."""
    path = tmp_path / "cx.duckdb"
    shutil.copy(tiny_db, path)
    _serve(path, tmp_path, monkeypatch)

    def start(page: str | None = None, email: str | None = "ana@example.com", **query_params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        if email:
            at.secrets["auth"] = AUTH
            at.user = {"is_logged_in": True, "email": email, "groups": []}
        for key, value in query_params.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception
        return at
    return start, AuditLog.beside(path)


def _last(log: AuditLog, action: str) -> dict:
    found = log.entries(actions=[action])
    assert not found.empty, f"no {action} entry"
    return found.iloc[-1].to_dict()


def test_a_sign_in_is_recorded_once_per_session_and_a_refusal_with_the_account(app):
    start, log = app
    at = start()
    at.run()                                                   # a rerun is not a second sign-in
    assert log.entries(actions=["sign_in"])[["who", "what"]].to_dict("records") == [
        {"who": "ana@example.com", "what": {"role": "admin", "scope": "all data", "groups": []}}]
    refused = start(email="eve@example.com")
    assert any("has no access" in e.value for e in refused.error)
    entry = _last(log, "refused")
    assert entry["who"] == "eve@example.com"
    assert entry["what"]["reason"] == "eve@example.com has no access to cx-cockpit. Ask your administrator to add you."
    assert "is in the roles file" in entry["what"]["detail"]
    refused.run()
    assert len(log.entries(actions=["refused"])) == 1           # once per session


def test_the_audit_page_lists_newest_first_filters_and_says_the_log_verifies(app):
    start, log = app
    for who, action, day in (("vic@example.com", "download", 1), ("local", "load", 2), ("vic@example.com", "export", 3)):
        log.record(who, action, {"file": f"{action}.csv"}, at=dt.datetime(2026, 3, day, tzinfo=dt.timezone.utc))
    at = start("pages/audit.py")
    assert at.title[0].value == "Audit log" and not at.error
    assert at.success[0].value.startswith("The audit log verifies: 4 entries")   # the three and this sign-in
    table = at.dataframe[0].value
    assert table["#"].tolist() == [4, 3, 2, 1]
    assert table.iloc[1].to_dict() == {"#": 3, "When (UTC)": "2026-03-03 00:00:00", "Who": "vic@example.com",
                                       "Action": "Rows exported", "What": "file: export.csv"}
    at.selectbox(key="audit_user").set_value("vic@example.com").run()
    assert at.dataframe[0].value["#"].tolist() == [3, 1]
    at.multiselect(key="audit_action").set_value(["download"]).run()
    assert at.dataframe[0].value["#"].tolist() == [1]
    at.selectbox(key="audit_user").set_value("").run()
    at.multiselect(key="audit_action").set_value([]).run()
    at.date_input(key="audit_from").set_value(dt.date(2026, 3, 2)).run()
    at.date_input(key="audit_to").set_value(dt.date(2026, 3, 2)).run()
    assert at.dataframe[0].value["Who"].tolist() == ["local"]


def test_the_audit_page_says_when_the_log_was_tampered_with(app):
    start, log = app
    log.record("vic@example.com", "export", {"file": "at-risk.csv", "rows": 12})
    con = sqlite3.connect(log.path)
    con.executescript("drop trigger audit_no_update; update audit set what = '{\"rows\":1}' where entry_id = 1")
    con.close()
    at = start("pages/audit.py")
    assert not at.success
    assert at.error[0].value.startswith("The audit log was tampered with: entry #1 (")
    assert "was changed after it was written" in at.error[0].value


def test_a_viewer_neither_sees_nor_opens_the_audit_page(app):
    start, _ = app
    at = start(email="vic@example.com")
    with pytest.raises(ValueError, match="Could not find a navigation page for .*audit.py"):
        at.switch_page("pages/audit.py")        # not in the viewer's navigation: its address opens nothing


def test_the_audit_page_refuses_anyone_without_the_right_even_by_its_address(app, monkeypatch):
    """The page checks the role itself, whatever the navigation offers."""
    start, log = app
    from cxdata.app import identity
    monkeypatch.setattr(identity, "may", lambda action: True)     # a navigation that lists it for everyone
    at = start("pages/audit.py", email="vic@example.com")
    assert at.error[0].value == "The audit log is for administrators." and not at.dataframe


def test_the_overview_download_is_recorded_when_clicked_with_its_filters(app):
    start, log = app
    at = start(segment="SMB")
    assert log.entries(actions=["download"]).empty               # drawn, not downloaded: nothing recorded
    next(b for b in at.get("download_button") if b.key == "overview_download_xlsx").click().run()
    assert not at.exception
    entry = _last(log, "download")
    assert entry["who"] == "ana@example.com"
    assert entry["what"] == {"file": "overview-2025-12-06-to-2026-03-05.xlsx", "format": "xlsx",
                             "rows": entry["what"]["rows"], "table": "Executive overview",
                             "filters": {**LAST_90, "segment": ["SMB"]}, "compare": "previous"}
    assert entry["what"]["rows"] > 5


def test_a_log_that_cannot_be_written_is_said_in_plain_words(app, tmp_path, monkeypatch):
    start, _ = app
    blocked = tmp_path / "no-store"
    blocked.write_text("a file where the store's folder should be")
    monkeypatch.setenv(STORE_ENV, str(blocked / "state.sqlite"))
    at = start()
    assert at.warning[0].value == "This visit could not be recorded in the audit log. Tell the administrator."
    next(b for b in at.get("download_button") if b.key == "overview_download_csv").click().run()
    assert not at.exception
    assert at.error[0].value == "This was done, but the audit log could not record it. Tell the administrator."

def test_the_trend_download_is_recorded(app):
    start, log = app
    at = start("pages/trends.py")
    next(b for b in at.get("download_button") if b.key == "trend_download_csv").click().run()
    entry = _last(log, "download")
    assert entry["what"]["table"] == "NPS by month" and entry["what"]["format"] == "csv"
    assert entry["what"]["filters"] == LAST_90


def test_rows_exported_from_the_drill_dialog_are_recorded(app):
    """(That the dialog stays open after the click, in a real browser: test_audit_browser.py.)"""
    start, log = app
    at = start(department="Support")
    at.button(key="rows_nps").click().run()
    next(b for b in at.get("download_button") if b.key == "drill_nps_csv").click().run()
    assert not at.exception
    entry = _last(log, "export")
    assert entry["who"] == "ana@example.com"
    what = entry["what"]
    assert what == {"file": what["file"], "format": "csv", "rows": 100, "rows_of": "NPS", "scope": None,
                    "filters": {**LAST_90, "department": ["Support"]}}   # the 100 NPS answers of 15 Jan 2026
    assert what["file"].endswith(".csv")


def test_an_upload_and_the_rejected_rows_export_are_recorded(app):
    start, log = app
    at = start("pages/data.py")
    feedback = (b"feedback_id,customer_id,submitted_at,survey,score\n"
                b"F1,C01,2026-03-01 10:00,nps,9\nF2,C02,2026-03-01 10:00,nps,11\n")
    next(u for u in at.get("file_uploader") if u.label.startswith("Files")).set_value(
        [("answers.csv", feedback, "text/csv")])
    next(b for b in at.button if b.label == "Load").click()
    at.run()
    assert not at.exception and any(s.value.startswith("Loaded") for s in at.success)
    entry = _last(log, "upload")
    assert entry["who"] == "ana@example.com"
    assert entry["what"]["files"] == [f"answers.csv ({len(feedback):,} bytes)"]
    assert entry["what"]["outcome"] == "loaded" and entry["what"]["mapping"] is None and entry["what"]["load_id"]
    next(b for b in at.get("download_button") if "rejected rows" in b.proto.label).click().run()
    entry = _last(log, "export")
    assert entry["what"] == {"file": "rejected_rows.csv", "format": "csv", "list": "Rejected rows", "rows": 1,
                             "load": None, "table": None, "column": None, "reason_contains": None}


def test_a_failed_upload_is_recorded_with_its_reason(app):
    start, log = app
    at = start("pages/data.py")
    next(u for u in at.get("file_uploader") if u.label.startswith("Files")).set_value(
        [("fb.csv", b"feedback_id,customer_id\nF1,C1\n", "text/csv")])
    next(b for b in at.button if b.label == "Load").click()
    at.run()
    entry = _last(log, "upload")
    assert entry["what"]["outcome"] == "failed"
    assert entry["what"]["reason"].startswith("fb.csv: missing required column(s)")


def test_a_target_edit_is_recorded_with_the_signed_in_user(app):
    start, log = app
    at = start("pages/departments.py", card="Billing")
    at.selectbox(key="target_metric").set_value("sla_compliance")
    at.number_input(key="target_value").set_value(85.0)
    at.button(key="target_save").click().run()
    assert not at.exception and not at.error
    entry = _last(log, "target_edit")
    assert entry["who"] == "ana@example.com"
    assert entry["what"]["metric"] == "sla_compliance" and entry["what"]["department"] == "Billing"
    assert entry["what"]["target"] == 85.0 and entry["what"]["quarter"] == "2026-01-01"



def test_the_apps_own_demo_build_and_refresh_are_recorded_under_the_first_visitor(app, tiny_db, tmp_path,
                                                                                   monkeypatch):
    """A fresh install builds the demo at the first visit; a database another version wrote is rebuilt once."""
    import duckdb

    from cxdata import demo
    start, _ = app
    fresh = tmp_path / "fresh" / "cx.duckdb"
    fresh.parent.mkdir()
    monkeypatch.setenv("CX_DB", str(fresh))
    real = demo.build_demo
    monkeypatch.setattr(demo, "build_demo", lambda path: real(path, customers=300, today=dt.date(2026, 3, 15)))
    start()
    [entry] = AuditLog.beside(fresh).entries(actions=["demo"]).to_dict("records")
    assert entry["who"] == "ana@example.com"
    assert entry["what"]["why"] == "no database yet" and entry["what"]["rows"]["customers"] == 300
    older = tmp_path / "older" / "cx.duckdb"
    older.parent.mkdir()
    shutil.copy(tiny_db, older)
    con = duckdb.connect(str(older))
    con.execute("update derived_info set version = 'older'")   # as an earlier release left it
    con.close()
    monkeypatch.setenv("CX_DB", str(older))
    start(email="vic@example.com")
    [entry] = AuditLog.beside(older).entries(actions=["refresh"]).to_dict("records")
    assert entry["who"] == "vic@example.com" and entry["what"]["why"] == "written by another version"

# ---- on the March demo: comments, churn alerts, the board pack ----------------------------------------------

@pytest.fixture
def demo_app(demo_march, tmp_path, monkeypatch):
    """The app on a copy of the March demo, its store beside it, signed in as the admin."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    _serve(path, tmp_path, monkeypatch)

    def start(page: str, email: str = "ana@example.com") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": email, "groups": []}
        at.query_params["segment"] = "SMB"
        at.run()
        at.switch_page(page).run()
        assert not at.exception
        return at
    return start, AuditLog.beside(path)


def test_the_comments_export_is_recorded_with_the_lists_choices(demo_app):
    start, log = demo_app
    at = start("pages/voice.py")
    at.selectbox(key="voice_sentiment").set_value("negative").run()
    next(b for b in at.get("download_button") if "comments" in b.proto.label).click().run()
    entry = _last(log, "export")
    assert entry["who"] == "ana@example.com"
    what = entry["what"]
    assert what["file"] == "comments.csv" and what["list"] == "Comments (masked)" and what["rows"] > 0
    assert what["filters"]["segment"] == ["SMB"] and what["sentiment"] == "negative" and what["search"] is None


def test_the_at_risk_export_and_an_alert_change_are_recorded_with_the_signed_in_user(demo_app):
    start, log = demo_app
    at = start("pages/churn.py")
    next(b for b in at.get("download_button") if b.key == "export_xlsx").click().run()
    entry = _last(log, "export")
    assert entry["who"] == "ana@example.com"
    what = entry["what"]
    assert what["list"] == "At-risk customers" and what["format"] == "xlsx" and what["rows"] > 0
    assert what["filters"]["segment"] == ["SMB"] and what["status"] == ["new", "acknowledged", "plan"]
    key = at.selectbox(key="churn_alert_pick").value
    at.selectbox(key=f"churn_status_{key}").set_value("plan")
    at.text_area(key=f"churn_note_{key}").input("Offered a review call")
    at.button(key="churn_save").click().run()
    assert not at.exception
    entry = _last(log, "alert_change")
    assert entry["who"] == "ana@example.com"
    assert entry["what"]["alert"] == key and entry["what"]["status"] == "plan"
    assert entry["what"]["note"] == "Offered a review call"
    history = Store(log.path).history(alerts.KIND, key)  # the follow-up store's own history: the same account
    assert not history.empty and set(history["changed_by"]) == {"ana@example.com"}


@pytest.mark.parametrize("page", ["pages/voice.py", "pages/churn.py"])
def test_a_role_without_row_exports_gets_no_export_and_nothing_is_recorded(demo_app, page):
    start, log = demo_app
    at = start(page, email="vic@example.com")
    assert not at.get("download_button")
    assert log.entries(actions=["export"]).empty
    assert _last(log, "sign_in")["who"] == "vic@example.com"


def test_a_board_pack_built_and_downloaded_on_the_reports_page_is_recorded(demo_app):
    start, log = demo_app
    at = start("pages/reports.py")
    next(b for b in at.button if b.key == "build_pptx").click().run()
    assert not at.exception and not at.error
    built = _last(log, "board_pack")
    assert built["who"] == "ana@example.com" and built["what"]["format"] == "pptx"
    assert built["what"]["filters"]["segment"] == ["SMB"] and built["what"]["slides"] > 5
    assert log.entries(actions=["download"]).empty            # built, not yet downloaded
    next(b for b in at.get("download_button") if b.key == "download_pptx").click().run()
    taken = _last(log, "download")
    assert taken["what"]["file"].startswith("board-pack-") and taken["what"]["file"].endswith(".pptx")
    assert taken["what"]["filters"] == built["what"]["filters"]
