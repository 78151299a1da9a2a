"""Each role signed in to the real app (AppTest: `[auth]` in the secrets, `at.user`, the roles file in
CX_ROLES): every page opens, only rows in scope appear, forbidden controls are absent, and a link
that asks for more widens nothing.

The data: the tiny database (tests/conftest.py) with its Support department renamed Fieldwork (a
name no journey stage shares), so a department outside Billing shows up as "Fieldwork" or "Product";
the churn pages read a 300-customer demo, which has risk scores.
"""
import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import db, demo
from cxdata.churn import alerts
from cxdata.filters import Filters
from cxdata.store import Store
from tests.conftest import ROOT
from tests.test_access_scoped import ROLES_TOML, depts_db  # noqa: F401 (a fixture)

PAGES = ["overview", "trends", "journey", "voice", "churn", "departments", "service", "reports", "present",
         "data", "definitions"]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32, "client_id": "cx",
        "client_secret": "secret", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
CUSTOMER_KPIS = ("churn_rate", "active_customers", "revenue")
SURVEY_AND_SERVICE_KPIS = ("nps", "csat", "contacts", "sla_compliance")


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo_roles") / "cx.duckdb"
    demo.build_demo(path, customers=300, seed=7, today=dt.date(2026, 3, 15))
    return path


@pytest.fixture
def sign_in(tmp_path, monkeypatch):
    """Open a page of the app on a database as a signed-in user of the roles file."""
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES_TOML)
    monkeypatch.setenv("CX_ROLES", str(roles))
    monkeypatch.setenv("CX_STORE", str(tmp_path / "state.sqlite"))
    monkeypatch.delenv("CX_ANONYMOUS", raising=False)
    monkeypatch.chdir(ROOT)

    def open_page(path, email, page, **query_params) -> AppTest:
        monkeypatch.setenv("CX_DB", str(path))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": email}
        for key, value in query_params.items():
            at.query_params[key] = value
        at.switch_page(f"pages/{page}.py").run()   # straight to the page, as a link opens it
        assert not at.exception, (email, page, [e.value for e in at.exception])
        return at
    return open_page


def walk(sign_in, path, email):
    """Every page in one signed-in session, as the user clicks through the navigation: (page, AppTest)."""
    at = sign_in(path, email, PAGES[0])
    yield PAGES[0], at
    for page in PAGES[1:]:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (email, page, [e.value for e in at.exception])
        yield page, at


def words(at) -> str:
    """Everything the page shows as text: messages, tiles, tables, charts and the choices offered."""
    out = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "error", "success", "metric", "code"):
        out += [f"{getattr(e, 'label', '')} {e.value}" for e in at.get(kind)]
    out += [d.value.to_csv() for d in at.dataframe]
    out += [str(c.proto) for c in at.get("plotly_chart")]
    out += [" ".join(map(str, w.options)) for w in [*at.multiselect, *at.selectbox]]
    return "\n".join(out)


def keys(at, kind="button") -> set[str]:
    return {w.key for w in at.get(kind) if getattr(w, "key", None)}


@pytest.mark.parametrize("email", ["root@example.com", "eve@example.com", "luis@example.com", "ana@example.com",
                                   "bo@example.com", "vera@example.com"])
def test_every_page_opens_for_each_role_with_only_its_rows_and_controls(sign_in, depts_db, email):
    role = {"root": "admin", "eve": "executive", "luis": "cx_manager", "ana": "department_head",
            "bo": "board", "vera": "viewer"}[email.split("@")[0]]
    for page, at in walk(sign_in, depts_db, email):
        text = words(at)
        drills = {k for k in keys(at) if k.startswith("rows_")}
        if role == "department_head":   # Billing's contacts and answers; no other department, no customer rows
            assert "Fieldwork" not in text and "Product" not in text, page
            assert not drills & {f"rows_{k}" for k in CUSTOMER_KPIS}, page
        if role == "cx_manager":        # SMB's customers only
            assert "Enterprise" not in text, page
        if role in ("board", "viewer"):  # aggregates: no rows behind any number, no row download
            assert not drills, page
            assert not any(b.label.startswith(("CSV", "Download CSV", "Download these")) for b in at.get("download_button")
                           if b.key and b.key.startswith(("drill_", "export_"))), page
        assert bool(at.get("file_uploader")) == (page == "data" and role == "admin"), page
        assert ("target_save" in keys(at)) == (page == "departments" and role in ("admin", "executive")), page
        assert not any("Your name" in t.label for t in at.text_input), page
        if page == "overview":   # the tiles read the scope (hand-checked on the tiny data, last 90 days)
            tiles = {m.label.split(" :")[0]: m.value for m in at.metric}
            assert tiles["Contacts"] == {"department_head": "4", "cx_manager": "10"}.get(role, "10")


