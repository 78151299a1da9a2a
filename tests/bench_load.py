"""Benchmark: load a generated 1,000,000-row interactions CSV, twice (new rows, then unchanged);
or, with --into DB, a 1,000-row file into an existing (large) database; or, with --day DB, the next
day's export of that database's company (the day before its newest) (contacts, answers and transactions of its own customers,
channels, stages and departments), as a company loads every morning; or, with --loop DB, such exports
loaded one after another through the command line until stopped, the load that runs while
tests/bench_users.py's users work.

Not collected by pytest (the name does not start with test_). Run it by hand:
    python tests/bench_load.py [ROWS]
    python tests/bench_load.py 1000 --into /tmp/big/copy.duckdb [--times 3]   (it adds the rows: use a copy)
    python tests/bench_load.py --day /tmp/big/copy.duckdb [--contacts 30000 --answers 5000 --payments 3000]
    python tests/bench_load.py --loop /tmp/big/copy.duckdb --contacts 1000 --answers 200 --payments 100
        (until SIGTERM; it adds the rows: use a copy)
Every load brings the derived tables up to date before its swap, so every figure includes that: a
load rebuilds only the days and customers it reaches (docs/performance.md, "Daily loads"); --day
also times a full rebuild of the same database (`refresh`) and the scheduled refresh (`refresh
--scheduled`) in the same run, for the comparison the goals ask for.
"""
from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def write_day(db_path: Path, folder: Path, contacts: int, answers: int, payments: int, seed: int = 1,
              tag: str = "") -> list[Path]:
    """The day before the database's newest: contacts of its own customers on its own channels, stages,
    touchpoints and departments (some still open), answers rating some of them, and payments. `tag` goes
    into every key, so that exports written with different tags are new rows, not updates of each other."""
    from cxdata import db
    con = db.connect_readonly(db_path)
    try:
        # yesterday's export, loaded this morning: the day before the newest (a demo's newest day is
        # today, and a later one would be in the future, which the loader rejects)
        newest = con.execute("select max(started_at)::date - 1 from interactions").fetchone()[0]
        sample = con.execute("select * exclude (interaction_id, started_at, resolved_at) from interactions "
                             "order by hash(interaction_id, $seed) limit $n", {"seed": seed, "n": contacts}).df()
        paid = con.execute("select customer_id, amount, kind from transactions "
                           "order by hash(transaction_id, $seed) limit $n", {"seed": seed, "n": payments}).df()
    finally:
        con.close()
    rng = np.random.default_rng(seed)
    day = pd.Timestamp(newest)
    started = day + pd.to_timedelta(rng.integers(0, 20 * 3600, len(sample)), unit="s")
    resolved = started + pd.to_timedelta(rng.integers(60, 30 * 3600, len(sample)), unit="s")
    sample.insert(0, "interaction_id", [f"D{newest:%Y%m%d}{tag}-{k:06d}" for k in range(len(sample))])
    sample["started_at"] = started.strftime("%Y-%m-%d %H:%M:%S")
    sample["resolved_at"] = np.where(rng.random(len(sample)) < 0.2, "", resolved.strftime("%Y-%m-%d %H:%M:%S"))
    rated = sample.sample(n=min(answers, len(sample)), random_state=seed)
    survey = rng.choice(["nps", "csat", "ces"], len(rated))
    score = np.where(survey == "nps", rng.integers(0, 11, len(rated)),
                     np.where(survey == "csat", rng.integers(1, 6, len(rated)), rng.integers(1, 8, len(rated))))
    feedback = pd.DataFrame({"feedback_id": [f"F{x}" for x in rated["interaction_id"]],
                             "customer_id": rated["customer_id"], "interaction_id": rated["interaction_id"],
                             "submitted_at": (pd.to_datetime(rated["started_at"]) + pd.Timedelta(hours=3))
                             .dt.strftime("%Y-%m-%d %H:%M:%S"), "survey": survey, "score": score})
    paid.insert(0, "transaction_id", [f"P{newest:%Y%m%d}{tag}-{k:06d}" for k in range(len(paid))])
    paid["occurred_at"] = (day + pd.to_timedelta(rng.integers(0, 86_399, len(paid)), unit="s")).strftime(
        "%Y-%m-%d %H:%M:%S")
    files = []
    for name, frame in (("contacts", sample), ("answers", feedback), ("payments", paid)):
        if len(frame):
            files.append(folder / f"{name}.csv")
            frame.to_csv(files[-1], index=False)
    return files


