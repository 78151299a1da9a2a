"""The loader: every bad input gives a clear message and the right outcome, and never loses data.

Each test loads small files it writes itself into a database file in tmp_path.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from cxdata import db
from cxdata.load import LoadError, load_files, parse_mapping
from cxdata.metrics import KPIS

ROOT = Path(__file__).resolve().parent.parent
TELCO = Path("/work/shared/data/telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv")

CUSTOMERS = """\
customer_id,name,segment,region,country,plan,signup_date,annual_value
C1,Ana Ruiz,SMB,Europe,ES,Plus,2024-01-15,1200.50
C2,Bo Lund,Enterprise,Europe,SE,Premium,2023-06-01,90000
C3,Cy Tan,Consumer,APAC,SG,Basic,2024-03-31,120
"""

FEEDBACK = """\
feedback_id,customer_id,submitted_at,survey,score,comment
F1,C1,2024-05-01 10:00:00,nps,9,great
F2,C1,2024-05-02 11:00:00,NPS,11,eleven is not a score
F3,C2,2024-05-03 12:00:00,csat,0,zero is not a score
F4,C2,2024-05-04 13:00:00,csat,5,top
F5,C3,2024-05-05T14:00:00,ces,7,easy
"""


# ---- helpers ---------------------------------------------------------------------------------

def write(folder: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = folder / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def query(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = db.connect_readonly(path)   # with cxdata's settings: an app test may hold the same file open in this process
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def table_rows(path: Path, table: str) -> list[tuple]:
    return query(path, f"select * from {table} order by all")  # fixed table names only


def failed_load(paths, dbfile: Path, **kwargs) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_files(paths, db_path=dbfile, **kwargs)
    return caught.value


def rejects(dbfile: Path) -> list[tuple]:
    return query(dbfile, "select line, column_name, reason, value from rejected_rows "
                         "where load_id = (select load_id from loads order by started_at desc limit 1) "
                         "order by line, column_name")


def said(stderr: str) -> list[str]:
    """What the command line said, less the notices of slow stages ("reading x.csv…", "  reading
    x.csv: done in 2.1s") that a busy machine adds."""
    return [line for line in stderr.strip().splitlines()
            if not re.fullmatch(r"[^:]+…|  [^:]+: done in [0-9.]+s", line)]


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxdata", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def three_customers(tmp_path_factory) -> Path:
    """Loaded once for the module: a load builds the whole schema and derived layer, a copy takes a moment."""
    folder = tmp_path_factory.mktemp("three_customers")
    path = folder / "cx.duckdb"
    load_files([write(folder, "customers.csv", CUSTOMERS)], db_path=path)
    return path


@pytest.fixture
def dbfile(three_customers: Path, tmp_path: Path) -> Path:
    """A database that already holds three customers, to show nothing is ever lost (each test its own copy)."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(three_customers, path)
    return path


def assert_customers_intact(dbfile: Path) -> None:
    assert [r[0] for r in query(dbfile, "select customer_id from customers order by 1")] == ["C1", "C2", "C3"]


class Holder:
    """Another process with the database open, as the app (read-only) or a careless writer."""

    def __init__(self, path: Path, read_only: bool):
        script = textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(path)!r}, read_only={read_only})
            print("ready", flush=True)
            sys.stdin.read()
        """)
        self.proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


# ---- files that cannot be loaded at all: clear message, nothing committed, run recorded ------------

def test_missing_file(dbfile, tmp_path):
    error = failed_load([tmp_path / "nope.csv"], dbfile)
    assert "nope.csv: file not found" in str(error)
    assert_customers_intact(dbfile)
    assert query(dbfile, "select outcome, message from loads where load_id = $id", {"id": error.load_id}) == [
        ("failed", str(error))]


@pytest.mark.parametrize("content, expected", [
    ("", "the file is empty (0 bytes)"),
    ("customer_id,name\n", "no data rows, only a header"),
    ("\n\n  \n", "no content (only blank lines)"),
])
def test_empty_files(dbfile, tmp_path, content, expected):
    error = failed_load([write(tmp_path, "empty.csv", content)], dbfile)
    assert expected in str(error)
    assert_customers_intact(dbfile)


def test_unknown_format(dbfile, tmp_path):
    error = failed_load([write(tmp_path, "data.json", "{}")], dbfile)
    assert "unknown format '.json'" in str(error) and ".csv" in str(error)


