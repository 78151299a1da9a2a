"""Presentation mode in headless Chromium: a shared link opens a slide without the sidebar, the arrow
keys step through the slides and the URL follows. Screenshots go to test-artifacts/."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _assert_no_error, _wait_until_idle, run_app

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian chromium is not installed (apt-get install -y chromium)")
DIP = "period=custom&from=2025-12-01&to=2026-01-31&compare=previous"


@pytest.fixture(scope="module")
def app_url(demo_march, tmp_path_factory):
    """The real app on the March demo (read-only), on a free loopback port."""
    yield from run_app({"CX_DB": str(demo_march), "CX_WARMUP": "0"}, tmp_path_factory.mktemp("present-logs"))


def _title(page) -> str:
    return page.locator(".cx-title, .cx-cover").first.inner_text()


def _slide(page) -> int:
    return int(re.search(r"[?&]slide=(\d+)", page.url).group(1))


def test_arrow_keys_step_through_the_slides_and_the_url_follows(app_url, demo_march):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
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
        assert page.locator(".js-plotly-plot").count() == 1   # a trend slide draws its chart live
        page.screenshot(path=ARTIFACTS / "present-trend.png")
        page.keyboard.press("ArrowLeft")
        page.wait_for_url(re.compile(r"slide=4\b"), timeout=60_000)
        _wait_until_idle(page)
        assert _title(page) == seen[2]
        _assert_no_error(page)
        # the link opens the same slide of the same view in a fresh session
        other = browser.new_page(viewport={"width": 1280, "height": 720})
        other.goto(page.url, wait_until="domcontentloaded")
        other.locator(".cx-title").first.wait_for(timeout=120_000)
        _wait_until_idle(other)
        assert _title(other) == seen[2] and "from=2025-12-01" in other.url
        browser.close()
