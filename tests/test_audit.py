"""The audit log (cxdata.access.audit): append-only, hash-chained, in the store beside the database;
`python -m cxdata audit` lists and verifies it, and finds an entry edited, deleted or reordered in
the SQLite file itself; every command-line write records its user."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import threading
import traceback

import pytest

from cxdata.__main__ import main
from cxdata.access import audit
from cxdata.access.audit import AuditLog
from cxdata.access.roles import LOCAL_ADMIN, User
from cxdata.filters import Filters
from cxdata.store import STORE_ENV, Store

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def log(tmp_path) -> AuditLog:
    """Five entries by two users over three days (1, 2 and 3 March 2026)."""
    log = AuditLog(tmp_path / "cx.state.sqlite")
    rows = [("ana@example.com", "sign_in", {"role": "department_head"}, 0),
            ("ana@example.com", "export", {"file": "at-risk.csv", "rows": 12, "filters": {"segment": ["SMB"]}}, 0),
            ("local", "load", {"files": ["feedback.csv"], "outcome": "ok"}, 1),
            ("ana@example.com", "download", {"file": "overview.xlsx"}, 2),
            ("local", "target_edit", {"metric": "nps", "department": "Billing", "target": 35.0}, 2)]
    for who, action, what, day in rows:
        log.record(who, action, what, at=T0 + dt.timedelta(days=day))
    return log


def _tamper(log: AuditLog, sql: str) -> None:
    """Edit the file as someone with a SQLite shell would: the app's append-only triggers dropped first."""
    con = sqlite3.connect(log.path)
    con.executescript(f"drop trigger audit_no_update; drop trigger audit_no_delete; {sql}")
    con.close()


def test_entries_chain_and_read_back_with_their_user_action_and_details(log):
    assert log.verify().ok and log.verify().n_entries == 5
    entries = log.entries()
    assert entries["entry_id"].tolist() == [1, 2, 3, 4, 5]
    assert entries.iloc[1]["what"] == {"file": "at-risk.csv", "rows": 12, "filters": {"segment": ["SMB"]}}
    assert entries.iloc[0]["recorded_at"] == "2026-03-01T09:00:00+00:00"
    con = sqlite3.connect(log.path)
    first, second = con.execute("select hash, prev_hash from audit order by entry_id limit 2").fetchall()
    assert second[1] == first[0]                               # each entry names the one before it
    assert con.execute("select prev_hash from audit where entry_id = 1").fetchone()[0] == audit.GENESIS
    # filters: one user (any case), from a day, of some actions; newest first for the page
    assert log.entries(who="ANA@example.com")["entry_id"].tolist() == [1, 2, 4]
    assert log.entries(since=dt.date(2026, 3, 2))["entry_id"].tolist() == [3, 4, 5]
    assert log.entries(until=dt.date(2026, 3, 2))["entry_id"].tolist() == [1, 2, 3]
    assert log.entries(actions=["export", "download"], newest_first=True)["entry_id"].tolist() == [4, 2]
    assert log.users() == ["ana@example.com", "local"]
    assert audit.summary(entries.iloc[1]["what"]) == "file: at-risk.csv · rows: 12 · filters: segment: SMB"


