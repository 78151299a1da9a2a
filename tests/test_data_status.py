"""The data page's helpers: machine times shown in UTC, file names, blank cells; checked on loader runs."""
from datetime import datetime, timezone

import pandas as pd
import pytest

from cxdata import data_status, db
from cxdata.load import LoadError, load_files


@pytest.mark.parametrize("zone, local, utc", [
    ("Europe/Berlin", "2026-01-15 12:00", "2026-01-15 11:00"),       # CET, UTC+1
    ("Europe/Berlin", "2026-07-15 12:00", "2026-07-15 10:00"),       # CEST, UTC+2
    ("America/New_York", "2026-03-01 22:30", "2026-03-02 03:30"),    # EST, UTC-5, across midnight
    ("Asia/Kolkata", "2026-06-01 05:00", "2026-05-31 23:30"),        # IST, UTC+5:30, across midnight
    ("UTC", "2026-06-01 05:00", "2026-06-01 05:00"),
])
def test_machine_time_as_utc_reads_the_stamp_in_the_machine_zone(machine_zone, zone, local, utc):
    machine_zone(zone)
    shown = data_status.machine_time_as_utc(pd.Series(pd.to_datetime([local, None])))
    assert str(shown.dt.tz) == "UTC"
    assert shown.iloc[0] == pd.Timestamp(utc, tz="UTC") and pd.isna(shown.iloc[1])


def test_machine_time_as_utc_of_no_rows_is_an_empty_utc_column():
    shown = data_status.machine_time_as_utc(pd.Series([], dtype="datetime64[us]"))
    assert shown.empty and str(shown.dt.tz) == "UTC"


@pytest.mark.parametrize("paths, names", [
    (["/data/exports/customers.csv", "/data/exports/feedback.xlsx"], "customers.csv, feedback.xlsx"),
    (["C:\\Users\\ana\\Desktop\\nps, march.csv"], "nps, march.csv"),
    ("/tmp/one.csv", "one.csv"),
    (["demo"], "demo"),
    ([], ""),
    (None, ""),
    (float("nan"), ""),
])
def test_file_names(paths, names):
    assert data_status.file_names(paths) == names


def test_blank_text_blanks_missing_text_and_leaves_numbers_alone():
    frame = pd.DataFrame({"reason": ["bad", None], "value": pd.array([None, "x"], dtype="string"),
                          "line": pd.array([3, None], dtype="Int64")})
    blanked = data_status.blank_text(frame)
    assert blanked["reason"].tolist() == ["bad", ""] and blanked["value"].tolist() == ["", "x"]
    assert blanked["line"].dtype == "Int64" and pd.isna(blanked["line"].iloc[1])


def test_the_page_frames_of_real_loads_read_in_utc_with_file_names(tmp_path, machine_zone):
    """A load on a machine set to India time (UTC+5:30): its start shows as the UTC instant it ran."""
    machine_zone("Asia/Kolkata")
    dbfile = tmp_path / "cx.duckdb"
    good = tmp_path / "customers.csv"
    good.write_text("customer_id,segment,signup_date\nK1,SMB,2025-01-01\nK2,SMB,not a date\n", encoding="utf-8")
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("foo,bar\n1,2\n", encoding="utf-8")
    before = pd.Timestamp(datetime.now(timezone.utc))
    load_files([good], db_path=dbfile)
    with pytest.raises(LoadError):
        load_files([garbage], db_path=dbfile)
    after = pd.Timestamp(datetime.now(timezone.utc))

    con = db.connect_readonly(dbfile)
    try:
        reader = db.Reader(con)
        history = data_status.load_history(reader)
        rows = data_status.rejected_rows(reader)
        reasons = data_status.rejected_reasons(reader)
    finally:
        con.close()
    assert history["files"].tolist() == ["garbage.csv", "customers.csv"]
    assert history["outcome"].tolist() == ["Failed", "Some rejected"]
    assert history["target_table"].tolist() == ["", "customers"]   # a failed run names no table: blank
    assert history["started_at"].between(before, after).all()
    assert rows["file_name"].tolist() == ["customers.csv"] and rows["source_file"].tolist() == [str(good.resolve())]
    assert rows["loaded_at"].tolist() == [history["started_at"].iloc[1]] == reasons["loaded_at"].tolist()
    assert rows["line"].tolist() == [3] and rows["column_name"].tolist() == ["signup_date"]
