"""A load killed at any point (kill -9), or meeting a full disk, leaves the previous state readable and
the next load works: the real command line in a subprocess, on a copy of the default demo."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from cxdata import db, derive
from tests.conftest import ROOT

STATE = "select (select count(*) from interactions), (select count(*) from feedback), " \
        "(select sum(n_interactions) from interactions_daily), (select count(*) from loads)"


def state_of(path: Path) -> tuple:
    """What a reader sees: raw rows, their summary, the loads recorded; and that the layer is current."""
    con = db.connect_readonly(path)
    try:
        return (*con.execute(STATE).fetchone(), derive.is_current(con))
    finally:
        con.close()


def contacts_file(folder: Path, n: int = 2000) -> Path:
    """New contacts of existing customers on the demo's last days, and answers rating some of them."""
    path = folder / f"contacts_{uuid.uuid4().hex[:6]}.csv"
    lines = ["interaction_id,customer_id,started_at,channel,department,kind,sla_seconds,resolved_at"]
    for k in range(n):
        lines.append(f"K{path.stem}-{k},C{k % 4000 + 1:07d},2026-03-1{k % 4} 0{k % 10}:15:00,email,Support,"
                     f"inquiry,86400,2026-03-1{k % 4} 1{k % 10}:15:00")
    path.write_text("\n".join(lines) + "\n")
    return path


def load_command(file: Path, path: Path) -> list[str]:
    return [sys.executable, "-m", "cxdata", "load", str(file), "--db", str(path)]


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CX_WARMUP": "0"}


@pytest.fixture
def copy_of_demo(demo_march, tmp_path) -> Path:
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    return path


def test_a_load_killed_at_ten_points_leaves_the_last_good_state(copy_of_demo, tmp_path):
    """Killed while it brings the spare forward, loads, refreshes or swaps, a load leaves the last good
    state; the next one discards what it left (a spare cut off halfway is never brought forward)."""
    folder, spare = copy_of_demo.parent, copy_of_demo.with_name(".cx.duckdb.spare")
    subprocess.run(load_command(contacts_file(tmp_path, 100), copy_of_demo), env=environment(), cwd=ROOT,
                   check=True, capture_output=True)   # a first load: a spare now stands beside the database
    assert spare.exists()
    before = state_of(copy_of_demo)
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    for name in (copy_of_demo.name, spare.name):
        shutil.copyfile(folder / name, pristine / name)

    def restore() -> None:
        """The database and its spare as they were, without what a killed load left on the spare."""
        for name in (copy_of_demo.name, spare.name):
            shutil.copyfile(pristine / name, folder / name)
        for sidecar in db._sidecars(spare):
            sidecar.unlink(missing_ok=True)

    file = contacts_file(tmp_path)
    # How long an uninterrupted load takes (through the spare, as the killed ones do), to spread the kills over it.
    began = time.monotonic()
    subprocess.run(load_command(file, copy_of_demo), env=environment(), cwd=ROOT, check=True, capture_output=True)
    whole = time.monotonic() - began
    done = state_of(copy_of_demo)
    assert done[0] == before[0] + 2000
    for k in range(1, 11):   # from the start-up to the swap: 10 points spread over the load
        restore()
        process = subprocess.Popen(load_command(file, copy_of_demo), env=environment(), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * k / 11)
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = state_of(copy_of_demo)
        assert after in (before, done), f"killed at {k}/11 of the load: {after}"  # the old state, or (swapped) the new
    if after == done:   # the last kill came after the swap: start again from the old state
        restore()
    # The next load removes what the killed ones left and lands.
    subprocess.run(load_command(file, copy_of_demo), env=environment(), cwd=ROOT, check=True, capture_output=True)
    assert state_of(copy_of_demo)[:3] == done[:3]
    leftovers = [p.name for p in copy_of_demo.parent.iterdir() if p.name.startswith(".cx.duckdb.")]
    assert leftovers == [".cx.duckdb.spare"]   # the generation before, which the next write brings forward


@pytest.fixture
def small_disk(tmp_path):
    """A 100 MB file system (tmpfs), unmounted after the test; skipped where mounting is not allowed."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100M", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_disk_that_fills_during_a_load_leaves_the_previous_state(demo_march, small_disk, tmp_path):
    path = small_disk / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    before = state_of(path)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    # Leave room for the work copy and a little more, not for the load and its refresh.
    filler.write_bytes(b"\0" * max(free - path.stat().st_size - 2_000_000, 0))
    result = subprocess.run(load_command(contacts_file(tmp_path, 20000), path), env=environment(), cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "no space left" in result.stderr.lower() and "Traceback" not in result.stderr
    assert "nothing was written and the database is as it was" in result.stderr
    assert state_of(path) == before
    filler.unlink()
    subprocess.run(load_command(contacts_file(tmp_path, 100), path), env=environment(), cwd=ROOT, check=True,
                   capture_output=True)
    assert state_of(path)[0] == before[0] + 100
    # Again through the spare that load left: the disk fills while the spare is brought forward and written.
    assert path.with_name(".cx.duckdb.spare").exists()
    before = state_of(path)
    filler.write_bytes(b"\0" * max(shutil.disk_usage(small_disk).free - 2_000_000, 0))
    result = subprocess.run(load_command(contacts_file(tmp_path, 20000), path), env=environment(), cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "no space left" in result.stderr.lower() and "Traceback" not in result.stderr
    assert state_of(path) == before
    filler.unlink()
    subprocess.run(load_command(contacts_file(tmp_path, 100), path), env=environment(), cwd=ROOT, check=True,
                   capture_output=True)
    assert state_of(path)[0] == before[0] + 100