def test_an_executive_sees_every_department(sign_in, depts_db):
    text = words(sign_in(depts_db, "eve@example.com", "departments"))
    assert "Fieldwork" in text and "Product" in text and "Billing" in text


def test_a_link_cannot_widen_the_view(sign_in, depts_db):
    at = sign_in(depts_db, "ana@example.com", "overview", department="Fieldwork")
    assert any("Ignored unknown department 'Fieldwork'" in w.value for w in at.warning)
    tiles = {m.label.split(" :")[0]: m.value for m in at.metric}
    assert tiles["Contacts"] == "4" and tiles["CSAT"] == "75.0%"   # Billing's, never Fieldwork's
    at = sign_in(depts_db, "luis@example.com", "overview", segment="Enterprise")
    assert any("Ignored unknown segment 'Enterprise'" in w.value for w in at.warning)
    tiles = {m.label.split(" :")[0]: m.value for m in at.metric}
    assert tiles["NPS"] == "62"   # SMB's 50 promoters of 80 answers (62.5), not the company's 30
    assert tiles["Revenue"].startswith(("100", "$100", "€100"))   # C01's 100.00, not Enterprise's 200.00
    at = sign_in(depts_db, "ana@example.com", "departments", card="Fieldwork")
    assert any("Ignored unknown department 'Fieldwork'" in w.value for w in at.warning)
    assert "Fieldwork" not in words(at).replace("Ignored unknown department 'Fieldwork'", "")


def test_a_clicked_bar_opens_no_rows_for_a_role_without_rows(sign_in, depts_db):
    at = sign_in(depts_db, "bo@example.com", "overview")
    at.session_state["cx_drill_open"], at.session_state["cx_drill_member"] = "channel_mix", "email"
    at.run()
    assert not at.exception and not at.dataframe   # no dialog of contacts, only a note


def test_the_data_page_for_a_viewer_shows_what_is_loaded_and_nothing_to_load(sign_in, depts_db):
    at = sign_in(depts_db, "vera@example.com", "data")
    assert not at.get("file_uploader")
    assert any("for the administrator" in i.value for i in at.info)
    assert not any("python -m cxdata" in c.value for c in at.caption)


# ---- The churn page: single customers ---------------------------------------------------------------

def test_the_at_risk_list_for_a_cx_manager_holds_their_segment_only(sign_in, small_demo):
    at = sign_in(small_demo, "luis@example.com", "churn")
    listed = at.dataframe[0].value
    assert len(listed) and set(listed["Segment"]) == {"SMB"}
    assert {"export_csv", "export_xlsx"} <= keys(at, "download_button")
    assert "churn_save" in keys(at)   # an SMB alert: he works it


@pytest.mark.parametrize("email", ["ana@example.com", "bo@example.com", "vera@example.com"])
def test_roles_without_customer_rows_see_the_figures_and_a_sentence(sign_in, small_demo, email):
    at = sign_in(small_demo, email, "churn")
    assert "Revenue at risk" in {m.label for m in at.metric}
    assert not at.dataframe and not at.get("download_button") and "churn_save" not in keys(at)
    assert any("name single customers" in i.value for i in at.info)
    customers = db.connect_readonly(small_demo)
    try:
        names = [n for (n,) in customers.execute("select name from customers where name is not null limit 50").fetchall()]
    finally:
        customers.close()
    text = words(at)
    assert names and not any(name in text for name in names)


def test_an_alert_of_a_customer_out_of_scope_cannot_be_opened(sign_in, small_demo, tmp_path):
    con = db.connect_readonly(small_demo)
    try:
        listed = alerts.at_risk(db.Reader(con), Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 15)),
                                Store(tmp_path / "other.sqlite"))
    finally:
        con.close()
    outside = listed[listed["segment"] != "SMB"].iloc[0]
    at = sign_in(small_demo, "luis@example.com", "overview")
    at.session_state["churn_alert_pick"] = outside["alert_key"]   # as a tampered session would ask for it
    at.switch_page("pages/churn.py").run()
    assert not at.exception
    assert at.selectbox(key="churn_alert_pick").value != outside["alert_key"]
    assert outside["customer_id"] not in words(at) and outside["name"] not in words(at)


def test_an_alert_saved_on_the_page_records_the_signed_in_user(sign_in, small_demo, tmp_path):
    at = sign_in(small_demo, "eve@example.com", "churn")
    key = at.selectbox(key="churn_alert_pick").value
    at.selectbox(key=f"churn_status_{key}").set_value("plan")
    at.button(key="churn_save").click().run()
    assert not at.exception
    history = Store.beside(small_demo).history(alerts.KIND, key)
    assert set(history["changed_by"]) == {"eve@example.com"}