def test_missing_required_column_names_it_and_lists_found_columns(dbfile, tmp_path):
    path = write(tmp_path, "fb.csv", "feedback_id,customer_id,submitted_at,survey\nF1,C1,2024-05-01,nps\n")
    error = failed_load([path], dbfile)
    assert "missing required column(s) 'score' for table feedback" in error.message
    assert "columns found: 'feedback_id', 'customer_id', 'submitted_at', 'survey'" in error.message
    assert query(dbfile, "select count(*) from feedback") == [(0,)]


def test_table_that_cannot_be_inferred(dbfile, tmp_path):
    error = failed_load([write(tmp_path, "x.csv", "foo,bar\n1,2\n")], dbfile)
    assert "cannot tell which table" in error.message
    assert "columns found: 'foo', 'bar'" in error.message and "feedback (key feedback_id)" in error.message


def test_unknown_table(dbfile, tmp_path):
    with pytest.raises(LoadError, match="unknown table 'clients'; tables: customers"):
        load_files([write(tmp_path, "c.csv", CUSTOMERS)], table="clients", db_path=dbfile)


def test_wrong_table_for_the_file(dbfile, tmp_path):
    error = failed_load([write(tmp_path, "c.csv", CUSTOMERS)], dbfile, table="feedback")
    assert "missing required column(s) 'feedback_id', 'submitted_at', 'survey', 'score'" in error.message


def test_multi_file_run_with_an_unreadable_file_commits_nothing(dbfile, tmp_path):
    good = write(tmp_path, "fb.csv", FEEDBACK)
    bad = write(tmp_path, "broken.csv", "feedback_id,customer_id\nF9,C1\n")
    error = failed_load([good, bad], dbfile)
    assert "broken.csv" in str(error)
    assert query(dbfile, "select count(*) from feedback") == [(0,)]
    assert query(dbfile, "select count(*) from rejected_rows") == [(0,)]
    assert query(dbfile, "select outcome, files from loads where load_id = $id", {"id": error.load_id}) == [
        ("failed", [str(good.resolve()), str(bad.resolve())])]


# ---- row-level problems: the row is rejected with line and column, the others land --------------------

def test_scores_out_of_range_are_rejected_and_good_rows_land(dbfile, tmp_path):
    report = load_files([write(tmp_path, "fb.csv", FEEDBACK)], db_path=dbfile)
    assert (report.total("n_loaded"), report.total("n_rejected")) == (3, 2)
    assert rejects(dbfile) == [(3, "score", "out of range for nps (0-10)", "11"),
                               (4, "score", "out of range for csat (1-5)", "0")]
    assert query(dbfile, "select feedback_id, survey, score from feedback order by 1") == [
        ("F1", "nps", 9), ("F4", "csat", 5), ("F5", "ces", 7)]
    assert report.outcome == "ok_with_rejects"
    raw = json.loads(query(dbfile, "select raw from rejected_rows where line = 3")[0][0])
    assert raw == {"feedback_id": "F2", "customer_id": "C1", "submitted_at": "2024-05-02 11:00:00",
                   "survey": "NPS", "score": "11", "comment": "eleven is not a score"}


def test_future_and_unparseable_dates(dbfile, tmp_path):
    path = write(tmp_path, "fb.csv", FEEDBACK.splitlines()[0] + "\n"
                 "F1,C1,2099-01-01 10:00,nps,9,from the future\n"
                 "F2,C1,yesterday,nps,9,not a date\n"
                 "F3,C1,31/02/2024,nps,9,no such day\n"
                 "F4,C1,31/01/2024 09:15,nps,9,day first is fine\n")
    load_files([path], db_path=dbfile)
    found = rejects(dbfile)
    assert [(line, column) for line, column, _, _ in found] == [
        (2, "submitted_at"), (3, "submitted_at"), (4, "submitted_at")]
    assert found[0][2] == "in the future"
    assert found[1][2].startswith("not a date-time")
    assert query(dbfile, "select submitted_at::varchar from feedback") == [("2024-01-31 09:15:00",)]


def test_duplicate_keys_in_one_file_keep_the_first(dbfile, tmp_path):
    path = write(tmp_path, "c.csv", "customer_id,name\nC7,first\nC8,other\nC7,second\nC7,third\n")
    report = load_files([path], db_path=dbfile)
    twin = "duplicate key C7: duplicate of line 2 (the first valid row with a key loads)"
    assert rejects(dbfile) == [(4, "customer_id", twin, "C7"), (5, "customer_id", twin, "C7")]
    assert query(dbfile, "select name from customers where customer_id = 'C7'") == [("first",)]
    assert report.files[0].reasons[0].example_lines == [4, 5]


