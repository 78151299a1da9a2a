"""One customer's whole record (cxdata.customer) on a hand-built database: the header's values, the
timeline's order worked out by hand, the comment masked, the churn alert's history from the store,
the follow-up cases, paging, and search by id and name within the reader's scope."""
import datetime as dt

import pandas as pd
import pytest

from cxdata import customer, db, derive
from cxdata.access.roles import Scope, User
from cxdata.access.scoped import Refused, ScopedReader
from cxdata.churn import alerts
from cxdata.customer import timeline
from cxdata.store import Store

TODAY = dt.date(2026, 3, 20)   # the newest activity: I2
UTC = dt.timezone.utc
# K1 Ana Pérez (SMB, Europe): two contacts, a detractor answer whose comment holds an e-mail address, an
# invoice and a refund, and a plan change on 2026-03-10 (Basic at 1,000 a year -> Plus at 1,200).
# K2 Bruno Costa is Enterprise in North America: outside an SMB-Europe scope. K3 Ana Lopes, SMB, Europe.
ROWS = """
insert into customers (customer_id, name, segment, region, country, plan, signup_date, annual_value, account_owner,
                       churned_on) values
    ('K1', 'Ana Pérez', 'SMB', 'Europe', 'ES', 'Plus', date '2024-03-01', 1200, 'Luis', null),
    ('K2', 'Bruno Costa', 'Enterprise', 'North America', 'US', 'Premium', date '2025-01-01', 90000, 'Eve', null),
    ('K3', 'Ana Lopes', 'SMB', 'Europe', 'PT', 'Basic', date '2025-06-01', 600, 'Luis', null);

insert into customer_history values
    ('K1', date '2024-03-01', date '2026-03-10', 'SMB', 'Basic', 1000, 'Luis', false),
    ('K1', date '2026-03-10', null, 'SMB', 'Plus', 1200, 'Luis', false),
    ('K2', date '2025-01-01', null, 'Enterprise', 'Premium', 90000, 'Eve', false),
    ('K3', date '2025-06-01', null, 'SMB', 'Basic', 600, 'Luis', false);

insert into interactions (interaction_id, customer_id, started_at, channel, department, touchpoint, kind,
                          first_response_seconds, resolved_at, escalated, sla_seconds) values
    ('I1', 'K1', timestamp '2026-03-01 10:00', 'phone', 'Support', 'hotline', 'complaint', 60,
     timestamp '2026-03-01 12:00', false, 86400),
    ('I2', 'K1', timestamp '2026-03-20 09:00', 'email', 'Billing', 'invoice', 'inquiry', 600, null, false, null),
    ('I3', 'K2', timestamp '2026-03-15 09:00', 'chat', 'Support', 'ticket', 'inquiry', 30,
     timestamp '2026-03-15 09:10', false, 3600);

insert into feedback (feedback_id, customer_id, interaction_id, submitted_at, survey, score, comment, department) values
    ('F1', 'K1', 'I1', timestamp '2026-03-02 08:00', 'nps', 3, 'Write to ana.perez@correo.es, nobody calls back',
     'Support');

insert into transactions (transaction_id, customer_id, occurred_at, amount, kind) values
    ('T1', 'K1', timestamp '2026-02-01 02:00', 100, 'invoice'),
    ('T2', 'K1', timestamp '2026-03-05 02:00', -40, 'refund'),
    ('T3', 'K2', timestamp '2026-02-01 02:00', 7500, 'invoice');
"""
ADMIN = User("root@example.com", "admin")
SMB_EUROPE = User("luis@example.com", "cx_manager", Scope.of(segment=["SMB"], region=["Europe"]))


def build(path) -> Store:
    """The database at `path`, and its store beside it (Store.beside) with K1's churn alert worked
    twice (the second note holds an e-mail address)."""
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
    con = db.connect_readonly(path)
    try:
        key = alerts.alert_key(alerts.dataset_id(db.Reader(con)), "K1")
    finally:
        con.close()
    store = Store.beside(path)
    store.import_history(alerts.KIND, [
        (key, dt.datetime(2026, 3, 21, 10, 0, tzinfo=UTC), "luis@example.com", {"status": "acknowledged", "owner": "Luis"}),
        (key, dt.datetime(2026, 3, 22, 9, 30, tzinfo=UTC), "luis@example.com",
         {"status": "plan", "note": "Call booked, reply to ana@correo.es"}),
    ])
    return store


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("customer") / "cx.duckdb"
    store = build(path)
    con = db.connect_readonly(path)
    yield con, store
    con.close()


