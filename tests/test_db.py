"""derive.writable_copy: a load keeps what a crashed writer left in the WAL, leaves no debris, keeps the mode.

Each test works on a database file in tmp_path.
"""
from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cxdata import db, derive


def customer_ids(path: Path) -> list[str]:
    con = db.connect_readonly(path)  # fails if a stale WAL sits next to the file
    try:
        return [r[0] for r in con.execute("select customer_id from customers order by 1").fetchall()]
    finally:
        con.close()


def debris(path: Path) -> list[str]:
    """Files next to the database other than the database itself, its lock and its spare (the generation
    before, which the next write brings forward: tests/test_spare.py)."""
    keep = (path.name, path.name + ".lock", f".{path.name}.spare")
    return sorted(p.name for p in path.parent.iterdir() if p.name not in keep)


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute("insert into customers (customer_id) values ('C0')")
    return path


def crash_after_insert(path: Path, customer_id: str) -> None:
    """Write to the database directly, as the DuckDB CLI or a notebook does, and die before a checkpoint."""
    script = textwrap.dedent(f"""
        import os, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("set checkpoint_threshold = '1TB'")
        con.execute("insert into customers (customer_id) values ({customer_id!r})")
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_a_load_keeps_the_changes_a_crashed_writer_left_in_the_wal(dbfile):
    crash_after_insert(dbfile, "W1")
    wal = dbfile.with_name(dbfile.name + ".wal")
    assert wal.exists() and wal.stat().st_size > 0

    with derive.writable_copy(dbfile) as con:
        con.execute("insert into customers (customer_id) values ('L1')")

    assert not wal.exists()
    assert debris(dbfile) == []
    assert customer_ids(dbfile) == ["C0", "L1", "W1"]


def test_a_stale_wal_from_an_earlier_version_is_named(dbfile):
    """What loads before this fix left behind: the old file's WAL next to a newer file."""
    wal = dbfile.with_name(dbfile.name + ".wal")
    crash_after_insert(dbfile, "W1")
    stale = wal.read_bytes()
    with derive.writable_copy(dbfile) as con:
        con.execute("insert into customers (customer_id) values ('L1')")
    wal.write_bytes(stale)
    with pytest.raises(db.NotADatabase, match=r"cx\.duckdb\.wal belongs to an earlier version.*move it aside"):
        with derive.writable_copy(dbfile):
            pass
    assert wal.read_bytes() == stale  # left for the user to decide


def test_a_failed_copy_leaves_no_partial_file(dbfile, monkeypatch):
    before = dbfile.read_bytes()

    def disk_full(src, dst, **kwargs):
        Path(dst).write_bytes(Path(src).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(db.shutil, "copyfile", disk_full)
    with pytest.raises(db.CannotWrite, match="no space left on device"):
        with derive.writable_copy(dbfile):
            pytest.fail("the block must not run without a copy")
    assert debris(dbfile) == []
    assert dbfile.read_bytes() == before


def test_copies_left_by_a_killed_load_are_removed_by_the_next(dbfile):
    left = [f".{dbfile.name}.0badcafe.tmp", f".{dbfile.name}.0badcafe.tmp.wal",
            f".{dbfile.name}.12345678.tmp.wal.checkpoint"]
    kept = [f".{dbfile.name}.notes.tmp", f"{dbfile.name}.bak", f".other.duckdb.0badcafe.tmp"]
    for name in left + kept:
        (dbfile.parent / name).write_bytes(b"half a database")
    with derive.writable_copy(dbfile) as con:
        con.execute("insert into customers (customer_id) values ('L1')")
    assert debris(dbfile) == sorted(kept)
    assert customer_ids(dbfile) == ["C0", "L1"]


def test_the_swapped_in_file_keeps_the_original_mode(dbfile):
    dbfile.chmod(0o644)
    umask = os.umask(0o077)
    try:
        with derive.writable_copy(dbfile) as con:
            con.execute("insert into customers (customer_id) values ('L1')")
    finally:
        os.umask(umask)
    assert dbfile.stat().st_mode & 0o777 == 0o644


def test_a_failed_block_leaves_the_database_and_its_wal_as_they_were(dbfile):
    crash_after_insert(dbfile, "W1")
    wal = dbfile.with_name(dbfile.name + ".wal")
    files = {p: p.read_bytes() for p in (dbfile, wal)}
    with pytest.raises(RuntimeError):
        with derive.writable_copy(dbfile) as con:
            con.execute("insert into customers (customer_id) values ('L1')")
            raise RuntimeError("the load failed")
    assert {p: p.read_bytes() for p in files} == files
    assert debris(dbfile) == [wal.name]
    assert customer_ids(dbfile) == ["C0", "W1"]


def test_a_new_database_is_created(tmp_path):
    path = tmp_path / "new" / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute("insert into customers (customer_id) values ('L1')")
    assert customer_ids(path) == ["L1"]
    assert debris(path) == []
