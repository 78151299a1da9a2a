"""`python -m cxdata serve`: the default view is computed before the port opens, and the first page is the
overview, drawn from it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cxdata.overview import TILE_ORDER
from tests.conftest import ROOT
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _free_port


@pytest.fixture(scope="module")
def served(tiny_db, tmp_path_factory):
    """`python -m cxdata serve` on a copy of the tiny database; yields its address, the log as it stood
    when the health endpoint first answered, and the log's path."""
    folder = tmp_path_factory.mktemp("serve")
    path = folder / "cx.duckdb"
    shutil.copyfile(tiny_db, path)
    port = _free_port()
    log_path = folder / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "cxdata", "serve", "--db", str(path), "--port", str(port),
                                 "--address", "127.0.0.1"], cwd=ROOT, env={**os.environ, "CX_WARMUP": "1"},
                                stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"serve did not start: {log_path.read_text()}")
        yield url, log_path.read_text(), path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_health_check_answers_only_once_the_default_view_is_warm(served):
    url, log_at_health, path = served
    warmed = f"warmed the default view of {path} in "
    assert warmed in log_at_health                            # already said when the server first answered
    assert log_at_health.index(warmed) < log_at_health.index("Uvicorn server started on 127.0.0.1:")


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                    reason="Debian chromium is not installed (apt-get install -y chromium)")
def test_the_first_page_is_the_overview(served):
    from playwright.sync_api import sync_playwright

    url, _log, _path = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        page.get_by_role("heading", name="Executive overview").wait_for(timeout=60_000)
        values = page.locator('[data-testid="stMetricValue"]')
        values.nth(len(TILE_ORDER) - 1).wait_for(timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "serve-first-page.png"))
        assert values.count() == len(TILE_ORDER)
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
