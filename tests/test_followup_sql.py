"""The follow-up's figures and first page counted inside DuckDB (sql/followup_kpis.sql,
sql/followup_case_page.sql) equal the old definition: every case read out (case_list.cases) and
measured in pandas (measures.compute) or narrowed (case_list.narrow), on the hand-built database of
tests/test_followup.py, worked, under filters, settings and the company's clock, across the days the
clock changes (a skipped hour and one that happens twice)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxdata import db, derive
from cxdata.access.roles import User
from cxdata.filters import Filters
from cxdata.followup import case_list, measures, rules
from cxdata.store import Store
from tests.test_followup import ROWS, SINCE_2026, TODAY

UTC = dt.timezone.utc
EXEC = User("exec@example.com", "executive")

# Madrid's clock skips 02:00-03:00 on 29 March 2026 and repeats 02:00-03:00 on 25 October 2026: a CSAT 1
# at 02:30 on each day, and a complaint at 02:30 on the day the clock is put forward.
DST_ROWS = """
insert into feedback values
  ('D1', 'K1', null, timestamp '2026-03-29 02:30', 'csat', 1, null, null, null, 'Support'),
  ('D2', 'K2', null, timestamp '2026-10-25 02:30', 'csat', 1, null, null, null, 'Support');
insert into interactions values
  ('DI', 'K3', timestamp '2026-03-29 02:30', 'phone', 'support', 'ticket', 'Support', 'complaint', 'front', 30,
   null, false, 3600);
