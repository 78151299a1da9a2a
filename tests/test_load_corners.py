"""The loader's corners (issue 21, items 4 and 10): what gets in from odd values and odd files, read
through the real loader into real DuckDB files in tmp_path. Expected values are worked out by hand
in the comments."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cxdata import db
from cxdata.load import LoadError, load_files
from cxdata.load.upload import load_uploads

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def rejects(path: Path) -> list[tuple]:
    """(line, column, reason, value) of the latest run's rejected cells."""
    return query(path, "select line, column_name, reason, value from rejected_rows where load_id = "
                       "(select load_id from loads order by started_at desc limit 1) order by line, column_name")


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxdata", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


FINITE = "not a finite number (NaN, infinity, or too large to hold)"
SEPARATOR = "not a number (use . for decimals, no thousands separators or currency signs)"
BEFORE_1900 = "before 1900 (the earliest year the loader accepts: a typing slip or a placeholder date?)"


# ---- numbers ---------------------------------------------------------------------------------

def test_amounts_that_are_not_finite_or_have_separators_are_rejected_with_a_reason(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    path = write(tmp_path, "payments.csv", "transaction_id,customer_id,occurred_at,amount\n"
                                           "T1,C1,2024-01-01,NaN\nT2,C1,2024-01-01,inf\n"
                                           "T3,C1,2024-01-01,1e309\nT4,C1,2024-01-01,1_000\n"
                                           "T5,C1,2024-01-01,12.50\n")
    report = load_files([path], db_path=dbfile)  # today: a NOT NULL traceback and no loads row
    assert (report.files[0].n_loaded, report.files[0].n_rejected) == (1, 4)
    assert rejects(dbfile) == [(2, "amount", FINITE, "NaN"), (3, "amount", FINITE, "inf"),
                               (4, "amount", FINITE, "1e309"), (5, "amount", SEPARATOR, "1_000")]
    assert query(dbfile, "select transaction_id, amount::double from transactions") == [("T5", 12.5)]
    assert query(dbfile, "select outcome, n_read, n_rejected from loads") == [("ok_with_rejects", 5, 4)]


def test_annual_value_nan_or_infinity_is_rejected_not_stored_empty(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    path = write(tmp_path, "customers.csv", "customer_id,annual_value\nC1,nan\nC2,-Infinity\nC3,1200\n")
    load_files([path], db_path=dbfile)
    assert rejects(dbfile) == [(2, "annual_value", FINITE, "nan"), (3, "annual_value", FINITE, "-Infinity")]
    assert query(dbfile, "select customer_id, annual_value::double from customers") == [("C3", 1200.0)]


def test_a_whole_number_too_large_for_its_column_says_so(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    path = write(tmp_path, "feedback.csv", "feedback_id,customer_id,submitted_at,survey,score\n"
                                           "F1,C1,2024-01-01 10:00,nps,99999999999\n"
                                           "F2,C1,2024-01-01 10:00,nps,9.5\n"
                                           "F3,C1,2024-01-01 10:00,nps,1_0\n"
                                           "F4,C1,2024-01-01 10:00,nps,9\n")
    load_files([path], db_path=dbfile)
    assert rejects(dbfile) == [(2, "score", "too large (at most 32,767)", "99999999999"),
                               (3, "score", "not a whole number", "9.5"),
                               (4, "score", "not a whole number", "1_0")]


# ---- dates -----------------------------------------------------------------------------------

def test_dates_before_1900_are_rejected_and_the_summary_rebuild_still_runs(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    customers = write(tmp_path, "customers.csv", "customer_id,signup_date\nC1,0001-01-01\nC2,1677-09-21\n"
                                                 "C3,0044-03-15 (BC)\nC4,1899-12-31\nC5,1900-01-01\n")
    contacts = write(tmp_path, "interactions.csv", "interaction_id,customer_id,started_at,channel\n"
                                                   "I1,C5,1066-10-14 09:00,phone\nI2,C5,2024-02-01 09:00,phone\n")
    report = load_files([customers, contacts], db_path=dbfile)  # today: the BC date crashes the rebuild
    assert [f.n_rejected for f in report.files] == [4, 1]
    assert rejects(dbfile) == [
        (2, "signup_date", BEFORE_1900, "0001-01-01"), (2, "started_at", BEFORE_1900, "1066-10-14 09:00"),
        (3, "signup_date", BEFORE_1900, "1677-09-21"), (4, "signup_date", BEFORE_1900, "0044-03-15 (BC)"),
        (5, "signup_date", BEFORE_1900, "1899-12-31")]
    assert query(dbfile, "select customer_id, signup_date::varchar from customers") == [("C5", "1900-01-01")]


# ---- time zones ------------------------------------------------------------------------------

ZONES = """\
feedback_id,customer_id,submitted_at,survey,score
F1,C1,2024-07-01 10:00+25:00,nps,9
F2,C1,2024-07-01 10:00 PST,nps,9
F3,C1,2024-07-01 10:00 Europe/Madrid,nps,9
F4,C1,2024-07-01 10:00+05:30:45,nps,9
F5,C1,2024-07-01T10:00:00 Mars/Olympus_Mons,nps,9
F6,C1,2024-07-01 10:00:00-05:00,nps,9
F7,C1,2024-07-01T10:00:00Z,nps,9
F8,C1,2024-07-01 10:00 UTC,nps,9
F9,C1,01/07/2024 10:00 America/Sao_Paulo,nps,9
F10,C1,2024-07-01 10:00,nps,9
F11,C1,2024-07-01 10:00:00 -0500,nps,9
F12,C1,01/07/2024 10:00 +02:00,nps,9
"""


def test_named_zones_are_converted_and_unusable_zones_are_rejected(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    load_files([write(tmp_path, "feedback.csv", ZONES)], db_path=dbfile)
    kind = "time-zone offset"
    assert rejects(dbfile) == [
        (2, "submitted_at", f"{kind} +25:00 is out of range (-12:00 to +14:00)", "2024-07-01 10:00+25:00"),
        (3, "submitted_at", "time-zone abbreviation PST names several zones: give an offset (-08:00) or a "
                            "zone name (America/Los_Angeles)", "2024-07-01 10:00 PST"),
        (5, "submitted_at", f"{kind} +05:30:45 has seconds: give hours and minutes (+05:30)",
         "2024-07-01 10:00+05:30:45"),
        (6, "submitted_at", "unknown time zone Mars/Olympus_Mons: use a name of the time-zone database, "
                            "e.g. Europe/Madrid", "2024-07-01T10:00:00 Mars/Olympus_Mons")]
    # Madrid is UTC+2 in July, -05:00 is 5 h behind, Sao Paulo UTC-3 (day-first date); no zone: as given
    # (UTC); an offset after a space (Shopify's export) and after a day-first date are offsets too
    assert query(dbfile, "select feedback_id, submitted_at::varchar from feedback order by 1") == [
        ("F10", "2024-07-01 10:00:00"), ("F11", "2024-07-01 15:00:00"), ("F12", "2024-07-01 08:00:00"),
        ("F3", "2024-07-01 08:00:00"), ("F6", "2024-07-01 15:00:00"),
        ("F7", "2024-07-01 10:00:00"), ("F8", "2024-07-01 10:00:00"), ("F9", "2024-07-01 13:00:00")]


def test_timestamps_are_stored_on_the_company_clock(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_TIMEZONE", "America/New_York")
    dbfile = tmp_path / "cx.duckdb"
    path = write(tmp_path, "interactions.csv", "interaction_id,customer_id,started_at,channel\n"
                                               "I1,C1,2024-01-15 09:00,phone\nI2,C1,2024-07-15 09:00+01:00,phone\n"
                                               "I3,C1,2024-01-15 09:00 Europe/Madrid,phone\n")
    load_files([path], db_path=dbfile)
    # without a zone: already on the company's clock; +01:00 is 08:00 UTC, 04:00 in New York (UTC-4 in
    # July); 09:00 in Madrid in January is 08:00 UTC, 03:00 in New York (UTC-5)
    assert query(dbfile, "select interaction_id, started_at::varchar from interactions order by 1") == [
        ("I1", "2024-01-15 09:00:00"), ("I2", "2024-07-15 04:00:00"), ("I3", "2024-01-15 03:00:00")]


def test_an_unknown_company_time_zone_stops_the_run_naming_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_TIMEZONE", "PST")
    path = write(tmp_path, "customers.csv", "customer_id\nC1\n")
    with pytest.raises(LoadError) as caught:
        load_files([path], db_path=tmp_path / "cx.duckdb")
    assert "CX_TIMEZONE='PST' is not a time zone of the tz database" in str(caught.value)


# ---- deadlines given as a date (item 4) ------------------------------------------------------

DEADLINE_MAPPING = """\
table = "interactions"
[columns]
id = "interaction_id"
customer = "customer_id"
created = "started_at"
delivered = "resolved_at"
[constants]
channel = "web"
[derived]
sla_seconds = "date_diff('second', moment(created), deadline(due))"
"""

DEADLINES = """\
id,customer,created,delivered,due
D1,C1,2024-03-01 10:00:00,2024-03-05 18:00:00,2024-03-05
D2,C1,2024-03-01 10:00:00,2024-03-05 18:00:00,2024-03-05 00:00:00
D3,C1,2024-03-01 10:00:00,2024-03-06 00:30:00,2024-03-05
D4,C1,2024-03-09 10:00:00,2024-03-10 23:00:00,2024-03-10
"""


def _sla(dbfile: Path) -> list[tuple]:
    return query(dbfile, "select interaction_id, sla_seconds, sla_met(started_at, resolved_at, sla_seconds, "
                         "now()::timestamp) from interactions order by 1")


def test_a_date_only_deadline_runs_to_the_end_of_that_day(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    mapping = write(tmp_path, "map.toml", DEADLINE_MAPPING)
    load_files([write(tmp_path, "orders.csv", DEADLINES)], mapping=mapping, db_path=dbfile)
    # D1: due 5 March (a date) = until 6 March 00:00: 4 days 14 h = 396,000 s; delivered 5 March 18:00, on time
    # D2: due 5 March 00:00:00 (a time is given) = that moment: 3 days 14 h = 309,600 s, so late
    # D3: delivered half an hour after the promised day ended: late
    # D4: due 10 March, from 9 March 10:00 = 38 h
    assert _sla(dbfile) == [("D1", 396000.0, True), ("D2", 309600.0, False), ("D3", 396000.0, False),
                            ("D4", 136800.0, True)]


ZONED_DEADLINE = """\
id,customer,created,delivered,due
Z1,C1,2024-03-01T15:00:00Z,2024-03-05 23:30:00-05:00,2024-03-05
"""


def test_a_date_only_deadline_ends_at_midnight_in_the_company_time_zone(tmp_path, monkeypatch):
    dbfile = tmp_path / "cx.duckdb"
    mapping = write(tmp_path, "map.toml", DEADLINE_MAPPING)
    orders = write(tmp_path, "orders.csv", ZONED_DEADLINE)
    monkeypatch.setenv("CX_TIMEZONE", "America/New_York")
    load_files([orders], mapping=mapping, db_path=dbfile)
    # created 15:00 UTC = 10:00 in New York; the 5th ends at midnight there: 4 days 14 h = 396,000 s;
    # delivered 23:30 New York time on the 5th: on time
    assert _sla(dbfile) == [("Z1", 396000.0, True)]
    assert query(dbfile, "select started_at::varchar, resolved_at::varchar from interactions") == [
        ("2024-03-01 10:00:00", "2024-03-05 23:30:00")]
    # the same file for a company on UTC: the day ends 4 days 9 h after 15:00 UTC, and the delivery
    # (04:30 UTC on the 6th) is late
    monkeypatch.setenv("CX_TIMEZONE", "UTC")
    load_files([orders], mapping=mapping, db_path=tmp_path / "utc.duckdb")
    assert _sla(tmp_path / "utc.duckdb") == [("Z1", 378000.0, False)]


def test_a_deadline_layout_without_a_time_is_a_whole_day_too(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    mapping = write(tmp_path, "map.toml", DEADLINE_MAPPING.replace(
        "deadline(due)", "deadline(due, '%m/%d/%Y')"))
    load_files([write(tmp_path, "orders.csv", "id,customer,created,delivered,due\n"
                                              "U1,C1,2024-03-01 10:00:00,2024-03-05 18:00:00,03/05/2024\n")],
               mapping=mapping, db_path=dbfile)
    assert _sla(dbfile) == [("U1", 396000.0, True)]


def test_the_ecommerce_preset_counts_a_delivery_on_the_promised_day_as_on_time(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    orders = write(tmp_path, "orders.csv", (
        "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
        "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n"
        "O1,C1,delivered,2024-03-01 10:00:00,2024-03-01 10:10:00,2024-03-02 08:00:00,"
        "2024-03-05 21:30:00,2024-03-05 00:00:00\n"
        "O2,C1,delivered,2024-03-01 10:00:00,2024-03-01 10:10:00,2024-03-02 08:00:00,"
        "2024-03-06 09:00:00,2024-03-05 00:00:00\n"))
    load_files([orders], preset="ecommerce", db_path=dbfile)
    # the estimate is a date written with a midnight time: the promise ends 6 March 00:00
    assert _sla(dbfile) == [("O1", 396000.0, True), ("O2", 396000.0, False)]


# ---- long fields and quotes ------------------------------------------------------------------

def test_a_field_over_2_mb_loads_instead_of_failing_the_file(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    path = write(tmp_path, "customers.csv", "customer_id,name,signup_date\nC1,Ana,2024-01-01\n"
                                            f"C2,{'y' * 3_000_000},2024-01-01\nC3,Cy,someday\n")
    load_files([path], db_path=dbfile)
    assert query(dbfile, "select customer_id, length(name) from customers order by 1") == [
        ("C1", 3), ("C2", 3_000_000)]
    assert [r[:3] for r in rejects(dbfile)] == [(4, "signup_date", "not a date (expected e.g. 2024-05-31 or "
                                                                   "31/05/2024; other layouts need [formats] "
                                                                   "in a mapping)")]


def test_a_10_mb_quoted_multiline_field_keeps_the_file_and_its_line_numbers(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    thread = "line of an e-mail thread, with a comma\n" * 260_000  # 10.1 MB on 260,000 lines
    path = write(tmp_path, "customers.csv", "customer_id,name,signup_date\nC1,Ana,2024-01-01\n"
                                            f'C2,"{thread}",2024-01-01\nC3,Cy,someday\n')
    load_files([path], db_path=dbfile)
    assert query(dbfile, "select customer_id, length(name) from customers order by 1") == [
        ("C1", 3), ("C2", len(thread.rstrip("\n")))]
    # C2 starts on line 3 and takes 260,001 lines (its last one is the closing quote), so C3 is on 260,004
    assert [r[:2] for r in rejects(dbfile)] == [(260_004, "signup_date")]


def test_an_unclosed_quote_rejects_its_row_and_quoted_values_lose_their_quotes(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    path = write(tmp_path, "customers.csv", 'customer_id,name,plan\nC1,"Ana",Plus\nC2,"Bo,Plus\n'
                                            'C3,Cy,Basic\nC4,"""Dee"" D",Plus\n')
    report = load_files([path], db_path=dbfile)
    assert (report.files[0].n_read, report.files[0].n_loaded, report.files[0].n_rejected) == (4, 3, 1)
    assert query(dbfile, "select line, reason, raw from rejected_rows") == [
        (3, 'malformed row: a quote is not closed (a value starts with " and has no closing one)',
         '"C2,\\"Bo,Plus"')]
    assert query(dbfile, "select customer_id, name from customers order by 1") == [
        ("C1", "Ana"), ("C3", "Cy"), ("C4", '"Dee" D')]


# ---- a key in two files of one run -----------------------------------------------------------

def test_a_key_repeated_in_a_later_file_of_the_run_is_rejected_as_a_duplicate(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    first = write(tmp_path, "first.csv", "customer_id,name\nC1,Ana\nC2,Bo\n")
    second = write(tmp_path, "second.csv", "customer_id,name\nC3,Cy\nC1,Ana Ruiz\n")
    report = load_files([first, second], db_path=dbfile)  # today: C1 "updated" to Ana Ruiz
    assert [(f.n_loaded, f.n_updated, f.n_rejected) for f in report.files] == [(2, 0, 0), (1, 0, 1)]
    assert rejects(dbfile) == [(3, "customer_id", "duplicate key C1: duplicate of first.csv line 2 (the first "
                                                  "valid row with a key loads)", "C1")]
    assert query(dbfile, "select customer_id, name from customers order by 1") == [
        ("C1", "Ana"), ("C2", "Bo"), ("C3", "Cy")]


def test_a_key_whose_first_row_was_rejected_loads_from_the_later_file(tmp_path):
    dbfile = tmp_path / "cx.duckdb"
    first = write(tmp_path, "first.csv", "customer_id,signup_date\nC1,not a date\n")
    second = write(tmp_path, "second.csv", "customer_id,signup_date\nC1,2024-01-01\n")
    report = load_files([first, second], db_path=dbfile)
    assert [(f.n_loaded, f.n_rejected) for f in report.files] == [(0, 1), (1, 0)]
    assert query(dbfile, "select customer_id, signup_date::varchar from customers") == [("C1", "2024-01-01")]


# ---- Excel sheets ----------------------------------------------------------------------------

def test_an_excel_file_with_its_data_on_another_sheet_names_the_sheets(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"Report": ["Exported 2024-05-01"]}).to_excel(writer, sheet_name="Cover", index=False)
        pd.DataFrame({"customer_id": ["C1"], "name": ["Ana"]}).to_excel(writer, sheet_name="Data", index=False)
    with pytest.raises(LoadError) as caught:
        load_files([path], db_path=tmp_path / "cx.duckdb")
    assert "cannot tell which table the file is for" in str(caught.value)
    assert ("(this is sheet 'Cover'; the workbook also has 'Data': to read another, name it in a mapping, "
            "e.g. sheet = 'Data', and load with --map)") in str(caught.value)


def test_an_excel_file_with_a_blank_first_sheet_names_the_others(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame().to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"customer_id": ["C1"]}).to_excel(writer, sheet_name="Customers", index=False)
    with pytest.raises(LoadError) as caught:
        load_files([path], db_path=tmp_path / "cx.duckdb")
    assert "sheet 'Notes' is empty" in str(caught.value) and "e.g. sheet = 'Customers'" in str(caught.value)


# ---- write failures and temporary copies -----------------------------------------------------

def test_a_full_disk_gives_a_clear_error_and_the_database_stays_intact(tmp_path, monkeypatch):
    dbfile = tmp_path / "cx.duckdb"
    load_files([write(tmp_path, "customers.csv", "customer_id\nC1\n")], db_path=dbfile)
    before = dbfile.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / ".cx.duckdb.0.tmp"))

    monkeypatch.setattr(db.shutil, "copyfile", full)
    with pytest.raises(db.CannotWrite) as caught:
        load_files([write(tmp_path, "more.csv", "customer_id\nC2\n")], db_path=dbfile)
    assert str(caught.value) == (
        f"cannot write the database {dbfile} (no space left on device): free disk space, make its folder "
        "writable, or choose another file with --db (or CX_DB); nothing was written and the database is as it was")
    assert dbfile.read_bytes() == before


def test_an_unwritable_folder_gives_one_line_on_the_command_line_and_the_upload_page(tmp_path):
    blocker = write(tmp_path, "not-a-folder", "x")  # a file where the database's folder should be
    target = blocker / "cx.duckdb"
    source = write(tmp_path, "customers.csv", "customer_id\nC1\n")
    result = cli("load", str(source), "--db", str(target))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (f"error: cannot write the database {target} (a file stands where its folder "
                             "should be): free disk space, make its folder writable, or choose another file "
                             "with --db (or CX_DB); nothing was written and the database is as it was\n")
    uploaded = load_uploads([("customers.csv", b"customer_id\nC1\n")], db_path=target)
    assert not uploaded.ok and uploaded.text.startswith(f"cannot write the database {target}")


def test_a_read_only_file_system_gives_a_clear_error(tmp_path):
    result = cli("load", str(write(tmp_path, "customers.csv", "customer_id\nC1\n")),
                 "--db", "/proc/cx-test/cx.duckdb")  # /proc takes no new files, even from root
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot write the database /proc/cx-test/cx.duckdb (")


def test_the_cli_rejects_a_nan_amount_without_a_traceback(tmp_path):
    path = write(tmp_path, "payments.csv", "transaction_id,customer_id,occurred_at,amount\n"
                                           "T1,C1,2024-01-01,NaN\nT2,C1,2024-01-01,5\n")
    result = cli("load", str(path), "--db", str(tmp_path / "cx.duckdb"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"amount: {FINITE} — 1 row(s), line 2" in result.stdout


def test_a_windows_1252_copy_is_made_beside_the_database_and_a_killed_runs_copy_is_removed(tmp_path, monkeypatch):
    from cxdata.load import files

    dbfile = tmp_path / "db" / "cx.duckdb"
    dbfile.parent.mkdir()
    stale = dbfile.parent / ".cx.duckdb.0badc0de.work"  # what a killed run leaves
    stale.mkdir()
    (stale / "0123.csv").write_text("customer_id\nC9\n")
    made = []
    real = files._transcode
    monkeypatch.setattr(files, "_transcode", lambda path, workdir, encoding: made.append(workdir) or
                        real(path, workdir, encoding))
    load_files([write(tmp_path, "customers.csv", "customer_id,name\nC1,Peña\n", encoding="cp1252")],
               db_path=dbfile)
    assert len(made) == 1 and made[0].parent == dbfile.parent and made[0].name.endswith(".work")
    assert not stale.exists()
    assert sorted(p.name for p in dbfile.parent.iterdir() if p.name.endswith(".work")) == []
    assert query(dbfile, "select name from customers") == [("Peña",)]


def test_an_upload_that_cannot_be_kept_on_a_full_disk_says_so(tmp_path, monkeypatch):
    def full(self, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    uploaded = load_uploads([("customers.csv", b"customer_id\nC1\n")], db_path=tmp_path / "cx.duckdb")
    assert (uploaded.ok, uploaded.text) == (False, "customers.csv: cannot keep the upload for loading (no space "
                                                   "left on device) — free disk space on the server and try "
                                                   "again; nothing was loaded")
    assert not (tmp_path / "cx.duckdb").exists()
