"""The Follow-up page in the real app (AppTest), on a copy of the shared March demo with its past of
worked cases: the KPIs with their sample sizes, the list oldest first with links to each customer,
the exports, working a case (saved under the signed-in user, audited, refused moves said), a
role without rows, a bad setting, and the page in Spanish."""
import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import db, i18n
from cxdata import formatting as fmt
from cxdata.filters import Filters
from cxdata.access import audit
from cxdata.followup import case_list, measures, rules
from cxdata.store import Store, store_path
from tests.conftest import ROOT
from tests.test_access_app import AUTH
from tests.test_access_scoped import ROLES_TOML

TODAY = dt.date(2026, 3, 14)   # the March demo's newest day


@pytest.fixture
def followup_app(demo_march, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    monkeypatch.delenv("CX_STORE", raising=False)
    shutil.copyfile(demo_march, path)
    shutil.copyfile(store_path(demo_march), store_path(path))   # the demo's past of worked cases
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.chdir(ROOT)

    def start(**query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        for name, value in query.items():
            at.query_params[name] = value
        at.switch_page("pages/followup.py")
        return at.run()
    return start, path


def _kpis(path):
    con = db.connect_readonly(path)
    try:
        return measures.kpis(db.Reader(con), Store.beside(path), None, TODAY)
    finally:
        con.close()


def test_the_page_shows_the_kpis_the_cases_oldest_first_and_exports(followup_app):
    start, path = followup_app
    at = start()
    assert not at.exception and not at.error
    k = _kpis(path)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Contacted on time"] == measures.on_time_text(k) and k.on_time_share is not None
    assert tiles["Recovered"] == measures.recovery_text(k) and k.recovery_share is not None
    assert tiles["Open cases"] == f"{k.n_open:,}"
    assert any(c.value == f"of {k.n_on_time_base:,} cases due or contacted" for c in at.caption)
    table = at.dataframe[0].value
    opened = list(table["Opened (UTC)"])
    assert opened == sorted(opened) and set(table["Status"]) <= {"New", "Contacted"}
    assert table["Record"].str.startswith("customer?customer=C").all()
    assert (table["Overdue"] != "").any()   # the newest data is months old: untouched cases are overdue
    assert len(at.get("download_button")) == 2
    how = next(e for e in at.expander if e.label == "How this is computed")
    assert any("due 48 hours after opening" in m.value for m in how.markdown)


def test_working_a_case_is_saved_under_the_user_audited_and_a_refused_move_said(followup_app):
    start, path = followup_app
    at = start()
    at.multiselect[3].set_value(["new"]).run()          # status: only untouched cases
    key = at.selectbox(key="followup_pick").value
    slot = key.replace(":", "_")
    assert at.selectbox(key=f"followup_status_{slot}").options == ["New", "Contacted", "Unreachable"]
    at.selectbox(key=f"followup_status_{slot}").set_value("contacted")
    at.selectbox(key=f"followup_root_cause_{slot}").set_value("billing")
    at.text_area(key=f"followup_note_{slot}").input("Called; credit agreed")
    at.button(key="followup_save").click().run()
    assert not at.exception and not at.error
    changes = case_list.history(Store.beside(path), key)
    assert dict(zip(changes["field"], changes["value"])) == {"status": "contacted", "root_cause": "billing",
                                                             "note": "Called; credit agreed"}
    assert set(changes["changed_by"]) == {"local"}
    logged = audit.AuditLog.beside(path).entries()
    assert (logged["action"] == "case_change").any()


def signed_in(path, email, monkeypatch, tmp_path) -> AppTest:
    """The page as a user of the roles file signed in (as tests/test_access_app.py signs in)."""
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES_TOML)
    monkeypatch.setenv("CX_ROLES", str(roles))
    monkeypatch.delenv("CX_ANONYMOUS", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email}
    at.switch_page("pages/followup.py").run()
    assert not at.exception and not at.error
    return at


def test_a_board_member_sees_the_kpis_only_a_department_head_their_cases_without_names(
        followup_app, monkeypatch, tmp_path):
    start, path = followup_app
    board = signed_in(path, "bo@example.com", monkeypatch, tmp_path)
    assert len(board.metric) == 4 and not board.dataframe
    assert any("shown to the roles that see single contacts" in i.value for i in board.info)
    head = signed_in(path, "ana@example.com", monkeypatch, tmp_path)   # Billing's head
    table = head.dataframe[0].value
    assert set(table["Department"]) == {"Billing"}
    assert table["Customer"].str.fullmatch(r"C\d+").all()           # ids, never names
    assert head.button(key="followup_save")                           # they work their department's cases


def test_a_bad_setting_is_a_message_not_a_traceback(followup_app, monkeypatch):
    start, path = followup_app
    monkeypatch.setenv(rules.DUE_ENV, "soon")
    at = start()
    assert not at.exception
    assert any("A follow-up setting made by the administrator" in e.value for e in at.error)


def test_the_page_in_spanish(followup_app):
    start, path = followup_app
    with i18n.using("es"):
        at = start(lang="es")
        assert not at.exception and not at.error
        assert at.title[0].value == "Seguimiento de clientes insatisfechos"
        labels = [m.label for m in at.metric]
        assert labels == ["Contactados a tiempo", "Tiempo hasta el primer contacto", "Recuperados", "Casos abiertos"]
        assert "Abierto (UTC)" in at.dataframe[0].value.columns


def _page(path, page) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page(page)
    return at.run()


def test_the_overview_and_a_department_card_carry_the_follow_up_line(followup_app):
    start, path = followup_app
    overview = _page(path, "pages/overview.py")
    assert not overview.exception
    shown = [m.value for m in overview.markdown if m.value.startswith(":material/support_agent:")]
    assert shown == [f":material/support_agent: {measures.line(_kpis(path))}"]
    assert "contacted on time (n = " in shown[0] and "recovered (n = " in shown[0]
    cards = _page(path, "pages/departments.py")
    assert not cards.exception
    said = [m.value for m in cards.markdown if m.value.startswith(":material/support_agent:")]
    con = db.connect_readonly(path)
    try:
        reader, store = db.Reader(con), Store.beside(path)
        lines = {d: measures.line(measures.kpis(reader, store, Filters(TODAY, TODAY, department=[d]), TODAY))
                 for d in ("Billing", "IT", "Logistics", "Marketing", "Product", "Sales", "Support")}
    finally:
        con.close()
    assert len(said) == 1 and said[0].removeprefix(":material/support_agent: ") in lines.values()


def test_the_board_pack_says_the_follow_up_line_on_its_churn_slide(followup_app):
    from cxdata import data_status, metrics, report
    from cxdata.filters import ViewState
    start, path = followup_app
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        facts = data_status.facts(reader)
        view = ViewState(Filters(dt.date(2025, 12, 15), TODAY), "custom", "previous")
        pack = report.build(reader, view, facts, metrics.DEFAULT_MIN_RESPONSES, company="", store=Store.beside(path))
        k = measures.kpis(reader, Store.beside(path), view.filters, TODAY)
    finally:
        con.close()
    churn = next(s for s in pack.slides if s.key == "churn")
    assert fmt.unmarked(measures.line(k)) in churn.bullets
    assert "sql/followup_cases.sql" in churn.sources
