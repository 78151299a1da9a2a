"""Presentation mode in headless Chromium: a shared link opens a slide without the sidebar, the arrow
keys step through the slides and the URL follows. Screenshots go to test-artifacts/."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from cxdata.overview import TILE_ORDER
from tests.test_browser import ARTIFACTS, CHROMIUM, _assert_no_error, _wait_until_idle, browser, run_app  # noqa: F401

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian chromium is not installed (apt-get install -y chromium)")
DIP = "period=custom&from=2025-12-01&to=2026-01-31&compare=previous"


@pytest.fixture(scope="module")
def app_url(demo_march, tmp_path_factory):
    """The real app on the March demo (read-only), on a free loopback port."""
    yield from run_app({"CX_DB": str(demo_march), "CX_WARMUP": "0"}, tmp_path_factory.mktemp("present-logs"))


@pytest.fixture
def screen(browser):  # noqa: F811
    """Open a page of a given size in a fresh context (a new session of the app); closed after the test."""
    contexts = []

    def open_page(width: int, height: int):
        contexts.append(browser.new_context(viewport={"width": width, "height": height}))
        return contexts[-1].new_page()
    yield open_page
    for context in contexts:
        context.close()


def _title(page) -> str:
    return page.locator(".cx-title, .cx-cover").first.inner_text()


def _slide(page) -> int:
    return int(re.search(r"[?&]slide=(\d+)", page.url).group(1))


def test_arrow_keys_step_through_the_slides_and_the_url_follows(app_url, screen):
    page = screen(1280, 720)
    page.goto(f"{app_url}/present?{DIP}&slide=2", wait_until="domcontentloaded")
    page.locator(".cx-title").first.wait_for(timeout=120_000)
    _wait_until_idle(page)
    _assert_no_error(page)
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert _slide(page) == 2 and "EXECUTIVE SUMMARY" in page.locator(".cx-section").first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "present-summary.png")
    seen = [_title(page)]
    for expected in (3, 4, 5):
        page.keyboard.press("ArrowRight")
        page.wait_for_url(re.compile(rf"slide={expected}\b"), timeout=60_000)
        _wait_until_idle(page)
        seen.append(_title(page))
    assert len(set(seen)) == 4, seen   # a new slide each time
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)   # the chart library loads on first use
    assert page.locator(".js-plotly-plot").count() == 1   # a trend slide draws its chart live
    page.screenshot(path=ARTIFACTS / "present-trend.png")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(r"slide=4\b"), timeout=60_000)
    _wait_until_idle(page)
    assert _title(page) == seen[2]
    _assert_no_error(page)
    # the link opens the same slide of the same view in a fresh session
    other = screen(1280, 720)
    other.goto(page.url, wait_until="domcontentloaded")
    other.locator(".cx-title").first.wait_for(timeout=120_000)
    _wait_until_idle(other)
    assert _title(other) == seen[2] and "from=2025-12-01" in other.url


# Per slide, on the page as drawn: the viewport, the footer's top and bottom, the lowest bottom of
# anything in the slide's body, the lowest bottom of anything at all, the smallest computed font
# size of any visible text (SVG chart labels included), scrolling boxes, and the arrows on the buttons.
MEASURE_SLIDE = """() => {
    const visible = e => { const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
                           return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
    const all = Array.from(document.querySelectorAll('[data-testid="stMainBlockContainer"] *')).filter(visible);
    const foot = document.querySelector('.cx-foot').getBoundingClientRect();
    const body = Array.from(document.querySelectorAll('.st-key-cx_body *')).filter(visible);
    const texts = all.filter(e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()));
    const fonts = texts.map(e => [parseFloat(getComputedStyle(e).fontSize), e.textContent.trim().slice(0, 40)]);
    const chart = document.querySelector('.st-key-cx_body .main-svg');
    return {vh: window.innerHeight, vw: window.innerWidth, footTop: foot.top, footBottom: foot.bottom,
            bodyBottom: Math.max(0, ...body.map(e => e.getBoundingClientRect().bottom)),
            bottom: Math.max(...all.map(e => e.getBoundingClientRect().bottom)),
            right: Math.max(...all.map(e => e.getBoundingClientRect().right)),
            chartBottom: chart ? chart.getBoundingClientRect().bottom : null,
            smallest: fonts.reduce((a, b) => (b[0] < a[0] ? b : a), [99, '']),
            scrolling: Array.from(document.querySelectorAll('*')).filter(e => e.scrollHeight > e.clientHeight + 1
                && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY)).map(e => e.dataset.testid || e.tagName),
            arrows: ['present_previous', 'present_next'].map(k => Array.from(document.querySelectorAll(
                `.st-key-${k} [data-testid="stIconMaterial"], .st-key-${k} kbd`)).filter(visible).length)};
}"""


def _settled(page) -> dict:
    """The slide's measures once two readings 0.2 s apart agree: on a busy machine the slide before
    can still be on the page for a moment after the rerun has started drawing the next one."""
    before = page.evaluate(MEASURE_SLIDE)
    for _ in range(40):
        page.wait_for_timeout(200)
        _wait_until_idle(page, quiet_ms=0)   # the 0.2 s just waited is the quiet
        now = page.evaluate(MEASURE_SLIDE)
        if now == before:
            return now
        before = now
    return before


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_every_slide_fits_the_screen_in_large_type(app_url, screen, width, height):
    """Bottoms, not tops: nothing below the window or under the footer, no scrollbar, the footer at the
    foot of the window (the slide fills it), a chart down to the footer; at 1280 x 720 no text under 14 px."""
    page = screen(width, height)
    page.goto(f"{app_url}/present?{DIP}&slide=1", wait_until="domcontentloaded")
    page.locator(".cx-cover").first.wait_for(timeout=120_000)
    count = int(re.search(r"of (\d+)", page.get_by_text(re.compile(r"Slide 1 of \d+")).inner_text())[1])
    assert count >= 15
    shots = Path("/tmp/shots-projector")
    shots.mkdir(exist_ok=True)
    for number in range(1, count + 1):
        if number > 1:
            page.keyboard.press("ArrowRight")
            page.wait_for_url(re.compile(rf"slide={number}\b"), timeout=60_000)
        _wait_until_idle(page)
        page.wait_for_function("Array.from(document.querySelectorAll('.st-key-cx_body .stPlotlyChart'))"
                               ".every(c => c.querySelector('.main-svg'))", timeout=60_000)
        _assert_no_error(page)
        m = _settled(page)
        page.screenshot(path=shots / f"slide{number:02d}-{width}x{height}.png")
        where = f"slide {number} at {width}x{height}: {m}"
        assert m["bottom"] <= height + 0.5 and m["right"] <= width + 0.5, where
        assert m["bodyBottom"] <= m["footTop"] + 0.5, where        # nothing runs under the footer
        assert m["footBottom"] >= 0.95 * height, where              # the slide fills the window's height
        if m["chartBottom"] is not None:
            assert m["chartBottom"] >= 0.8 * height, where          # a chart takes the height it is given
        assert not m["scrolling"], where
        assert m["arrows"] == [1, 1], where                          # one arrow on Back, one on Next
        if width == 1280:
            assert m["smallest"][0] >= 14, where


def test_overview_shows_every_tile_and_the_top_attention_items_on_one_1280x720_screen(app_url, screen):
    from tests.test_browser import _wait_for_tiles

    page = screen(1280, 720)
    page.goto(f"{app_url}/?{DIP}", wait_until="domcontentloaded")
    _wait_for_tiles(page)
    _assert_no_error(page)
    page.screenshot(path=Path("/tmp/shots-projector") / "overview-1280x720.png")
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    tiles = page.locator('[data-testid="stMetric"]').evaluate_all(
        "ts => ts.map(t => t.closest('[data-testid=\"stVerticalBlock\"]').getBoundingClientRect().bottom)")
    assert len(tiles) == len(TILE_ORDER) and max(tiles) <= 720, tiles
    first = page.locator(".cx-first li")
    assert first.count() == 3   # the dip misses several targets
    bottoms = first.evaluate_all("items => items.map(i => i.getBoundingClientRect().bottom)")
    assert max(bottoms) <= 720, bottoms
    shown = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="below target").all_inner_texts()
    for line in first.all_inner_texts():   # the same items, in the same order, as the full list below
        assert any(line.lstrip("●▲ ").rstrip("…")[:60] in full for full in shown), (line, shown[:3])
