"""How the app is served (sign-in, local mode, read-only anonymous or refused) and what a provider's
claims say: decided from the server's settings; what a visitor sends can only refuse, never widen."""
import tomllib

import pytest

from cxdata.access import signin
from cxdata.access.signin import ANONYMOUS_MODE, LOCAL, REFUSED, SIGNIN, decide
from tests.conftest import ROOT

LOCAL_BROWSER = {"Host": "127.0.0.1:8501"}


def test_the_repository_serves_on_this_computer_only_by_default():
    """The README's `streamlit run app.py` starts in local mode: the config binds the loopback address."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert decide(signin=False, address=config["server"]["address"], anonymous=None,
                  headers=LOCAL_BROWSER).mode == LOCAL


@pytest.mark.parametrize("address, mode", [
    ("127.0.0.1", LOCAL), ("localhost", LOCAL), ("::1", LOCAL), ("[::1]", LOCAL), ("127.0.0.2", LOCAL),
    ("0.0.0.0", REFUSED), ("", REFUSED), (None, REFUSED), ("192.168.1.20", REFUSED), ("::", REFUSED),
    ("cx.example.com", REFUSED),   # a name may resolve to a network address
])
def test_without_sign_in_only_the_loopback_address_is_local_mode(address, mode):
    assert decide(signin=False, address=address, anonymous=None, headers=LOCAL_BROWSER).mode == mode


@pytest.mark.parametrize("headers, why", [
    ({"Host": "127.0.0.1:8501", "X-Forwarded-For": "10.1.2.3"}, "through a proxy (the request carries x-forwarded-for)"),
    ({"host": "localhost:8501", "Forwarded": "for=10.1.2.3"}, "through a proxy (the request carries forwarded)"),
    ({"Host": "cx.example.com"}, "under the name 'cx.example.com', not as this computer"),
])
def test_a_local_server_behind_a_proxy_is_served_to_the_network(headers, why):
    served = decide(signin=False, address="127.0.0.1", anonymous=None, headers=headers)
    assert served == signin.Serving(REFUSED, f"the app is reached {why} and no sign-in is set up")


@pytest.mark.parametrize("host", ["localhost:8501", "127.0.0.1", "[::1]:8501", ""])
def test_a_browser_on_this_computer_is_local(host):
    assert decide(signin=False, address="127.0.0.1", anonymous=None, headers={"Host": host}).mode == LOCAL


def test_sign_in_wins_wherever_the_server_listens():
    for address in ("127.0.0.1", "0.0.0.0", None):
        assert decide(signin=True, address=address, anonymous=None).mode == SIGNIN
        assert decide(signin=True, address=address, anonymous="read-only").mode == SIGNIN


def test_read_only_anonymous_only_when_set_exactly():
    assert decide(signin=False, address="0.0.0.0", anonymous="read-only").mode == ANONYMOUS_MODE
    assert decide(signin=False, address="127.0.0.1", anonymous=" read-only ").mode == ANONYMOUS_MODE
    served = decide(signin=False, address="0.0.0.0", anonymous=None)
    assert served == signin.Serving(REFUSED, "the server listens on 0.0.0.0 and no sign-in is set up")
    for typo in ("yes", "readonly", "true", "Read-Only"):   # a misspelt setting refuses, never guesses
        served = decide(signin=True, address="127.0.0.1", anonymous=typo)
        assert served.mode == REFUSED and f"CX_ANONYMOUS is set to {typo!r}" in served.reason


def test_the_anonymous_viewer_changes_nothing_and_sees_no_rows_or_names():
    viewer = signin.ANONYMOUS
    assert viewer.role == "viewer" and viewer.scope.is_all
    assert not any(viewer.may(action) for action in
                   ("load", "edit_settings", "edit_roles", "read_audit", "edit_targets", "work_alerts",
                    "export_rows", "see_rows", "see_names"))


AUTH = {"redirect_uri": "https://cx.example.com/oauth2callback", "cookie_secret": "s" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}


def test_an_incomplete_auth_section_is_named():
    assert signin.auth_problem(AUTH) == ""
    flat = {k: v for k, v in AUTH.items() if k not in ("client_secret", "cookie_secret")}
    assert signin.auth_problem(flat) == "The [auth] section of the secrets file lacks cookie_secret, client_secret"
    nested = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s" * 32,
              "default": {k: AUTH[k] for k in signin.PROVIDER_KEYS}}
    assert signin.auth_problem(nested) == ""
    assert "followed by /oauth2callback" in signin.auth_problem({**AUTH, "redirect_uri": "https://cx.example.com/"})


def test_groups_come_from_the_configured_claim_in_any_shape(monkeypatch):
    monkeypatch.delenv(signin.GROUPS_CLAIM_ENV, raising=False)
    assert signin.groups_claim() == "groups"
    monkeypatch.setenv(signin.GROUPS_CLAIM_ENV, "roles")
    assert signin.groups_claim() == "roles"
    assert signin.groups_of({"groups": ["board", "staff"]}, "groups") == ("board", "staff")
    assert signin.groups_of({"groups": "board"}, "groups") == ("board",)
    assert signin.groups_of({"groups": ["board", None, "", {"x": 1}]}, "groups") == ("board",)
    assert signin.groups_of({"email": "a@example.com"}, "groups") == ()
