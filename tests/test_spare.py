"""A write brings the spare forward instead of copying the database (cxdata/db.py, copy_and_swap): the
file the last write replaced is kept beside the database, and the next write replays the last write on it,
applies its own and swaps it in. Whenever that cannot be trusted it copies the file as before: a reader
still on the spare, a write cut off on it, a last write that rebuilt everything, a spare of another
database. That the replay reproduces the live file row for row is tests/test_incremental.py's parity test.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from cxdata import db, derive
from cxdata.app import cache
from cxdata.load import load_files
from tests.test_crash import contacts_file, state_of

SPARE = ".cx.duckdb.spare"


@pytest.fixture
def live(demo_march, tmp_path) -> Path:
    """A copy of the demo that one load has already gone through, so a spare stands beside it."""
    path = tmp_path / "db" / "cx.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_march, path)
    load_files([contacts_file(tmp_path, 50)], db_path=path)
    assert (path.parent / SPARE).exists()
    return path


def inode(path: Path) -> int:
    return path.stat().st_ino


def write_state(path: Path) -> tuple:
    con = db.connect_readonly(path)
    try:
        return tuple(con.execute("select lineage, generation, state from write_state").fetchone())
    finally:
        con.close()


@pytest.fixture(autouse=True)
def replays(monkeypatch) -> list[bool]:
    """What each write's replay on the spare came to (a write that copies at once has none)."""
    outcomes, replay = [], derive.replay_last_write
    monkeypatch.setattr(derive, "replay_last_write", lambda con: outcomes.append(replay(con)) or outcomes[-1])
    return outcomes


def load_through(path: Path, folder: Path, replays: list[bool], n: int = 40) -> str:
    """Load n new contacts; say whether the write went through the spare or a copy of the file."""
    old, replayed = inode(path), len(replays)
    load_files([contacts_file(folder, n)], db_path=path)
    assert inode(path.parent / SPARE) == old, "the replaced file is the next spare"
    return "spare" if replays[replayed:] == [True] else "copy"


def test_a_write_brings_the_spare_forward_and_keeps_the_file_it_replaces(live, tmp_path, replays):
    lineage, generation, state = write_state(live)
    before = state_of(live)
    assert load_through(live, tmp_path, replays) == "spare"
    assert state_of(live)[:2] == (before[0] + 40, before[1]) and state_of(live)[4]
    assert write_state(live) == (lineage, generation + 1, "ready")
    assert write_state(live.parent / SPARE) == (lineage, generation, "ready")   # the generation before
    assert load_through(live, tmp_path, replays) == "spare"
    assert state_of(live)[0] == before[0] + 80
    assert sorted(p.name for p in live.parent.iterdir()) == [SPARE, "cx.duckdb", "cx.duckdb.lock"]


def test_a_reader_still_on_the_spare_makes_the_write_copy(live, tmp_path, replays):
    """Another process reading the replaced file (a report still running on the last generation)."""
    spare = live.parent / SPARE
    reader = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
                               "read_only=True); print('open', flush=True); time.sleep(60)", str(spare)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        before = state_of(live)
        assert load_through(live, tmp_path, replays) == "copy"
        assert state_of(live)[0] == before[0] + 40
    finally:
        reader.kill()
        reader.wait()
    assert load_through(live, tmp_path, replays) == "spare"   # once it has gone, the spare serves again


def test_a_reader_in_this_process_on_the_spare_makes_the_write_copy(live, tmp_path, replays):
    """DuckDB's lock does not stop this process's own reader of the replaced file: the writer checks."""
    held = duckdb.connect(str(live.parent / SPARE), read_only=True)
    try:
        assert load_through(live, tmp_path, replays) == "copy"
    finally:
        held.close()


def test_a_write_cut_off_on_the_spare_is_never_brought_forward(live, tmp_path, replays):
    spare = live.parent / SPARE
    con = duckdb.connect(str(spare))
    con.execute("update write_state set state = 'writing'")   # as a write killed halfway leaves it
    con.execute("insert into interactions select * replace ('half-written' as interaction_id) "
                "from interactions limit 1")
    con.close()
    assert load_through(live, tmp_path, replays) == "copy"
    con = db.connect_readonly(live)
    try:
        assert con.execute("select count(*) from interactions where interaction_id = 'half-written'").fetchone()[0] == 0
    finally:
        con.close()


def test_after_a_whole_rebuild_the_next_write_copies_and_the_one_after_uses_the_spare(live, tmp_path, replays):
    with derive.writable_copy(live):   # python -m cxdata refresh: the whole layer, the churn model retrained
        pass
    assert load_through(live, tmp_path, replays) == "copy"
    assert load_through(live, tmp_path, replays) == "spare"


def test_a_spare_of_another_database_is_ignored(live, demo_march, tmp_path, replays):
    """The database replaced by hand (another file copied over it): its lineage is not the spare's."""
    other = tmp_path / "other.duckdb"
    shutil.copyfile(demo_march, other)
    with derive.writable_copy(other):   # a new lineage, as any database built apart
        pass
    shutil.copyfile(other, live)
    before = state_of(live)
    assert load_through(live, tmp_path, replays) == "copy"
    assert state_of(live)[0] == before[0] + 40


def test_the_app_lets_go_of_a_replaced_file_within_seconds(live, tmp_path, replays):
    """An idle app must not hold the file a load replaced, or every next load copies the database."""
    connections = cache._Connections()
    connections.get(str(live))
    replaced = inode(live)
    load_files([contacts_file(tmp_path, 10)], db_path=live)
    spare = live.parent / SPARE
    assert inode(spare) == replaced and db._open_here(spare)
    deadline = time.monotonic() + 10
    while db._open_here(spare) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not db._open_here(spare)
    assert load_through(live, tmp_path, replays) == "spare"