def test_the_app_cannot_edit_or_delete_an_entry(log):
    con = sqlite3.connect(log.path)
    for sql in ("update audit set who = 'someone' where entry_id = 2", "delete from audit where entry_id = 5"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    assert log.verify().ok


def test_an_unknown_action_is_refused(log):
    with pytest.raises(ValueError, match="unknown audit action 'deleted'"):
        log.record("local", "deleted", {})


@pytest.mark.parametrize("sql, first_bad, words", [
    ("update audit set what = replace(what, '12', '1') where entry_id = 2", 2, "entry #2 (2026-03-01T09:00:00+00:00, "
     "ana@example.com, export) was changed after it was written"),
    ("update audit set who = 'bob@example.com' where entry_id = 4", 4, "entry #4"),
    ("delete from audit where entry_id = 3", 3, "entry #3 is missing (deleted)"),
    ("delete from audit where entry_id in (2, 3)", 2, "entries #2–#3 are missing (deleted)"),
    ("delete from audit where entry_id = 5", 5, "the newest entry #5 is missing (deleted)"),
    ("delete from audit where entry_id >= 4", 4, "the newest entries #4–#5 are missing (deleted)"),
    # two entries swapped: each now sits under the other's number
    ("update audit set entry_id = 99 where entry_id = 3; update audit set entry_id = 3 where entry_id = 4; "
     "update audit set entry_id = 4 where entry_id = 99", 3, "entry #3"),
])
def test_verify_names_the_first_entry_edited_deleted_or_reordered(log, sql, first_bad, words):
    _tamper(log, sql)
    verdict = log.verify()
    assert not verdict.ok and verdict.first_bad == first_bad
    assert words in verdict.reason
    assert verdict.text().startswith("The audit log was tampered with: ")


def test_an_entry_rehashed_after_an_edit_still_breaks_the_chain_at_the_next(log):
    """Someone who edits entry 2 and fixes its own hash: entry 3 no longer follows it."""
    con = sqlite3.connect(log.path)
    n, at, who, action, what, prev, _ = con.execute("select * from audit where entry_id = 2").fetchone()
    con.close()
    what = what.replace("12", "1")
    _tamper(log, f"update audit set what = '{what}', hash = '{audit.entry_hash(n, at, who, action, what, prev)}' "
                 "where entry_id = 2")
    verdict = log.verify()
    assert verdict.first_bad == 3 and "does not follow entry #2" in verdict.reason


def test_a_record_after_a_deleted_newest_entry_does_not_hide_it(log):
    _tamper(log, "delete from audit where entry_id = 5")
    assert log.record("local", "download", {"file": "x.csv"}) == 6    # the counter, not the last row
    verdict = log.verify()
    assert verdict.first_bad == 5 and "entry #5 is missing" in verdict.reason


def _append_many(path: str, who: str, n: int, errors: list[str]) -> None:
    try:
        log = AuditLog(path)
        for i in range(n):
            log.record(who, "download", {"file": f"{who}-{i}.csv"})
    except BaseException:  # the assertion shows why a writer failed
        errors.append(traceback.format_exc())


def test_sessions_recording_at_once_keep_one_chain(tmp_path):
    """Four sessions appending 25 entries each at once, each on its own connection, as the app's sessions
    (threads of one server) do: 100 entries, numbered 1-100, the chain intact."""
    path = str(tmp_path / "state.sqlite")
    Store(path).connect().close()
    errors: list[str] = []
    writers = [threading.Thread(target=_append_many, args=(path, f"u{k}", 25, errors)) for k in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(180)
    assert errors == [] and not any(w.is_alive() for w in writers)
    log = AuditLog(path)
    verdict = log.verify()
    assert verdict.ok and verdict.n_entries == 100
    assert log.entries()["what"].map(lambda w: w["file"]).nunique() == 100


def test_the_log_lives_in_the_store_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv(STORE_ENV, raising=False)
    db_path = tmp_path / "cx.duckdb"
    audit.record(db_path, User("ana@example.com", "viewer"), "download", {"file": "a.csv"})
    audit.record(db_path, LOCAL_ADMIN, "load", {"files": ["b.csv"]})
    assert AuditLog.beside(db_path).path == tmp_path / "cx.state.sqlite" == Store.beside(db_path).path
    assert AuditLog.beside(db_path).entries()["who"].tolist() == ["ana@example.com", "local"]


def test_filters_are_recorded_as_the_period_and_each_choice():
    filters = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31), segment=["SMB"], channel=["chat", "email"])
    assert audit.filters_what(filters) == {"from": "2026-01-01", "to": "2026-03-31", "segment": ["SMB"],
                                           "channel": ["chat", "email"]}


