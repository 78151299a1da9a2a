"""The first page after the server starts, `streamlit run app.py` against `python -m cxdata serve`:
`python tests/bench_first_page.py DB [--runs N]`.

For each way of starting, N times in turn: start the server on DB, ask its health endpoint every 50 ms
as a waiting visitor's browser would, and open the app in headless Chromium (already running) as soon as
it answers; the page is drawn when every KPI tile shows a value and Streamlit is idle. Prints, per way,
the median and the slowest of: process start to the server answering, the server answering to the first
page drawn (the issue's "first page after the server starts", as tests/bench_browser.py measures it), and
process start to the first page drawn; and the server's own CPU seconds before it answered and from
then to the page drawn, which a machine busy with other work inflates far less than the wall-clock
times. A benchmark, not a test (pytest does not collect it); its figures
go to docs/performance.md.
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

from tests.bench_browser import timed_until_ready  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402

WAYS = {
    "streamlit run app.py": lambda port: [sys.executable, "-m", "streamlit", "run", "app.py",
                                          "--server.port", str(port)],
    "python -m cxdata serve": lambda port: [sys.executable, "-m", "cxdata", "serve", "--port", str(port)],
}


def start(way: str, db_path: Path) -> tuple[subprocess.Popen, str, float, float]:
    """The server, its address, the moment its process started and the moment it answered."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    proc = subprocess.Popen(WAYS[way](port), cwd=ROOT, env={**os.environ, "CX_DB": str(db_path)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.perf_counter() - began < 120:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url, began, time.perf_counter()
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{way} did not start")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="server starts per way (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    figures = {way: {"start to answering": [], "answering to drawn": [], "start to drawn": [],
                     "CPU to answering": [], "CPU answering to drawn": []} for way in WAYS}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for _ in range(args.runs):
            for way in WAYS:   # in turn, so a busier moment of the machine weighs on both
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                page.goto("about:blank")
                proc, url, began, answered = start(way, args.db)
                cpu_answered = cpu_seconds(proc.pid)
                try:
                    drawn = timed_until_ready(page, lambda: page.goto(url, wait_until="commit"))
                    figures[way]["CPU to answering"].append(cpu_answered)
                    figures[way]["CPU answering to drawn"].append(cpu_seconds(proc.pid) - cpu_answered)
                    figures[way]["start to answering"].append(answered - began)
                    figures[way]["answering to drawn"].append(drawn)
                    figures[way]["start to drawn"].append(answered - began + drawn)
                finally:
                    context.close()
                    proc.terminate()
                    proc.wait(timeout=30)
        browser.close()

    print(f"{args.db}, {args.runs} starts each (median / slowest)")
    print(f"{'':<24}" + "".join(f"{name:>24}" for name in next(iter(figures.values()))))
    for way, measured in figures.items():
        print(f"{way:<24}" + "".join(f"{statistics.median(v):>14.2f} / {max(v):5.2f} s" for v in measured.values()))


if __name__ == "__main__":
    main()
