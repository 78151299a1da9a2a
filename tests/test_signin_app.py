"""Who may open the app, under AppTest: local mode, the sign-in screen, known, unknown and refused
accounts, a broken roles file, and the read-only view for anyone (see docs/access.md)."""
import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit import config as st_config

from tests.conftest import ROOT

# A complete [auth] section as Streamlit documents it (the provider is never reached under AppTest).
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a" * 32,
        "client_id": "cx-cockpit", "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration"}
ROLES_TOML = '''
[users."ana@example.com"]
role = "department_head"
departments = ["Billing"]

[groups."leadership"]
role = "executive"
'''


@pytest.fixture
def start(tiny_db, tmp_path, monkeypatch):
    """Run the app on the tiny database with these secrets, this st.user and a roles file; the store
    (where sign-ins are recorded) in the test's own folder, not beside the shared database."""
    monkeypatch.setenv("CX_DB", str(tiny_db))
    monkeypatch.setenv("CX_STORE", str(tmp_path / "state.sqlite"))
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CX_ANONYMOUS", raising=False)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES_TOML, encoding="utf-8")
    monkeypatch.setenv("CX_ROLES", str(roles))

    def run(user=None, auth=AUTH, address="127.0.0.1") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        # a value that is not [auth] keeps a developer's own secrets file out of the test
        at.secrets["cx_test"] = "no sign-in"
        if auth is not None:
            at.secrets["auth"] = auth
        if user is not None:
            at.user = user
        before = st_config.get_option("server.address")
        st_config.set_option("server.address", address)   # as `--server.address` would set it
        try:
            return at.run()
        finally:
            st_config.set_option("server.address", before)
    return run


def tiles(at) -> dict[str, str]:
    return {m.label.split(" :")[0]: m.value for m in at.metric}


def sidebar_text(at) -> str:
    return " ".join([c.value for c in at.sidebar.caption] + [h.proto.body for h in at.sidebar.get("html")])


def test_without_sign_in_the_app_is_a_local_tool_for_its_one_user(start):
    at = start(auth=None)
    assert not at.exception
    assert tiles(at)["Contacts"] == "10"   # all data: 6 Support chats and 4 Billing e-mails
    assert "Local mode: only this computer can open the app." in sidebar_text(at)
    assert not [b for b in at.button if b.label == "Sign out"]


def test_signed_out_visitors_see_the_sign_in_screen_and_no_data(start):
    at = start(user={"is_logged_in": False})
    assert not at.exception
    assert at.title[0].value == "cx-cockpit"
    assert "Sign in with your company account" in " ".join(m.value for m in at.markdown)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.sidebar.caption   # nothing of the data


def test_a_known_user_sees_the_pages_within_their_scope_and_can_sign_out(start):
    ana = {"is_logged_in": True, "email": "Ana@Example.com", "groups": []}
    at = start(user=ana)
    assert not at.exception
    assert tiles(at)["Contacts"] == "4"   # Billing's 4 e-mails of the 10 contacts
    assert "Signed in as <b>ana@example.com</b><br>Department head · Billing" in sidebar_text(at)
    at.switch_page("pages/trends.py").run()
    assert not at.exception and at.title[0].value == "KPI trends"
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert [b.label for b in at.button] == ["Sign in"] and not at.metric


def test_a_group_named_in_the_roles_file_gives_its_role(start, monkeypatch):
    at = start(user={"is_logged_in": True, "email": "carla@example.com", "groups": ["staff", "leadership"]})
    assert not at.exception
    assert tiles(at)["Contacts"] == "10"
    assert "carla@example.com</b><br>Executive · all data" in sidebar_text(at)
    # a provider that names groups in another claim (Entra ID's app roles: "roles")
    monkeypatch.setenv("CX_GROUPS_CLAIM", "roles")
    at = start(user={"is_logged_in": True, "email": "carla@example.com", "roles": "leadership"})
    assert tiles(at)["Contacts"] == "10"


def refusal(at) -> str:
    assert not at.exception
    assert not at.metric and not at.dataframe   # no data on a refusal page
    shown = " ".join(e.value for e in at.error) + " | " + " ".join(c.value for c in at.caption)
    return re.sub(r"\\(.)", r"\1", shown)   # the page escapes Markdown: read it as the screen shows it


def test_an_unknown_account_is_refused_with_a_clear_page(start):
    at = start(user={"is_logged_in": True, "email": "mallory@example.com", "groups": ["staff"]})
    text = refusal(at)
    assert "mallory@example.com has no access to cx-cockpit. Ask your administrator to add you." in text
    assert "Neither this e-mail address nor any of its groups (claim 'groups') is in the roles file" in text
    assert [b.label for b in at.button] == ["Sign out"]


def test_an_account_without_a_verified_e_mail_is_refused(start):
    at = start(user={"is_logged_in": True, "email": "ana@example.com", "email_verified": False})
    assert "ana@example.com is not a verified e-mail address" in refusal(at)
    at = start(user={"is_logged_in": True, "name": "Ana"})
    assert "did not say which e-mail address this account has" in refusal(at)


def test_a_broken_roles_file_refuses_everyone_with_the_reason_for_the_administrator(start, tmp_path, monkeypatch):
    broken = tmp_path / "broken.toml"
    broken.write_text('[users."ana@example.com"]\nrole = "chief"\n', encoding="utf-8")
    monkeypatch.setenv("CX_ROLES", str(broken))
    text = refusal(start(user={"is_logged_in": True, "email": "ana@example.com"}))
    assert "Access can't be checked right now" in text
    assert f"The roles file can't be used: {broken}: [users.\"ana@example.com\"] has role 'chief'" in text


def test_sign_in_without_a_roles_file_refuses_everyone(start, monkeypatch):
    monkeypatch.delenv("CX_ROLES")
    text = refusal(start(user={"is_logged_in": True, "email": "ana@example.com"}))
    assert "Sign-in is set up, but no one has been given access yet." in text
    assert "No roles file: set CX_ROLES to a roles file" in text


def test_an_incomplete_sign_in_setup_refuses_rather_than_fails(start):
    auth = {k: v for k, v in AUTH.items() if k != "client_secret"}
    text = refusal(start(user={"is_logged_in": False}, auth=auth))
    assert "Sign-in is not working: it is set up incompletely." in text
    assert "The [auth] section of the secrets file lacks client_secret" in text


def test_served_to_the_network_without_sign_in_every_visitor_is_refused(start):
    text = refusal(start(auth=None, address="0.0.0.0"))
    assert "This app is not open to visitors: its administrator has not finished setting up who may see it." in text
    assert "Refused because the server listens on 0.0.0.0 and no sign-in is set up" in text
    text = refusal(start(auth=None, address=""))
    assert "listens on every network address of this computer" in text


def test_read_only_anonymous_mode_serves_everyone_as_a_viewer(start, monkeypatch):
    monkeypatch.setenv("CX_ANONYMOUS", "read-only")
    at = start(auth=None, address="0.0.0.0")
    assert not at.exception
    assert tiles(at)["Contacts"] == "10"
    assert "Read-only view open to anyone" in sidebar_text(at)
    monkeypatch.setenv("CX_ANONYMOUS", "yes")
    assert "CX_ANONYMOUS is set to 'yes'; the only value it takes is 'read-only'" in refusal(
        start(auth=None, address="0.0.0.0"))
