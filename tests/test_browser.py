"""The real app in headless Chromium (Debian's, driven by Playwright), against a fresh server.

The server starts with no database, so its first request also proves the demo is built on
first start. That first request is a deep link to a page with filters: Streamlit's legacy
pages/ mode would run that page alone, without the frame; it must land inside the frame.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from cxdata.metrics import KPIS
from cxdata.overview import TILE_ORDER
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian chromium is not installed (apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh `streamlit run app.py` on a free loopback port, with no database yet."""
    db_path = tmp_path_factory.mktemp("browser") / "cx.duckdb"
    # the real app warms up in the background
    yield from run_app({"CX_DB": str(db_path), "CX_WARMUP": "1"}, tmp_path_factory.mktemp("logs"))


def show_every_page(page) -> None:
    """Open the navigation's "View N more": with the Act pages, the sidebar lists the first pages only
    and the rest (Data & loads, Definitions...) sit behind that button until it is clicked."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    more.wait_for(timeout=60_000)
    if "more" in more.inner_text().lower():
        more.click()


def run_app(env: dict[str, str], log_dir: Path):
    """Serve the real app on a free loopback port with `env` added to ours; yield its URL, then stop it."""
    port = _free_port()
    log = open(log_dir / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start; see {log.name}")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module, not per run: a live sync Playwright keeps its event loop set as the
    thread's running loop, which would break asyncio.run in later tests (Kaleido's board pack images)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


LABELS = [KPIS[key].label for key in TILE_ORDER]   # the tiles, in the order the page draws them


def _tiles(page) -> dict[str, str]:
    """Tile values by KPI label (labels also carry a status badge, so the page's order names them)."""
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(values) == len(LABELS)
    return {label: value.strip() for label, value in zip(LABELS, values)}


def _tile(page, label: str):
    return page.locator('[data-testid="stMetric"]').nth(LABELS.index(label))


def _wait_for_tiles(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=timeout_ms)
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= {len(TILE_ORDER)}",
        timeout=timeout_ms)
    _wait_until_idle(page)


# Streamlit's own marks on its root element: the script state reads "initial" until a run has begun,
# "running" (or "rerunRequested") while one runs and "notRunning" once it has finished.
_QUIET = """([quietMs]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED') {
        window.cxIdleSince = undefined;
        return false;
    }
    window.cxIdleSince = window.cxIdleSince ?? performance.now();
    return performance.now() - window.cxIdleSince >= quietMs;
}"""


def _wait_until_idle(page, quiet_ms: int = 300) -> None:
    """Until Streamlit has finished its runs: connected, its script state 'notRunning', and still so
    `quiet_ms` later (a rerun that a click or st.rerun asks for starts a moment after the last one ends)."""
    page.evaluate("window.cxIdleSince = undefined")
    page.wait_for_function(_QUIET, arg=[quiet_ms], polling=50, timeout=60_000)


def _wait_for_change(page, label: str, before: str) -> None:
    """Until a tile shows another value: tiles are redrawn one by one, slower on a busy machine."""
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=\"stMetricValue\"]')[{LABELS.index(label)}].innerText.trim()"
        f" !== {before!r}", timeout=60_000)
    _wait_until_idle(page)


def _assert_no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()


def test_first_request_deep_link_lands_inside_the_frame(server, page):
    """Runs first on the fresh server: a link straight to the data page with filters."""
    page.goto(f"{server}/data?segment=SMB&region=Europe&period=12m", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Data & loads").wait_for(timeout=120_000)
    _wait_until_idle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "deep-link-data-page.png", full_page=True)
    sidebar = page.locator('[data-testid="stSidebar"]')
    # The frame ran: our navigation titles, not legacy file-name links; the filters, which do not
    # apply to this page, are not drawn, and the link's filters are kept for the next page.
    assert sidebar.get_by_text("Executive overview").count() >= 1
    assert sidebar.get_by_text("Filters").count() == 0
    assert "/data" in page.url and "segment=SMB" in page.url and "region=Europe" in page.url
    assert page.get_by_text("Demo data").count() >= 1   # built on first start, and said so
    _assert_no_error(page)
    sidebar.get_by_text("Executive overview").click()
    _wait_for_tiles(page)
    assert sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Segment").get_by_text("SMB").count() == 1
    page.wait_for_url(re.compile(r"segment=SMB"), timeout=30_000)


