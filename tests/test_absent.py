"""Absence is not a number (docs/loading.md, "What your data provides"): the loader records which
columns each load's files provided, and every KPI that needs a column never loaded says "not in your
data" with that column, never 0% or 100%. Hand-built exports: customers without churn dates,
interactions whose escalation flag starts in March, a transactions file whose every row is rejected."""
import datetime as dt

import duckdb
import pandas as pd
import pytest

from cxdata import data_status, db, departments, metrics, overview, report, trends
from cxdata.filters import Filters, ViewState
from cxdata.load import load_files
from tests.test_app import _starter, shown

CUSTOMERS = "customer_id,segment,signup_date,annual_value\n" + "".join(
    f"C{i},SMB,2025-01-01,1000\n" for i in range(1, 9))
# January and February: no escalation field at all (today read as "never escalated": FCR 100%).
INTERACTIONS_EARLY = "interaction_id,customer_id,started_at,channel,department,first_response_seconds,resolved_at,sla_seconds\n" + "".join(
    f"I{i},C{i},2026-0{1 + i % 2}-10 09:00:00,email,Support,600,2026-0{1 + i % 2}-10 10:00:00,7200\n" for i in range(1, 9))
# March: the export gains the escalation flag; 1 of 4 escalated.
INTERACTIONS_MARCH = "interaction_id,customer_id,started_at,channel,department,first_response_seconds,resolved_at,sla_seconds,escalated\n" + "".join(
    f"M{i},C{i},2026-03-31 09:00:00,email,Support,600,2026-03-31 10:00:00,7200,{'yes' if i == 1 else 'no'}\n"
    for i in range(1, 5))
# Every row rejected (the amount is not a number): the table stays empty.
TRANSACTIONS = "transaction_id,customer_id,occurred_at,amount\nT1,C1,2026-01-05,twelve\nT2,C2,2026-02-05,n/a\n"
Q1 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.fixture(scope="module")
def absent_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("absent")
    files = {}
    for name, text in [("customers.csv", CUSTOMERS), ("interactions_early.csv", INTERACTIONS_EARLY),
                       ("interactions_march.csv", INTERACTIONS_MARCH), ("transactions.csv", TRANSACTIONS)]:
        files[name] = folder / name
        files[name].write_text(text)
    path = folder / "cx.duckdb"
    load_files([files["customers.csv"], files["interactions_early.csv"], files["transactions.csv"]], db_path=path)
    load_files([files["interactions_march.csv"]], db_path=path)
    return path


@pytest.fixture(scope="module")
def reader(absent_db):
    con = db.connect_readonly(absent_db)
    yield db.Reader(con)
    con.close()


def test_the_loader_records_the_columns_each_file_provided(absent_db):
    con = duckdb.connect(str(absent_db), read_only=True)
    try:
        rows = con.execute("select table_name, column_name, n_rows, first_month from provided_columns "
                           "order by all").fetchall()
    finally:
        con.close()
    got = {(t, c): (n, m) for t, c, n, m in rows}
    assert got[("customers", "customer_id")] == (8, None) and got[("customers", "annual_value")] == (8, None)
    assert ("customers", "churned_on") not in got
    assert got[("interactions", "interaction_id")] in {(8, dt.date(2026, 1, 1)), (4, dt.date(2026, 3, 1))}
    assert [r for r in rows if r[:2] == ("interactions", "escalated")] == [
        ("interactions", "escalated", 4, dt.date(2026, 3, 1))]
    assert got[("transactions", "amount")] == (0, None)   # the file had the column, but no row loaded


def test_coverage_names_the_missing_column_and_the_month_it_starts(reader):
    coverage = metrics.coverage(reader)
    assert coverage.missing("churn_rate") == "no churn date (customers.churned_on) was loaded"
    assert coverage.missing("revenue") == "no transactions (transactions.amount) were loaded"
    assert coverage.missing("escalation_rate") is None
    assert coverage.missing("escalation_rate", dt.date(2026, 2, 1)) == \
        "no escalation flag (interactions.escalated) was loaded before Mar 2026"
    assert coverage.missing("first_contact_resolution", dt.date(2026, 3, 1)) is None
    assert coverage.since("first_contact_resolution") == dt.date(2026, 3, 1)
    assert coverage.missing("contacts") is None and coverage.missing("sla_compliance") is None


def test_a_database_written_before_the_record_counts_its_tables_with_rows_as_provided(tiny_con):
    coverage = metrics.coverage(db.Reader(tiny_con))
    assert coverage.missing("churn_rate") is None and coverage.missing("revenue") is None


def test_the_demo_records_every_column_as_provided(tmp_path):
    from cxdata import demo
    path = tmp_path / "cx.duckdb"
    demo.build_demo(path, customers=40, months=3, today=dt.date(2026, 3, 1))
    con = db.connect_readonly(path)
    try:
        coverage = metrics.coverage(db.Reader(con))
    finally:
        con.close()
    assert all(coverage.missing(kpi) is None for kpi in metrics.NEEDS)
    assert coverage.since("escalation_rate") == dt.date(2025, 12, 1)


def test_overview_tiles_say_not_in_your_data_instead_of_a_number(reader):
    view = ViewState(Q1, "custom")
    data = overview.load(reader, view.filters, view.compare, 1)
    tiles = {t.kpi: t for t in overview.tiles(data, view, 1)}
    churn, revenue = tiles["churn_rate"], tiles["revenue"]
    assert churn.value == "Not in your data" and churn.delta is None and churn.status is None
    assert churn.detail == "no churn date (customers.churned_on) was loaded" and churn.trend.empty
    assert revenue.value == "Not in your data" and "transactions.amount" in revenue.detail
    assert tiles["contacts"].value == "12"   # what the data has still shows
    summary = data.summary.set_index("kpi")
    assert pd.isna(summary.loc["churn_rate", "value"]) and summary.loc["churn_rate", "verdict"] == "no comparison"


