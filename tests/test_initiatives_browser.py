"""The Initiatives page in a real browser (Debian's Chromium through Playwright) on a copy of the December
demo: the three planted initiatives with their charts, and a checkpoint marked met through its popover."""
from __future__ import annotations

import shutil

import pytest

from cxdata import initiatives
from cxdata.store import Store
from tests.test_browser import ARTIFACTS, _wait_until_idle, browser, pytestmark, run_app  # noqa: F401

_ = pytestmark
WORKS = "Clearer invoices and billing callbacks"


@pytest.fixture(scope="module")
def demo_copy(demo_december, tmp_path_factory):
    path = tmp_path_factory.mktemp("initiatives_browser") / "cx.duckdb"
    shutil.copyfile(demo_december, path)
    return path


@pytest.fixture(scope="module")
def server(demo_copy, tmp_path_factory):
    yield from run_app({"CX_DB": str(demo_copy), "CX_WARMUP": "0"}, tmp_path_factory.mktemp("initiatives_logs"))


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()


def test_the_page_draws_every_initiative_and_marks_a_checkpoint(server, demo_copy, page):
    page.goto(f"{server}/initiatives")
    page.get_by_role("heading", name="Initiatives", exact=True).wait_for(timeout=120_000)
    page.get_by_text("Moved their KPI").wait_for(timeout=120_000)
    _wait_until_idle(page)
    for name in (WORKS, "Welcome calls for small businesses", "Setup wizard tooltips"):
        page.get_by_role("heading", name=name).wait_for(timeout=30_000)
    page.locator('[data-testid="stPlotlyChart"]').nth(5).wait_for(timeout=60_000)   # two charts each
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 6
    page.get_by_text("No detectable effect: the smallest effect the data could have seen was").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "initiatives_1280.png"))
    page.get_by_role("button", name="Mark a checkpoint").first.click()
    popover = page.locator('[data-testid="stPopoverBody"]')
    popover.get_by_text("met", exact=True).click()
    _wait_until_idle(page)
    popover.get_by_role("button", name="Save").click()
    page.get_by_text("the checkpoint of").wait_for(timeout=30_000)
    _wait_until_idle(page)
    page.screenshot(path=str(ARTIFACTS / "initiatives_marked_1280.png"))
    history = Store.beside(demo_copy).history(initiatives.KIND, WORKS)
    assert list(history["field"]) == ["checkpoint_states"] and list(history["changed_by"]) == ["local"]