def test_overview_tiles_render_and_a_filter_changes_url_and_tiles(server, page):
    page.goto(server, wait_until="domcontentloaded")
    _wait_for_tiles(page)
    _assert_no_error(page)
    before = _tiles(page)
    assert page.locator('[data-testid="stMetricLabel"]').first.inner_text().startswith("NPS")
    assert re.fullmatch(r"-?\d+", before["NPS"]), before
    assert re.fullmatch(r"\d+\.\d%", before["CSAT"]), before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "overview.png", full_page=True)

    segment = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Segment")
    # Scrolled into view first: the menu closes again when the click's own scrolling moves the sidebar.
    segment.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    segment.locator("input").click()
    page.get_by_role("option", name="SMB").click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"segment=SMB"), timeout=30_000)
    _wait_until_idle(page)
    _wait_for_change(page, "Active customers", before["Active customers"])
    after = _tiles(page)
    assert after["Active customers"] != before["Active customers"]
    page.screenshot(path=ARTIFACTS / "overview-smb.png", full_page=True)
    _assert_no_error(page)

    # The URL alone reproduces the view in a new tab.
    shared = page.url
    other = page.context.new_page()
    other.goto(shared, wait_until="domcontentloaded")
    _wait_for_tiles(other)
    assert _tiles(other)["Active customers"] == after["Active customers"]
    other.close()


def _dip_range() -> tuple[str, str]:
    """The newest December-January the demo covers whole: its planted seasonal dip."""
    newest = dt.date.today() - dt.timedelta(days=1)   # the demo built on first start ends yesterday
    year = newest.year if newest.month >= 2 else newest.year - 1
    return f"{year - 1}-12-01", f"{year}-01-31"


