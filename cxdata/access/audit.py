"""The audit log: who signed in or was refused, what left the app as a file, and every change written.

It is a table in the store beside the database (cxdata.store), appended to and never rewritten:
no code path updates or deletes an entry, and triggers refuse it. Each entry's hash covers its
number, time, user, action and details and the previous entry's hash, so an entry edited, deleted
or moved in the file breaks the chain, and `verify` names the first entry where it breaks. An
append reads the last hash and inserts in one write transaction, so several app sessions and the
command line can record at once; it copies nothing.

Someone who can rewrite the whole file can also rewrite the whole chain: the head hash `verify`
reports, kept somewhere else, pins the log as it was.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxdata import formatting as fmt
from cxdata.access.roles import User
from cxdata.filters import Filters
from cxdata.i18n import N_, _, language, n_
from cxdata.store import Store, StoreError, store_path

# The fixed list of what is recorded (the key is what an entry stores), and how the Audit page names
# it: in the language of the page, `_(ACTIONS[key])`; the entries themselves never change.
ACTIONS: dict[str, str] = {
    "sign_in": N_("Signed in"),
    "refused": N_("Refused"),                  # at sign-in, or a command its --as user may not run
    "export": N_("Rows exported"),             # rows of customers, answers or contacts, as a file
    "download": N_("File downloaded"),         # a summary table or a board pack, as a file
    "board_pack": N_("Board pack built"),
    "upload": N_("Files uploaded and loaded"),
    "load": N_("Files loaded"),                # from the command line
    "demo": N_("Demo data built"),
    "refresh": N_("Summary tables rebuilt"),
    "target_edit": N_("Target changed"),
    "alert_change": N_("Churn alert changed"),
    "case_change": N_("Follow-up case changed"),
    "initiative_change": N_("Initiative changed"),  # created, edited, or a checkpoint marked
    "setting_change": N_("Setting changed"),
    "roles_change": N_("Roles changed"),
    "notify": N_("Notifications sent"),        # python -m cxdata notify: what left by e-mail or webhook
}
# The names of the details entries store, as the Audit page shows them; a name not listed is shown as stored.
DETAILS: dict[str, str] = {
    "file": N_("file"), "files": N_("files"), "format": N_("format"), "formats": N_("formats"), "rows": N_("rows"),
    "rows_of": N_("rows of"), "list": N_("list"), "table": N_("table"), "filters": N_("filters"),
    "from": N_("from"), "to": N_("to"), "segment": N_("segment"), "region": N_("region"), "plan": N_("plan"),
    "channel": N_("channel"), "department": N_("department"), "journey_stage": N_("journey stage"),
    "compare": N_("compare with"), "slides": N_("slides"), "reason": N_("reason"), "detail": N_("detail"),
    "role": N_("role"), "scope": N_("scope"), "groups": N_("groups"), "why": N_("why"), "outcome": N_("outcome"),
    "database": N_("database"), "load": N_("load"), "load_id": N_("load id"), "mapping": N_("mapping"),
    "column": N_("column"), "metric": N_("metric"), "quarter": N_("quarter"), "target": N_("target"),
    "alert": N_("alert"), "status": N_("status"), "owner": N_("owner"), "note": N_("note"), "rules": N_("rules"),
    "sentiment": N_("sentiment"), "search": N_("search"), "theme": N_("theme"), "command": N_("command"),
    "version": N_("version"), "created_at": N_("created at"), "dataset_id": N_("data set id"),
    "initiative": N_("initiative"), "checkpoint": N_("checkpoint"), "created": N_("created"),
    "recipients": N_("recipients"), "not_sent": N_("not sent"),
}
# Words the app itself stores as a detail's value (a sign-in's scope, why the demo was built, how an upload
# ended); shown translated, stored in English. Anything else a detail holds is shown as stored.
STORED_WORDS: dict[str, str] = {
    "all data": N_("all data"), "no database yet": N_("no database yet"),
    "written by another version": N_("written by another version"), "loaded": N_("loaded"),
    "failed": N_("failed"), "every row rejected": N_("every row rejected"),
}
# The Audit page's columns (its table and the column settings use the same names).
WHEN, WHO, ACTION, WHAT = N_("When (UTC)"), N_("Who"), N_("Action"), N_("What")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day a detail stores, as ISO text
GENESIS = "0" * 64  # the "previous hash" of the first entry

_SCHEMA = """
create table if not exists audit (
    entry_id    integer primary key autoincrement,
    recorded_at text not null,
    who         text not null,
    action      text not null,
    what        text not null,
    prev_hash   text not null,
    hash        text not null
);
create trigger if not exists audit_no_update before update on audit
begin select raise(abort, 'the audit log is append-only'); end;
create trigger if not exists audit_no_delete before delete on audit
begin select raise(abort, 'the audit log is append-only'); end;
"""
COLUMNS = ("entry_id", "recorded_at", "who", "action", "what")


class AuditError(StoreError):
    """An entry can't be recorded or the log can't be read (a message for the user, not a traceback)."""


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: how many entries, the first bad one (None when the chain holds) and why."""

    n_entries: int
    head: str                   # the newest entry's hash: keep it elsewhere to pin the log
    first_bad: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad is None

    def text(self) -> str:
        """The verdict in a sentence, in the language of this run (the reason as `verify` wrote it)."""
        if not self.ok:
            return _("The audit log was tampered with: {reason}.").format(reason=self.reason)
        if not self.n_entries:
            return _("The audit log is empty.")
        return n_("The audit log verifies: {n} entry, none edited, deleted or reordered; the newest hash is {head}.",
                  "The audit log verifies: {n} entries, none edited, deleted or reordered; the newest hash is {head}.",
                  self.n_entries).format(n=fmt.count(self.n_entries), head=self.head)


