"""Churn alerts (issue 26): explicit warning signs always count, the list opens on the high band, one
sentence for alerts and the threshold, and the outcomes of past alerts (imported history, the demo's).
On hand-built customers scored by the rule score (too few leavers for a model), worked out by hand."""
import datetime as dt

import pytest

from cxdata import db, demo, derive
from cxdata.access.audit import AuditLog
from cxdata.churn import alerts, features
from cxdata.filters import Filters
from cxdata.store import Store

NEWEST = dt.date(2026, 3, 31)
UTC = dt.timezone.utc

# Rule points (cxdata/churn/model.py RULE_POINTS), judged on 2026-03-31, the newest day:
#   Q1 asked to cancel: 35                     Q2 a failed payment, nothing paid since: 15
#   Q3 a failed payment, an invoice paid after: 15 (recovered)
#   Q4 NPS 3 and a complaint still open, its SLA missed: complaints 10 + open complaint 10 + NPS 3 (7 below 10,
#      3 above the floor) 10 + a missed SLA 5 = 35
#   Q5 three escalated complaints (30 + 10), two failed payments then an invoice paid (30, recovered), three
#      contacts after none (log 4 - 0.7 = 0.686 x 5 = 3.4): 73.4
#   Q6 one paid invoice: 0. Q8 left on 2026-01-10: not scored.
ROWS = """
insert into customers (customer_id, name, segment, region, plan, signup_date, annual_value, account_owner, churned_on)
values ('Q1', 'Cancels Ltd', 'SMB', 'Europe', 'Plus', date '2025-01-01', 10000, 'Ana', null),
       ('Q2', 'Unpaid GmbH', 'SMB', 'Europe', 'Plus', date '2025-01-01', 2000, 'Ana', null),
       ('Q3', 'Repaid SAS', 'SMB', 'Europe', 'Plus', date '2025-01-01', 2000, 'Ana', null),
       ('Q4', 'Detractor Inc.', 'SMB', 'Europe', 'Plus', date '2025-01-01', 20000, 'Ana', null),
       ('Q5', 'Complains Pty', 'SMB', 'Europe', 'Plus', date '2025-01-01', 1000, 'Ana', null),
       ('Q6', 'Quiet Ltda.', 'SMB', 'Europe', 'Plus', date '2025-01-01', 50000, 'Ana', null),
       ('Q8', 'Gone K.K.', 'SMB', 'Europe', 'Plus', date '2025-01-01', 3000, 'Ana', date '2026-01-10');

insert into interactions (interaction_id, customer_id, started_at, channel, kind, first_response_seconds,
                          resolved_at, escalated, sla_seconds) values
    ('I1', 'Q1', timestamp '2026-03-10 10:00', 'phone', 'cancellation', 30, timestamp '2026-03-10 10:20', false, 86400),
    ('I4', 'Q4', timestamp '2026-03-20 10:00', 'email', 'complaint', 600, null, false, 86400),
    ('I5', 'Q5', timestamp '2026-02-01 10:00', 'email', 'complaint', 60, timestamp '2026-02-01 11:00', true, 86400),
    ('I6', 'Q5', timestamp '2026-02-10 10:00', 'email', 'complaint', 60, timestamp '2026-02-10 11:00', true, 86400),
    ('I7', 'Q5', timestamp '2026-02-20 10:00', 'email', 'complaint', 60, timestamp '2026-02-20 11:00', true, 86400);

insert into feedback (feedback_id, customer_id, submitted_at, survey, score) values
    ('F4', 'Q4', timestamp '2026-03-05 09:00', 'nps', 3);

insert into transactions (transaction_id, customer_id, occurred_at, amount, kind) values
    ('T21', 'Q2', timestamp '2026-02-01 02:00', 100, 'invoice'),
    ('T22', 'Q2', timestamp '2026-03-01 02:00', 0, 'failed_payment'),
    ('T31', 'Q3', timestamp '2026-03-01 02:00', 0, 'failed_payment'),
    ('T32', 'Q3', timestamp '2026-03-05 02:00', 100, 'invoice'),
    ('T51', 'Q5', timestamp '2026-02-10 02:00', 0, 'failed_payment'),
    ('T52', 'Q5', timestamp '2026-02-20 02:00', 0, 'failed_payment'),
    ('T53', 'Q5', timestamp '2026-03-01 02:00', 100, 'invoice'),
    ('T61', 'Q6', timestamp '2026-03-31 02:00', 400, 'invoice');
"""
HIGHER = alerts.Rules(50)   # a threshold above every single sign's points: only the sign can make them high