def test_every_headline_kpi_fits_one_1280x720_screen(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    _wait_for_tiles(page)
    _assert_no_error(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "overview-1280x720.png")
    tops = page.locator('[data-testid="stMetric"]').evaluate_all(
        "tiles => tiles.map(t => t.closest('[data-testid=\"stVerticalBlock\"]').getBoundingClientRect().top)")
    assert len(tops) == len(TILE_ORDER)
    assert max(tops) < 720, tops
    sizes = page.evaluate("""() => {
        const px = sel => Array.from(document.querySelectorAll(sel)).map(e => parseFloat(getComputedStyle(e).fontSize));
        return {value: Math.min(...px('[data-testid="stMetricValue"]')),
                other: Math.max(...Array.from(document.querySelectorAll('h1, h2, h3, p, span, label'))
                    .filter(e => !e.closest('[data-testid="stMetricValue"]'))
                    .map(e => parseFloat(getComputedStyle(e).fontSize)).filter(Boolean))};
    }""")
    assert sizes["value"] > sizes["other"], sizes   # the KPI values are the largest text on the page
    context.close()


def test_a_significant_decline_renders_red_and_downward(server, page):
    start, end = _dip_range()
    page.goto(f"{server}/?period=custom&from={start}&to={end}&compare=previous", wait_until="domcontentloaded")
    _wait_for_tiles(page)
    _assert_no_error(page)
    page.screenshot(path=ARTIFACTS / "overview-december-january.png")
    for label in ("NPS", "CSAT", "SLA compliance"):
        tile = _tile(page, label)
        delta = tile.locator('[data-testid="stMetricDelta"]')
        assert delta.inner_text().strip().startswith("-"), (label, delta.inner_text())
        assert delta.locator('[data-testid="stMetricDeltaIcon-Down"]').count() == 1, label
        red, green, blue = map(int, re.findall(r"\d+", delta.evaluate("e => getComputedStyle(e).color"))[:3])
        assert red > green + 60 and red > blue + 60, (label, red, green, blue)


def test_focus_narrows_the_url_survives_reload_and_the_next_change_sticks(server, page):
    page.goto(server, wait_until="domcontentloaded")
    _wait_for_tiles(page)
    before = _tiles(page)
    page.get_by_role("button", name="Focus on Billing").first.click()
    page.wait_for_url(re.compile(r"department=Billing"), timeout=30_000)
    _wait_until_idle(page)
    _wait_for_change(page, "SLA compliance", before["SLA compliance"])
    department = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Department")
    assert department.get_by_text("Billing").count() == 1
    assert _tiles(page)["SLA compliance"] != before["SLA compliance"]
    focused = _tiles(page)

    page.reload(wait_until="domcontentloaded")          # the address bar holds the focus
    _wait_for_tiles(page)
    assert _tiles(page)["SLA compliance"] == focused["SLA compliance"]

    compare = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Compare with")
    option = page.get_by_role("option", name="same period last year")
    compare.locator("input").click()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        option.wait_for(timeout=3_000)
    except PlaywrightTimeout:   # a box the sidebar had to scroll to is only focused by the first click
        compare.locator("input").click()
    option.click()
    page.wait_for_url(re.compile(r"compare=year"), timeout=30_000)
    _wait_until_idle(page)
    assert "department=Billing" in page.url             # the next sidebar change keeps the focus
    assert department.get_by_text("Billing").count() == 1
    assert _tiles(page)["SLA compliance"] == focused["SLA compliance"]
    _assert_no_error(page)


def test_a_tiles_trend_link_opens_the_trends_page_with_the_filters(server, page):
    page.goto(f"{server}/?period=12m&segment=SMB", wait_until="domcontentloaded")
    _wait_for_tiles(page)
    page.locator('[data-testid="stPageLink"] a[href*="metric=sla_compliance"]').first.click()
    page.wait_for_url(re.compile(r"/trends\?.*metric=sla_compliance"), timeout=30_000)
    _wait_until_idle(page)
    assert "segment=SMB" in page.url and "period=12m" in page.url
    page.get_by_text("times its usual variation", exact=False).first.wait_for(timeout=30_000)
    _assert_no_error(page)
    page.set_viewport_size({"width": 1280, "height": 2000})
    page.screenshot(path=ARTIFACTS / "trends-sla-smb.png")
    assert page.get_by_text("SLA compliance is", exact=False).count() >= 1   # the chart's title names it


def test_journey_page_draws_its_map_sankey_and_moments_without_errors(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{server}/journey", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Journey map").wait_for(timeout=120_000)
    page.locator(".js-plotly-plot .sankey").first.wait_for(timeout=120_000)
    _wait_until_idle(page)
    _assert_no_error(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "journey-1280x720.png")
    assert page.get_by_text("takes the most effort").count() >= 1        # the map's title names the hardest stage
    assert page.get_by_text("is the moment of truth that loses most").count() == 1
    page.set_viewport_size({"width": 1280, "height": 4200})
    _wait_until_idle(page)
    page.screenshot(path=ARTIFACTS / "journey-full.png", full_page=True)
    context.close()


def test_nothing_is_fetched_from_outside_the_machine_and_the_console_stays_clean(server, browser):
    """Offline, as on a locked-down laptop: every request but the app's own is refused and recorded,
    the favicon included, and no page logs an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside, errors = [], []

    def only_local(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()
    context.route("**/*", only_local)
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    page.goto(server, wait_until="domcontentloaded")
    _wait_for_tiles(page)
    # on through the navigation, as a reader goes: a deep link's first load also probes the page's path
    # for the server's health (Streamlit's own base-path check), a 404 the console reports
    show_every_page(page)
    for title in ("KPI trends", "Journey map", "Definitions"):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=120_000)
        _wait_until_idle(page)
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon.startswith(("/media/", f"{server}/media/", "./media/")), icon   # the app's own file
    context.close()
    assert outside == [] and errors == []
