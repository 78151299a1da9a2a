"""Time the real app in headless Chromium: `python tests/bench_browser.py DB [--runs N]`.

Starts `streamlit run app.py` on DB (a copy is not made: the app only reads), then measures,
from the moment the browser asks until every KPI tile shows a value and Streamlit is idle:
the first page after the server starts, new filter choices made in the sidebar as a user makes
them (each a view never seen, so not cached), a view already seen (a reload of the default
link); and the server's peak memory. A benchmark, not a test: pytest does not
collect it (its name does not start with test_), and its figures go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402

TILES_READY = """() => {
    const values = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.innerText.trim());
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    const running = status && /Running/i.test(status.innerText);
    return values.length >= 9 && !running && values.join('|') !== (window.__before || '');
}"""


def start_server(db_path: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {"CX_WARMUP": "1", **os.environ, "CX_DB": str(db_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("streamlit did not start")


def timed_until_ready(page, action) -> float:
    """Seconds from the action until the tiles changed from what they showed and the run is idle."""
    page.evaluate("() => { window.__before = [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
                  ".map(e => e.innerText.trim()).join('|'); }")
    began = time.perf_counter()
    action()
    page.wait_for_function(TILES_READY, timeout=120_000, polling=50)
    return time.perf_counter() - began


def choose(page, label: str, option: str) -> None:
    """Add one value to a sidebar multiselect, as a user does (the app reruns on the click)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label)
    box.scroll_into_view_if_needed()  # the menu closes when the click's own scrolling moves the sidebar
    page.wait_for_timeout(300)
    box.locator("input").click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def pick_period(page, preset: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Period").click()
    page.get_by_role("option", name=preset, exact=True).click()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="server starts to measure (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    first, changes, seen, peaks = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for _ in range(args.runs):
            proc, url = start_server(args.db)
            try:
                page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
                page.goto("about:blank")
                first.append(timed_until_ready(page, lambda: page.goto(url, wait_until="commit")))
                for label, option in (("Segment", "SMB"), ("Plan", "Plus"), ("Region", "Europe"),
                                      ("Journey stage", "support"), ("Department", "Support")):
                    changes.append(timed_until_ready(page, lambda: choose(page, label, option)))
                changes.append(timed_until_ready(page, lambda: pick_period(page, "Last 12 months")))
                seen.append(timed_until_ready(page, lambda: page.goto(url, wait_until="commit")))
                peaks.append(peak_rss_mb(proc.pid))
                page.context.close()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        browser.close()

    def line(label: str, values: list[float]) -> str:
        return (f"{label:<34} p50 {statistics.median(values):5.2f} s   max {max(values):5.2f} s   "
                f"({len(values)} runs)")
    print(f"{args.db}")
    print(line("first page after the server starts", first))
    print(line("a new filter in the sidebar, drawn", changes))
    print(line("a view already seen", seen))
    print(f"{'server peak memory':<34} {max(peaks):,.0f} MB")


if __name__ == "__main__":
    main()
