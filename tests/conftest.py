"""Shared fixtures: a tiny database of hand-written rows whose right answers are worked out by hand."""
from __future__ import annotations

import datetime as dt
import fcntl
import functools
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CX_WARMUP", "0")  # AppTests: no background thread outliving each test

from cxdata import db, derive  # noqa: E402
from cxdata.filters import Filters  # noqa: E402


def _scan_for_components_once() -> None:
    """Each new AppTest has Streamlit scan every installed package's metadata for custom components:
    0.1-0.4 s of CPU each time (test_never_answered.py's 34 AppTests: 30.7 s without this, 26.1 s with).
    The installed packages do not change while the tests run, so this process scans once and hands out
    what it found."""
    from streamlit.components.v2 import manifest_scanner

    scan, found = manifest_scanner.scan_component_manifests, []

    @functools.wraps(scan)
    def scan_once(max_workers: int | None = None):
        if not found:
            found.append(scan(max_workers))
        return list(found[0])
    manifest_scanner.scan_component_manifests = scan_once


_scan_for_components_once()

# The modules that take longest, longest first, by the CPU time (their servers' and browsers' included)
# each took in a full run on 2026-12-07. pytest.ini hands whole modules to the workers (--dist loadfile:
# a module's servers and databases are set up on one worker only) in collection order; the longest
# first leaves the short ones to even out the end, instead of one worker alone on a long module.
# A module missing here is only collected later; the order never changes what a test checks.
LONGEST_FIRST = ["test_browser.py", "test_derived_parity.py", "test_load.py", "test_injection_browser.py",
                 "test_audit_app.py", "test_incremental.py", "test_report_browser.py", "test_crash.py",
                 "test_report.py", "test_app.py", "test_load_mappings.py", "test_words.py", "test_bench.py",
                 "test_trends_app.py", "test_churn_model.py", "test_verdict.py", "test_access_app.py",
                 "test_initiatives_app.py", "test_churn_app.py", "test_load_corners.py",
                 "test_signin_browser.py", "test_churn.py", "test_never_answered.py", "test_followup_app.py",
                 "test_notify.py", "test_demo.py", "test_derive.py", "test_one_period.py",
                 "test_i18n_report.py", "test_load_presets.py", "test_voice.py", "test_audit.py",
                 "test_one_period_app.py", "test_i18n_customers.py", "test_load_upload.py",
                 "test_churn_alerts.py"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Collect the longest modules first (LONGEST_FIRST); the others, and every module's own tests, keep
    their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


# The current period is Q1 2026 (90 days); its previous period is 2025-10-03..2025-12-31.
Q1_2026 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))

