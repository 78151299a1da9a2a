"""Net and gross revenue retention and the annual value lost to churn, against numbers worked out by hand.

A database of its own (the shared tiny fixture has no revenue history two years deep): eight
customers whose transactions span 2024-02-10 .. 2026-04-01, each one case.

The main view is Q1 2026 (stop 2026-04-01): its retention figures are as of 2026-04-01, so the
trailing year is 2025-04-01 .. 2026-04-01 and the base year 2024-04-01 .. 2025-04-01 (both
exclusive at the end). Its previous period, 2025-10-03 .. 2026-01-01, is as of 2026-01-01: base year
2024-01-01 .. 2025-01-01, which starts before the first transaction (2024-02-10), so it is withheld.

customer  segment      annual  base year (as of 2026-04-01)           trailing year              retained (GRR)
K1 flat   SMB          1000    1000 (2024-06-15; the 2024-02-10 200    1000 (2025-06-15)          1000
                               is before the base year)
K2 expands SMB          800     500 (2024-05-01)                       800 (2025-05-01; the 999 on  500 (capped)
                                                                       2026-04-01 is after it)
K3 contracts SMB        600    1000 (500 on 2024-04-01 00:00, the      600 (2025-10-01)            600
                               first instant, + 500 on 2024-10-01)
K4 churns  SMB          400     400 (2024-07-01)                       100 (2025-05-10), churned   100
                                                                       2025-11-15
K5 refunds SMB          500     500 (600 - 100 refund)                 -100 (500 - 600 refund)     0 (floored)
K6 new     Mid-Market   900     none: signed up 2025-06-01             900 (2025-07-01)            not in the cohort
K7 other   Enterprise  3000    2000 (2025-03-31 23:59:59, the last     3000 (2025-09-01)           2000 (capped)
  segment                      instant)
K8 churns  SMB         1200    1200 (2024-05-15)                       300 (2025-05-15), churned   300
                                                                       2026-02-10
K9 joined  Mid-Market  (none)   300, but signed up 2024-09-01, inside   1200 (2025-10-01)           not in the cohort
  mid-year                     the base year: a part-year base would
                               read as 300% retention

All:  base 1000+500+1000+400+500+2000+1200 = 6600, trailing 1000+800+600+100-100+3000+300 = 5700,
      retained 1000+500+600+100+0+2000+300 = 4500: NRR 5700/6600 = 86.36%, GRR 4500/6600 = 68.18%, n 7.
SMB:  without K7: base 4600, trailing 2700, retained 2500: NRR 58.70%, GRR 54.35%, n 6.
"""
import datetime as dt

import pandas as pd
import pytest

from cxdata import db, derive, metrics
from cxdata.filters import Filters

Q1 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))      # previous: 2025-10-03 .. 2025-12-31
MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))   # previous: 2026-01-29 .. 2026-02-28

CUSTOMERS = """
insert into customers (customer_id, segment, region, plan, signup_date, annual_value, churned_on) values
    ('K1', 'SMB', 'Europe', 'Plus', date '2023-01-01', 1000, null),
    ('K2', 'SMB', 'Europe', 'Plus', date '2023-01-01', 800, null),
    ('K3', 'SMB', 'Europe', 'Plus', date '2023-01-01', 600, null),
    ('K4', 'SMB', 'Europe', 'Plus', date '2023-01-01', 400, date '2025-11-15'),
    ('K5', 'SMB', 'Europe', 'Plus', date '2023-01-01', 500, null),
    ('K6', 'Mid-Market', 'Europe', 'Plus', date '2025-06-01', 900, null),
    ('K7', 'Enterprise', 'Europe', 'Plus', date '2023-01-01', 3000, null),
    ('K8', 'SMB', 'Europe', 'Plus', date '2023-01-01', 1200, date '2026-02-10'),
    ('K9', 'Mid-Market', 'Europe', 'Plus', date '2024-09-01', null, null);
"""

