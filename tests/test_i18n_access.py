"""Sign-in, refusals, roles and the audit log in Spanish and Brazilian Portuguese: the screens speak the
visitor's language with the locale's numbers and dates, while what the audit log stores (hash-chained)
stays the same, in English and by key, whatever the language of the page."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdata import i18n
from cxdata.access import audit, roles, scoped, signin
from cxdata.access.audit import AuditLog
from cxdata.access.sentence import english
from cxdata.i18n import catalogs
from tests.conftest import ROOT
from tests.test_audit_app import _serve
from tests.test_signin_app import AUTH, refusal, sidebar_text

AT_RISK = {"file": "at-risk.csv", "rows": 1234, "filters": {"segment": ["SMB"]}, "scope": "all data"}


def _english_words() -> set[str]:
    """The access area's English texts that are sentences or labels of more than one word."""
    found = set()
    for message in catalogs.read("en", "access"):
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            if text and " " in text and not re.search(r"[{}\[\]/]", text):
                found.add(text)
    return found


# ---- below the app: sentences, refusals, the audit log's display ---------------------------------------------

@pytest.mark.parametrize("lang, shown", [
    ("es", "el archivo de roles /nowhere/roles.toml no existe"),
    ("pt_BR", "o arquivo de perfis /nowhere/roles.toml não existe"),
])
def test_a_roles_file_mistake_is_said_in_the_language_and_kept_in_english(lang, shown):
    with i18n.using(lang), pytest.raises(roles.RolesError) as raised:
        roles.load("/nowhere/roles.toml")
    assert str(raised.value) == shown
    assert english(raised.value) == "the roles file /nowhere/roles.toml does not exist"


@pytest.mark.parametrize("lang, export, customers", [
    ("es", "el rol de lector no puede exportar filas", "el rol de jefe de departamento no ve clientes individuales"),
    ("pt_BR", "o perfil de leitor não pode exportar linhas",
     "o perfil de gestor de departamento não vê clientes individuais"),
])
def test_a_refused_action_names_the_role_in_the_language(lang, export, customers):
    with i18n.using(lang):
        with pytest.raises(scoped.Refused) as raised:
            scoped.require(roles.User("vic@example.com", "viewer"), "export_rows")
        assert str(raised.value) == export
        head = roles.User("ana@example.com", "department_head", roles.Scope.of(department=["Billing"]))
        with pytest.raises(scoped.Refused) as raised:
            scoped.ScopedReader(object(), head).run("drill_customers", {})
        assert str(raised.value) == customers


def test_every_right_a_role_may_lack_has_its_refusal():
    assert set(scoped.MAY_NOT) == set(roles.ACTIONS)
    assert set(roles.ROLE_NAMES) == set(roles.ROLES)


def test_a_refusal_reason_is_translated_and_keeps_its_english():
    with i18n.using("es"):
        served = signin.decide(signin=False, address="0.0.0.0", anonymous=None)
    assert served.reason == "el servidor escucha en 0.0.0.0 y no hay inicio de sesión configurado"
    assert english(served.reason) == "the server listens on 0.0.0.0 and no sign-in is set up"


@pytest.mark.parametrize("lang, columns, row, verdict", [
    ("es", ["#", "Cuándo (UTC)", "Quién", "Acción", "Detalle"],
     ["3 mar 2026 14:05:09", "Filas exportadas",
      "archivo: at-risk.csv · filas: 1.234 · filtros: segmento: SMB · alcance: todos los datos"],
     "El registro de auditoría es íntegro: 1.234 entradas, ninguna modificada"),
    ("pt_BR", ["#", "Quando (UTC)", "Quem", "Ação", "Detalhes"],
     ["3 de mar. de 2026 14:05:09", "Linhas exportadas",
      "arquivo: at-risk.csv · linhas: 1.234 · filtros: segmento: SMB · escopo: todos os dados"],
     "O registro de auditoria está íntegro: 1.234 entradas, nenhuma editada"),
])
def test_the_audit_log_is_shown_in_the_language_with_locale_dates_and_numbers(lang, columns, row, verdict):
    entries = pd.DataFrame({"entry_id": [3], "recorded_at": ["2026-03-03T14:05:09+00:00"], "who": ["vic@example.com"],
                            "action": ["export"], "what": [AT_RISK]})
    with i18n.using(lang):
        shown = audit.for_screen(entries)
        text = audit.Verdict(1234, "abc").text()
    assert shown.columns.tolist() == columns
    assert shown.iloc[0].tolist() == [3, row[0], "vic@example.com", row[1], row[2]]
    assert text.startswith(verdict)