def test_a_rejected_first_row_does_not_take_its_valid_twin_with_it(dbfile, tmp_path):
    """Issue 21, item 2: the first *valid* row of a key loads; a duplicate is judged only against it."""
    path = write(tmp_path, "c.csv", "customer_id,name,signup_date\n"
                                    "C7,first,31/31/2024\n"          # line 2: not a date, rejected
                                    "C8,other,2024-01-01\n"
                                    "C7,second,2024-02-01\n"         # line 4: the first valid C7, loads
                                    "C7,third,2024-03-01\n"          # line 5: a duplicate of line 4
                                    "C1,Ana again,2024-01-15\n"      # line 6: C1 is loaded: an update
                                    "C1,Ana twice,2024-01-15\n")     # line 7: a duplicate of line 6
    report = load_files([path], db_path=dbfile)
    found = rejects(dbfile)
    assert [(line, column) for line, column, _, _ in found] == [(2, "signup_date"), (5, "customer_id"),
                                                                 (7, "customer_id")]
    assert found[1][2] == "duplicate key C7: duplicate of line 4 (the first valid row with a key loads)"
    assert found[2][2] == "duplicate key C1: duplicate of line 6 (the first valid row with a key loads)"
    assert query(dbfile, "select customer_id, name, signup_date::varchar from customers "
                         "where customer_id in ('C1', 'C7') order by 1") == [
        ("C1", "Ana again", "2024-01-15"), ("C7", "second", "2024-02-01")]
    f = report.files[0]
    assert (f.n_read, f.n_loaded, f.n_updated, f.n_unchanged, f.n_rejected) == (6, 2, 1, 0, 3)


def test_interaction_rules(dbfile, tmp_path):
    path = write(tmp_path, "i.csv", (
        "interaction_id,customer_id,started_at,channel,office,first_response_seconds,resolved_at,escalated\n"
        "I1,C1,2024-05-01 10:00,Phone,Front,30,2024-05-01 11:00,yes\n"
        "I2,C1,2024-05-01 10:00,chat,middle,30,,no\n"
        "I3,C1,2024-05-01 10:00,chat,back,-5,,0\n"
        "I4,C1,2024-05-01 10:00,chat,back,5,2024-05-01 09:00,n\n"
        "I5,C1,2024-05-01 10:00,chat,back,5,,maybe\n"
        ",C1,2024-05-01 10:00,,back,5,,1\n"))
    load_files([path], db_path=dbfile)
    assert [(line, column, reason) for line, column, reason, _ in rejects(dbfile)] == [
        (3, "office", "not front or back"),
        (4, "first_response_seconds", "must be 0 or more"),
        (5, "resolved_at", "before started_at"),
        (6, "escalated", "not a yes/no value (expected true/false, yes/no, y/n or 1/0)"),
        (7, "channel", "missing value (required)"),
        (7, "interaction_id", "missing value (required)")]
    assert query(dbfile, "select interaction_id, channel, office, escalated from interactions") == [
        ("I1", "phone", "front", True)]


def test_a_duration_of_centuries_is_rejected_and_the_next_write_still_works(dbfile, tmp_path):
    """1e15 s passed the checks once, then broke the SLA arithmetic of every refresh."""
    path = write(tmp_path, "i.csv", (
        "interaction_id,customer_id,started_at,channel,sla_seconds,first_response_seconds\n"
        "I1,C1,2024-05-01 10:00,chat,3600,30\n"
        "I2,C1,2024-05-01 10:00,chat,1e15,30\n"
        "I3,C1,2024-05-01 10:00,chat,3600,315360001\n"))
    load_files([path], db_path=dbfile)
    assert [(line, column) for line, column, _, _ in rejects(dbfile)] == [
        (3, "sla_seconds"), (4, "first_response_seconds")]
    assert "ten years" in rejects(dbfile)[0][2]
    assert query(dbfile, "select interaction_id from interactions") == [("I1",)]
    load_files([write(tmp_path, "c.csv", CUSTOMERS)], db_path=dbfile)   # and the database takes more loads
    assert query(dbfile, "select n_customers from derived_info") == [(3,)]