def _record(built, user=ADMIN, customer_id="K1", limit=customer.TIMELINE_LIMIT):
    con, store = built
    return customer.record(ScopedReader(db.Reader(con), user), store, customer_id, TODAY, limit=limit)


def test_the_header_holds_value_tenure_owner_segment_region_and_plan(built):
    rec = _record(built)
    assert (rec.name, rec.segment, rec.region, rec.country, rec.plan, rec.account_owner) == (
        "Ana Pérez", "SMB", "Europe", "ES", "Plus", "Luis")
    assert rec.annual_value == 1200.0
    assert (rec.revenue, rec.n_transactions) == (60.0, 2)        # 100 invoiced, 40 refunded
    # 2024-03-01 to 2026-03-01 is 730 days (no 29 February inside), then 19 more: 749
    assert rec.started_on == dt.date(2024, 3, 1) and rec.tenure_days == 749
    assert rec.tenure_text() == "2.1 years"                      # 749 / 365.25 = 2.05
    assert customer.revenue_line(rec) == "$60 paid in all, 2 transactions"
    assert customer.since_line(rec) == "customer since 01 Mar 2024"


def test_the_timeline_holds_every_event_newest_first(built):
    rec = _record(built)
    got = list(zip(rec.timeline["at"].dt.strftime("%Y-%m-%d %H:%M"), rec.timeline["event"], rec.timeline["title"]))
    assert got == [
        ("2026-03-22 09:30", "alert", "Churn alert: Plan in place"),
        ("2026-03-21 10:00", "alert", "Churn alert: Acknowledged"),
        ("2026-03-20 09:00", "contact", "Contact: inquiry by email"),
        ("2026-03-20 00:00", "risk", "Risk score 25 (medium risk)"),   # at or over 15, half the threshold
        ("2026-03-10 00:00", "change", "Annual value changed from $1,000 to $1,200"),
        ("2026-03-10 00:00", "change", "Plan changed from Basic to Plus"),
        ("2026-03-05 02:00", "transaction", "Refund: -$40"),
        ("2026-03-02 08:00", "answer", "NPS answer: 3 (0-10)"),
        ("2026-03-02 08:00", "case", "Follow-up case opened: NPS detractor"),
        ("2026-03-01 10:00", "contact", "Contact: complaint by phone"),
        ("2026-03-01 10:00", "case", "Follow-up case opened: Complaint"),
        ("2026-02-01 02:00", "transaction", "Invoice: $100"),
        ("2024-03-01 00:00", "customer", "Became a customer"),
    ]
    assert rec.timeline.set_index("title").loc["Follow-up case opened: Complaint", "detail"] == "Support"
    assert rec.n_database_events == 7 and not rec.is_cut          # 2 contacts, 1 answer, 2 transactions, 2 changes
    assert len(rec.cases) == 2 and set(rec.cases["status"]) == {"new"}   # the detractor answer, the complaint


def test_comments_and_notes_are_masked_and_the_alert_says_who(built):
    rec = _record(built)
    rows = rec.timeline.set_index("title")
    answer = rows.loc["NPS answer: 3 (0-10)", "detail"]
    assert "ana.perez@correo.es" not in answer and "[email]" in answer and "nobody calls back" in answer
    plan = rows.loc["Churn alert: Plan in place"]
    assert plan["detail"] == "“Call booked, reply to [email]”" and plan["by"] == "luis@example.com"
    assert rows.loc["Churn alert: Acknowledged", "detail"] == "owner Luis"
    assert rows.loc["Contact: complaint by phone", "detail"] == "Support · hotline · resolved after 2 h"
    assert rows.loc["Contact: inquiry by email", "detail"] == "Billing · invoice · still open"
    # the alert now: its last status and owner from the store
    assert rec.alert["status"] == "plan" and rec.alert["owner"] == "Luis"
    assert customer.alert_value(rec) == "Plan in place"


