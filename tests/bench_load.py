"""Benchmark: load a generated 1,000,000-row interactions CSV, twice (new rows, then unchanged);
or, with --into DB, a 1,000-row file into an existing (large) database.

Not collected by pytest (the name does not start with test_). Run it by hand:
    python tests/bench_load.py [ROWS]
    python tests/bench_load.py 1000 --into /tmp/big/copy.duckdb   (it adds the rows: use a copy)
Every load rebuilds the derived tables before its swap, so both figures include that refresh.
The targets: under 30 s for 1M rows on a 2-core machine (docs/loading.md quotes the result), and
1,000 rows into the 10-million-interaction demo within 20 s (docs/performance.md).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxdata.load import load_files  # noqa: E402


def write_interactions(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic interactions export: every model column, a few bad rows to reject."""
    rng = np.random.default_rng(seed)
    started = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 86_400, rows), unit="s")
    frame = pd.DataFrame({
        "interaction_id": [f"I{i:08d}" for i in range(rows)],
        "customer_id": [f"C{i:06d}" for i in rng.integers(0, 50_000, rows)],
        "started_at": started.strftime("%Y-%m-%d %H:%M:%S"),
        "channel": rng.choice(["Phone", "email", "chat", "web", "app"], rows),
        "journey_stage": rng.choice(["onboarding", "usage", "billing", "renewal"], rows),
        "touchpoint": rng.choice(["call centre", "portal", "store"], rows),
        "department": rng.choice(["Support", "Billing", "Sales"], rows),
        "kind": rng.choice(["inquiry", "complaint", "request"], rows),
        "office": rng.choice(["front", "back"], rows),
        "first_response_seconds": rng.integers(0, 3_600, rows),
        "resolved_at": (started + pd.to_timedelta(rng.integers(60, 86_400, rows), unit="s"))
        .strftime("%Y-%m-%d %H:%M:%S"),
        "escalated": rng.choice(["true", "false", "yes", "no"], rows),
        "sla_seconds": rng.choice([3_600, 14_400, 86_400], rows),
    })
    bad = rng.choice(rows, size=max(1, rows // 10_000), replace=False)  # ~0.01% bad dates
    frame.loc[bad, "started_at"] = "not a date"
    frame.to_csv(path, index=False)


def main(rows: int = 1_000_000, into: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="cx-bench-", dir="/tmp") as tmp:
        if into is not None:
            csv_path = Path(tmp) / "interactions.csv"
            write_interactions(csv_path, rows, seed=int(time.time()))
            began = time.perf_counter()
            report = load_files([csv_path], db_path=into)
            print(f"{rows:,} rows into {into}: {time.perf_counter() - began:.1f}s (copy, load, refresh and swap) "
                  f"— {report.summary()}")
            return
        csv_path, db_path = Path(tmp) / "interactions.csv", Path(tmp) / "bench.duckdb"
        began = time.perf_counter()
        write_interactions(csv_path, rows)
        size = csv_path.stat().st_size / 1e6
        print(f"generated {rows:,} rows ({size:.0f} MB) in {time.perf_counter() - began:.1f}s")
        for attempt in ("first load (all new)", "second load (all unchanged)"):
            began = time.perf_counter()
            report = load_files([csv_path], db_path=db_path)
            seconds = time.perf_counter() - began
            print(f"{attempt}: {seconds:.1f}s — {report.summary()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--into", type=Path, help="an existing database to add the rows to (use a copy)")
    args = parser.parse_args()
    main(args.rows, args.into)