"""


@pytest.fixture(scope="module")
def sql_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("followup_sql") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
        con.execute(DST_ROWS)
    return path


@pytest.fixture(scope="module")
def reader(sql_db):
    con = db.connect_readonly(sql_db)
    yield db.Reader(con)
    con.close()


@pytest.fixture(scope="module")
def worked(reader, tmp_path_factory):
    """F1 contacted after 24 h, I2 unreachable after 72 h, F4 contacted after 47 h then resolved with a root
    cause, F3 noted but never contacted (the others untouched)."""
    store = Store(tmp_path_factory.mktemp("followup_sql_store") / "state.sqlite")
    found = case_list.cases(reader, store, TODAY, None, SINCE_2026, TODAY_NOON).set_index("source_id")
    for source, hours, fields in (("answer:F1", 24, {"status": "contacted"}), ("contact:I2", 72, {"status": "unreachable"}),
                                  ("answer:F4", 47, {"status": "contacted"}), ("answer:F3", 5, {"note": "left a message"})):
        case = found.loc[source].to_dict() | {"case_id": found.loc[source, "case_id"]}
        case_list.change(store, case, EXEC, at=case["opened_at"].to_pydatetime() + dt.timedelta(hours=hours), **fields)
    case = case_list.cases(reader, store, TODAY, None, SINCE_2026, TODAY_NOON).set_index("source_id").loc["answer:F4"]
    case_list.change(store, case.to_dict() | {"case_id": case["case_id"]}, EXEC, status="resolved", root_cause="billing",
                     at=case["opened_at"].to_pydatetime() + dt.timedelta(hours=100))
    return store


TODAY_NOON = dt.datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
LATE_2026 = dt.date(2026, 12, 31)
VIEWS = [  # (today, now, filters, settings)
    (TODAY, TODAY_NOON, None, SINCE_2026),
    (dt.date(2026, 3, 15), TODAY_NOON, None, SINCE_2026),                  # recovery before 90 days
    (TODAY, TODAY_NOON, Filters(TODAY, TODAY, department=["Support"]), SINCE_2026),
    (TODAY, TODAY_NOON, Filters(TODAY, TODAY, segment=["SMB"], channel=["email"]), SINCE_2026),
    (TODAY, TODAY_NOON, None, rules.Settings(since=dt.date(2026, 1, 1), due_hours=30, owner_first="account_owner")),
    (TODAY, TODAY_NOON, None, rules.Settings(surveys=(("csat", 3),), complaint_kinds=(), since=dt.date(2026, 1, 1))),
    # the due times of the cases opened in the skipped hour (01:00 UTC + 48 h) and the repeated one (00:30 UTC
    # + 48 h), just passed: overdue only when 02:30 is read as pandas reads it
    (LATE_2026, dt.datetime(2026, 3, 31, 1, 15, tzinfo=UTC), None, SINCE_2026),
    (LATE_2026, dt.datetime(2026, 10, 27, 0, 45, tzinfo=UTC), None, SINCE_2026),
]


def old_kpis(reader, store, today, now, filters, settings):
    listed = case_list.cases(reader, store, today, filters, settings, now, names=False)
    return measures.of_cases(reader, listed, today, now, settings.start(today), min_cases=1), listed


@pytest.mark.parametrize("zone", ["UTC", "Europe/Madrid"])
@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_kpis_in_sql_equal_the_cases_measured_in_pandas(reader, worked, monkeypatch, zone, view):
    monkeypatch.setenv("CX_TIMEZONE", zone)
    today, now, filters, settings = VIEWS[view]
    expected, listed = old_kpis(reader, worked, today, now, filters, settings)
    found, owners, departments = measures.summary(reader, worked, filters, today, settings, now, min_cases=1)
    assert found == expected
    assert owners == sorted(listed["owner"].dropna().unique())
    assert departments == sorted(listed["department"].dropna().unique())


def test_the_clock_change_days_are_read_as_pandas_reads_them(reader, worked, monkeypatch):
    monkeypatch.setenv("CX_TIMEZONE", "Europe/Madrid")
    now = dt.datetime(2026, 3, 31, 1, 15, tzinfo=UTC)
    listed = case_list.cases(reader, worked, LATE_2026, None, SINCE_2026, now, names=False).set_index("source_id")
    # 02:30 on 29 March never happened in Madrid: read as the change itself, 01:00 UTC, so due at 01:00 on the
    # 31st and overdue at 01:15; 02:30 on 25 October is read the first time it happened, 00:30 UTC
    assert listed.loc["answer:D1", "due_at"] == pd.Timestamp("2026-03-31 01:00", tz="UTC")
    assert listed.loc["answer:D1", "overdue"] and listed.loc["contact:DI", "overdue"]
    assert listed.loc["answer:D2", "opened_at"] == pd.Timestamp("2026-10-25 00:30", tz="UTC")
    k = measures.kpis(reader, worked, None, LATE_2026, SINCE_2026, now, min_cases=1)
    assert k.n_overdue == int(listed["overdue"].sum())


@pytest.mark.parametrize(("owners", "departments", "causes", "statuses", "limit"), [
    ((), (), (), ("new", "contacted"), 1000),
    ((), (), (), (), 2),
    (("Support",), (), (), (), 1000),
    ((), ("Support", "Billing"), ("",), (), 1000),
    ((), (), ("billing",), (), 1000),
    ((), (), (), ("resolved", "unreachable"), 1),
])
def test_first_page_equals_the_narrowed_list(reader, worked, monkeypatch, owners, departments, causes, statuses, limit):
    monkeypatch.setenv("CX_TIMEZONE", "Europe/Madrid")
    listed = case_list.cases(reader, worked, TODAY, None, SINCE_2026, TODAY_NOON)
    kept = case_list.narrow(listed, owners, departments, causes, statuses)
    page = case_list.first_page(reader, worked, TODAY, None, SINCE_2026, TODAY_NOON, owners, departments, causes,
                                statuses, limit)
    assert (page.n_kept, page.n_overdue) == (len(kept), int(kept["overdue"].sum()))
    expected = kept.head(limit).drop(columns=["next_answer_at", "is_next_unhappy"]).reset_index(drop=True)
    got = page.rows.drop(columns=["next_answer_at", "is_next_unhappy"])
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_followup_answers_hold_every_answer_with_its_rated_contact(reader):
    derived = reader.con.execute("select * from followup_answers order by feedback_id").df().set_index("feedback_id")
    assert len(derived) == reader.con.execute("select count(*) from feedback").fetchone()[0]
    # F1 rates I1 (Billing, phone): the contact's department wins over the answer's Support; F4 has no
    # contact: its own Product; F6 names I99, never loaded: no department, no channel
    assert tuple(derived.loc["F1", ["department", "channel"]]) == ("Billing", "phone")
    assert derived.loc["F4", "department"] == "Product" and pd.isna(derived.loc["F4", "channel"])
    assert pd.isna(derived.loc["F6", "department"]) and pd.isna(derived.loc["F6", "channel"])


def test_one_customers_cases(reader, worked):
    every = case_list.cases(reader, worked, TODAY, None, SINCE_2026, TODAY_NOON)
    mine = case_list.cases(reader, worked, TODAY, None, SINCE_2026, TODAY_NOON, customer_id="K1")
    pd.testing.assert_frame_equal(mine, every[every["customer_id"] == "K1"].reset_index(drop=True), check_dtype=False)
    assert list(mine["source_id"]) == ["answer:F1", "answer:D1"]   # K1's detractor and CSAT 1