def entry_hash(entry_id: int, recorded_at: str, who: str, action: str, what: str, prev_hash: str) -> str:
    """The hash that chains an entry: its number, content and the previous entry's hash."""
    content = json.dumps([entry_id, recorded_at, who, action, what, prev_hash], ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def canonical(what: dict) -> str:
    """The details as stored and hashed: JSON in the order written, dates as ISO text."""
    return json.dumps(what, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "item"):  # numpy and pandas scalars
        return value.item()
    return str(value)


def filters_what(filters: Filters) -> dict:
    """A view's filters as an entry's details: the period and each chosen dimension."""
    return {"from": filters.start.isoformat(), "to": filters.end.isoformat(),
            **{key: list(values) for key, values in filters.chosen}}


class AuditLog:
    """The audit table of one store file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def beside(cls, db_path: Path | str) -> "AuditLog":
        """The log in the store beside this database ($CX_STORE when set)."""
        return cls(store_path(Path(db_path)))

    def _connect(self) -> sqlite3.Connection:
        con = Store(self.path).connect()
        try:
            con.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            con.close()
            raise AuditError(_("the audit log in {path} can't be opened: {error}").format(path=self.path,
                                                                                        error=exc)) from exc
        return con

    def record(self, who: str | User, action: str, what: dict, at: dt.datetime | None = None) -> int:
        """Append one entry; its number. The last hash is read and the entry written in one
        write transaction, so two sessions recording at once chain one after the other."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; "  # untranslated: a programming error
                             f"use one of {', '.join(ACTIONS)}")
        who = (who.email if isinstance(who, User) else str(who or "")).strip() or "unknown"
        stamp = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        details = canonical(what)
        try:
            with closing(self._connect()) as con:
                con.execute("begin immediate")  # untranslated: SQL
                try:
                    last = con.execute("select hash from audit order by entry_id desc limit 1").fetchone()
                    # the counter, not the last row: an entry deleted at the end is never numbered again
                    seq = con.execute("select seq from sqlite_sequence where name = 'audit'").fetchone()
                    entry_id = (seq[0] if seq else 0) + 1
                    prev = last[0] if last else GENESIS
                    con.execute("insert into audit values (?, ?, ?, ?, ?, ?, ?)",
                                (entry_id, stamp, who, action, details, prev,
                                 entry_hash(entry_id, stamp, who, action, details, prev)))
                    con.execute("commit")
                except BaseException:
                    con.execute("rollback")
                    raise
        except StoreError as exc:
            raise AuditError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise AuditError(_("the audit entry could not be written to {path}: {error}").format(path=self.path,
                                                                                               error=exc)) from exc
        return entry_id

    def entries(self, since: dt.date | None = None, until: dt.date | None = None, who: str | None = None,
                actions: list[str] | tuple[str, ...] = (), newest_first: bool = False,
                limit: int | None = None) -> pd.DataFrame:
        """Entries recorded on or after `since` and on or before `until` (UTC days), by one user
        (e-mail, any case) and of the actions given (none = all), the first `limit` of them in the
        order asked; `what` as a dict."""
        if not self.path.exists():
            return pd.DataFrame(columns=list(COLUMNS))
        where, params = [], []
        if since:
            where.append("recorded_at >= ?")
            params.append(since.isoformat())
        if until:
            where.append("recorded_at < ?")
            params.append((until + dt.timedelta(days=1)).isoformat())
        if who:
            where.append("lower(who) = lower(?)")
            params.append(who.strip())
        if actions:
            where.append(f"action in ({', '.join('?' * len(actions))})")  # untranslated: SQL, placeholders only
            params.extend(actions)
        sql = (f"select {', '.join(COLUMNS)} from audit"  # untranslated: SQL
               + (f" where {' and '.join(where)}" if where else "")
               + f" order by entry_id {'desc' if newest_first else 'asc'}" + (" limit ?" if limit else ""))
        rows = self._read(sql, tuple(params) + ((limit,) if limit else ()))
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        frame["what"] = [json.loads(w) for w in frame["what"]]
        return frame

    def users(self) -> list[str]:
        """Everyone with an entry, for the Audit page's filter."""
        if not self.path.exists():
            return []
        return [r[0] for r in self._read("select distinct who from audit order by who", ())]

    def verify(self) -> Verdict:
        """Walk the chain from the first entry: the first entry missing, changed or out of order."""
        if not self.path.exists():
            return Verdict(0, GENESIS)
        try:
            with closing(self._connect()) as con:
                seq = con.execute("select seq from sqlite_sequence where name = 'audit'").fetchone()
                cursor = con.execute("select entry_id, recorded_at, who, action, what, prev_hash, hash "
                                     "from audit order by entry_id")
                n, expected, prev = 0, 1, GENESIS
                for entry_id, at, who, action, what, prev_hash, stored in cursor:
                    if entry_id != expected:
                        gone = (_("entry #{entry} is missing (deleted)").format(entry=expected)
                                if entry_id == expected + 1 else
                                _("entries #{first}–#{last} are missing (deleted)").format(first=expected,
                                                                                           last=entry_id - 1))
                        return Verdict(n, prev, expected, gone)
                    if stored != entry_hash(entry_id, at, who, action, what, prev_hash):
                        return Verdict(n, prev, entry_id, _("entry #{entry} ({at}, {who}, {action}) was changed "
                                                            "after it was written").format(
                            entry=entry_id, at=at, who=who, action=action))
                    if prev_hash != prev:
                        return Verdict(n, prev, entry_id, _("entry #{entry} ({at}, {who}, {action}) does not follow "
                                                            "entry #{previous}: one of them was replaced, or entries "
                                                            "were reordered").format(
                            entry=entry_id, at=at, who=who, action=action, previous=entry_id - 1))
                    n, expected, prev = n + 1, expected + 1, stored
        except StoreError as exc:
            raise AuditError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise AuditError(_("the audit log in {path} can't be read: {error}").format(path=self.path,
                                                                                      error=exc)) from exc
        written = seq[0] if seq else 0
        if written > n:
            gone = (_("the newest entry #{entry} is missing (deleted)").format(entry=written) if written == n + 1 else
                    _("the newest entries #{first}–#{last} are missing (deleted)").format(first=n + 1, last=written))
            return Verdict(n, prev, n + 1, gone)
        return Verdict(n, prev)

    def _read(self, sql: str, params: tuple) -> list[tuple]:
        try:
            with closing(self._connect()) as con:
                return con.execute(sql, params).fetchall()
        except StoreError as exc:
            raise AuditError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise AuditError(_("the audit log in {path} can't be read: {error}").format(path=self.path,
                                                                                      error=exc)) from exc