@pytest.fixture(scope="module")
def signs_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("signs") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
    return path


@pytest.fixture(scope="module")
def signs(signs_db):
    con = db.connect_readonly(signs_db)
    yield db.Reader(con)
    con.close()


def _view():
    return Filters(NEWEST, NEWEST)


def _listed(reader, rules, store_dir):
    return alerts.at_risk(reader, _view(), Store(store_dir / "store.sqlite"), rules).set_index("customer_id")


def test_the_hand_built_scores_are_the_rule_points_worked_out_above(signs):
    scores = signs.run("churn_model_info").iloc[0]
    assert scores["kind"] == "rules"
    rows = dict(signs.con.execute("select customer_id, score from churn_scores").fetchall())
    assert rows == {"Q1": 35.0, "Q2": 15.0, "Q3": 15.0, "Q4": 35.0, "Q5": 73.4, "Q6": 0.0}


def test_a_failed_payment_counts_only_until_money_is_received_after_it(signs):
    flags = dict(signs.con.execute("select customer_id, has_failed_payment from churn_scores").fetchall())
    assert flags == {"Q1": False, "Q2": True, "Q3": False, "Q4": False, "Q5": False, "Q6": False}
    # known then: on 2026-03-03 Q3's failed payment was not recovered yet (the invoice came on 03-05)
    before = features.as_of(signs, dt.date(2026, 3, 3)).set_index("customer_id")
    assert before.loc["Q3", "is_failed_payment_unrecovered"] and before.loc["Q2", "is_failed_payment_unrecovered"]
    assert not before.loc["Q5", "is_failed_payment_unrecovered"]   # paid on 03-01, after both failures


def test_each_explicit_sign_places_the_customer_in_the_high_band_whatever_the_score(signs, tmp_path):
    listed = _listed(signs, HIGHER, tmp_path)
    assert listed["rules"].map(list).to_dict() == {
        "Q4": ["detractor_open_complaint"], "Q1": ["cancellation_contact"], "Q5": ["score"], "Q2": ["failed_payment"]}
    assert set(listed["band"]) == {"high"}
    assert listed.loc[["Q1", "Q2", "Q4"], "score"].max() < HIGHER.threshold
    total = alerts.headline(signs, _view(), HIGHER)
    assert (total["n_at_risk"], total["n_at_score"]) == (4, 1)
    points = alerts.risk_points(signs, _view(), HIGHER).set_index("customer_id")
    assert points["band"].to_dict() == {"Q4": "high", "Q1": "high", "Q5": "high", "Q2": "high"}
    assert "Q3" not in listed.index   # its failed payment was recovered: no alert, and its 15 points are low


def test_the_explicit_sign_is_the_first_reason_and_never_said_twice(signs, tmp_path):
    listed = _listed(signs, HIGHER, tmp_path)
    assert listed.loc["Q1", "reasons"][0] == "asked to cancel in the last 90 days"
    assert listed.loc["Q1", "reasons"].count("asked to cancel in the last 90 days") == 1
    assert listed.loc["Q2", "reasons"] == ["a failed payment in the last 90 days, nothing paid since"]  # not also "1 failed payment"
    # the model's top three (complaints, open complaint, detractor: 10 points each) less the two the sign says
    assert listed.loc["Q4", "reasons"] == ["a detractor (latest NPS answer 3) with a complaint still open",
                                           "1 complaint in the last 90 days"]
    assert listed.loc["Q5", "reasons"][0] == "3 complaints in the last 90 days"   # the score alone: the model's own
    # the list's Reason filter finds the sign under the model's label
    assert "cancellation" in listed.loc["Q1", "reason_keys"]
    assert set(alerts.narrow(listed, reasons=["failed_payments"]).index) == {"Q2", "Q5"}
    assert set(alerts.narrow(listed, rules=["cancellation_contact", "score"]).index) == {"Q1", "Q5"}