def test_customer_and_journey_stage_rules(dbfile, tmp_path):
    customers = write(tmp_path, "c.csv", "customer_id,signup_date,churned_on,annual_value\n"
                                         "C5,2024-02-01,2024-01-01,10\nC6,2024-02-01,,-1\n"
                                         "C7,01.02.2024,29/02/2024,1e3\n")
    stages = write(tmp_path, "s.csv", "Stage,Position\nOnboarding,1\nusage,0\nrenewal,2.5\n")
    load_files([customers, stages], db_path=dbfile)
    assert [(line, column, reason) for line, column, reason, _ in rejects(dbfile)] == [
        (2, "churned_on", "before signup_date"), (3, "annual_value", "must be 0 or more"),
        (3, "position", "must be 1 or more"), (4, "position", "not a whole number")]
    assert query(dbfile, "select signup_date::varchar, churned_on::varchar, annual_value::double "
                         "from customers where customer_id = 'C7'") == [("2024-02-01", "2024-02-29", 1000.0)]
    assert table_rows(dbfile, "journey_stages") == [("onboarding", 1, None)]


def test_targets_key_includes_department_and_allows_future_periods(dbfile, tmp_path):
    first = write(tmp_path, "t1.csv", "metric,period_start,period_end,target\nnps,2099-01-01,2099-12-31,40\n")
    second = write(tmp_path, "t2.csv", "metric,department,period_start,period_end,target\n"
                                       "nps,,2099-01-01,2099-12-31,45\nnps,Billing,2099-01-01,2099-12-31,30\n"
                                       "nps,Sales,2099-12-31,2099-01-01,30\n")
    load_files([first], db_path=dbfile)
    report = load_files([second], db_path=dbfile)
    assert (report.total("n_loaded"), report.total("n_updated"), report.total("n_rejected")) == (1, 1, 1)
    assert rejects(dbfile)[0][:3] == (4, "period_end", "before period_start")
    assert query(dbfile, "select department, target from targets order by all") == [
        ("Billing", 30.0), (None, 45.0)]


def test_targets_for_a_metric_the_app_does_not_know_are_rejected(dbfile, tmp_path):
    path = write(tmp_path, "targets.csv", "metric,period_start,period_end,target\n"
                                          " NPS ,2099-01-01,2099-12-31,40\n"
                                          "first_response_seconds,2099-01-01,2099-12-31,60\n")
    report = load_files([path], db_path=dbfile)
    assert (report.total("n_loaded"), report.total("n_rejected")) == (1, 1)
    assert query(dbfile, "select metric, target from targets") == [("nps", 40.0)]
    allowed = ", ".join(sorted(KPIS))
    assert rejects(dbfile) == [(3, "metric", f"unknown metric 'first_response_seconds'; allowed: {allowed}",
                                "first_response_seconds")]
    assert f"metric: unknown metric; allowed: {allowed} — 1 row(s), line 3" in report.text()


def test_a_kpi_added_to_the_app_is_a_valid_target_metric(dbfile, tmp_path, monkeypatch):
    monkeypatch.setitem(KPIS, "first_contact_resolution", KPIS["csat"])
    path = write(tmp_path, "targets.csv", "metric,period_start,period_end,target\n"
                                          "first_contact_resolution,2099-01-01,2099-12-31,80\n")
    assert load_files([path], db_path=dbfile).total("n_loaded") == 1


# ---- encodings and layouts -------------------------------------------------------------------------

def test_windows_1252_file_is_stored_as_utf8(dbfile, tmp_path):
    path = write(tmp_path, "latin.csv", "customer_id;name;region\nC9;Peña “Pepe” Núñez;São Tomé €\n",
                 encoding="cp1252", newline="\r\n")
    report = load_files([path], db_path=dbfile)
    assert report.files[0].encoding == "windows-1252" and report.files[0].delimiter == ";"
    assert query(dbfile, "select name, region from customers where customer_id = 'C9'") == [
        ("Peña “Pepe” Núñez", "São Tomé €")]


def test_latin1_bytes_undefined_in_cp1252_fall_back_to_latin1(dbfile, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"customer_id,name\nC9,Jo\xe3o \x81\n")
    load_files([path], db_path=dbfile)
    assert query(dbfile, "select name from customers where customer_id = 'C9'") == [("João \x81",)]


