"""Time every query the pages run, on a large database: `python tests/bench_queries.py [DB]`.

Build one first with `python -m cxdata demo --customers 200000 --db /tmp/big/cx.duckdb`
(about 10 million interactions). Not collected by pytest (its name does not start with test_).
"""
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxdata import data_status, db, metrics  # noqa: E402
from cxdata.filters import Filters, preset_range  # noqa: E402


def timed(label, fn):
    start = time.perf_counter()
    fn()
    print(f"{label:<55} {time.perf_counter() - start:6.2f} s")


def main(path: str) -> None:
    reader = db.Reader(db.connect_readonly(path))
    extent = reader.run("data_extent").iloc[0]
    print(f"{path}: {extent['n_interactions']:,} interactions, {extent['n_feedback']:,} responses")
    today = extent["newest_on"].date()
    views = {
        "last 90 days": Filters(*preset_range("90d", today)),
        "last 12 months": Filters(*preset_range("12m", today)),
        "last 90 days, SMB + chat + Support": dataclasses.replace(
            Filters(*preset_range("90d", today)), segments=("SMB",), channels=("chat",), departments=("Support",)),
    }
    timed("frame: data_extent + data_source + filter_options", lambda: [
        reader.run(q) for q in ("data_extent", "data_source", "filter_options")])
    for name, view in views.items():
        timed(f"overview kpi_summary ({name})", lambda: metrics.kpi_summary(reader, view))
        timed(f"overview kpi_monthly ({name})", lambda: metrics.kpi_trends(reader, view))
        timed(f"overview movers ({name})", lambda: metrics.movers(reader, view))
    timed("data page: table_stats + load_history + rejected", lambda: (
        data_status.table_stats(reader), data_status.load_history(reader),
        data_status.rejected_reasons(reader), data_status.rejected_rows(reader)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/big/cx.duckdb")
