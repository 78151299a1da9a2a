"""The Customer page in the real app (AppTest) on the hand-built database of tests/test_customer.py:
a customer opened by ?customer=, in English and Spanish; an unknown id and one outside the user's
scope read the same; roles without single customers are refused; the search opens a customer; and the
at-risk list on the churn page links each customer to this page."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import i18n
from tests.conftest import ROOT
from tests.test_access_app import AUTH
from tests.test_access_scoped import ROLES_TOML
from tests.test_customer import build

ROLES = ROLES_TOML + '\n[users."eu@example.com"]\nrole = "cx_manager"\nsegments = ["SMB"]\nregions = ["Europe"]\n'


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory):
    path = tmp_path_factory.mktemp("customer_app") / "cx.duckdb"
    build(path)
    return path


@pytest.fixture
def app(hand_built, tmp_path, monkeypatch):
    """Open a page (the Customer page unless told) with query parameters, in local mode (the
    administrator) or signed in as `email` of the roles file."""
    monkeypatch.setenv("CX_DB", str(hand_built))
    for name in ("CX_STORE", "CX_CHURN_THRESHOLD", "CX_CHURN_SIGNALS", "CX_LANGUAGE", "CX_ANONYMOUS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)

    def run(email: str | None = None, page: str = "customer", **query_params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if email:
            roles = tmp_path / "roles.toml"
            roles.write_text(ROLES)
            monkeypatch.setenv("CX_ROLES", str(roles))
            at.secrets["auth"] = AUTH
            at.user = {"is_logged_in": True, "email": email}
        for key, value in query_params.items():
            at.query_params[key] = value
        at.switch_page(f"pages/{page}.py")
        with i18n.using(query_params.get("lang", "en").replace("-", "_")):
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return run


def _table(at):
    return at.dataframe[0].value


def test_a_customer_opens_with_header_risk_and_timeline(app):
    at = app(customer="K1")
    assert [h.value for h in at.header] == ["Ana Pérez · K1"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {"Annual value": "$1,200", "Tenure": "2.1 years", "Risk of leaving now": "25",
                     "Churn alert": "Plan in place"}
    captions = [c.value for c in at.caption]
    assert "SMB · Europe, ES · Plus · account owner Luis · active customer" in captions
    assert "$60 paid in all, 2 transactions" in captions and "Medium risk, of 100" in captions
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["title"]["text"] == "Risk of leaving: 25 of 100 on 20 Mar 2026"
    table = _table(at)
    assert list(table.columns) == ["When", "What happened", "By", "Detail"]
    assert table["What happened"].iloc[0] == "Churn alert: Plan in place" and table["By"].iloc[0] == "luis@example.com"
    assert table["What happened"].iloc[-1] == "Became a customer" and len(table) == 13
    assert not any("@correo.es" in d for d in table["Detail"])          # the comment and the note, masked
    assert any("“Write to [email], nobody calls back”" in d for d in table["Detail"])


def test_the_timeline_shows_the_kinds_chosen(app):
    at = app(customer="K1")
    at.get("button_group")[0].set_value(["transaction"]).run()
    assert list(_table(at)["What happened"]) == ["Refund: -$40", "Invoice: $100"]


def test_the_page_in_spanish(app):
    at = app(customer="K1", lang="es")
    tiles = {m.label: m.value for m in at.metric}
    assert list(tiles) == ["Valor anual", "Antigüedad", "Riesgo de abandono actual", "Alerta de abandono"]
    assert "SMB · Europe, ES · Plus · gestor de la cuenta: Luis · cliente activo" in [c.value for c in at.caption]
    assert tiles["Antigüedad"] == "2,1 años" and tiles["Alerta de abandono"] == "Plan en marcha"
    assert at.title[0].value == "Cliente"
    table = _table(at)
    assert list(table.columns) == ["Cuándo", "Qué pasó", "Por", "Detalle"]
    assert "Se hizo cliente" in list(table["Qué pasó"])


def test_an_unknown_id_and_one_outside_the_scope_read_the_same(app):
    unknown = app(customer="NOPE")
    assert [w.value for w in unknown.warning] == ["No customer with the id NOPE among the customers you may see."]
    assert not unknown.metric and not unknown.dataframe
    outside = app("eu@example.com", customer="K2")          # Bruno Costa exists, in Enterprise
    assert [w.value for w in outside.warning] == ["No customer with the id K2 among the customers you may see."]
    inside = app("eu@example.com", customer="K1")
    assert [h.value for h in inside.header] == ["Ana Pérez · K1"]


@pytest.mark.parametrize("email", ["bo@example.com", "vera@example.com", "ana@example.com"])
def test_roles_without_single_customers_are_refused(app, email):
    at = app(email, customer="K1")
    assert [i.value for i in at.info] == ["A customer's record names a single customer: it is shown to the roles "
                                          "that work with single customers."]
    assert not at.header and not at.metric and not at.dataframe and not at.text_input


def test_the_search_finds_by_name_and_opens_the_customer(app):
    at = app()
    assert "Find a customer by their id or name above" in at.info[0].value
    at.text_input(key="customer_search").input("ana").run()
    assert "2 customers match “ana”." in [c.value for c in at.caption]
    pick = at.selectbox(key="customer_pick")
    assert pick.options == ["Ana Lopes · K3 · SMB, Europe, Basic", "Ana Pérez · K1 · SMB, Europe, Plus"]
    pick.set_value("K1").run()
    assert at.query_params["customer"] == "K1"
    assert [h.value for h in at.header] == ["Ana Pérez · K1"]


def test_the_at_risk_list_links_each_customer_to_the_page(app, monkeypatch):
    monkeypatch.setenv("CX_CHURN_THRESHOLD", "20")     # K1 scores 25: on the list
    at = app(page="churn")
    listed = next(d for d in at.dataframe if "Customer id" in d.value.columns)
    assert list(listed.value["Customer id"]) == ["customer?customer=K1"]
    column = json.loads(listed.proto.columns)["Customer id"]
    assert column["type_config"]["type"] == "link" and column["type_config"]["display_text"] == "customer=([^&]*)"