def test_multiline_quoted_comment_keeps_line_numbers(dbfile, tmp_path):
    path = write(tmp_path, "fb.csv", (
        "feedback_id,customer_id,submitted_at,survey,score,comment\n"
        'F1,C1,2024-05-01 10:00,nps,9,"first line\nsecond line\nthird, with a comma"\n'
        'F2,C1,2024-05-01 10:00,nps,10,"say ""hi"""\n'
        "F3,C1,2024-05-01 10:00,nps,12,bad score on line 6\n"), newline="\r\n")
    load_files([path], db_path=dbfile)
    assert rejects(dbfile) == [(6, "score", "out of range for nps (0-10)", "12")]
    assert query(dbfile, "select comment from feedback order by 1") == [
        ("first line\r\nsecond line\r\nthird, with a comma",), ('say "hi"',)]


def test_blank_and_broken_rows_keep_line_numbers(dbfile, tmp_path):
    path = write(tmp_path, "c.csv", (
        'customer_id,name,signup_date\nC7,"two\nlines",2024-01-01\n\n'
        "C8,too,many,values\nC9,ok,not a date\n"))
    report = load_files([path], db_path=dbfile)
    assert report.total("n_read") == 3 and report.total("n_rejected") == 2
    assert [(line, reason.split(" (")[0].split(":")[0]) for line, _, reason, _ in rejects(dbfile)] == [
        (5, "malformed row"), (6, "not a date")]


def test_semicolon_delimited_csv(dbfile, tmp_path):
    path = write(tmp_path, "t.txt", "transaction_id;customer_id;occurred_at;amount\n"
                                    "T1;C1;2024-05-01 10:00;19.99\nT2;C1;2024-05-02 10:00;-5\n"
                                    "T3;C2;2024-05-02 10:00;12,50\n")
    report = load_files([path], db_path=dbfile)
    assert report.files[0].table == "transactions" and report.files[0].delimiter == ";"
    assert query(dbfile, "select transaction_id, amount::varchar from transactions order by 1") == [
        ("T1", "19.99"), ("T2", "-5.00")]
    assert rejects(dbfile)[0][:2] == (4, "amount")


def test_excel_first_sheet_with_sheet_row_numbers(dbfile, tmp_path):
    path = tmp_path / "fb.xlsx"
    frame = pd.DataFrame({"Feedback_ID": ["X1", "X2", None, "X3"], "customer_id": ["C1", "C2", None, "C3"],
                          "submitted_at": pd.to_datetime(["2024-05-01 10:00", "2024-05-02 00:00", None,
                                                          "2024-05-03 00:00"]),
                          "survey": ["csat", "csat", None, "csat"], "score": [5, 6, None, 4]})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Responses", index=False)
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Other", index=False)
    report = load_files([path], db_path=dbfile)
    assert report.files[0].format == "Excel"
    assert rejects(dbfile) == [(3, "score", "out of range for csat (1-5)", "6")]
    assert query(dbfile, "select feedback_id, submitted_at::varchar, score from feedback order by 1") == [
        ("X1", "2024-05-01 10:00:00", 5), ("X3", "2024-05-03 00:00:00", 4)]


def test_excel_sheet_named_in_mapping(dbfile, tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"Client": ["C5"], "Name": ["Eve"]}).to_excel(writer, sheet_name="Clients", index=False)
    mapping = tmp_path / "m.toml"
    mapping.write_text('sheet = "Clients"\n[columns]\nClient = "customer_id"\n')
    load_files([path], mapping=mapping, db_path=dbfile)
    assert query(dbfile, "select name from customers where customer_id = 'C5'") == [("Eve",)]
    mapping.write_text('sheet = "Missing"\n')
    error = failed_load([path], dbfile, mapping=mapping)
    assert "no sheet named 'Missing'; sheets: 'Notes', 'Clients'" in str(error)


def test_parquet(dbfile, tmp_path):
    path = tmp_path / "tx.parquet"
    pd.DataFrame({"transaction_id": ["P1", "P2"], "customer_id": ["C1", "C2"],
                  "occurred_at": pd.to_datetime(["2024-05-01 10:00", "2099-01-01 00:00"]),
                  "amount": [10.5, 3.0]}).to_parquet(path)
    report = load_files([path], db_path=dbfile)
    assert report.files[0].format == "Parquet"
    assert rejects(dbfile) == [(2, "occurred_at", "in the future", "2099-01-01 00:00:00")]
    assert query(dbfile, "select transaction_id, amount::double from transactions") == [("P1", 10.5)]