TRANSACTIONS = """
insert into transactions (transaction_id, customer_id, occurred_at, amount) values
    ('t01', 'K1', timestamp '2024-02-10 09:00:00', 200), ('t02', 'K1', timestamp '2024-06-15 09:00:00', 1000),
    ('t03', 'K1', timestamp '2025-06-15 09:00:00', 1000),
    ('t04', 'K2', timestamp '2024-05-01 09:00:00', 500), ('t05', 'K2', timestamp '2025-05-01 09:00:00', 800),
    ('t06', 'K2', timestamp '2026-04-01 00:00:00', 999),
    ('t07', 'K3', timestamp '2024-04-01 00:00:00', 500), ('t08', 'K3', timestamp '2024-10-01 09:00:00', 500),
    ('t09', 'K3', timestamp '2025-10-01 09:00:00', 600),
    ('t10', 'K4', timestamp '2024-07-01 09:00:00', 400), ('t11', 'K4', timestamp '2025-05-10 09:00:00', 100),
    ('t12', 'K5', timestamp '2024-08-01 09:00:00', 600), ('t13', 'K5', timestamp '2024-08-20 09:00:00', -100),
    ('t14', 'K5', timestamp '2025-08-01 09:00:00', 500), ('t15', 'K5', timestamp '2025-08-20 09:00:00', -600),
    ('t16', 'K6', timestamp '2025-07-01 09:00:00', 900),
    ('t17', 'K7', timestamp '2025-03-31 23:59:59', 2000), ('t18', 'K7', timestamp '2025-09-01 09:00:00', 3000),
    ('t19', 'K8', timestamp '2024-05-15 09:00:00', 1200), ('t20', 'K8', timestamp '2025-05-15 09:00:00', 300),
    ('t21', 'K9', timestamp '2024-10-01 09:00:00', 300), ('t22', 'K9', timestamp '2025-10-01 09:00:00', 1200);
"""


def _database(path, rows: str):
    with derive.writable_copy(path) as con:
        con.execute(rows)
    return db.connect_readonly(path)


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    con = _database(tmp_path_factory.mktemp("revenue") / "cx.duckdb", CUSTOMERS + TRANSACTIONS)
    yield db.Reader(con)
    con.close()


@pytest.fixture(scope="module")
def reader_without_transactions(tmp_path_factory):
    con = _database(tmp_path_factory.mktemp("no_revenue") / "cx.duckdb", CUSTOMERS)
    yield db.Reader(con)
    con.close()


def rows(reader, filters: Filters, compare: str = "previous", reference: bool = False):
    """Both paths' long rows, checked equal, indexed by (kpi, period)."""
    params = metrics.period_params(filters, compare)
    derived = reader.run("revenue_retention", params)
    raw = reader.run("raw_revenue_retention", params)
    assert derived.astype(str).values.tolist() == raw.astype(str).values.tolist()
    return (raw if reference else derived).set_index(["kpi", "period"])


def test_retention_of_flat_expanding_contracting_churned_and_refunded_customers(reader):
    long = rows(reader, Q1)
    nrr, grr = long.loc[("net_revenue_retention", "current")], long.loc[("gross_revenue_retention", "current")]
    assert nrr["value"] == pytest.approx(100 * 5700 / 6600)   # 86.36
    assert grr["value"] == pytest.approx(100 * 4500 / 6600)   # 68.18
    assert nrr["n"] == grr["n"] == 7                          # K6, new in the trailing year, is not in it
    assert pd.isna(nrr["moe"]) and pd.isna(nrr["reason"])      # a census (no margin), shown


def test_only_customer_filters_narrow_the_cohort(reader):
    long = rows(reader, Q1.replace(segment=["SMB"]))
    assert long.loc[("net_revenue_retention", "current"), "value"] == pytest.approx(100 * 2700 / 4600)  # 58.70
    assert long.loc[("gross_revenue_retention", "current"), "value"] == pytest.approx(100 * 2500 / 4600)  # 54.35
    assert long.loc[("net_revenue_retention", "current"), "n"] == 6
    # A channel or department says nothing about a customer's revenue: it is ignored.
    assert rows(reader, Q1.replace(channel=["chat"], department=["Billing"])).equals(rows(reader, Q1))


def test_a_base_year_the_transactions_do_not_cover_is_withheld(reader):
    long = rows(reader, Q1)   # previous: as of 2026-01-01, base year from 2024-01-01 < 2024-02-10
    for kpi in ("net_revenue_retention", "gross_revenue_retention"):
        row = long.loc[(kpi, "previous")]
        assert pd.isna(row["value"]) and pd.isna(row["n"]) and row["reason"] == "base_year_not_covered"


def test_a_trailing_year_after_the_last_transaction_is_withheld(reader):
    long = rows(reader, Filters(dt.date(2026, 6, 1), dt.date(2026, 8, 31)))  # as of 2026-09-01
    assert long.loc[("net_revenue_retention", "current"), "reason"] == "trailing_year_not_covered"


def test_the_as_of_month_moves_the_windows(reader):
    # As of 2026-03-01 the base year is 2024-03-01 .. 2025-03-01: K7's only base payment
    # (2025-03-31) falls in its trailing year, so K7 leaves the cohort: base 4600, trailing
    # 2700, retained 2500, as for SMB above.
    long = rows(reader, MARCH)
    assert long.loc[("net_revenue_retention", "previous"), "value"] == pytest.approx(100 * 2700 / 4600)
    assert long.loc[("gross_revenue_retention", "previous"), "value"] == pytest.approx(100 * 2500 / 4600)
    assert long.loc[("net_revenue_retention", "previous"), "n"] == 6
    assert long.loc[("net_revenue_retention", "current"), "value"] == pytest.approx(100 * 5700 / 6600)