def test_trends_show_no_months_before_a_column_was_loaded(reader):
    # FCR: January and February have no escalation flag (today: 100% each), March 3 of 4 = 75%.
    data = trends.load(reader, Q1, "first_contact_resolution", "month", "none", "previous", 1,
                       dt.date(2026, 1, 10), dt.date(2026, 3, 31))
    by = data.series.set_index("period_start")["value"]
    assert by[dt.date(2026, 3, 1)] == pytest.approx(75.0)
    assert by[[dt.date(2026, 1, 1), dt.date(2026, 2, 1)]].isna().all()
    assert data.missing is None and data.changes["previous"].change.delta is None
    churn = trends.load(reader, Q1, "churn_rate", "month", "none", "previous", 1, dt.date(2026, 1, 10),
                        dt.date(2026, 3, 31))
    assert trends.headline(churn) == "Churn rate: not in your data: no churn date (customers.churned_on) was loaded"
    assert churn.series["value"].isna().all()


def test_department_cards_say_not_in_your_data(reader):
    cards = departments.scorecards(reader, MARCH, 1, quarter=dt.date(2026, 1, 1), last_complete_on=dt.date(2026, 3, 31))
    support = departments.card_table(cards.cards, "Support").set_index("Metric")
    assert support.loc["Escalation rate", "Value"] == "not in your data"
    assert support.loc["Escalation rate", "Status"] == \
        "not in your data: no escalation flag (interactions.escalated) was loaded before Mar 2026"
    assert support.loc["Churn after a bad experience", "Status"].startswith("not in your data: no churn date")


def test_the_board_pack_says_not_in_your_data(reader):
    facts = data_status.facts(reader)
    pack = report.build(reader, ViewState(Q1, "custom"), facts, 1)
    # the KPI table and its continuation ("kpis_2")
    rows = {r[0]: r for s in pack.slides if s.key in ("kpis", "kpis_2") for r in s.table.rows}
    assert rows["Churn rate"][1] == "Not in your data" and "customers.churned_on" in rows["Churn rate"][4]
    assert rows["Revenue"][1] == "Not in your data"
    assert not any("churn" in b.lower() and "0.0%" in b for s in pack.slides for b in s.bullets)


def test_the_overview_and_trends_pages_say_not_in_your_data(absent_db, monkeypatch):
    start = _starter(absent_db, monkeypatch)
    at = start(period="custom", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert not at.exception
    values = shown(at)
    assert values["Churn rate"] == "Not in your data" and values["Revenue"] == "Not in your data"
    assert any("customers.churned_on" in c.value for c in at.caption)
    trend = start(period="custom", metric="churn_rate", **{"from": "2026-01-01", "to": "2026-03-31"})
    trend = trend.switch_page("pages/trends.py").run()
    assert not trend.exception
    assert any("not in your data: no churn date (customers.churned_on) was loaded" in i.value for i in trend.info)


def test_an_existing_database_is_upgraded_and_keeps_its_numbers(tiny_db, tmp_path):
    from cxdata import derive
    import shutil
    path = tmp_path / "old.duckdb"
    shutil.copy(tiny_db, path)
    con = duckdb.connect(str(path))
    con.execute("drop table provided_columns; update derived_info set version = 'an older version'")
    con.close()
    assert derive.ensure_current(path)
    con = db.connect_readonly(path)
    try:
        assert con.execute("select count(*) from provided_columns").fetchone()[0] == 0
        assert metrics.coverage(db.Reader(con)).missing("churn_rate") is None
    finally:
        con.close()


def test_service_levels_say_not_in_your_data(reader):
    from cxdata import service
    lv = service.levels(reader, Q1)
    reason = "no escalation flag (interactions.escalated) was loaded before Mar 2026"
    assert lv.missing == {"first_contact_resolution": reason, "escalation_rate": reason}
    assert pd.isna(lv.total["first_contact_resolution"]) and lv.by["department"]["first_contact_resolution"].isna().all()
    assert lv.total["sla_compliance"] == pytest.approx(100.0)   # every contact resolved within its SLA
    march = service.levels(reader, MARCH)
    assert march.missing == {} and march.total["first_contact_resolution"] == pytest.approx(75.0)


def test_the_churn_page_says_churn_is_not_in_your_data(absent_db, monkeypatch):
    at = _starter(absent_db, monkeypatch)().switch_page("pages/churn.py").run()
    assert not at.exception
    assert any("customers.churned_on" in w.value for w in at.warning), [w.value for w in at.warning]


def test_the_data_page_lists_the_metrics_the_data_does_not_provide(absent_db, monkeypatch):
    """The Data & loads page says which metrics read "not in your data" and why, and which start late."""
    listed = data_status.metrics_not_in_data(db.Reader(db.connect_readonly(absent_db)))
    by_metric = dict(zip(listed["metric"], zip(listed["shown_as"], listed["why"])))
    assert by_metric["Churn rate"] == ("not in your data", "no churn date (customers.churned_on) was loaded")
    assert by_metric["Revenue"] == ("not in your data", "no transactions (transactions.amount) were loaded")
    assert by_metric["Escalation rate"][0] == "from Mar 2026 on"
    assert "SLA compliance" not in by_metric and "Contacts" not in by_metric
    at = _starter(absent_db, monkeypatch)()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert "What your data does not provide" in [s.value for s in at.subheader]
    page = next(d.value for d in at.dataframe if "shown_as" in d.value.columns)
    assert page.set_index("metric").loc["Churn rate", "why"] == "no churn date (customers.churned_on) was loaded"