def test_what_the_log_stores_does_not_depend_on_the_language(tmp_path):
    """Recorded in Spanish or in English, the entries and their hash chain are the same."""
    stored = []
    for lang in ("en", "es", "pt_BR"):
        log = AuditLog(tmp_path / f"{lang}.sqlite")
        with i18n.using(lang):
            log.record("vic@example.com", "export", AT_RISK, at=dt.datetime(2026, 3, 3, tzinfo=dt.timezone.utc))
            assert log.verify().ok
        stored.append(log.entries()[["recorded_at", "who", "action", "what"]].to_dict("records"))
        stored[-1][0]["head"] = log.verify().head
    assert stored[0] == stored[1] == stored[2]
    assert stored[0][0]["action"] == "export" and stored[0][0]["what"]["scope"] == "all data"


# ---- the real app (AppTest) -----------------------------------------------------------------------------------

@pytest.fixture
def app(tiny_db, tmp_path, monkeypatch):
    """The app on a copy of the tiny database in `lang`, signed in as `email` (an admin by default)."""
    path = tmp_path / "cx.duckdb"
    shutil.copy(tiny_db, path)
    _serve(path, tmp_path, monkeypatch)

    def start(lang: str, page: str | None = None, user: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.secrets["auth"] = AUTH
        at.user = user or {"is_logged_in": True, "email": "ana@example.com", "groups": []}
        at.query_params["lang"] = i18n.url_code(lang)
        at.run()
        if page:
            with i18n.using(lang):   # AppTest calls the widgets' format_func in the test's own thread
                at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return start, AuditLog.beside(path)


@pytest.mark.parametrize("lang, title, verifies, when, action, labels", [
    ("es", "Registro de auditoría", "El registro de auditoría es íntegro: 3 entradas", "2 mar 2026 09:30:00",
     "Archivos cargados", ["Usuario", "Acción", "Desde (UTC)", "Hasta (UTC)"]),
    ("pt_BR", "Registro de auditoria", "O registro de auditoria está íntegro: 3 entradas",
     "2 de mar. de 2026 09:30:00",
     "Arquivos carregados", ["Usuário", "Ação", "De (UTC)", "Até (UTC)"]),
])
def test_the_audit_page_in_spanish_and_portuguese(app, lang, title, verifies, when, action, labels):
    start, log = app
    log.record("vic@example.com", "download", {"file": "nps.csv", "rows": 1200},
               at=dt.datetime(2026, 3, 1, 8, tzinfo=dt.timezone.utc))
    log.record("local", "load", {"files": ["answers.csv"]}, at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc))
    at = start(lang, "pages/audit.py")
    assert at.title[0].value == title and not at.error
    assert at.success[0].value.startswith(verifies)                  # the two and this sign-in
    assert [w.label for w in (at.selectbox(key="audit_user"), at.multiselect(key="audit_action"),
                              at.date_input(key="audit_from"), at.date_input(key="audit_to"))] == labels
    table = at.dataframe[0].value
    assert table.iloc[1].tolist()[1:4] == [when, "local", action]
    assert table.iloc[2].iloc[4] in ("archivo: nps.csv · filas: 1.200", "arquivo: nps.csv · linhas: 1.200")
    assert at.caption[-1].value in ("3 entradas, las más recientes primero.", "3 entradas, as mais recentes primeiro.")
    shown = " ".join([at.title[0].value, at.success[0].value, *(c.value for c in at.caption),
                      *labels, *table.columns, *table.iloc[:, 3], *table.iloc[:, 4]])
    assert not [words for words in _english_words() if words in shown]
    # the page translates what it shows; the log keeps its keys and English words
    assert log.entries(actions=["sign_in"]).iloc[-1]["what"]["scope"] == "all data"
    with i18n.using(lang):   # AppTest calls the widgets' format_func in the test's own thread
        at.multiselect(key="audit_action").set_value(["load"]).run()
    assert at.dataframe[0].value["#"].tolist() == [2]


