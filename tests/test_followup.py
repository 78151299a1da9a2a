"""Follow-up cases on a tiny hand-built database: which answers and contacts open a case, owners, due
times, the allowed moves, the KPIs and recovery, bad settings. Every expected value worked out by hand
in the comments."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxdata import db, derive
from cxdata.access.roles import User, Scope
from cxdata.access.scoped import Refused, ScopedReader
from cxdata.filters import Filters
from cxdata.followup import case_list
from cxdata.followup import measures
from cxdata.followup import rules
from cxdata.store import Conflict, Store

UTC = dt.timezone.utc
TODAY = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 12, 0, tzinfo=UTC)

# K1 Billing-rated detractor, then a promoter; K2 complained on 1 Jan and left on 10 Feb (40 days);
# K3 a CSAT 2 then a CES 1 (the CES with no contact, its own department); K4 a CSAT 3 (opens nothing)
# and an NPS 6 naming a contact never loaded, no department: owned by the account owner.
ROWS = """
insert into customers values
  ('K1', 'Kim', 'Enterprise', 'Europe', 'ES', 'Plus', date '2025-01-01', 1000, 'Ana Owner', null),
  ('K2', 'Lee', 'SMB', 'Europe', 'ES', 'Plus', date '2025-01-01', 1000, 'Bo Owner', date '2026-02-10'),
  ('K3', 'Max', 'SMB', 'North America', 'US', 'Basic', date '2025-01-01', 1000, 'Cy Owner', null),
  ('K4', 'Noa', 'SMB', 'North America', 'US', 'Basic', date '2025-01-01', 1000, 'Cy Owner', null);
insert into interactions values
  ('I1', 'K1', timestamp '2026-01-05 09:00', 'phone', 'billing', 'invoice', 'Billing', 'inquiry', 'front', 30,
   timestamp '2026-01-05 10:00', false, 3600),
  ('I2', 'K2', timestamp '2026-01-01 10:00', 'email', 'support', 'ticket', 'Support', 'complaint', 'front', 30,
   timestamp '2026-01-02 10:00', false, 86400),
  ('I3', 'K3', timestamp '2026-01-10 09:00', 'chat', 'purchase', 'checkout', 'Sales', 'inquiry', 'front', 30,
   timestamp '2026-01-10 09:30', false, 3600);
insert into feedback values
  ('F1', 'K1', 'I1', timestamp '2026-01-05 12:00', 'nps', 3, null, null, null, 'Support'),
  ('F2', 'K1', null, timestamp '2026-02-01 12:00', 'nps', 10, null, null, null, 'Support'),
  ('F3', 'K3', 'I3', timestamp '2026-01-10 12:00', 'csat', 2, null, null, null, null),
  ('F4', 'K3', null, timestamp '2026-01-20 12:00', 'ces', 1, null, null, null, 'Product'),
  ('F5', 'K4', null, timestamp '2026-01-15 12:00', 'csat', 3, null, null, null, 'Support'),
  ('F6', 'K4', 'I99', timestamp '2026-03-01 12:00', 'nps', 6, null, null, null, null);
