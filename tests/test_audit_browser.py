"""Downloads in a real browser (Debian's Chromium through Playwright) on a copy of the tiny database: the
file arrives, the click is recorded once in the audit log, and the drill dialog stays open for the next."""
from __future__ import annotations

import shutil
import time

import pytest

from cxdata.access.audit import AuditLog
from tests.test_browser import _wait_for_tiles, _wait_until_idle, browser, pytestmark, run_app  # noqa: F401

_ = pytestmark


@pytest.fixture(scope="module")
def copy_server(tiny_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit_browser")
    path = folder / "cx.duckdb"
    shutil.copy(tiny_db, path)
    for url in run_app({"CX_DB": str(path), "CX_WARMUP": "0", "CX_STORE": str(folder / "state.sqlite")}, folder):
        yield url, AuditLog(folder / "state.sqlite")


def test_a_download_arrives_and_is_recorded_once_and_the_dialog_stays_open(copy_server, browser):  # noqa: F811
    url, log = copy_server
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(url)
        _wait_for_tiles(page)
        assert log.entries().empty                                   # drawn, not downloaded
        page.get_by_role("button", name="table_rows").first.click()   # the NPS tile's rows
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("100 answers").wait_for(timeout=30_000)
        _wait_until_idle(page)   # the dialog's own run finished: the click's rerun is the only one in flight
        with page.expect_download(timeout=30_000) as taken:
            dialog.get_by_role("button", name="CSV", exact=True).click()
        assert taken.value.suggested_filename.endswith(".csv")
        assert taken.value.path().read_text(encoding="utf-8-sig").count("\n") == 101   # a header and 100 answers
        _wait_until_idle(page)
        dialog.get_by_role("button", name="Excel", exact=True).wait_for(timeout=30_000)   # still open after the click
        deadline = time.time() + 30   # the click's rerun records it; on a busy machine that is a moment later
        while log.entries().empty and time.time() < deadline:
            time.sleep(0.2)
        entries = log.entries()
        assert entries[["who", "action"]].values.tolist() == [["local", "export"]]
        assert entries.iloc[0]["what"]["rows"] == 100 and entries.iloc[0]["what"]["rows_of"] == "NPS"
    finally:
        context.close()
