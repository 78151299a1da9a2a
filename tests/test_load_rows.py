"""Issue 21, items 3 and 7 and the done-when check: an answer about a skipped record keeps its
customer, a payment of a skipped order says why it is skipped, answers whose contact was not loaded
are counted and listed, and every file's counts add up (read = loaded + rejected + skipped)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cxdata.load import load_files, presets
from cxdata.load.report import LoadReport
from tests.test_load import query, rejects, write
from tests.test_load_mappings import REVIEWS_BY_ORDER

ORDERS = """\
order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date
O1,K1,delivered,2025-10-02 10:00:00,2025-10-02 10:10:00,2025-10-03 09:00:00,2025-10-08 12:00:00,2025-10-15 00:00:00
O2,K2,canceled,2025-10-05 11:00:00,2025-10-05 11:20:00,,,2025-10-20 00:00:00
O3,K3,delivered,2025-10-06 12:00:00,2025-10-06 12:05:00,2025-10-07 09:00:00,2025-10-09 12:00:00,2025-10-21 00:00:00
"""
REVIEWS = """\
review_id,order_id,review_score,review_comment_title,review_comment_message,review_creation_date,review_answer_timestamp
R1,O1,5,,Chegou antes,2025-10-09 00:00:00,2025-10-10 10:00:00
R2,O2,1,Cancelado,Nunca recebi,2025-10-12 00:00:00,2025-10-13 10:00:00
R3,O3,4,,,2025-10-10 00:00:00,2025-10-11 10:00:00
R4,O9,3,,,2025-10-10 00:00:00,2025-10-11 10:00:00
"""
PAYMENTS = """\
order_id,payment_sequential,payment_type,payment_installments,payment_value
O1,1,credit_card,1,100.00
O2,1,boleto,1,80.00
O3,1,credit_card,2,50.00
"""


def adds_up(report: LoadReport) -> None:
    for f in report.files:
        assert f.n_read == f.n_loaded + f.n_updated + f.n_unchanged + f.n_rejected + f.n_skipped, f.text()


def test_review_of_a_cancelled_order_keeps_its_customer_and_its_payment_is_skipped_with_the_cause(tmp_path):
    """Item 3 (and the done-when check for an e-commerce export whose cancelled orders have reviews)."""
    path = tmp_path / "cx.duckdb"
    files = [write(tmp_path, "orders.csv", ORDERS), write(tmp_path, "reviews.csv", REVIEWS),
             write(tmp_path, "payments.csv", PAYMENTS)]
    report = load_files(files, db_path=path, preset="ecommerce")
    adds_up(report)
    by_table = {f.table: f for f in report.files}
    orders, reviews, payments = by_table["interactions"], by_table["feedback"], by_table["transactions"]
    assert (orders.n_read, orders.n_loaded, orders.skipped) == (3, 2, {"cancelled": 1})
    # the 1-star review of the cancelled order loads, with the order's customer; only O9 is rejected
    assert (reviews.n_read, reviews.n_loaded, reviews.n_rejected, reviews.n_skipped) == (4, 3, 1, 0)
    assert query(path, "select feedback_id, customer_id, score from feedback order by 1") == [
        ("R1", "K1", 5), ("R2", "K2", 1), ("R3", "K3", 4)]
    assert rejects(path) == [(5, "customer_id", "no interactions row with interaction_id O9 (lookup for customer_id)",
                              None)]
    assert any("1 row(s) took customer_id from interactions rows this load skipped (cancelled: 1)" in n
               for n in reviews.notes)
    assert ("1 answer points at a contact that was not loaded: it counts for the company, not for a department "
            "(the Data & loads page lists it)") in reviews.notes
    # it counts for the company (CSAT 2 of 3 answers), but for no department: its order is not loaded
    assert query(path, "select feedback_id, department, journey_stage from feedback_rows() order by 1") == [
        ("R1", "Logistics", "purchase"), ("R2", None, None), ("R3", "Logistics", "purchase")]
    # the payment of the cancelled order is skipped, and the reason names the real cause
    assert (payments.n_read, payments.n_loaded, payments.n_rejected) == (3, 2, 0)
    assert payments.skipped == {"its interactions row was skipped as cancelled": 1}
    assert "skipped 1 (its interactions row was skipped as cancelled: 1)" in payments.text()
    assert query(path, "select transaction_id, customer_id, amount::double from transactions order by 1") == [
        ("O1-1", "K1", 100.0), ("O3-1", "K3", 50.0)]


def test_a_lookup_that_finds_only_a_skipped_row_rejects_naming_the_real_cause(tmp_path, monkeypatch):
    """Without if_skipped, the row is rejected, and the reason says the row it needs was skipped (why
    and where), not that it is missing."""
    folder = tmp_path / "presets" / "shop"
    folder.mkdir(parents=True)
    write(folder, "orders.toml", textwrap.dedent("""\
        table = "interactions"
        [skip]
        "status cancelled" = "status = 'cancelled'"
        """))
    write(folder, "reviews.toml", textwrap.dedent(REVIEWS_BY_ORDER))
    monkeypatch.setattr(presets, "PRESETS_DIR", tmp_path / "presets")
    path = tmp_path / "cx.duckdb"
    orders = write(tmp_path, "orders.csv", "interaction_id,customer_id,started_at,channel,status\n"
                                           "O1,C1,2025-01-01,web,done\nO2,C2,2025-01-02,web,cancelled\n")
    reviews = write(tmp_path, "reviews.csv", "id,order,when,stars\nR1,O1,2025-01-03,5\nR2,O2,2025-01-03,1\n")
    report = load_files([reviews, orders], db_path=path, preset="shop")
    adds_up(report)
    assert rejects(path) == [(3, "customer_id", "its interactions row O2 was skipped as status cancelled "
                                                "(line 3 of orders.csv; lookup for customer_id)", None)]
    assert query(path, "select feedback_id, customer_id from feedback") == [("R1", "C1")]


INTERACTIONS = """\
interaction_id,customer_id,started_at,channel,department
I1,C1,2026-01-05 09:00,email,Support
I2,C2,05/31/2026 09:00,email,Billing
I3,C3,2026-01-06 09:00,chat,Support
"""
ANSWERS = """\
feedback_id,customer_id,interaction_id,submitted_at,survey,score,department
F1,C1,I1,2026-01-06 10:00,csat,5,
F2,C2,I2,2026-01-07 10:00,csat,1,
F3,C4,I9,2026-01-08 10:00,csat,2,
F4,C4,I9,2026-01-08 11:00,csat,4,Billing
F5,C5,,2026-01-09 10:00,csat,5,
"""


def answers_and_their_contacts(tmp_path: Path) -> tuple[Path, LoadReport]:
    """A ticket (I2, a US date) rejected, a ticket (I9) in no file: the answers F2 and F3 that name them
    have no department; F4 names I9 too but gives its own department, F5 names no contact."""
    path = tmp_path / "cx.duckdb"
    report = load_files([write(tmp_path, "interactions.csv", INTERACTIONS), write(tmp_path, "answers.csv", ANSWERS)],
                        db_path=path)
    return path, report


def test_answers_whose_contact_was_not_loaded_are_counted_in_the_report(tmp_path):
    """Item 7: the load report says how many answers count for the company but for no department."""
    path, report = answers_and_their_contacts(tmp_path)
    adds_up(report)
    tickets, answers = report.files
    assert (tickets.n_loaded, tickets.n_rejected, answers.n_loaded) == (2, 1, 5)
    said = ("2 answers point at contacts that were not loaded: they count for the company, "
            "not for a department (the Data & loads page lists them)")
    assert said in answers.notes and f"note: {said}" in report.text()
    assert not any("point at contacts" in n for n in tickets.notes)  # said once, on the answers
    # the overview counts all five; the departments two (F1, Support by its ticket; F4, Billing of its own)
    assert query(path, "select count(*), count(department) from feedback_rows()") == [(5, 2)]
    # loading the missing contacts clears the note
    more = write(tmp_path, "more.csv", "interaction_id,customer_id,started_at,channel,department\n"
                                       "I2,C2,2026-01-05 09:30,email,Billing\nI9,C4,2026-01-07 09:00,chat,Support\n")
    again = load_files([more, write(tmp_path, "answers2.csv", ANSWERS)], db_path=path)
    assert not any("point at contacts" in n for f in again.files for n in f.notes)
    assert query(path, "select count(*), count(department) from feedback_rows()") == [(5, 4)]


TICKETS = """\
Id,Subject,Requester id,Status,Priority,Via,Group,Created at,Solved at,Updated at,Satisfaction Score
2001,Cannot log in,CUST-1,Solved,High,Email,Support,2026-01-05 09:00:00,2026-01-05 14:00:00,2026-01-05 14:00:00,Good
2002,Invoice is wrong,CUST-2,Solved,Normal,Web form,Billing,31/02/2026 10:00,2026-01-08 10:00:00,2026-01-08 10:00:00,Bad
2003,test ticket,CUST-3,Solved,Low,Email,Support,2026-01-08 08:00:00,2026-01-08 08:10:00,2026-01-08 08:10:00,Unoffered
2004,Spam,CUST-4,Deleted,Low,Email,Support,2026-01-09 16:00:00,,2026-01-09 16:05:00,Unoffered
2005,Where is my order,CUST-5,Open,Normal,Chat,Support,2026-01-09 15:00:00,,2026-01-09 15:10:00,Offered
2006,Refund please,CUST-1,Solved,Urgent,Chat,Billing,2026-01-10 11:00:00,2026-01-10 13:00:00,2026-01-10 13:00:00,Good
"""


def test_a_helpdesk_export_without_first_reply_times_loads_its_tickets_and_says_what_is_missing(tmp_path):
    """The done-when check for a help-desk export whose tickets have no first-response column: the
    tickets still load (the preset's first-response derivation needs a column the file lacks, so that
    column stays empty, and a note says so), and every file's counts add up with reasons that name
    the real cause."""
    path = tmp_path / "cx.duckdb"
    report = load_files([write(tmp_path, "tickets.csv", TICKETS)], db_path=path, preset="helpdesk")
    adds_up(report)
    tickets, ratings = sorted(report.files, key=lambda f: f.table != "interactions")
    assert (tickets.table, ratings.table) == ("interactions", "feedback")
    assert (tickets.n_read, tickets.n_loaded, tickets.n_rejected) == (6, 3, 1)
    assert tickets.skipped == {"deleted ticket": 1, "test ticket": 1}
    assert [(r.column, r.reason, r.example_lines) for r in tickets.reasons] == [
        ("started_at", "not a date-time (expected e.g. 2024-05-31 14:30:00 or 31/05/2024 14:30; "
                       "other layouts need [formats] in a mapping)", [3])]
    assert ("first_response_seconds left empty: the file has no column 'first reply at' "
            "(tickets.toml, [derived] first_response_seconds reads it)") in tickets.notes
    assert query(path, "select interaction_id, first_response_seconds, sla_seconds from interactions order by 1") == [
        ("2001", None, 28800.0), ("2005", None, 86400.0), ("2006", None, 14400.0)]
    # the ratings: Good, Bad (of the rejected ticket: it keeps its group), Good; three skipped, each saying why
    assert (ratings.n_read, ratings.n_loaded, ratings.n_rejected) == (6, 3, 0)
    assert ratings.skipped == {"deleted ticket": 1, "not rated": 1, "test ticket": 1}
    assert query(path, "select feedback_id, score, department from feedback_rows() order by 1") == [
        ("csat-2001", 5, "Support"), ("csat-2002", 1, "Billing"), ("csat-2006", 5, "Billing")]
