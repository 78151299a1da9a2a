"""CX_MEMORY_LIMIT: every connection to the database is bounded by it and spills to a folder beside the
database instead of failing; a value DuckDB cannot read is refused by name."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from cxdata import db, derive
from cxdata.demo import build_demo
from tests.conftest import ROOT


def test_a_query_bigger_than_the_limit_spills_beside_the_database_and_the_folder_goes_when_closed(
        tiny_db, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(tiny_db, path)
    monkeypatch.setenv("CX_MEMORY_LIMIT", "64MB")
    spill = tmp_path / f".cx.duckdb.{os.getpid()}@{socket.gethostname()}.spill"
    con = db.connect_readonly(path)
    try:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "61.0 MiB"  # 64,000,000 bytes
        # about 200 MB of text: held in a temporary table, it can only live on disk
        con.execute("create temp table big as select i, md5(i::varchar) || md5((i + 1)::varchar) as s "
                    "from range(3000000) t(i)")
        assert con.execute("select count(distinct s) from big").fetchone()[0] == 3_000_000
        files = [row[0] for row in con.execute("select path from duckdb_temporary_files()").fetchall()]
        assert files and all(os.path.dirname(f) == str(spill) for f in files)
    finally:
        con.close()
    assert not spill.exists()   # DuckDB removes the folder it made when it closes


def test_a_killed_process_spill_folder_is_removed_by_the_next_connection(tiny_db, tmp_path):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(tiny_db, path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    left = {name: tmp_path / name for name in (f".cx.duckdb.{dead.stdout.strip()}@{host}.spill",   # killed here
                                               f".cx.duckdb.{os.getpid()}@{host}.spill",          # this process's
                                               f".cx.duckdb.{dead.stdout.strip()}@elsewhere.spill")}  # another machine's
    for folder in left.values():
        folder.mkdir()
        (folder / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"x")
    db.connect_readonly(path).close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".spill")) == sorted(list(left)[1:])


def test_a_small_demo_builds_and_refreshes_under_a_small_limit(tmp_path, monkeypatch):
    """128MB: what a refresh of a small demo may use (its no-spill peak varies with the threads' timing, so
    the spilling itself is shown above, on a query that cannot fit)."""
    path = tmp_path / "cx.duckdb"
    monkeypatch.setenv("CX_MEMORY_LIMIT", "128MB")
    assert build_demo(path, customers=300)["customers"] == 300
    with derive.writable_copy(path) as con:
        limit, spill = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit == "122.0 MiB"   # 128,000,000 bytes
    assert os.path.dirname(spill) == str(tmp_path) and spill.endswith(f"@{socket.gethostname()}.spill")


def cli(*args: str, limit: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxdata", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "CX_MEMORY_LIMIT": limit})


def test_a_value_duckdb_cannot_read_is_refused_by_name(tiny_db, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(tiny_db, path)
    done = cli("refresh", "--db", str(path), limit="lots")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("error: CX_MEMORY_LIMIT='lots' is not a memory size (Memory must have a number (e.g. "
                           "1GB)): write it like 2GB, 512MB or 75% (of this machine's memory)\n")
    monkeypatch.setenv("CX_MEMORY_LIMIT", "2 gigs")
    with pytest.raises(db.SettingError, match="CX_MEMORY_LIMIT='2 gigs' is not a memory size"):
        db.connect_readonly(path)


def test_a_limit_too_small_for_the_run_says_so_and_writes_nothing(tiny_db, tmp_path):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(tiny_db, path)
    before = path.read_bytes()
    done = cli("refresh", "--db", str(path), limit="8MB")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: out of memory: the run needed more than CX_MEMORY_LIMIT=8MB allows, even "
                                  "spilling to disk beside the database; raise CX_MEMORY_LIMIT")
    assert path.read_bytes() == before
