"""The rows behind a number recompute it exactly (tests/conftest.py's hand-checked tiny database), with
personal data masked, and download as CSV and Excel files that open with those rows."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from cxdata import db, derive, drill, exports, metrics
from tests.conftest import Q1_2026

SMB = Q1_2026.replace(segment=["SMB"])
BILLING = Q1_2026.replace(department=["Billing"])


@pytest.fixture(scope="module")
def reader(tiny_con):
    return db.Reader(tiny_con)


def _summary(reader, filters) -> pd.DataFrame:
    return metrics.kpi_summary(reader, filters, "previous", min_responses=1).set_index("kpi")


def _nps(rows: pd.DataFrame) -> float:
    classes = rows["Counts as"].value_counts()
    return 100 * (classes.get("promoter", 0) - classes.get("detractor", 0)) / len(rows)


@pytest.mark.parametrize("filters, n, nps", [(Q1_2026, 100, 30.0), (SMB, 80, 62.5)])
def test_nps_rows_recompute_the_tile(reader, filters, n, nps):
    # Q1 2026: 100 answers, 50 promoters, 20 detractors (Enterprise); SMB: 80 answers, 50 promoters, none detractors.
    got = drill.rows(reader, filters, "nps")
    tile = _summary(reader, filters).loc["nps"]
    assert got.n == len(got.rows) == tile["n"] == n
    assert _nps(got.rows) == pytest.approx(tile["value"]) == pytest.approx(nps)
    assert set(got.rows["Survey"]) == {"nps"}


def test_csat_rows_recompute_the_tile(reader):
    # 40 answers: 20 fives and 10 fours are satisfied: 75%.
    got = drill.rows(reader, Q1_2026, "csat")
    satisfied = (got.rows["Counts as"] == "satisfied").sum()
    assert got.n == _summary(reader, Q1_2026).loc["csat", "n"] == 40
    assert 100 * satisfied / got.n == pytest.approx(_summary(reader, Q1_2026).loc["csat", "value"]) == 75.0


@pytest.mark.parametrize("filters, judged, pct", [(Q1_2026, 10, 80.0), (BILLING, 4, 50.0), (SMB, 10, 80.0)])
def test_sla_rows_are_the_contacts_judged(reader, filters, judged, pct):
    # 10 contacts with a 1-hour SLA, I9 and I10 (Billing) resolved after 2 hours.
    got = drill.rows(reader, filters, "sla_compliance")
    tile = _summary(reader, filters).loc["sla_compliance"]
    assert got.n == tile["n"] == judged
    assert 100 * got.rows["Resolved on time"].sum() / got.n == pytest.approx(tile["value"]) == pct
    assert set(got.rows.loc[~got.rows["Resolved on time"], "Contact"]) == {"I9", "I10"}


@pytest.mark.parametrize("filters, active, lost", [(Q1_2026, 18, 2), (SMB, 10, 2)])
def test_churn_rows_are_the_customers_active_at_start(reader, filters, active, lost):
    # Active on 1 Jan 2026: C01-C19 but C11 (left Nov 2025); C20 signed up in February. C01, C02 left 15 Feb.
    got = drill.rows(reader, filters, "churn_rate")
    tile = _summary(reader, filters).loc["churn_rate"]
    assert got.n == tile["n"] == active
    assert got.rows["Lost in the period"].sum() == lost
    assert 100 * lost / active == pytest.approx(tile["value"])
    assert list(got.rows["Customer"].head(2)) == ["C01", "C02"]      # the lost ones first
    assert "C11" not in set(got.rows["Customer"]) and "C20" not in set(got.rows["Customer"])


@pytest.mark.parametrize("filters, n, total", [(Q1_2026, 3, 300.00), (SMB, 1, 100.00),
                                               (Q1_2026.replace(segment=["Enterprise"]), 2, 200.00)])
def test_revenue_rows_add_up_to_the_tile(reader, filters, n, total):
    got = drill.rows(reader, filters, "revenue")
    tile = _summary(reader, filters).loc["revenue"]
    assert got.n == tile["n"] == n
    assert got.rows["Amount"].sum() == pytest.approx(tile["value"]) == pytest.approx(total)


def test_first_response_rows_split_live_and_written(reader):
    live, written = drill.rows(reader, Q1_2026, "first_response_live"), drill.rows(reader, Q1_2026, "first_response_written")
    summary = _summary(reader, Q1_2026)
    assert (live.n, written.n) == (summary.loc["first_response_live", "n"], summary.loc["first_response_written", "n"]) == (6, 4)
    # the median of 10..60 seconds (rank ceil(6 * 0.5) - 1 = 2: 30 s), in minutes on the rows
    assert live.rows["First response (minutes)"].sort_values().iloc[2] * 60 == pytest.approx(
        summary.loc["first_response_live", "value"])


def test_the_limit_caps_rows_and_keeps_the_count(reader):
    got = drill.rows(reader, Q1_2026, "nps", limit=7)
    assert (got.n, len(got.rows), got.is_capped) == (100, 7, True)
    assert got.count_line(shown=5) == "100 answers; the first 5 are shown, a download holds the first 7"
    assert drill.rows(reader, Q1_2026, "csat").count_line() == "40 answers"


def test_an_empty_view_has_no_rows(reader):
    got = drill.rows(reader, Q1_2026.replace(segment=["Enterprise"]), "sla_compliance")
    assert got.n == 0 and got.rows.empty and got.count_line() == "0 contacts"


def test_comments_are_masked_and_names_left_out(tmp_path):
    path = tmp_path / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute("""
            insert into customers values ('C1', 'Ana Ruiz', 'SMB', 'Europe', 'ES', 'Plus', date '2025-01-01', 10,
                                          'Owner Person', null);
            insert into feedback values ('F1', 'C1', null, timestamp '2026-01-02 10:00', 'nps', 2,
                                         'Call me on +34 612 345 678 or ana.ruiz@example.com', null, null, null)""")
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        answers = drill.rows(reader, Q1_2026, "nps").rows
        customers = drill.rows(reader, Q1_2026.replace(start=dt.date(2026, 1, 1)), "churn_rate").rows
    finally:
        con.close()
    assert answers["Comment (masked)"].tolist() == ["Call me on [phone] or [email]"]
    text = answers.to_csv() + customers.to_csv()
    assert "Ana Ruiz" not in text and "Owner Person" not in text and "example.com" not in text
    assert customers["Customer"].tolist() == ["C1"]


def test_shown_cells_never_read_none_nan_or_inf():
    table = pd.DataFrame({"a": [1234567, None], "b": [float("inf"), 2.5], "c": [True, None],
                          "d": [pd.Timestamp("2026-01-02"), pd.NaT], "e": [pd.Timestamp("2026-01-02 10:30"), None]})
    out = drill.shown(table)
    assert out.to_dict("list") == {"a": ["1,234,567", ""], "b": ["", "2.50"], "c": ["yes", ""],
                                   "d": ["2026-01-02", ""], "e": ["2026-01-02 10:30", ""]}


def test_csv_and_xlsx_bytes_open_with_the_rows(reader):
    got = drill.rows(reader, Q1_2026, "sla_compliance")
    back = pd.read_csv(io.BytesIO(exports.csv_bytes(got.rows)), encoding="utf-8-sig")
    assert len(back) == 10 and list(back.columns) == list(got.rows.columns)
    assert back["Resolved on time"].sum() == 8
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(got.rows, "SLA compliance")))
    sheet = book["SLA compliance"]
    values = list(sheet.values)
    assert values[0] == tuple(got.rows.columns) and len(values) == 11
    assert sorted(r[0] for r in values[1:]) == sorted(got.rows["Contact"])
    assert isinstance(values[1][1], dt.datetime)          # typed, not text
    assert sheet.freeze_panes == "A2"


def test_cell_filters_read_the_quarter_to_the_views_end():
    f = drill.cell_filters(Q1_2026.replace(end=dt.date(2026, 5, 20)), "Billing", dt.date(2026, 4, 1))
    assert (f.start, f.end, f["department"]) == (dt.date(2026, 4, 1), dt.date(2026, 5, 20), ("Billing",))
    f = drill.cell_filters(Q1_2026, "Support", dt.date(2025, 10, 1))
    assert (f.start, f.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_every_tile_kpi_it_names_has_a_query():
    assert all(db.query_params(r.query) >= {"start", "filters", "limit"} for r in drill.ROWS_OF.values())
    assert set(drill.ROWS_OF) <= set(metrics.KPIS)


def test_the_overview_download_holds_each_tiles_number_n_change_and_status(reader):
    from cxdata import overview
    from cxdata.filters import ViewState

    view = ViewState(Q1_2026, preset="custom")
    data = overview.load(reader, Q1_2026, "previous", 30)
    table = overview.export_table(data, overview.tiles(data, view, 30)).set_index("Metric")
    assert list(table.index) == [metrics.KPIS[k].label for k in overview.TILE_ORDER]
    nps = table.loc["NPS"]   # 50 - 20 of 100 now, 40 - 30 of 100 before; target 25
    assert (nps["Value"], nps["n"], nps["Comparison value"], nps["Target"], nps["Status"]) == (30, 100, 10, 25, "met")
    assert nps["Margin (±, 95%)"] == pytest.approx(data.summary.set_index("kpi").loc["nps", "moe"])
    ces = table.loc["CES"]   # 10 answers: too few for a score, so no number in the file either
    assert pd.isna(ces["Value"]) and ces["n"] == 10 and ces["Shown as"] == "Too few answers"
    assert table.loc["Revenue", "Value"] == pytest.approx(300.0) and table.loc["CSAT", "Status"] == "no target"
    back = pd.read_csv(io.BytesIO(exports.csv_bytes(table.reset_index())), encoding="utf-8-sig")
    assert len(back) == len(overview.TILE_ORDER) and "nan" not in exports.csv_bytes(table).decode("utf-8-sig")


def test_the_trend_download_is_the_series_and_a_period_drills_to_its_days(reader):
    from cxdata import trends

    data = trends.load(reader, Q1_2026, "nps", "month", "none", "previous", 1, dt.date(2025, 11, 15),
                       dt.date(2026, 3, 5))
    table = trends.export_table(data).set_index("Period")
    assert table.loc["January 2026", "NPS"] == pytest.approx(30.0) and table.loc["January 2026", "n"] == 100
    assert table.loc["November 2025", "NPS"] == pytest.approx(10.0)
    assert pd.isna(table.loc["February 2026", "NPS"])           # no answers: blank, not 0
    january = trends.period_filters(Q1_2026, dt.date(2026, 1, 1), "month")
    assert (january.start, january.end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert drill.rows(reader, january, "nps").n == 100
    last = trends.period_filters(Q1_2026.replace(end=dt.date(2026, 3, 5)), dt.date(2026, 1, 1), "quarter")
    assert last.end == dt.date(2026, 3, 5)                       # cut at the view's end
