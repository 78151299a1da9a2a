"""The derived layer's life cycle: built by every write, rebuilt for an older version, never half-written."""
import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from cxdata import db, derive
from tests.conftest import ROOT, TINY_ROWS_SQL


@pytest.fixture
def built(tmp_path):
    path = tmp_path / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(TINY_ROWS_SQL)
    return path


def _tamper(path, sql):
    """What another version of cx-cockpit might have left: written behind the loader's back."""
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.close()


def test_every_write_leaves_a_current_layer(built):
    con = db.connect_readonly(built)
    assert derive.is_current(con)
    info = con.execute("select n_customers, n_interactions, version from derived_info").fetchone()
    con.close()
    assert info == (20, 10, derive.VERSION)
    assert not derive.needs_refresh(built)


@pytest.mark.parametrize("left_by_another_version", [
    "update derived_info set version = 'older'",
    "drop table derived_info",
    # a database written before transactions had a kind, customers a history, contacts reference tables
    "alter table transactions drop column kind; drop table customer_history; drop table dataset; "
    "drop table channels; drop table touchpoints; update derived_info set version = 'older'",
])
def test_a_layer_another_version_built_is_rebuilt_once(built, left_by_another_version):
    _tamper(built, left_by_another_version)
    assert derive.needs_refresh(built)
    assert derive.ensure_current(built) is True
    assert derive.ensure_current(built) is False
    con = db.connect_readonly(built)
    assert con.execute("select version, n_feedback from derived_info").fetchone() == (derive.VERSION, 250)
    con.close()


def test_a_foreign_duckdb_file_is_left_alone(tmp_path):
    path = tmp_path / "other.duckdb"
    _tamper(path, "create table something_else (x int)")
    assert not derive.needs_refresh(path)
    assert derive.ensure_current(path) is False
    con = duckdb.connect(str(path), read_only=True)
    assert [t for (t,) in con.execute("show tables").fetchall()] == ["something_else"]
    con.close()


def test_a_rebuild_that_fails_writes_nothing_and_says_why(built):
    # A deadline ten million years out: the loader rejects it now, but an older loader let it in.
    _tamper(built, "insert into interactions (interaction_id, customer_id, started_at, channel, sla_seconds) "
                   "values ('BAD', 'C01', timestamp '2026-01-11', 'chat', 3e14)")
    before = built.read_bytes()
    with pytest.raises(derive.RefreshFailed, match="nothing was written"):
        with derive.writable_copy(built) as con:
            con.execute("insert into customers (customer_id) values ('NEW')")
    assert built.read_bytes() == before


def test_the_app_rebuilds_an_older_layer_and_shows_the_data(built, monkeypatch):
    _tamper(built, "update derived_info set version = 'older'")
    monkeypatch.setenv("CX_DB", str(built))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    assert at.metric[0].label.startswith("NPS") and at.metric[0].value == "30"
    con = db.connect_readonly(built)
    assert derive.is_current(con)
    con.close()


def test_the_refresh_command_reports_a_failed_rebuild_in_one_line(built):
    import subprocess
    import sys

    _tamper(built, "insert into interactions (interaction_id, customer_id, started_at, channel, sla_seconds) "
                   "values ('BAD', 'C01', timestamp '2026-01-11', 'chat', 3e14)")
    run = subprocess.run([sys.executable, "-m", "cxdata", "refresh", "--db", str(built)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith("error: rebuilding the summary tables failed, so nothing was written")
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_the_app_says_why_a_rebuild_failed_once_and_never_suggests_deleting_the_data(built, monkeypatch):
    _tamper(built, "update derived_info set version = 'older'; "
                   "insert into interactions (interaction_id, customer_id, started_at, channel, sla_seconds) "
                   "values ('BAD', 'C01', timestamp '2026-01-11', 'chat', 3e14)")
    attempts = []
    real = derive.ensure_current
    monkeypatch.setattr(derive, "ensure_current", lambda path: attempts.append(path) or real(path))
    monkeypatch.setenv("CX_DB", str(built))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.run()
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "rebuilding the summary tables failed" in message and "python -m cxdata refresh" in message
    assert "remove this one" not in message
    assert len(attempts) == 1   # remembered for this state of the file, not retried on every click


def test_the_refresh_command_rebuilds_an_older_layer(built):
    import subprocess
    import sys

    _tamper(built, "update derived_info set version = 'older'")
    run = subprocess.run([sys.executable, "-m", "cxdata", "refresh", "--db", str(built)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.startswith(f"Refreshed the derived tables of {built}") and derive.VERSION in run.stdout
    assert not derive.needs_refresh(built)