def _binary_files(folder: Path) -> dict[str, Path]:
    """Files that are not text, each saved under a .csv name."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["customer_id", "name"])
    book.active.append(["C1", "Ana"])
    book.save(folder / "workbook.csv")
    pd.DataFrame({"customer_id": ["C1"]}).to_parquet(folder / "table.csv")
    (folder / "nul.csv").write_bytes(b"customer_id,name\n" + bytes(range(256)) * 40)
    return {"an Excel workbook": folder / "workbook.csv", "a Parquet file": folder / "table.csv",
            "a binary file": folder / "nul.csv"}


def test_a_binary_file_named_csv_gets_one_short_line(dbfile, tmp_path):
    for what, path in _binary_files(tmp_path).items():
        result = cli("load", str(path), "--db", str(dbfile))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = said(result.stderr)
        assert len(lines) == 1 and len(lines[0]) < 400, lines
        assert what in lines[0] and "not CSV text" in lines[0]
        message = query(dbfile, "select message from loads order by started_at desc limit 1")[0][0]
        assert len(message) < 400 and "not CSV text" in message
    assert_customers_intact(dbfile)


def test_odd_column_names_are_listed_short(dbfile, tmp_path):
    names = ["x" * 500] + [f"col\x01{i}" for i in range(30)]
    path = write(tmp_path, "odd.csv", ",".join(names) + "\n" + ",".join("1" * len(names)) + "\n")
    error = failed_load([path], dbfile)
    assert "columns found: '" + "x" * 39 + "…', 'col\ufffd0', " in error.message
    assert "'col\ufffd8' … and 21 more" in error.message
    assert "\x01" not in error.message and len(error.message) < 800
    header_only = failed_load([write(tmp_path, "head.csv", ",".join(names) + "\n")], dbfile)
    assert "no data rows, only a header ('xxx" in header_only.message and "… and 21 more" in header_only.message


# ---- mappings ------------------------------------------------------------------------------------

MAPPING = """\
table = "feedback"
[columns]
"Response ID" = "feedback_id"
"Client" = "customer_id"
"Date" = "submitted_at"
"How satisfied were you?" = "score"
[values.score]
"Very satisfied" = 5
"Satisfied" = 4
"Unhappy" = 1
[constants]
survey = "csat"
[formats]
submitted_at = "%d/%m/%Y %H:%M"
"""


def test_mapping_with_value_maps_constants_and_formats(dbfile, tmp_path):
    path = write(tmp_path, "survey.csv", (
        "Response ID,Client,Date,How satisfied were you?,Browser\n"
        "R1,C1,05/04/2024 10:30,Very satisfied,Firefox\n"
        "R2,C2,06/04/2024 11:00,  satisfied ,Chrome\n"
        "R3,C3,07/04/2024 12:00,meh,Safari\n"
        "R4,C3,07/04/2024 12:00,3,Safari\n"))
    mapping = write(tmp_path, "survey.toml", MAPPING)
    report = load_files([path], mapping=mapping, db_path=dbfile)
    assert report.files[0].ignored_columns == ["Browser"]
    assert query(dbfile, "select feedback_id, submitted_at::varchar, survey, score "
                         "from feedback order by 1") == [
        ("R1", "2024-04-05 10:30:00", "csat", 5), ("R2", "2024-04-06 11:00:00", "csat", 4),
        ("R4", "2024-04-07 12:00:00", "csat", 3)]
    assert rejects(dbfile) == [(4, "score", "not a whole number", "meh")]


def test_mapping_naming_a_column_the_file_lacks(dbfile, tmp_path):
    path = write(tmp_path, "survey.csv", "Response ID,Client,Date\nR1,C1,05/04/2024 10:30\n")
    error = failed_load([path], dbfile, mapping=write(tmp_path, "m.toml", MAPPING))
    assert "names column(s) 'How satisfied were you?' that the file does not have" in error.message
    assert "columns found: 'Response ID', 'Client', 'Date'" in error.message


@pytest.mark.parametrize("toml, expected", [
    ('[columns]\n"A" = "custumer_id"\n',
     "[columns] names column(s) 'custumer_id' that any table does not have"),
    ('table = "nope"\n', "unknown table 'nope'"),
    ('tabel = "customers"\n', "unknown setting(s) 'tabel'"),
    ('[columns\n', "not valid TOML"),
    ('[formats]\nsubmitted_at = "%Q"\n', "is not a valid strptime format"),
])
def test_bad_mapping_files(dbfile, tmp_path, toml, expected):
    error = failed_load([write(tmp_path, "c.csv", CUSTOMERS)], dbfile, mapping=write(tmp_path, "m.toml", toml))
    assert expected in str(error) and "m.toml" in str(error)
    assert_customers_intact(dbfile)


def test_parse_mapping_checks_columns_against_its_table():
    with pytest.raises(LoadError, match="that the customers table does not have"):
        parse_mapping({"table": "customers", "constants": {"survey": "nps"}})


# ---- upserts -----------------------------------------------------------------------------------------

def test_loading_the_same_file_twice_changes_nothing(dbfile, tmp_path):
    path = write(tmp_path, "fb.csv", FEEDBACK)
    load_files([path], db_path=dbfile)
    before = table_rows(dbfile, "feedback")
    report = load_files([path], db_path=dbfile)
    assert (report.total("n_loaded"), report.total("n_updated"), report.total("n_unchanged")) == (0, 0, 3)
    assert table_rows(dbfile, "feedback") == before


def test_changed_row_is_updated_and_columns_the_file_lacks_are_kept(dbfile, tmp_path):
    path = write(tmp_path, "c.csv", "customer_id,plan\nC1,Premium\nC2,Premium\nC4,Basic\n")
    report = load_files([path], db_path=dbfile)
    assert (report.total("n_loaded"), report.total("n_updated"), report.total("n_unchanged")) == (1, 1, 1)
    assert query(dbfile, "select customer_id, name, plan, annual_value::varchar from customers order by 1") == [
        ("C1", "Ana Ruiz", "Premium", "1200.50"), ("C2", "Bo Lund", "Premium", "90000.00"),
        ("C3", "Cy Tan", "Basic", "120.00"), ("C4", None, "Basic", None)]


def test_keys_stay_unique_after_many_loads(dbfile, tmp_path):
    files = [write(tmp_path, f"c{i}.csv", f"customer_id,name\nC1,v{i}\nC{i + 10},new\nC{i + 10},dup\n")
             for i in range(3)]
    load_files(files, db_path=dbfile)
    load_files(files[::-1], db_path=dbfile)
    assert query(dbfile, "select count(*) = count(distinct customer_id) from customers") == [(True,)]
    # in each run the first file with C1 wins and the later ones are rejected as its duplicates
    assert query(dbfile, "select name from customers where customer_id = 'C1'") == [("v2",)]


# ---- concurrency -------------------------------------------------------------------------------------

def test_database_locked_by_another_writer(dbfile, tmp_path):
    path = write(tmp_path, "fb.csv", FEEDBACK)
    holder = Holder(dbfile, read_only=False)
    try:
        with pytest.raises(db.DatabaseBusy, match="open for writing"):
            load_files([path], db_path=dbfile)
        result = cli("load", str(path), "--db", str(dbfile))
    finally:
        holder.close()
    assert result.returncode == 1
    assert result.stderr.startswith("error: the database") and "Traceback" not in result.stderr
    assert_customers_intact(dbfile)
    assert query(dbfile, "select count(*) from feedback") == [(0,)]


def test_loading_while_a_reader_has_the_database_open(dbfile, tmp_path):
    reader = Holder(dbfile, read_only=True)
    try:
        report = load_files([write(tmp_path, "fb.csv", FEEDBACK)], db_path=dbfile)
        assert report.total("n_loaded") == 3
        assert query(dbfile, "select count(*) from feedback") == [(3,)]  # a fresh reader sees them
    finally:
        reader.close()


def test_a_second_load_at_the_same_time_is_refused(dbfile, tmp_path):
    with open(dbfile.with_name(dbfile.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running load holds
        with pytest.raises(db.DatabaseBusy, match="another load into .* is running"):
            load_files([write(tmp_path, "fb.csv", FEEDBACK)], db_path=dbfile)
    assert query(dbfile, "select count(*) from feedback") == [(0,)]


# ---- the loads table, the CLI, a real export ----------------------------------------------------------

def test_progress_reports_each_stage(dbfile, tmp_path):
    stages = []
    load_files([write(tmp_path, "fb.csv", FEEDBACK)], db_path=dbfile, progress=stages.append)
    assert stages == ["reading fb.csv", "validating fb.csv", "writing fb.csv", "analysing comments",
                      "rebuilding the summary tables", "scoring churn risk", "saving the database", None]


def test_loads_table_records_every_run(dbfile, tmp_path):
    load_files([write(tmp_path, "fb.csv", FEEDBACK)], db_path=dbfile)
    with pytest.raises(LoadError):
        load_files([tmp_path / "missing.csv"], db_path=dbfile)
    runs = query(dbfile, "select target_table, n_read, n_loaded, n_rejected, outcome "
                         "from loads order by started_at")
    assert runs == [("customers", 3, 3, 0, "ok"), ("feedback", 5, 3, 2, "ok_with_rejects"),
                    (None, 0, 0, 0, "failed")]


def test_cli_exit_codes_and_messages(dbfile, tmp_path):
    good = write(tmp_path, "fb.csv", FEEDBACK)
    ok = cli("load", str(good), "--db", str(dbfile))
    assert ok.returncode == 0, ok.stderr
    assert "read 5: loaded 3 new" in ok.stdout and "score: out of range for the survey" in ok.stdout
    assert "line 3, 4" in ok.stdout

    missing = cli("load", str(tmp_path / "nope.csv"), "--db", str(dbfile))
    assert missing.returncode == 1
    assert said(missing.stderr) == [f"error: {tmp_path / 'nope.csv'}: file not found — "
                                                   "check the path and the file name"]

    bad_map = cli("load", str(good), "--map", str(write(tmp_path, "m.toml", "[columns\n")), "--db", str(dbfile))
    assert bad_map.returncode == 1 and "not valid TOML" in bad_map.stderr

    usage = cli("load", str(good), "--table", "nope", "--db", str(dbfile))
    assert usage.returncode == 2 and "invalid choice: 'nope'" in usage.stderr
    for result in (missing, bad_map, usage):
        assert "Traceback" not in result.stderr


def test_cli_uses_cx_db_by_default(tmp_path):
    target = tmp_path / "env.duckdb"
    result = cli("load", str(write(tmp_path, "c.csv", CUSTOMERS)), env={"CX_DB": str(target)})
    assert result.returncode == 0, result.stderr
    assert query(target, "select count(*) from customers") == [(3,)]


def test_real_telco_export_with_a_mapping(tmp_path):
    source = tmp_path / "telco.csv"
    shutil.copyfile(TELCO, source)
    assert b"\r\n" in source.read_bytes()[:2000]
    mapping = write(tmp_path, "telco.toml", textwrap.dedent("""\
        table = "customers"
        [columns]
        customerID = "customer_id"
        Contract = "plan"
        InternetService = "segment"
        [constants]
        country = "US"
        """))
    dbfile = tmp_path / "cx.duckdb"
    report = load_files([source], mapping=mapping, db_path=dbfile)
    assert (report.total("n_read"), report.total("n_loaded"), report.total("n_rejected")) == (7043, 7043, 0)
    assert "TotalCharges" in report.files[0].ignored_columns
    assert query(dbfile, "select plan, segment, country from customers where customer_id = '7590-VHVEG'") == [
        ("Month-to-month", "DSL", "US")]
    assert query(dbfile, "select count(distinct plan) from customers") == [(3,)]


def test_a_file_that_is_not_a_database_is_named_as_such(tmp_path):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("these are my notes, not a database\n")
    done = subprocess.run([sys.executable, "-m", "cxdata", "demo", "--customers", "50", "--db", str(bogus)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "is not a DuckDB database" in done.stderr and "Traceback" not in done.stderr
    assert bogus.read_text() == "these are my notes, not a database\n"


def test_activity_of_customers_not_loaded_is_noted(tmp_path):
    path = tmp_path / "cx.duckdb"
    survey = tmp_path / "survey.csv"
    survey.write_text("feedback_id,customer_id,submitted_at,survey,score\n"
                      "F1,C1,2026-01-05 10:00,nps,9\nF2,C2,2026-01-05 10:00,nps,3\n")
    report = load_files([survey], db_path=path)
    assert any("2 feedback row(s)" in note and "not in customers" in note for note in report.files[0].notes)
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,segment\nC1,SMB\nC2,SMB\n")
    load_files([customers], db_path=path)
    again = load_files([survey], db_path=path)
    assert not any("not in customers" in note for note in again.files[0].notes)
