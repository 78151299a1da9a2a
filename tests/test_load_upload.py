"""Loading from the Data & loads page: the real app under AppTest drives the upload form, which runs
the same loader as the command line (cxdata.load.upload -> load_files)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cxdata.load import upload
from cxdata.load.presets import sample_files
from tests.conftest import ROOT
from tests.test_load import CUSTOMERS, query


@pytest.fixture
def page(tmp_path, monkeypatch):
    """The data page on a database of three loaded customers and one payment."""
    db_file = tmp_path / "cx.duckdb"
    upload.load_uploads([("customers.csv", CUSTOMERS.encode()),
                         ("pay.csv", b"transaction_id,customer_id,occurred_at,amount\nT0,C1,2024-04-01,10\n")], db_file)
    monkeypatch.setenv("CX_DB", str(db_file))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at, db_file


def submit(at: AppTest, files, how: str | None = None) -> AppTest:
    uploader = next(u for u in at.get("file_uploader") if u.label.startswith("Files"))
    uploader.set_value(files)
    if how:
        next(s for s in at.selectbox if s.label.startswith("How their columns")).set_value(how)
    next(b for b in at.button if b.label == "Load").click()
    return at.run()


def test_a_good_file_loads_and_shows_at_once(page):
    at, db_file = page
    feedback = ("feedback_id,customer_id,submitted_at,survey,score\n"
                "F1,C1,2024-05-01 10:00,nps,9\nF2,C2,2024-05-02 10:00,nps,11\n").encode()
    at = submit(at, [("survey answers.csv", feedback, "text/csv")])
    assert not at.exception
    assert any(s.value.startswith("Loaded") for s in at.success)
    report = at.code[0].value
    assert report.startswith("survey answers.csv -> feedback (CSV, utf-8, delimiter ',')")
    assert "rejected 1" in report and "out of range for the survey" in report
    assert query(db_file, "select feedback_id from feedback") == [("F1",)]
    stats = at.dataframe[0].value.set_index("table_name")
    assert stats.loc["feedback", "n_rows"] == 1


def test_a_bad_file_gets_its_error_and_nothing_changes(page):
    at, db_file = page
    at = submit(at, [("fb.csv", b"feedback_id,customer_id\nF1,C1\n", "text/csv")])
    assert not at.exception
    assert "fb.csv: missing required column(s) 'submitted_at', 'survey', 'score'" in at.error[0].value
    assert query(db_file, "select count(*) from feedback") == [(0,)]
    assert query(db_file, "select outcome from loads order by started_at desc limit 1") == [("failed",)]


def test_a_file_whose_every_row_is_rejected_is_a_warning(page):
    at, _ = page
    at = submit(at, [("fb.csv", b"feedback_id,customer_id,submitted_at,survey,score\nF1,C1,soon,nps,9\n",
                      "text/csv")])
    assert "Every row was rejected" in at.warning[0].value


def test_a_preset_loads_its_sample(page):
    at, db_file = page
    files = [(p.name, p.read_bytes(), "text/csv") for p in sample_files("ecommerce")]
    at = submit(at, files, how="ecommerce")
    assert not at.exception and any(s.value.startswith("Loaded") for s in at.success)
    assert "skipped 1 (cancelled: 1)" in at.code[0].value
    assert query(db_file, "select count(*) from transactions where transaction_id like '%-%'") == [(9,)]


def test_type_and_size_are_enforced_before_anything_is_written(tmp_path, monkeypatch):
    db_file = tmp_path / "cx.duckdb"
    result = upload.load_uploads([("notes.json", b"{}")], db_file)
    assert not result.ok and "unknown format '.json'" in result.text
    monkeypatch.setenv("CX_UPLOAD_MAX_MB", "1")
    result = upload.load_uploads([("big.csv", b"customer_id\n" + b"C1\n" * 400_000)], db_file)
    assert not result.ok and "more than the app's limit of 1 MB (CX_UPLOAD_MAX_MB) per file" in result.text
    assert not db_file.exists()


def test_an_uploaded_mapping_file_and_odd_file_names(tmp_path):
    db_file = tmp_path / "cx.duckdb"
    mapping = ('table = "customers"\n[columns]\n"Client" = "customer_id"\n[derived]\n'
               'name = "upper(\\"Client\\")"\n').encode()
    result = upload.load_uploads([("../../etc/c.csv", b"Client\nk1\n"), ("c.csv", b"Client\nk2\n")], db_file,
                                 mapping=("m.toml", mapping))
    assert result.ok, result.text
    assert result.text.startswith("c.csv -> customers") and "c (2).csv -> customers" in result.text
    assert query(db_file, "select customer_id, name from customers order by 1") == [("k1", "K1"), ("k2", "K2")]
    bad = upload.load_uploads([("c.csv", b"Client\nk3\n")], db_file,
                              mapping=("m.toml", b'[derived]\nname = "read_csv(\'x\')"\n'))
    assert not bad.ok and "m.toml, line 2: [derived] name: function read_csv() is not allowed" in bad.text