def test_a_cohort_with_no_base_revenue_is_withheld_not_divided_by_zero(reader):
    long = rows(reader, Q1.replace(segment=["Mid-Market"]))   # only K6, new in the trailing year
    for kpi in ("net_revenue_retention", "gross_revenue_retention"):
        assert long.loc[(kpi, "current"), "reason"] == "empty_cohort"
        assert pd.isna(long.loc[(kpi, "current"), "value"])


def test_annual_value_lost_in_each_period(reader):
    long = rows(reader, Q1)
    # Current: K8 (1,200) lost on 2026-02-10; active on 2026-01-01: everyone but K4 = 8,000.
    assert long.loc[("annual_value_lost", "current"), "value"] == 1200
    assert long.loc[("annual_value_lost", "current"), "n"] == 1
    assert long.loc[("annual_value_lost_share", "current"), "value"] == pytest.approx(100 * 1200 / 8000)  # 15%
    # Previous: K4 (400) lost on 2025-11-15; active on 2025-10-03: all eight = 8,400.
    assert long.loc[("annual_value_lost", "previous"), "value"] == 400
    assert long.loc[("annual_value_lost_share", "previous"), "value"] == pytest.approx(100 * 400 / 8400)  # 4.76%
    # SMB, active on 2026-01-01: K1 + K2 + K3 + K5 + K8 = 1000 + 800 + 600 + 500 + 1200 = 4,100.
    smb = rows(reader, Q1.replace(segment=["SMB"]))
    assert smb.loc[("annual_value_lost_share", "current"), "value"] == pytest.approx(100 * 1200 / 4100)  # 29.27%


def test_no_one_lost_is_zero_and_no_value_at_start_is_withheld(reader):
    march = rows(reader, MARCH)     # nobody churns in March 2026
    assert march.loc[("annual_value_lost", "current"), "value"] == 0
    assert march.loc[("annual_value_lost", "current"), "n"] == 0
    assert march.loc[("annual_value_lost_share", "current"), "value"] == 0
    nobody = rows(reader, Q1.replace(segment=["Consumer"]))
    assert nobody.loc[("annual_value_lost", "current"), "value"] == 0
    assert nobody.loc[("annual_value_lost_share", "current"), "reason"] == "no_value_at_start"


def test_no_transactions_at_all_withholds_retention(reader_without_transactions):
    long = rows(reader_without_transactions, Q1)
    for kpi in ("net_revenue_retention", "gross_revenue_retention"):
        for period in ("current", "previous"):
            assert long.loc[(kpi, period), "reason"] == "no_transactions"
    assert long.loc[("annual_value_lost", "current"), "value"] == 1200   # customers still churn


def test_revenue_retention_rows_compare_the_two_periods(reader):
    summary = metrics.revenue_retention(reader, MARCH, "previous").set_index("kpi")
    assert list(summary.index) == list(metrics.REVENUE_RETENTION_KPIS)
    nrr = summary.loc["net_revenue_retention"]
    assert nrr["value"] == pytest.approx(100 * 5700 / 6600) and nrr["prev_value"] == pytest.approx(100 * 2700 / 4600)
    assert (nrr["n"], nrr["prev_n"]) == (7, 6)
    assert nrr["delta"] == pytest.approx(100 * 5700 / 6600 - 100 * 2700 / 4600)   # +27.67 pts
    assert nrr["verdict"] == "change" and nrr["is_better"]   # a census: no margin, no test
    lost = summary.loc["annual_value_lost"]   # 0 in March, K8's 1,200 in 2026-01-29 .. 2026-02-28
    assert (lost["value"], lost["prev_value"], lost["delta"]) == (0, 1200, -1200)
    assert lost["is_better"]   # lower is better
    assert summary.loc[list(metrics.REVENUE_RETENTION_KPIS), "reason"].isna().all()


def test_a_withheld_period_is_not_compared(reader):
    summary = metrics.revenue_retention(reader, Q1, "previous", reference=True).set_index("kpi")
    nrr = summary.loc["net_revenue_retention"]
    assert nrr["is_enough"] and nrr["value"] == pytest.approx(100 * 5700 / 6600)
    assert pd.isna(nrr["prev_value"]) and nrr["prev_reason"] == "base_year_not_covered"
    assert pd.isna(nrr["delta"]) and nrr["verdict"] == "no comparison"
    assert metrics.WITHHELD_REASONS[nrr["prev_reason"]]