"""
SINCE_2026 = rules.Settings(since=dt.date(2026, 1, 1))


@pytest.fixture(scope="module")
def followup_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("followup") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
    return path


@pytest.fixture(scope="module")
def reader(followup_db):
    con = db.connect_readonly(followup_db)
    yield db.Reader(con)
    con.close()


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "state.sqlite")


def listed(reader, store, settings=SINCE_2026, today=TODAY, filters=None):
    return case_list.cases(reader, store, today, filters, settings, NOW).set_index("source_id")


def test_rules_open_one_case_per_unhappy_answer_and_complaint(reader, store):
    found = listed(reader, store)
    # F2 is a promoter, F5 a CSAT 3: no case; the complaint contact I2 is one; oldest first
    assert list(found.index) == ["contact:I2", "answer:F1", "answer:F3", "answer:F4", "answer:F6"]
    assert found.loc["answer:F1", "reason"] == "nps" and found.loc["contact:I2", "reason"] == "complaint"
    assert found.loc["answer:F1", "customer_name"] == "Kim"
    assert (found["status"] == "new").all() and found["case_id"].str.startswith("unnamed:").all()


def test_department_is_the_rated_contacts_then_the_answers(reader, store):
    found = listed(reader, store)
    assert found.loc["answer:F1", "department"] == "Billing"      # I1's, not the answer's Support
    assert found.loc["answer:F4", "department"] == "Product"      # no contact: the answer's own
    assert pd.isna(found.loc["answer:F6", "department"])          # I99 never loaded, no department


def test_owner_department_first_or_account_owner_first(reader, store):
    found = listed(reader, store)
    assert found.loc["answer:F1", "owner"] == "Billing"
    assert found.loc["answer:F6", "owner"] == "Cy Owner"          # no department: the account owner
    by_account = listed(reader, store, rules.Settings(since=dt.date(2026, 1, 1), owner_first="account_owner"))
    assert by_account.loc["answer:F1", "owner"] == "Ana Owner"


def test_due_time_is_opened_plus_the_setting(reader, store, monkeypatch):
    found = listed(reader, store)
    assert found.loc["answer:F1", "due_at"] == pd.Timestamp("2026-01-07 12:00", tz="UTC")   # 12:00 + 48 h
    day = listed(reader, store, rules.Settings(since=dt.date(2026, 1, 1), due_hours=24))
    assert day.loc["answer:F1", "due_at"] == pd.Timestamp("2026-01-06 12:00", tz="UTC")
    monkeypatch.setenv("CX_TIMEZONE", "Europe/Madrid")   # 12:00 in Madrid in winter is 11:00 UTC
    madrid = listed(reader, store)
    assert madrid.loc["answer:F1", "opened_at"] == pd.Timestamp("2026-01-05 11:00", tz="UTC")


def test_settings_choose_surveys_complaint_kinds_and_window(reader, store):
    nps_only = listed(reader, store, rules.Settings(surveys=(("nps", 6),), complaint_kinds=(), since=dt.date(2026, 1, 1)))
    assert list(nps_only.index) == ["answer:F1", "answer:F6"]
    csat_3 = listed(reader, store, rules.Settings(surveys=(("csat", 3),), complaint_kinds=(), since=dt.date(2026, 1, 1)))
    assert list(csat_3.index) == ["answer:F3", "answer:F5"]
    last_days = listed(reader, store, rules.Settings(days=140))   # from 2026-02-11: F6 only
    assert list(last_days.index) == ["answer:F6"]


def test_filters_and_scope_narrow_the_cases(reader, store):
    billing = Filters(TODAY, TODAY, department=["Billing"])
    assert list(listed(reader, store, filters=billing).index) == ["answer:F1"]
    head = User("head@example.com", "department_head", Scope.of(department=["Support"]))
    scoped = ScopedReader(reader, head)
    found = case_list.cases(scoped, store, TODAY, None, SINCE_2026, NOW, names=False)
    assert list(found["source_id"]) == ["contact:I2"] and found["customer_name"].isna().all()
    with pytest.raises(Refused):   # a department head sees no single customer's name
        case_list.cases(scoped, store, TODAY, None, SINCE_2026, NOW, names=True)


def work(store, case, user, at, **fields):
    return case_list.change(store, case, user, at=at, **fields)


EXEC = User("exec@example.com", "executive")


def test_transitions_allowed_and_refused(reader, store):
    case = listed(reader, store).loc["answer:F1"].to_dict()
    with pytest.raises(rules.TransitionError, match="cannot move to Resolved; it can move to: Contacted, Unreachable"):
        work(store, case, EXEC, None, status="resolved")
    work(store, case, EXEC, None, status="contacted", root_cause="billing", note="Called, refund agreed")
    case = listed(reader, store).loc["answer:F1"].to_dict()
    assert (case["status"], case["root_cause"], case["note"]) == ("contacted", "billing", "Called, refund agreed")
    work(store, case, EXEC, None, status="resolved")
    case = listed(reader, store).loc["answer:F1"].to_dict()
    with pytest.raises(rules.TransitionError, match="A case marked Resolved cannot change status"):
        work(store, case, EXEC, None, status="contacted")
    with pytest.raises(ValueError, match="unknown root cause"):
        work(store, case, EXEC, None, root_cause="weather")
    changes = case_list.history(store, case["case_id"])
    assert list(changes["field"]) == ["status", "root_cause", "note", "status"]
    assert set(changes["changed_by"]) == {"exec@example.com"}


def test_who_may_work_a_case_and_conflicts(reader, store):
    case = listed(reader, store).loc["contact:I2"].to_dict()      # Support, SMB Europe
    board = User("board@example.com", "board")
    with pytest.raises(Refused, match="may not work this case"):
        work(store, case, board, None, status="contacted")
    other_head = User("h@example.com", "department_head", Scope.of(department=["Billing"]))
    assert not case_list.may_work(other_head, case)
    assert case_list.may_work(User("s@example.com", "department_head", Scope.of(department=["Support"])), case)
    assert case_list.may_work(User("m@example.com", "cx_manager", Scope.of(region=["Europe"])), case)
    assert not case_list.may_work(User("m@example.com", "cx_manager", Scope.of(region=["LATAM"])), case)
    seen = case["version"]
    work(store, case, EXEC, None, status="contacted")
    with pytest.raises(Conflict):   # a page drawn before that change may not overwrite it
        case_list.change(store, case, EXEC, status="unreachable", seen=seen)


def test_first_contact_is_when_the_status_first_left_new_and_overdue(reader, store):
    case = listed(reader, store).loc["answer:F3"].to_dict()
    work(store, case, EXEC, dt.datetime(2026, 1, 11, 12, tzinfo=UTC), note="left a message")
    assert listed(reader, store).loc["answer:F3", "overdue"]   # a note is no contact: still new, past due
    work(store, case, EXEC, dt.datetime(2026, 1, 13, 12, tzinfo=UTC), status="unreachable")
    case = listed(reader, store).loc["answer:F3"].to_dict()
    work(store, case, EXEC, dt.datetime(2026, 1, 14, 12, tzinfo=UTC), status="contacted")
    found = listed(reader, store).loc["answer:F3"]
    assert found["first_contact_at"] == pd.Timestamp("2026-01-13 12:00", tz="UTC")
    assert not found["overdue"]
    late = case_list.overdue(reader, store, NOW, settings=SINCE_2026)
    assert list(late["source_id"]) == ["contact:I2", "answer:F1", "answer:F4", "answer:F6"]


def worked_history(reader, store):
    """F1 contacted after 24 h (on time); I2 unreachable after 72 h (late); F4 contacted after 47 h, then
    resolved; F3 and F6 never touched."""
    found = listed(reader, store)
    for source, hours, status in (("answer:F1", 24, "contacted"), ("contact:I2", 72, "unreachable"),
                                  ("answer:F4", 47, "contacted")):
        case = found.loc[source].to_dict()
        work(store, case, EXEC, case["opened_at"].to_pydatetime() + dt.timedelta(hours=hours), status=status)
    case = listed(reader, store).loc["answer:F4"].to_dict()
    work(store, case, EXEC, case["opened_at"].to_pydatetime() + dt.timedelta(hours=100), status="resolved")


def test_kpis_on_time_median_and_recovery(reader, store):
    worked_history(reader, store)
    k = measures.kpis(reader, store, None, TODAY, SINCE_2026, NOW, min_cases=1)
    # all 5 cases are past due: on time F1 and F4 = 2 of 5; median of 24, 47, 72 hours = 47
    assert (k.n_cases, k.n_on_time_base, k.on_time_share) == (5, 5, 40.0)
    assert (k.n_contacted, k.median_hours_to_contact) == (3, 47.0)
    # every case is 90+ days old by 30 June: F1 (next answer a promoter), F3 (still a customer at 90 days
    # though its next answer, F4, was unhappy), F4 and F6 (no later answer, still customers) recovered;
    # I2's customer left 40 days after: 4 of 5
    assert (k.n_recovery, k.recovery_share) == (5, 80.0)
    assert (k.n_open, k.n_overdue) == (3, 2)   # I2 unreachable and F4 resolved are closed; F3, F6 overdue


def test_recovery_before_90_days_counts_only_later_answers(reader, store):
    # as of 15 March no case is 90 days old: F1 (next answer a promoter: recovered) and F3 (next answer
    # the CES 1: not yet) are judged; the others wait
    k = measures.kpis(reader, store, None, dt.date(2026, 3, 15), SINCE_2026, NOW, min_cases=1)
    assert (k.n_recovery, k.recovery_share) == (2, 50.0)


def test_too_few_cases_and_not_in_data(reader, store, tmp_path):
    k = measures.kpis(reader, store, None, TODAY, SINCE_2026, NOW)   # 5 cases, fewer than 10
    assert k.on_time_share is None and k.recovery_share is None and k.median_hours_to_contact is None
    assert measures.on_time_text(k) == "too few cases" and "(n = 5)" in measures.line(k)
    assert "0 %" not in measures.line(k) and "100 %" not in measures.line(k)
    empty = tmp_path / "empty.duckdb"
    with derive.writable_copy(empty):
        pass
    con = db.connect_readonly(empty)
    try:
        none = measures.kpis(db.Reader(con), store, None, TODAY, SINCE_2026, NOW)
    finally:
        con.close()
    assert not none.in_data and measures.line(none) == "Follow-up of unhappy customers: not in your data."


@pytest.mark.parametrize(("name", "value", "why"), [
    ("CX_FOLLOWUP_DUE_HOURS", "two days", "not a number of hours"),
    ("CX_FOLLOWUP_DUE_HOURS", "0", "more than 0"),
    ("CX_FOLLOWUP_SURVEYS", "nps:11", "nps scores run 0-10"),
    ("CX_FOLLOWUP_SURVEYS", "stars:2", "'stars' is not a survey"),
    ("CX_FOLLOWUP_SURVEYS", "csat:low", "'low' is not a whole score"),
    ("CX_FOLLOWUP_OWNER", "manager", "use department or account_owner"),
    ("CX_FOLLOWUP_DAYS", "-5", "1-3660 days"),
    ("CX_FOLLOWUP_SINCE", "01/02/2026", "not a date"),
    ("CX_FOLLOWUP_COMPLAINTS", " , ", "names no contact kind"),
])
def test_bad_settings_say_which_and_why(monkeypatch, name, value, why):
    monkeypatch.setenv(name, value)
    with pytest.raises(rules.FollowupSettingError, match=why) as raised:
        rules.Settings.from_env()
    assert name in str(raised.value) and "cannot be used" in raised.value.plain


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("CX_FOLLOWUP_SURVEYS", "nps:5, csat")
    monkeypatch.setenv("CX_FOLLOWUP_COMPLAINTS", "complaint, cancellation")
    monkeypatch.setenv("CX_FOLLOWUP_DUE_HOURS", "24")
    monkeypatch.setenv("CX_FOLLOWUP_OWNER", "account_owner")
    monkeypatch.setenv("CX_FOLLOWUP_SINCE", "2026-01-01")
    got = rules.Settings.from_env()
    assert got == rules.Settings(surveys=(("nps", 5), ("csat", 2)), complaint_kinds=("complaint", "cancellation"),
                                 due_hours=24.0, owner_first="account_owner", since=dt.date(2026, 1, 1))
    assert got.start(TODAY) == dt.date(2026, 1, 1) and rules.Settings().start(TODAY) == dt.date(2026, 1, 2)
    monkeypatch.setenv("CX_FOLLOWUP_SURVEYS", "none")
    assert rules.Settings.from_env().surveys == ()


def test_export_names_only_for_those_who_see_customers(reader, store):
    found = case_list.cases(reader, store, TODAY, None, SINCE_2026, NOW)
    head = User("head@example.com", "department_head", Scope.of(department=["Support"]))
    table = case_list.export_frame(case_list.for_user(found, head))
    assert list(table["Customer"]) == list(found["customer_id"])
    assert case_list.csv_file(found, EXEC).decode("utf-8-sig").splitlines()[1].startswith("K2,Lee,2026-01-01 10:00")
    with pytest.raises(Refused):
        case_list.csv_file(found, User("v@example.com", "viewer"))
