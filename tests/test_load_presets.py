"""The vendor presets (issue 21, item 9): each shipped sample export loads with one command into a fresh
database, with the counts and scores worked out by hand from the sample; a file that fits no part of a
preset is told which part it was expected to fill and which columns it lacks."""
from __future__ import annotations

import datetime as dt

import pytest

from cxdata.load import LoadError, load_files
from cxdata.load.presets import preset_about, preset_names, sample_files
from tests.test_load import cli, query, write
from tests.test_load_mappings import kpis

VENDOR_PRESETS = ("freshdesk", "hubspot", "salesforce", "intercom", "typeform", "shopify")
NOVEMBER = (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
SLA = ("select count(sla_met(started_at, resolved_at, sla_seconds, interactions_as_of())), "
       "count(*) filter (where sla_met(started_at, resolved_at, sla_seconds, interactions_as_of())) from interactions")


def load_sample(tmp_path, preset: str):
    path = tmp_path / "cx.duckdb"
    return path, load_files(sample_files(preset), db_path=path, preset=preset)


def by_table(report) -> dict:
    return {f.table: f for f in report.files}


def test_every_vendor_preset_ships_a_sample_and_a_line_about_it():
    assert set(VENDOR_PRESETS) <= set(preset_names())
    for name in preset_names():
        assert sample_files(name), name
        assert preset_about(name) and "\n" not in preset_about(name), name


def test_freshdesk_tickets(tmp_path):
    path, report = load_sample(tmp_path, "freshdesk")
    tickets = by_table(report)["interactions"]
    # 12 tickets, one the company sent itself (Source "Outbound Email")
    assert (tickets.n_read, tickets.n_loaded, tickets.n_rejected) == (12, 11, 0)
    assert tickets.skipped == {"outbound email": 1}
    assert query(path, "select channel, count(*) from interactions group by 1 order by 2 desc, 1") == [
        ("email", 4), ("web", 3), ("chat", 2), ("phone", 2)]  # Portal and Feedback Widget are the web
    # first response = Initial response time - Created time; the promise = Due by Time - Created time
    assert query(path, "select first_response_seconds, sla_seconds, department, kind from interactions "
                       "where interaction_id = '2001'") == [(2966.0, 86400.0, "Logistics", "incident")]
    assert query(path, "select department from interactions where interaction_id = '2011'") == [(None,)]
    # 10 replied tickets: 20, 30, 60, 90, 1800, 2966, 3600, 7200, 10800, 18000 s -> median (1800 + 2966) / 2
    assert query(path, "select median(first_response_seconds) from interactions") == [(2383.0,)]
    # as of the latest event (2025-11-14 11:00) 9 deadlines have passed (2010 and 2012 are still running);
    # met: 2001, 2003, 2004, 2007, 2009; missed: 2002 (late), 2005 and 2008 (still open), 2011 (late)
    assert query(path, SLA) == [(9, 5)]
    assert kpis(path, *NOVEMBER).loc["sla_compliance", "value"] == pytest.approx(100 * 5 / 9)


def test_hubspot_tickets(tmp_path):
    path, report = load_sample(tmp_path, "hubspot")
    tickets = by_table(report)["interactions"]
    # one ticket has no associated contact: rejected, and the reason says so
    assert (tickets.n_read, tickets.n_loaded, tickets.n_rejected) == (10, 9, 1)
    [reason] = tickets.reasons
    assert (reason.column, reason.example_lines) == ("customer_id", [9])
    assert query(path, "select department, count(*) from interactions group by 1 order by 1") == [
        ("Billing Pipeline", 3), ("Support Pipeline", 6)]
    assert query(path, "select customer_id, first_response_seconds, sla_seconds from interactions "
                       "where interaction_id = '1840021301'") == [("Ana Silva (ana@acme.io)", 5400.0, 8 * 3600.0)]
    # replies after 60, 120, 180, 300, 5400, 7200, 7200, 82800 s (1840021306 has none): median (300 + 5400) / 2
    assert query(path, "select median(first_response_seconds) from interactions") == [(2850.0,)]
    # promise by priority; as of 2025-11-14 10:00, 8 judged (1840021310's runs to 16:00):
    # met 301, 303, 305, 307; missed 302 (26 h for 24), 304, 306, 309 (open past their deadline)
    assert query(path, SLA) == [(8, 4)]


def test_salesforce_cases_in_us_dates(tmp_path):
    path, report = load_sample(tmp_path, "salesforce")
    cases = by_table(report)["interactions"]
    assert (cases.n_read, cases.n_loaded, cases.n_rejected) == (10, 10, 0)
    # 11/3/2025 9:12 AM .. 4:40 PM; 12:05 PM is noon, not midnight
    assert query(path, "select started_at, resolved_at from interactions where interaction_id = '00001001'") == [
        (dt.datetime(2025, 11, 3, 9, 12), dt.datetime(2025, 11, 3, 16, 40))]
    assert query(path, "select started_at from interactions where interaction_id = '00001008'") == [
        (dt.datetime(2025, 11, 12, 12, 5),)]
    # Escalated 1 on 00001003, 00001005, 00001007; six cases closed
    assert query(path, "select count(*) filter (where escalated), count(resolved_at), count(first_response_seconds), "
                       "count(sla_seconds) from interactions") == [(3, 6, 0, 0)]
    assert query(path, "select channel, count(*) from interactions group by 1 order by 1") == [
        ("email", 4), ("phone", 3), ("web", 3)]


def test_intercom_conversations_and_their_ratings(tmp_path):
    path, report = load_sample(tmp_path, "intercom")
    tables = by_table(report)
    assert (tables["interactions"].n_read, tables["interactions"].n_loaded) == (12, 12)
    assert (tables["feedback"].n_loaded, tables["feedback"].skipped) == (8, {"not rated": 4})
    # a lead has no User ID: their e-mail is the customer, on the conversation
    assert query(path, "select customer_id from interactions where interaction_id = '215470001000103'") == [
        ("lead.visitor@example.org",)]
    # 11 replied: 20, 40, 60, 60, 90, 120, 120, 180, 1800, 14400, 55800 s -> median 120
    assert query(path, "select median(first_response_seconds) from interactions") == [(120.0,)]
    # ratings 5, 4, 2, 1, 5, 3, 4, 5: five of eight at 4-5
    assert query(path, "select csat_of(count(*) filter (where score >= 4), count(*)), count(interaction_id) "
                       "from feedback") == [(62.5, 8)]
    # the remark keeps its line break; the rating is dated when the conversation was last closed
    assert query(path, "select comment, submitted_at from feedback where feedback_id = 'rating-215470001000106'") == [
        ("Still charged twice.\nNobody called me back.", dt.datetime(2025, 11, 6, 10, 0))]
    assert kpis(path, *NOVEMBER).loc["csat", "n"] == 8


def test_typeform_responses(tmp_path):
    path, report = load_sample(tmp_path, "typeform")
    answers = by_table(report)["feedback"]
    # 12 responses: 2 partial (no submit date), 1 from a link without the customer_id hidden field
    assert (answers.n_read, answers.n_loaded, answers.n_rejected) == (12, 9, 1)
    assert answers.skipped == {"not submitted": 2}
    assert answers.reasons[0].column == "customer_id"
    # 10, 9, 8, 6, 10, 0, 9, 3, 10: 5 promoters, 3 detractors of 9
    [(nps, n)] = query(path, "select nps_of(count(*) filter (where score >= 9), count(*) filter (where score <= 6), "
                             "count(*)), count(*) from feedback")
    assert (nps, n) == (pytest.approx(100 * (5 - 3) / 9), 9)
    assert query(path, "select comment from feedback where score = 6") == [('Delivery took "forever"',)]


def test_shopify_orders(tmp_path):
    path, report = load_sample(tmp_path, "shopify")
    tables = by_table(report)
    # 8 orders on 12 rows (#1001 and #1008 have two line items, #1003 three)
    assert (tables["interactions"].n_read, tables["interactions"].n_loaded) == (12, 7)
    assert tables["interactions"].skipped == {"another line item of the order": 4, "cancelled": 1}
    assert (tables["transactions"].n_loaded, tables["transactions"].skipped) == (
        6, {"another line item of the order": 4, "not paid": 2})  # #1004 voided, #1005 pending
    assert report.total("n_rejected") == 0
    # paid totals less refunds: 54.50 + 120.00 + (89.90 - 29.95) + (60.00 - 60.00) + 15.00 + 75.25
    assert query(path, "select sum(amount)::double, count(*) from transactions") == [(324.70, 6)]
    assert query(path, "select amount::double from transactions where transaction_id = '#1003'") == [(59.95,)]
    assert query(path, "select channel, count(*) from interactions group by 1 order by 1") == [
        ("app", 1), ("in_person", 1), ("web", 5)]
    assert query(path, "select started_at::date, resolved_at from interactions where interaction_id = '#1002'") == [
        (dt.date(2025, 11, 4), None)]  # not yet fulfilled
    assert kpis(path, *NOVEMBER).loc["revenue", "value"] == pytest.approx(324.70)


def test_a_file_that_fits_no_part_is_told_which_part_and_which_columns_it_lacks(tmp_path):
    # a ticket export whose id and creation columns are named otherwise
    other = write(tmp_path, "tickets.csv", "Ticket,Subject,Status,Source,Type,Group,Created,Resolved time,"
                  "Email\n3001,Help,Open,Email,Question,Support,2025-11-03 09:00:00,,a@example.com\n")
    with pytest.raises(LoadError) as caught:
        load_files([other], db_path=tmp_path / "cx.duckdb", preset="freshdesk")
    said = str(caught.value)
    assert said.startswith(f"{other}: fits no part of the freshdesk preset")
    assert "expected to fill tickets (interactions), but lacks 'Created time', 'Ticket ID'." in said
    assert "Columns found: 'Ticket', 'Subject'" in said

    # a two-part preset names the other part too, and the command line says the same, without a traceback
    done = cli("load", "--preset", "intercom", str(other), "--db", str(tmp_path / "cx.duckdb"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "expected to fill conversations (interactions), but lacks 'Channel', 'Conversation ID'" in done.stderr
    assert "the other parts: rating (feedback) lacks 'Conversation ID'" in done.stderr


def test_a_freshdesk_export_without_the_sla_columns_loads_its_tickets(tmp_path):
    # the response and due-by columns feed optional columns only: those stay empty, with a note each
    trimmed = write(tmp_path, "tickets.csv", "Ticket ID,Subject,Status,Source,Type,Group,Created time,Resolved time,"
                    "Email\n3001,Help,Open,Email,Question,Support,2025-11-03 09:00:00,,a@example.com\n")
    report = load_files([trimmed], db_path=tmp_path / "cx.duckdb", preset="freshdesk")
    assert report.files[0].n_loaded == 1
    assert any(n.startswith("first_response_seconds left empty") for n in report.files[0].notes)
    assert any(n.startswith("sla_seconds left empty") for n in report.files[0].notes)


def test_load_help_lists_every_preset_with_its_line():
    done = cli("load", "--help")
    assert done.returncode == 0
    for name in preset_names():
        assert f"  {name:<11} {preset_about(name)}" in done.stdout