TINY_ROWS_SQL = """
-- 20 customers: C01-C10 SMB/Europe, C11-C20 Enterprise/North America, all signed up 2025-01-01
-- except C20 (2026-02-01). C01 and C02 churn on 2026-02-15 (current), C11 on 2025-11-01 (previous).
insert into customers
select printf('C%02d', i), 'Customer ' || i,
       case when i <= 10 then 'SMB' else 'Enterprise' end,
       case when i <= 10 then 'Europe' else 'North America' end,
       case when i <= 10 then 'ES' else 'US' end, 'Plus',
       case when i = 20 then date '2026-02-01' else date '2025-01-01' end,
       1000, 'Ana',
       case when i in (1, 2) then date '2026-02-15' when i = 11 then date '2025-11-01' end
from range(1, 21) t(i);

-- NPS, current: 50 promoters (10) and 30 passives (8) from SMB, 20 detractors (3) from Enterprise.
insert into feedback
select 'N' || i, case when i <= 80 then printf('C%02d', 1 + i % 10) else printf('C%02d', 11 + i % 9) end,
       null, timestamp '2026-01-15 10:00:00', 'nps',
       case when i <= 50 then 10 when i <= 80 then 8 else 3 end, null, 'support', 'ticket', 'Support'
from range(1, 101) t(i);
-- NPS, previous: 40 promoters, 30 passives, 30 detractors.
insert into feedback
select 'P' || i, printf('C%02d', 1 + i % 10), null, timestamp '2025-11-15 10:00:00', 'nps',
       case when i <= 40 then 10 when i <= 70 then 7 else 0 end, null, 'support', 'ticket', 'Support'
from range(1, 101) t(i);
-- CSAT, current: 20 fives, 10 fours, 5 threes, 5 ones.
insert into feedback
select 'S' || i, 'C03', null, timestamp '2026-02-01 09:00:00', 'csat',
       case when i <= 20 then 5 when i <= 30 then 4 when i <= 35 then 3 else 1 end, null, null, null, 'Billing'
from range(1, 41) t(i);
-- CES, current: 7, 6, 5, 4, 3 twice (mean 5, only 10 answers).
insert into feedback
select 'E' || i, 'C04', null, timestamp '2026-03-01 09:00:00', 'ces', 8 - (1 + (i - 1) % 5), null,
       'onboarding', 'setup wizard', 'Product'
from range(1, 11) t(i);

-- Interactions, current: 6 Support chats all within their 1-hour SLA, 4 Billing emails of which
-- 2 are resolved late; first responses 10, 20, ..., 100 seconds.
insert into interactions
select 'I' || i, printf('C%02d', i), timestamp '2026-01-10 08:00:00', case when i <= 6 then 'chat' else 'email' end,
       'support', 'ticket', case when i <= 6 then 'Support' else 'Billing' end, 'inquiry', 'front', 10 * i,
       timestamp '2026-01-10 08:00:00' + to_seconds(case when i in (9, 10) then 7200 else 1800 end),
       false, 3600
from range(1, 11) t(i);

-- Transactions: 100.00 + 250.50 - 50.50 = 300.00 now; 200.00 before.
insert into transactions (transaction_id, customer_id, occurred_at, amount) values
    ('T1', 'C01', timestamp '2026-01-05', 100.00), ('T2', 'C12', timestamp '2026-02-05', 250.50),
    ('T3', 'C13', timestamp '2026-03-05', -50.50), ('T4', 'C01', timestamp '2025-12-05', 200.00);

insert into targets values ('nps', null, date '2026-01-01', date '2026-03-31', 25),
                           ('nps', 'Support', date '2026-01-01', date '2026-03-31', 35);
"""


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(TINY_ROWS_SQL)
    return path


@pytest.fixture(scope="session")
def tiny_con(tiny_db):
    con = db.connect_readonly(tiny_db)
    yield con
    con.close()


def _demo(tmp_path_factory, worker_id: str, today: dt.date) -> Path:
    """The default demo as of `today`, built once per run however many xdist workers ask for it: the
    first to ask builds it under a lock in the run's shared temporary folder, the others wait and read it."""
    from cxdata import demo
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":   # each worker's base folder sits in the run's own
        run_folder = run_folder.parent
    folder = run_folder / f"shared_demo_{today:%Y%m%d}"
    path, built = folder / "cx.duckdb", folder / "built"
    with open(run_folder / f"shared_demo_{today:%Y%m%d}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
        if not built.exists():
            folder.mkdir(exist_ok=True)
            demo.build_demo(path, customers=5000, seed=7, today=today)
            built.touch()
    return path


@pytest.fixture(scope="session")
def demo_march(tmp_path_factory, worker_id) -> Path:
    """The default demo (5,000 customers, seed 7) as of 2026-03-15, just after its December-January dip.

    Built once for the whole run and shared by every worker: tests only read it (copy it to change it).
    """
    return _demo(tmp_path_factory, worker_id, dt.date(2026, 3, 15))


@pytest.fixture(scope="session")
def demo_december(tmp_path_factory, worker_id) -> Path:
    """The default demo as of 2026-12-01 (a full year of months behind it); shared, read-only."""
    return _demo(tmp_path_factory, worker_id, dt.date(2026, 12, 1))


@pytest.fixture
def machine_zone(monkeypatch):
    """Set the machine's time zone (TZ) for one test, as `machine_zone("Asia/Kolkata")`; restored after."""
    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()
