"""The Follow-up page in a real browser (Debian's Chromium through Playwright) on a small demo with its
past of worked cases: the KPIs and the case list draw without error, and the CSV button downloads the
list (written when clicked) with the columns the page names."""
from __future__ import annotations

import datetime as dt

import pytest

from cxdata import demo
from tests.test_browser import ARTIFACTS, _assert_no_error, _wait_until_idle, browser, pytestmark, run_app  # noqa: F401

_ = pytestmark


@pytest.fixture(scope="module")
def followup_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("followup_browser") / "cx.duckdb"
    demo.build_demo(path, customers=300, seed=7, today=dt.date(2026, 3, 15))
    yield from run_app({"CX_DB": str(path), "CX_WARMUP": "0"}, tmp_path_factory.mktemp("followup_logs"))


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_the_page_draws_its_kpis_and_cases_and_downloads_the_list(followup_server, page):
    page.goto(f"{followup_server}/followup")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 4",
                           timeout=120_000)
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=60_000)
    _wait_until_idle(page)
    _assert_no_error(page)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [label.strip() for label in labels] == ["Contacted on time", "Time to first contact", "Recovered",
                                                   "Open cases"]
    values = [v.strip() for v in page.locator('[data-testid="stMetricValue"]').all_inner_texts()]
    assert all(v and v not in ("nan", "None", "inf") for v in values)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "followup_1280.png"))
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("Customer id,Customer,Opened (UTC),Due (UTC),Reason,Score,Department,Owner,Status")
    assert len(text.splitlines()) > 1
    _wait_until_idle(page)
    _assert_no_error(page)
