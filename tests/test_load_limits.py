"""The limits a load keeps (cxdata/load/limits.py), each hit with a message naming the limit, its
setting and the file, nothing written (issue 23: a 317 KB .xlsx of a million rows took 59 s and
873 MB and stored 999,999 rejected rows; repeat('x', 2000000000) in a mapping ran out of memory)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from cxdata import db
from cxdata.load import limits, load_files, upload
from cxdata.load.errors import LoadError


def _workbook(path: Path, n_rows: int, dimension: bool = True, cell: str = "x") -> Path:
    """An .xlsx whose one sheet holds a header and n_rows identical rows, written straight as XML (a
    million rows in about a second; they compress a hundredfold, as a real export's do)."""
    base = path.with_suffix(".base.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["customer_id", "name"])
    book.save(base)
    with zipfile.ZipFile(base) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    row = f'<row><c t="inlineStr"><is><t>C1</t></is></c><c t="inlineStr"><is><t>{cell}</t></is></c></row>'
    header = '<row><c t="inlineStr"><is><t>customer_id</t></is></c><c t="inlineStr"><is><t>name</t></is></c></row>'
    parts["xl/worksheets/sheet1.xml"] = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="A1:B{n_rows + 1}"/>' if dimension else "")
        + "<sheetData>" + header + row * n_rows + "</sheetData></worksheet>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_small_workbook_of_a_million_rows_is_refused_before_its_rows_are_read(tmp_path, monkeypatch):
    book = _workbook(tmp_path / "million.xlsx", 1_000_000)
    assert book.stat().st_size < 1_000_000           # a small file...
    read = []
    monkeypatch.setattr(openpyxl.worksheet._read_only.ReadOnlyWorksheet, "_cells_by_row",
                        lambda *a, **k: read.append(1) or iter(()))
    with pytest.raises(LoadError) as refused:
        load_files([book], table="customers", db_path=tmp_path / "cx.duckdb")
    assert ("million.xlsx: sheet 'Sheet' declares 1,000,000 rows, more than the limit of 200,000 rows "
            "(CX_SHEET_MAX_ROWS) for a spreadsheet — save it as CSV") in str(refused.value)
    assert read == []                                 # ...refused on its dimension, no row read


def test_a_sheet_without_a_dimension_stops_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_SHEET_MAX_ROWS", "100")
    book = _workbook(tmp_path / "nodim.xlsx", 150, dimension=False)
    with pytest.raises(LoadError, match=r"nodim.xlsx: sheet 'Sheet' has more than 100 rows, more than the "
                                        r"limit of 100 rows \(CX_SHEET_MAX_ROWS\)"):
        load_files([book], table="customers", db_path=tmp_path / "cx.duckdb")
    ok = _workbook(tmp_path / "ok.xlsx", 100, dimension=False)   # exactly the limit loads
    assert load_files([ok], table="customers", db_path=tmp_path / "cx.duckdb").total("n_read") == 100


def test_a_workbook_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_SHEET_MAX_MB", "1")
    book = _workbook(tmp_path / "wide.xlsx", 2_000, cell="y" * 1_000)   # 2 MB of XML
    with pytest.raises(LoadError, match=r"wide.xlsx: the workbook unpacks to 2 MB, more than the limit of 1 MB "
                                        r"\(CX_SHEET_MAX_MB\)"):
        load_files([book], table="customers", db_path=tmp_path / "cx.duckdb")
    assert not (tmp_path / "cx.duckdb").exists() or db.connect_readonly(tmp_path / "cx.duckdb").execute(
        "select count(*) from customers").fetchall() == [(0,)]


def test_an_upload_larger_than_the_total_limit_is_refused_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_UPLOAD_TOTAL_MB", "1")
    part = b"customer_id\n" + b"C1\n" * 200_000          # 0.6 MB each, under the per-file limit
    result = upload.load_uploads([("a.csv", part), ("b.csv", part)], tmp_path / "cx.duckdb")
    assert not result.ok
    assert result.text.startswith("a.csv, b.csv: 1 MB together is more than the limit of 1 MB (CX_UPLOAD_TOTAL_MB) "
                                  "for one upload")
    assert not (tmp_path / "cx.duckdb").exists()


def _mapping(tmp_path: Path, expression: str) -> Path:
    path = tmp_path / "map.toml"
    path.write_text(f'table = "customers"\n[derived]\nname = "{expression}"\n', encoding="utf-8")
    return path


def test_a_mapping_that_would_make_gigabytes_of_text_is_refused_before_it_runs(tmp_path):
    data = tmp_path / "customers.csv"
    data.write_text("customer_id\nC1\n", encoding="utf-8")
    with pytest.raises(LoadError) as refused:
        load_files([data], mapping=_mapping(tmp_path, "repeat('x', 2000000000)"), db_path=tmp_path / "cx.duckdb")
    assert ("repeat() makes text of the length it is given: give it a whole number up to 10,000 characters "
            "(CX_MAPPING_MAX_TEXT)") in str(refused.value)
    with pytest.raises(LoadError, match=r"up to 1,000,000 characters together, more than the limit"):
        load_files([data], mapping=_mapping(tmp_path, "repeat(repeat(customer_id, 1000), 1000)"),
                   db_path=tmp_path / "cx.duckdb")
    done = load_files([data], mapping=_mapping(tmp_path, "lpad(customer_id, 6, '0')"), db_path=tmp_path / "cx.duckdb")
    assert done.total("n_loaded") == 1


def test_a_mapping_that_runs_too_long_is_stopped_by_duckdb(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_MAPPING_SECONDS", "1")
    data = tmp_path / "customers.csv"
    data.write_text("customer_id\n" + "".join(f"C{i}abc\n" for i in range(50_000)), encoding="utf-8")
    slow = "regexp_replace(repeat(customer_id, 1000), '(a|b|c)+', 'z', 'g')"   # seconds on any machine
    with pytest.raises(LoadError, match=r"customers.csv: the mapping's expressions took longer than the limit of "
                                        r"1 seconds \(CX_MAPPING_SECONDS\) on this file and were stopped"):
        load_files([data], mapping=_mapping(tmp_path, slow), db_path=tmp_path / "cx.duckdb")


def test_rejected_rows_kept_per_file_are_capped_with_the_full_count(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_REJECTED_MAX_ROWS", "5")
    data = tmp_path / "feedback.csv"
    data.write_text("feedback_id,customer_id,submitted_at,survey,score\n"
                    + "".join(f"F{i},C1,2026-01-05 10:00:00,nps,42\n" for i in range(12)), encoding="utf-8")
    report = load_files([data], db_path=tmp_path / "cx.duckdb")
    assert report.total("n_rejected") == 12
    assert ("12 rejected cells: the first 5 by line are kept in rejected_rows (the limit, CX_REJECTED_MAX_ROWS)"
            in report.text())
    con = db.connect_readonly(tmp_path / "cx.duckdb")
    try:
        lines = [r[0] for r in con.execute("select line from rejected_rows order by line").fetchall()]
        n_rejected = con.execute("select n_rejected from loads").fetchall()
    finally:
        con.close()
    assert lines == [2, 3, 4, 5, 6] and n_rejected == [(12,)]


def test_a_limit_setting_that_is_not_a_positive_whole_number_keeps_the_default(monkeypatch):
    for raw in ("", "lots", "-3", "0"):
        monkeypatch.setenv("CX_SHEET_MAX_ROWS", raw)
        assert limits.SHEET_ROWS.value() == 200_000
    monkeypatch.setenv("CX_SHEET_MAX_ROWS", "1_000")
    assert limits.SHEET_ROWS.text() == "1,000 rows (CX_SHEET_MAX_ROWS)"