def test_the_risk_over_time_is_the_score_at_each_scoring(built):
    con, _store = built
    rec = _record(built)
    now = con.execute("select score from churn_scores where customer_id = 'K1'").fetchone()[0]
    # the rule score (too few leavers for a model): a complaint 10, NPS 3 is 7 below 10, 4 over the floor
    # of 3, x 2.5 = 10, a refund 3, two contacts after none (ln 3 - 0.7) x 5 = 1.99: 24.99, kept to a tenth
    assert now == 25.0
    assert list(rec.risk["scored_on"].dt.date) == [TODAY] and rec.risk["score"].tolist() == [now]
    assert rec.score == now and rec.reasons                        # a detractor with a complaint has reasons
    assert rec.risk["reasons"].iloc[0] == rec.reasons
    assert customer.risk_title(rec) == f"Risk of leaving: {round(now)} of 100 on 20 Mar 2026"


def test_a_short_window_keeps_the_newest_events_and_says_more_remain(built):
    rec = _record(built, limit=3)
    assert rec.is_cut and rec.n_database_shown == 3
    # the newest three database events (I2 and the two changes of 2026-03-10); the store's and the
    # score's newer events stay, everything older waits for "show more"
    assert list(rec.timeline["event"]) == ["alert", "alert", "contact", "risk", "change", "change"]
    assert customer.timeline_line(rec, 6) == "6 events shown, newest first, back to 10 Mar 2026; older ones below."


def test_a_customer_outside_the_scope_reads_as_unknown(built):
    assert _record(built, SMB_EUROPE, "K2") is None
    assert _record(built, SMB_EUROPE, "NOPE") is None
    assert _record(built, SMB_EUROPE, "K1").customer_id == "K1"


def test_roles_without_single_customers_are_refused(built):
    con, store = built
    for user in (User("bo@example.com", "board"), User("vera@example.com", "viewer"),
                 User("ana@example.com", "department_head", Scope.of(department=["Billing"]))):
        with pytest.raises(Refused):
            customer.record(ScopedReader(db.Reader(con), user), store, "K1", TODAY)
        with pytest.raises(Refused):
            customer.search(ScopedReader(db.Reader(con), user), "K1")


@pytest.mark.parametrize("text, user, expected", [
    ("k1", ADMIN, ["K1"]),                       # an id, in any case
    ("ana", ADMIN, ["K3", "K1"]),                # part of a name: Ana Lopes before Ana Pérez, by name
    ("PÉREZ", ADMIN, ["K1"]),
    ("costa", ADMIN, ["K2"]),
    ("costa", SMB_EUROPE, []),                   # outside the scope: not found, as if it did not exist
    ("zz", ADMIN, []),
    ("k", ADMIN, []),                            # one character is no search
])
def test_search_by_id_or_part_of_a_name_within_the_scope(built, text, user, expected):
    con, _store = built
    found = customer.search(ScopedReader(db.Reader(con), user), text)
    assert list(found.rows["customer_id"]) == expected and found.n == len(expected)


def test_search_names_what_it_found_and_a_role_without_names_searches_ids_only(built):
    con, _store = built
    reader = ScopedReader(db.Reader(con), ADMIN)
    assert customer.search(reader, "ana").sentence() == "2 customers match “ana”."
    assert customer.search(reader, "zz").sentence() == "No customer you may see matches “zz”."
    assert customer.search(reader, "ana", names=False).n == 0
    cut = customer.search(reader, "an", limit=1)
    assert cut.is_cut and cut.n == 2 and list(cut.rows["customer_id"]) == ["K3"]
    assert cut.sentence() == "2 customers match “an”; the first 1 are listed. Type more of the id or the name to narrow them."


def test_store_times_are_shown_on_the_company_clock(monkeypatch):
    monkeypatch.setenv("CX_TIMEZONE", "Europe/Madrid")
    at = timeline.company_clock(pd.Timestamp("2026-03-22T09:30:00+00:00"))
    assert at == pd.Timestamp("2026-03-22 10:30")   # CET, before the clocks change on 29 March


def test_tenure_reads_as_a_person_says_it():
    assert customer.tenure_text(1) == "1 day"
    assert customer.tenure_text(45) == "45 days"
    assert customer.tenure_text(200) == "6 months"
    assert customer.tenure_text(730) == "2 years"
    assert customer.tenure_text(None) == "—"
