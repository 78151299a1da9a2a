"""`python -m cxdata bench` keeps its contract: one JSON object per page, with the keys tools read.

Timings are checked for sense (positive, cold >= 0, a speed-up where a raw twin exists), never
against goals: goals are measured on the 10 M demo and recorded in docs/performance.md.
"""
import json
import subprocess
import sys

import pytest

from cxdata import bench
from tests.conftest import ROOT

KEYS = {"page", "cold_p50_s", "cold_p95_s", "warm_p50_s", "warm_p95_s", "raw_p50_s", "raw_p95_s",
        "speedup", "peak_rss_mb", "views"}


def _bench(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "cxdata", "bench", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def every_page(tiny_db) -> list[dict]:
    """One `bench --json` run over every page on the tiny database, read by both tests below: it is the
    slow part (every page, four views, cold, warm and raw), and its results do not change between them."""
    return json.loads(_bench("--db", str(tiny_db), "--json", "--repeat", "1"))


def test_bench_json_has_one_object_per_page_with_the_documented_keys(every_page):
    pages = every_page
    assert [p["page"] for p in pages] == list(bench.PAGES)
    for page in pages:
        assert set(page) == KEYS
        assert 0 < page["cold_p50_s"] <= page["cold_p95_s"] and 0 < page["warm_p50_s"] <= page["warm_p95_s"]
        assert page["peak_rss_mb"] > 0
        assert set(page["views"]) == {"last 90 days", "last 12 months", "90 days, one segment + channel + department",
                                      "custom 6 months vs same period last year"}
    overview = pages[0]
    assert overview["raw_p95_s"] > 0
    assert overview["speedup"] == pytest.approx(overview["raw_p95_s"] / overview["cold_p95_s"], rel=1e-3)
    assert pages[1]["raw_p95_s"] is None and pages[1]["speedup"] is None   # the data page has no raw twin


def test_bench_table_names_the_database_and_every_page(tiny_db, every_page):
    # the command prints the table (two quick pages, named with --pages) ...
    out = _bench("--db", str(tiny_db), "--repeat", "1", "--pages", "data,churn")
    assert out.startswith(f"{tiny_db}: 10 interactions, 250 survey responses, 20 customers")
    assert "\ndata " in out and "\nchurn " in out and "\noverview " not in out
    # ... with the formatter that, given every page's results, gives each page its line
    table = bench.to_text(tiny_db, [bench.PageResult(**page) for page in every_page])
    assert table.startswith(f"{tiny_db}: 10 interactions, 250 survey responses, 20 customers")
    assert all(f"\n{page} " in table for page in bench.PAGES)


def test_bench_on_a_missing_database_says_how_to_build_one(tmp_path):
    run = subprocess.run([sys.executable, "-m", "cxdata", "bench", "--db", str(tmp_path / "none.duckdb")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and "python -m cxdata demo --db" in run.stderr and "Traceback" not in run.stderr
