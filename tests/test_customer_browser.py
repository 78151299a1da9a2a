"""From the at-risk list to the Customer page in a real browser (Debian's Chromium through Playwright),
on the hand-built database of tests/test_customer.py with the alert threshold at 20, so Ana Pérez (K1,
risk score 25) is the list's one row: her id in the list is a link, and following it opens her record."""
from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, _wait_until_idle, browser, pytestmark, run_app  # noqa: F401
from tests.test_customer import build

_ = pytestmark


@pytest.fixture(scope="module")
def customer_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("customer_browser") / "cx.duckdb"
    build(path)
    yield from run_app({"CX_DB": str(path), "CX_WARMUP": "0", "CX_CHURN_THRESHOLD": "20"},
                       tmp_path_factory.mktemp("customer_logs"))


def test_a_customer_link_in_the_at_risk_list_opens_their_record(customer_server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{customer_server}/churn")
        page.get_by_text("At-risk list").wait_for(timeout=120_000)
        _wait_until_idle(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.locator("canvas").first.wait_for(timeout=30_000)
        grid.scroll_into_view_if_needed()
        _wait_until_idle(page)
        box = grid.bounding_box()
        link = (box["x"] + 14, box["y"] + 35 + 17)               # the first row's id, K1: its text is the link
        page.mouse.move(*link)                                    # the grid marks a link under the pointer first
        page.wait_for_timeout(500)
        with context.expect_page(timeout=30_000) as opened:      # a link column opens its page in a new tab
            page.mouse.click(*link)
        record = opened.value
        record.get_by_text("Ana Pérez · K1").wait_for(timeout=120_000)
        _wait_until_idle(record)
        assert record.url.endswith("/customer?customer=K1") or "customer=K1" in record.url
        record.get_by_text("Plan in place").first.wait_for(timeout=30_000)        # the alert tile (drawn a moment
        assert record.get_by_text("Plan in place").count() >= 1                     # after the header on a busy machine)
        assert record.locator('[data-testid="stException"]').count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        record.screenshot(path=str(ARTIFACTS / "customer_from_churn_1280.png"), full_page=True)
    finally:
        context.close()