def test_a_sign_switched_off_no_longer_forces_the_high_band(signs, tmp_path, monkeypatch):
    monkeypatch.setenv(alerts.THRESHOLD_ENV, "50")
    monkeypatch.setenv(alerts.SIGNALS_ENV, "failed_payment")   # the administrator's setting
    only_failed = alerts.Rules.from_env()
    assert only_failed == alerts.Rules(50, ("failed_payment",))
    listed = _listed(signs, only_failed, tmp_path)
    assert sorted(listed.index) == ["Q2", "Q5"]
    points = alerts.risk_points(signs, _view(), only_failed).set_index("customer_id")["band"].to_dict()
    assert points == {"Q4": "medium", "Q1": "medium", "Q5": "high", "Q2": "high"}   # 35 >= 25 is medium
    none = alerts.Rules(50, ())
    assert list(_listed(signs, none, tmp_path).index) == ["Q5"]
    assert alerts.risk_points(signs, _view(), none).set_index("customer_id")["band"].to_dict() == {
        "Q4": "medium", "Q1": "medium", "Q5": "high"}   # Q2's 15 points are low: not drawn
    assert _listed(signs, none, tmp_path).loc["Q5", "reasons"][0] == "3 complaints in the last 90 days"
    total = alerts.headline(signs, _view(), none)
    assert (total["n_at_risk"], total["n_at_score"]) == (1, 1)


def test_the_list_opens_on_the_high_band_by_revenue_at_risk(signs, tmp_path):
    listed = _listed(signs, HIGHER, tmp_path)
    # revenue at risk = annual value x score / 100: Q4 20,000 x 35% = 7,000; Q1 10,000 x 35% = 3,500;
    # Q5 1,000 x 73.4% = 734; Q2 2,000 x 15% = 300. The warning signs sit among the scores by what is at stake.
    assert list(listed.index) == ["Q4", "Q1", "Q5", "Q2"] and set(listed["band"]) == {"high"}
    assert listed["value_at_risk"].tolist() == pytest.approx([7000.0, 3500.0, 734.0, 300.0])
    # at a threshold of 30, Q1 and Q4 are high by their score too: the same customers, the same order
    assert list(_listed(signs, alerts.Rules(30), tmp_path).index) == ["Q4", "Q1", "Q5", "Q2"]


@pytest.mark.parametrize("n_high, n_score, n_open, rules, sentence", [
    (78, 7, 78, alerts.Rules(), "78 open alerts: 7 customers at a risk score of 30 or more and 71 raised by a "
                                "single warning sign (detractor with an open complaint, asked to cancel and failed "
                                "payment not recovered)."),
    (78, 7, 75, alerts.Rules(30, ("cancellation_contact",)),
     "75 open alerts of 78 customers at high risk (7 customers at a risk score of 30 or more and 71 raised by a "
     "single warning sign (asked to cancel)); 3 closed as saved or lost."),
    (1, 1, 1, alerts.Rules(40, ()), "1 open alert: 1 customer at a risk score of 40 or more."),
    (0, 0, 0, alerts.Rules(), "No open alert: no customer is at a risk score of 30 or more or shows a single "
                              "warning sign (detractor with an open complaint, asked to cancel and failed payment "
                              "not recovered)."),
])
def test_one_sentence_says_open_alerts_high_risk_and_the_threshold(n_high, n_score, n_open, rules, sentence):
    assert alerts.alerts_sentence(n_high, n_score, n_open, rules) == sentence


# ---- The outcomes of past alerts ------------------------------------------------------------------

def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def test_imported_history_keeps_its_past_times_once_and_never_rewrites_a_record(tmp_path):
    store = Store(tmp_path / "store.sqlite")
    store.change(alerts.KIND, "d:C9", {"status": "plan"}, "ana@example.com")   # worked here already
    changes = [("d:C1", _at("2025-10-11"), "ana@example.com", {"status": "saved", "note": "renewed"}),
               ("d:C1", _at("2025-10-01"), "ana@example.com", {"status": "acknowledged", "owner": "Ana"}),
               ("d:C9", _at("2025-10-01"), "old@example.com", {"status": "lost"})]
    assert store.import_history(alerts.KIND, changes) == 1
    assert store.import_history(alerts.KIND, changes) == 0   # run again: nothing written twice
    history = store.history(alerts.KIND, "d:C1")
    assert history[["field", "value", "changed_at"]].values.tolist() == [
        ["status", "acknowledged", "2025-10-01T10:00:00+00:00"], ["owner", "Ana", "2025-10-01T10:00:00+00:00"],
        ["status", "saved", "2025-10-11T10:00:00+00:00"], ["note", "renewed", "2025-10-11T10:00:00+00:00"]]
    assert store.records(alerts.KIND) == {"d:C1": {"status": "saved", "note": "renewed", "owner": "Ana"},
                                          "d:C9": {"status": "plan"}}
    with pytest.raises(ValueError, match="past, timezone-aware"):
        store.import_history(alerts.KIND, [("d:C2", dt.datetime.now(UTC) + dt.timedelta(days=1), "x", {"status": "new"})])
    with pytest.raises(ValueError, match="past, timezone-aware"):
        store.import_history(alerts.KIND, [("d:C2", dt.datetime(2025, 1, 1), "x", {"status": "new"})])
    assert AuditLog(store.path).verify().ok and AuditLog(store.path).entries().empty   # the log is not touched


