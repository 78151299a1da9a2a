"""Sign-in end to end in a real browser (Debian's Chromium through Playwright): the real server with a
temporary secrets file, against a real OpenID Connect provider that the test starts on the loopback
address (oidc-provider-mock). Two accounts of different scope see different overviews; signing out
returns to the sign-in screen; an account the roles file does not know is refused.

No skip: without Chromium the test fails and says why (CI installs it). Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest

from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _tiles, _wait_for_tiles, run_app
from tests.test_signin_app import ROLES_TOML



@pytest.fixture(scope="module")
def provider():
    """An OpenID Connect provider on 127.0.0.1 with two accounts a click away on its sign-in page:
    ana (known by e-mail) and carla (known by her group, in the provider's `groups` claim)."""
    import werkzeug.serving
    from oidc_provider_mock import User, app

    accounts = [User(sub="ana", claims={"email": "ana@example.com", "email_verified": True}),
                User(sub="carla", claims={"email": "carla@example.com", "groups": ["staff", "leadership"]})]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=accounts), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def signin_server(provider, tiny_db, tmp_path_factory):
    """The real app with sign-in: secrets in a temporary file (the repository's are never touched)."""
    folder = tmp_path_factory.mktemp("signin")
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'   # Streamlit fills in its port
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "cx-cockpit"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    (folder / "roles.toml").write_text(ROLES_TOML, encoding="utf-8")
    yield from run_app({"CX_DB": str(tiny_db), "CX_WARMUP": "0", "CX_ROLES": str(folder / "roles.toml"),
                        "STREAMLIT_SECRETS_FILES": str(folder / "secrets.toml")}, folder)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: this browser test drives Debian's Chromium "
                    "(apt-get install -y chromium); it is never skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _sign_in(page, app: str, choose) -> None:
    """From the app's sign-in screen to the provider's page, where `choose(page)` picks the account."""
    page.goto(app, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    choose(page)
    page.wait_for_url(f"{app}/**", timeout=30_000)


def _as(sub: str):
    return lambda page: page.get_by_role("button", name=sub, exact=True).click()


def _sign_out(page, app: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=30_000)   # the provider's own page
    page.wait_for_url(f"{app}/**", timeout=30_000)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)


def test_two_accounts_see_their_own_overview_and_an_unknown_one_is_refused(signin_server, browser):
    app = signin_server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()

    # The server's very first request, straight to a page, still meets the sign-in screen first.
    page.goto(f"{app}/definitions", wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert page.get_by_text("Sign in with your company account").count() == 1
    assert page.get_by_role("heading", name="Definitions").count() == 0
    assert page.locator('[data-testid="stMetricValue"]').count() == 0   # no figure before sign-in
    page.screenshot(path=str(ARTIFACTS / "signin_screen.png"))

    _sign_in(page, app, _as("carla"))   # an executive through her group: all data
    _wait_for_tiles(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Signed in as carla@example.com\nExecutive · all data" in sidebar.inner_text()
    assert _tiles(page)["Contacts"] == "10"
    page.screenshot(path=str(ARTIFACTS / "signin_executive.png"))
    _sign_out(page, app)
    assert page.locator('[data-testid="stMetricValue"]').count() == 0

    _sign_in(page, app, _as("ana"))     # the head of Billing: Billing's contacts only
    _wait_for_tiles(page)
    assert "Signed in as ana@example.com\nDepartment head · Billing" in sidebar.inner_text()
    assert _tiles(page)["Contacts"] == "4"
    page.screenshot(path=str(ARTIFACTS / "signin_department_head.png"))
    _sign_out(page, app)

    def stranger(page):   # typed on the provider's page: an account the roles file does not name
        page.locator("input[name=sub]").fill("mallory@example.com")
        page.get_by_role("button", name="Authorize").click()
    _sign_in(page, app, stranger)
    page.get_by_text("mallory@example.com has no access to cx-cockpit. Ask your administrator to add you.").wait_for(
        timeout=60_000)
    assert page.locator('[data-testid="stMetricValue"]').count() == 0
    assert not sidebar.is_visible()
    page.screenshot(path=str(ARTIFACTS / "signin_refused.png"))
    context.close()


@pytest.fixture(scope="module")
def local_server(tiny_db, tmp_path_factory):
    """The app as the README starts it on a fresh machine: no secrets file at all."""
    folder = tmp_path_factory.mktemp("local")
    yield from run_app({"CX_DB": str(tiny_db), "CX_WARMUP": "0",
                        "STREAMLIT_SECRETS_FILES": str(folder / "no-such-secrets.toml")}, folder)


def test_without_sign_in_only_this_computer_gets_the_app(local_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(local_server, wait_until="domcontentloaded")
    _wait_for_tiles(page)
    assert "Local mode: only this computer can open the app." in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.locator('[data-testid="stAlertContentError"], [data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "local_mode.png"))
    context.close()
    # The same server reached through a proxy (which says so in its headers) refuses to show anything.
    context = browser.new_context(viewport={"width": 1280, "height": 720},
                                  extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    page = context.new_page()
    page.goto(local_server, wait_until="domcontentloaded")
    page.get_by_text("This app is not open to visitors").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetricValue"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "local_mode_behind_a_proxy.png"))
    context.close()