def record(db_path: Path | str, who: str | User, action: str, what: dict) -> int:
    """Append one entry to the log beside this database (the command line's and the app's one call)."""
    return AuditLog.beside(db_path).record(who, action, what)


def columns() -> tuple[str, str, str, str, str]:
    """The Audit page's column names in the language of this run (the entry's number is "#" in every one)."""
    return ("#", _(WHEN), _(WHO), _(ACTION), _(WHAT))


def for_screen(entries: pd.DataFrame) -> pd.DataFrame:
    """Entries as the Audit page lists them, in the language of this run: number, time, user, the
    action in words, the details in one line. What is stored is untouched: only its display is translated."""
    number, when, who, action, what = columns()
    return pd.DataFrame({number: entries["entry_id"].astype(int),
                         when: [when_text(at) for at in entries["recorded_at"]],
                         who: entries["who"], action: [_(ACTIONS[a]) if a in ACTIONS else a for a in entries["action"]],
                         what: [summary(w) for w in entries["what"]]})


def when_text(recorded_at: str) -> str:
    """An entry's time (UTC, to the second): '2026-03-03 14:05:09' in English as the log has always
    shown it; in other languages the locale's day ('3 mar 2026 14:05:09')."""
    stamp = recorded_at[:19].replace("T", " ")
    if language() == "en":
        return stamp
    return f"{fmt.date(stamp[:10])} {stamp[11:]}"  # untranslated: a day and a time side by side


def summary(what: dict) -> str:
    """An entry's details in one line: 'file: at-risk.csv · rows: 12 · filters: segment: SMB' (the
    names and the app's own words in the language of this run; values as stored)."""
    parts = []
    for key, value in what.items():
        if isinstance(value, dict):
            value = ", ".join(f"{_name(k)}: {_one(v)}" for k, v in value.items()) or _("none")
        quarter = key == "quarter" and language() != "en" and isinstance(value, str) and _DAY.fullmatch(value)
        parts.append(f"{_name(key)}: {fmt.quarter(value) if quarter else _one(value)}")
    return " · ".join(parts)


def _name(key: str) -> str:
    return _(DETAILS[key]) if key in DETAILS else key.replace("_", " ")


def _one(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_one(v) for v in value) or _("none")
    if value is None:
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return fmt.count(value)
    if isinstance(value, float):
        return fmt.number_text(str(value))
    if value in STORED_WORDS:
        return _(STORED_WORDS[value])
    if isinstance(value, str) and language() != "en" and _DAY.fullmatch(value):
        return fmt.date(value)  # a period's or a quarter's first day, as the page's language writes it
    return str(value)
