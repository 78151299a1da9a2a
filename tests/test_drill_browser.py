"""The drill-down in a real browser (Debian's Chromium through Playwright) on the tiny database: a tile's
rows icon and a bar of the channel mix open the rows behind them, in a dialog that states their count."""
from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, _wait_for_tiles, browser, pytestmark, run_app  # noqa: F401

_ = pytestmark


@pytest.fixture(scope="module")
def tiny_server(tiny_db, tmp_path_factory):
    yield from run_app({"CX_DB": str(tiny_db), "CX_WARMUP": "0"}, tmp_path_factory.mktemp("drill_logs"))


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()


def test_a_tile_and_a_bar_open_their_rows(tiny_server, page):
    page.goto(tiny_server)
    _wait_for_tiles(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "drill_overview_1280.png"))
    page.get_by_role("button", name="table_rows").first.click()           # the NPS tile's rows icon
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("100 answers").wait_for(timeout=30_000)
    dialog.get_by_role("button", name="CSV", exact=True).wait_for(timeout=30_000)   # raises unless it shows (exact: not the grid toolbar's "Download as CSV")
    dialog.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "drill_nps_1280.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    chart = page.locator('[data-testid="stPlotlyChart"]').last                # contacts by channel
    chart.scroll_into_view_if_needed()
    box = chart.locator("g.point path").first.bounding_box()                # the live bar: chat, 6 of 10
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly takes clicks on its drag layer
    page.get_by_role("dialog").get_by_text("chat · 6 Dec 2025 – 5 Mar 2026: 6 contacts").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "drill_channel_bar_1280.png"))