def day_bench(db_path: Path, contacts: int, answers: int, payments: int) -> None:
    """A day's export, then a full rebuild and the scheduled refresh, on the same database, in one run."""
    from cxdata import derive
    with tempfile.TemporaryDirectory(prefix="cx-bench-", dir="/tmp") as tmp:
        files = write_day(db_path, Path(tmp), contacts, answers, payments, seed=int(time.time()) % 1000)
        size, wrote = db_path.stat().st_size, written_bytes()
        began = time.perf_counter()
        report = load_files(files, db_path=db_path)
        load_s, wrote = time.perf_counter() - began, written_bytes() - wrote
        print(f"a day's export ({contacts:,} contacts, {answers:,} answers, {payments:,} payments) into "
              f"{db_path} ({size / 1e9:.2f} GB): {load_s:.1f}s, wrote {wrote / 1e6:.0f} MB — {report.summary()}")
    for label, scheduled in (("full rebuild (refresh)", False), ("the scheduled refresh (refresh --scheduled)", True)):
        began = time.perf_counter()
        with derive.writable_copy(db_path, scheduled=scheduled) as con:
            if scheduled:
                derive.note_changes(con)
        print(f"{label}: {time.perf_counter() - began:.1f}s")


def load_loop(db_path: Path, contacts: int, answers: int, payments: int) -> None:
    """Day exports loaded one after another by the real command line (`python -m cxdata load`) until SIGTERM,
    which lets the load under way finish. One line per load as it ends: how long its files took to write,
    the load itself, and its exit code."""
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    with tempfile.TemporaryDirectory(prefix="cx-bench-", dir="/tmp") as tmp:
        for n in itertools.count():
            if stopping:
                return
            folder = Path(tmp) / str(n)
            folder.mkdir()
            began = time.perf_counter()
            files = write_day(db_path, folder, contacts, answers, payments, seed=n, tag=f"-{os.getpid()}-{n}")
            written = time.perf_counter() - began
            done = subprocess.run([sys.executable, "-m", "cxdata", "load", *map(str, files), "--db", str(db_path)],
                                  cwd=ROOT, capture_output=True, text=True)
            print(f"load {n}: files {written:.2f} s, load {time.perf_counter() - began - written:.2f} s, "
                  f"exit {done.returncode}", flush=True)
            if done.returncode:
                print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "(no message)", flush=True)


def written_bytes() -> int:
    """What this process has written to disk so far (Linux's count of bytes sent to the storage layer)."""
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("write_bytes"))


def main(rows: int = 1_000_000, into: Path | None = None, times: int = 1) -> None:
    with tempfile.TemporaryDirectory(prefix="cx-bench-", dir="/tmp") as tmp:
        if into is not None:
            for attempt in range(times):  # the first write after a full one copies the file; later ones bring the spare forward
                csv_path = Path(tmp) / f"interactions_{attempt}.csv"
                write_interactions(csv_path, rows, seed=int(time.time()) + attempt)
                spare = into.with_name(f".{into.name}.spare")
                spare_before = spare.stat().st_ino if spare.exists() else None
                size, wrote, began = into.stat().st_size, written_bytes(), time.perf_counter()
                report = load_files([csv_path], db_path=into)
                wrote = written_bytes() - wrote
                how = "the spare brought forward" if into.stat().st_ino == spare_before else "a copy of the file"
                print(f"{rows:,} rows into {into}: {time.perf_counter() - began:.1f}s, through {how}; wrote "
                      f"{wrote / 1e6:.0f} MB ({100 * wrote / size:.1f}% of the {size / 1e9:.2f} GB file) "
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
    parser.add_argument("--times", type=int, default=1, help="with --into: how many such loads, one after the other")
    parser.add_argument("--day", type=Path, help="an existing database to load its next day into (use a copy)")
    parser.add_argument("--loop", type=Path, help="an existing database to load day exports into, one after the "
                        "other, until SIGTERM (use a copy)")
    parser.add_argument("--contacts", type=int, default=30_000)
    parser.add_argument("--answers", type=int, default=5_000)
    parser.add_argument("--payments", type=int, default=3_000)
    args = parser.parse_args()
    if args.loop:
        load_loop(args.loop, args.contacts, args.answers, args.payments)
    elif args.day:
        day_bench(args.day, args.contacts, args.answers, args.payments)
    else:
        main(args.rows, args.into, args.times)