# ---- the command line ------------------------------------------------------------------------------------

@pytest.fixture
def cli_db(tiny_db, tmp_path, monkeypatch):
    """A copy of the tiny database, its store (and audit log) beside it."""
    monkeypatch.delenv(STORE_ENV, raising=False)
    path = tmp_path / "cx.duckdb"
    shutil.copy(tiny_db, path)
    return path


def _entries(path) -> list[dict]:
    return [{k: e[k] for k in ("who", "action", "what")} for e in AuditLog.beside(path).entries().to_dict("records")]


def test_audit_command_lists_filters_as_json_and_verifies(log, capsys):
    db_path = log.path.with_name("cx.duckdb")
    assert main(["audit", "--db", str(db_path), "--json", "--user", "local"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["entry"], e["action"]) for e in lines] == [(3, "load"), (5, "target_edit")]
    assert lines[1] == {"entry": 5, "at": "2026-03-03T09:00:00+00:00", "who": "local", "action": "target_edit",
                        "what": {"metric": "nps", "department": "Billing", "target": 35.0}}
    assert main(["audit", "--db", str(db_path), "--since", "2026-03-03"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["#", "When", "(UTC)", "Who", "Action", "What"]
    assert table[1].split()[:4] == ["4", "2026-03-03", "09:00:00", "ana@example.com"]
    assert table[2].endswith("target_edit   metric: nps · department: Billing · target: 35.0")
    assert len(table) == 3
    assert main(["audit", "--db", str(db_path), "--verify"]) == 0
    assert "verifies: 5 entries" in capsys.readouterr().out
    _tamper(log, "update audit set what = '{}' where entry_id = 3")
    assert main(["audit", "--db", str(db_path), "--verify"]) == 1
    assert "entry #3 (2026-03-02T09:00:00+00:00, local, load) was changed" in capsys.readouterr().out
    _tamper(log, "delete from audit where entry_id = 2")
    assert main(["audit", "--db", str(db_path), "--verify"]) == 1
    assert "entry #2 is missing (deleted)" in capsys.readouterr().out


def test_audit_command_on_a_database_with_no_log_yet(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert main(["audit", "--db", str(tmp_path / "cx.duckdb")]) == 0
    assert capsys.readouterr().out.startswith("No audit entries yet")
    assert main(["audit", "--db", str(tmp_path / "cx.duckdb"), "--verify"]) == 0
    assert capsys.readouterr().out.strip() == "The audit log is empty."
    assert not (tmp_path / "cx.state.sqlite").exists()   # reading creates nothing


def test_a_load_from_the_command_line_is_recorded_with_its_files_and_outcome(cli_db, tmp_path):
    good = tmp_path / "targets.csv"
    good.write_text("metric,department,period_start,period_end,target\nnps,Billing,2026-01-01,2026-03-31,40\n")
    assert main(["load", str(good), "--db", str(cli_db)]) == 0
    bad = tmp_path / "nothing.csv"
    bad.write_text("colour,size\nred,1\n")
    assert main(["load", str(bad), "--db", str(cli_db)]) == 1
    first, second = _entries(cli_db)
    assert first["who"] == "local" and first["action"] == "load"
    assert first["what"]["files"] == [str(good)] and first["what"]["outcome"] == "ok"
    assert (first["what"]["read"], first["what"]["loaded"], first["what"]["rejected"]) == (1, 1, 0)
    assert first["what"]["load_id"]
    assert second["action"] == "load" and second["what"]["outcome"] == "failed"
    assert second["what"]["files"] == [str(bad)] and second["what"]["reason"]


def test_a_refresh_and_a_demo_build_are_recorded(cli_db, tmp_path):
    assert main(["refresh", "--db", str(cli_db)]) == 0
    demo = tmp_path / "demo.duckdb"
    assert main(["demo", "--customers", "200", "--seed", "3", "--db", str(demo)]) == 0
    [refresh] = _entries(cli_db)
    assert refresh["who"] == "local" and refresh["action"] == "refresh"
    assert refresh["what"]["database"] == str(cli_db)
    [built] = _entries(demo)
    assert built["action"] == "demo" and built["what"]["customers"] == 200 and built["what"]["seed"] == 3
    assert built["what"]["rows"]["customers"] == 200


def test_a_board_pack_from_the_command_line_is_recorded_with_its_filters(cli_db, tmp_path):
    out = tmp_path / "pack.pptx"
    assert main(["report", "--db", str(cli_db), "--out", str(out), "--from", "2026-01-01", "--to", "2026-03-31",
                 "--segment", "SMB"]) == 0
    [entry] = _entries(cli_db)
    assert entry["who"] == "local" and entry["action"] == "board_pack"
    assert entry["what"]["files"] == [str(out)] and entry["what"]["formats"] == ["pptx"]
    assert entry["what"]["filters"] == {"from": "2026-01-01", "to": "2026-03-31", "segment": ["SMB"]}
    assert entry["what"]["slides"] > 5


def test_a_command_that_cannot_record_says_so_and_fails(cli_db, tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "no-store"
    blocked.write_text("a file where the store's folder should be")
    monkeypatch.setenv(STORE_ENV, str(blocked / "state.sqlite"))
    assert main(["refresh", "--db", str(cli_db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: done, but not recorded in the audit log:") and "Traceback" not in err


ROLES = """
[users."root@example.com"]
role = "admin"

[users."luis@example.com"]
role = "cx_manager"
segments = ["SMB"]

[users."vera@example.com"]
role = "viewer"
"""


@pytest.fixture
def roles_file(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES)
    monkeypatch.setenv("CX_ROLES", str(path))
    return path


def test_with_a_roles_file_each_command_is_recorded_under_its_as_user(roles_file, cli_db, tmp_path):
    """The entry names the user the command's permission check let run it, and a board pack the
    filters narrowed to that user's scope."""
    assert main(["refresh", "--db", str(cli_db), "--as", "root@example.com"]) == 0
    out = tmp_path / "pack.pptx"
    assert main(["report", "--db", str(cli_db), "--out", str(out), "--from", "2026-01-01", "--to", "2026-03-31",
                 "--as", "luis@example.com"]) == 0
    refresh, pack = _entries(cli_db)
    assert (refresh["who"], refresh["action"]) == ("root@example.com", "refresh")
    assert (pack["who"], pack["action"]) == ("luis@example.com", "board_pack")
    assert pack["what"]["filters"] == {"from": "2026-01-01", "to": "2026-03-31", "segment": ["SMB"]}


def test_a_refused_command_is_recorded_as_refused_and_changes_nothing_else(roles_file, cli_db, tmp_path, capsys):
    file = tmp_path / "customers.csv"
    file.write_text("customer_id,segment\nZZ1,SMB\n")
    before = cli_db.read_bytes()
    assert main(["load", str(file), "--db", str(cli_db), "--as", "vera@example.com"]) == 4
    assert main(["audit", "--db", str(cli_db), "--as", "luis@example.com"]) == 4
    assert main(["refresh", "--db", str(cli_db)]) == 4
    assert cli_db.read_bytes() == before
    assert "Traceback" not in capsys.readouterr().err
    load, listing, unnamed = _entries(cli_db)
    assert load == {"who": "vera@example.com", "action": "refused",
                    "what": {"command": "load", "reason": "vera@example.com is a viewer and may not load, replace or "
                                                          "rebuild data (the administrator does)"}}
    assert (listing["who"], listing["what"]["command"]) == ("luis@example.com", "audit")
    assert listing["what"]["reason"] == "luis@example.com is a cx manager and may not read the audit log (the " \
                                        "administrator does)"
    assert (unnamed["who"], unnamed["what"]["command"]) == ("anonymous", "refresh")
    assert main(["audit", "--db", str(cli_db), "--as", "root@example.com", "--action", "refused", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