@pytest.mark.parametrize("lang, error, admin, button", [
    ("es", "eve@example.com no tiene acceso a cx-cockpit. Pida a su administrador que le dé acceso.",
     "Para el administrador: Ni esta dirección de correo ni ninguno de sus grupos (claim 'groups') figura en el "
     "archivo de roles.", "Cerrar sesión"),
    ("pt_BR", "eve@example.com não tem acesso ao cx-cockpit. Peça ao seu administrador para incluí-lo.",
     "Para o administrador: Nem este endereço de e-mail nem nenhum dos seus grupos (claim 'groups') consta do "
     "arquivo de perfis.", "Sair"),
])
def test_a_refusal_is_shown_in_the_language_and_recorded_in_english(app, lang, error, admin, button):
    start, log = app
    at = start(lang, user={"is_logged_in": True, "email": "eve@example.com", "groups": []})
    text = refusal(at)
    assert error in text and admin in text
    assert [b.label for b in at.button] == [button]
    entry = log.entries(actions=["refused"]).iloc[-1]
    assert entry["what"] == {"reason": "eve@example.com has no access to cx-cockpit. Ask your administrator to add "
                                       "you.",
                             "detail": "Neither this e-mail address nor any of its groups (claim 'groups') is in "
                                       "the roles file."}


def test_a_broken_roles_file_is_explained_in_spanish_and_recorded_in_english(app, tmp_path, monkeypatch):
    start, log = app
    broken = tmp_path / "broken.toml"
    broken.write_text('[users."ana@example.com"]\nrole = "chief"\n', encoding="utf-8")
    monkeypatch.setenv(roles.ROLES_ENV, str(broken))
    text = refusal(start("es"))
    assert "Ahora mismo no se puede comprobar el acceso" in text
    assert f"No se puede usar el archivo de roles: {broken}: [users.\"ana@example.com\"] tiene el rol 'chief'" in text
    detail = log.entries(actions=["refused"]).iloc[-1]["what"]["detail"]
    assert detail.startswith(f"The roles file can't be used: {broken}: [users.\"ana@example.com\"] has role 'chief'")


@pytest.mark.parametrize("lang, words, button", [
    ("es", "Inicie sesión con su cuenta de la empresa.", "Iniciar sesión"),
    ("pt_BR", "Entre com a sua conta da empresa.", "Entrar"),
])
def test_the_sign_in_screen_in_spanish_and_portuguese(app, lang, words, button):
    start, _log = app
    at = start(lang, user={"is_logged_in": False})
    assert words in " ".join(m.value for m in at.markdown)
    assert [b.label for b in at.button] == [button]
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("lang, account, button", [
    ("es", "Sesión iniciada como <b>ana@example.com</b><br>Administrador · todos los datos", "Cerrar sesión"),
    ("pt_BR", "Conectado como <b>ana@example.com</b><br>Administrador · todos os dados", "Sair"),
])
def test_the_account_box_in_spanish_and_portuguese(app, lang, account, button):
    start, _log = app
    at = start(lang)
    assert account in sidebar_text(at)
    assert [b.label for b in at.sidebar.button if b.key == "cx_sign_out"] == [button]


def test_days_and_app_words_in_the_details_are_shown_in_the_language_and_english_stays_as_stored():
    what = {"quarter": "2026-07-01", "filters": {"from": "2026-06-01"}, "why": "no database yet",
            "file": "overview-2026-06-01.csv"}
    with i18n.using("es"):
        assert audit.summary(what) == ("trimestre: T3 2026 · filtros: desde: 1 jun 2026 · motivo: aún no había base "
                                       "de datos · archivo: overview-2026-06-01.csv")
    assert audit.summary(what) == ("quarter: 2026-07-01 · filters: from: 2026-06-01 · why: no database yet · "
                                   "file: overview-2026-06-01.csv")