def test_follow_up_summary_of_a_hand_built_history(signs, signs_db, tmp_path):
    store = Store(tmp_path / "store.sqlite")
    key = lambda c: alerts.alert_key(alerts.dataset_id(signs), c)  # noqa: E731
    store.import_history(alerts.KIND, [
        # saved after 10 days, still a customer 90 days later: kept
        (key("Q5"), _at("2025-10-01"), "ana@example.com", {"status": "acknowledged"}),
        (key("Q5"), _at("2025-10-11"), "ana@example.com", {"status": "saved"}),
        # saved after 20 days (a plan between), left on 2026-01-10, within 90 days of 2025-10-25: not kept
        (key("Q8"), _at("2025-10-05"), "ana@example.com", {"status": "acknowledged"}),
        (key("Q8"), _at("2025-10-10"), "ana@example.com", {"status": "plan"}),
        (key("Q8"), _at("2025-10-25"), "ana@example.com", {"status": "saved"}),
        # lost after 30 days
        (key("Q6"), _at("2026-01-01"), "ben@example.com", {"status": "acknowledged"}),
        (key("Q6"), _at("2026-01-31"), "ben@example.com", {"status": "lost"}),
        # saved after 4 days, too recently to judge (2026-03-05 + 90 days is after the newest data)
        (key("Q1"), _at("2026-03-01"), "ben@example.com", {"status": "acknowledged"}),
        (key("Q1"), _at("2026-03-05"), "ben@example.com", {"status": "saved"}),
        # still open
        (key("Q2"), _at("2026-03-20"), "ben@example.com", {"status": "plan"}),
        ("another-dataset:Q5", _at("2025-10-01"), "x", {"status": "lost"}),
    ])
    summary = alerts.follow_up_summary(signs, store, NEWEST)
    assert summary["by_status"] == {"new": 0, "acknowledged": 0, "plan": 1, "saved": 3, "lost": 1}
    assert summary["n_closed"] == 4 and summary["avg_days_to_close"] == pytest.approx((10 + 20 + 30 + 4) / 4)
    assert (summary["n_saved_checked"], summary["n_saved_kept"]) == (2, 1)


def test_the_demo_has_a_past_of_closed_alerts_so_its_outcomes_have_figures(demo_march):
    con = db.connect_readonly(demo_march)
    try:
        reader = db.Reader(con)
        newest = reader.run("data_extent").iloc[0]["newest_on"].date()
        store = Store.beside(demo_march)
        summary = alerts.follow_up_summary(reader, store, newest)
        alerted = set(reader.run("churn_alert_ids", alerts.Rules().params(Filters(newest, newest)))["customer_id"])
        history = store.history(alerts.KIND)
        churned = dict(con.execute("select customer_id, churned_on from customers").fetchall())
    finally:
        con.close()
    statuses = history[history["field"] == "status"].groupby("key")["value"].last()
    assert set(statuses) == {"saved", "lost"}   # every past alert is closed
    assert summary["n_closed"] == len(statuses) >= 20 and 10 <= summary["avg_days_to_close"] <= 60
    assert 0 < summary["n_saved_kept"] < summary["n_saved_checked"]   # most saved stayed, not all
    customers = {k.split(":", 1)[1] for k in statuses.index}
    assert not customers & alerted   # nobody alerted today starts with a closed alert
    lost = {k.split(":", 1)[1] for k in statuses[statuses == "lost"].index}
    assert all(churned[c] is not None for c in lost)   # lost: they really left
    assert history["changed_by"].str.endswith("@example.com").all()
    assert (history["changed_at"] < f"{newest + dt.timedelta(days=1)}").all()


def test_a_rebuilt_demo_does_not_double_its_history(tmp_path, monkeypatch):
    monkeypatch.delenv("CX_STORE", raising=False)
    path = tmp_path / "cx.duckdb"
    first = demo.build_demo(path, customers=1000, today=dt.date(2026, 3, 15))["churn_alert_history"]
    again = demo.build_demo(path, customers=1000, today=dt.date(2026, 3, 15))["churn_alert_history"]
    con = db.connect_readonly(path)
    try:
        summary = alerts.follow_up_summary(db.Reader(con), Store.beside(path), dt.date(2026, 3, 14))
    finally:
        con.close()
    assert first == again > 0 and summary["n_closed"] == again
