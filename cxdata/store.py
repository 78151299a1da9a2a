"""The small writable store beside the CX database: what the app itself writes.

Loads replace the CX database file and the app opens it read-only, so follow-up state
(alert statuses, owners and notes; edited targets) cannot live there. It lives in SQLite,
from the standard library, in WAL mode: readers never wait for a writer, a write takes
milliseconds and never touches the CX file, so it can't block a load and survives every
swap and app restart. Every change is appended to `events`, which is never rewritten;
`current` holds the latest value of each field. A writer that says which version of the
record it saw (`seen`, the record's newest event id when its page was drawn) is refused
(`Conflict`) if a field it changes was changed since, so an outdated page never overwrites.

A record is addressed by a kind ("alert", "target", ...) and a key the caller chooses;
values are stored as JSON so numbers come back as numbers. A history kept elsewhere (the demo's
past of worked alerts) comes in through `import_history`, each change with its own past time,
only into records with no change yet: appended like any other, never rewriting one.
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import pandas as pd

from cxdata.i18n import N_, _

STORE_ENV = "CX_STORE"

_SCHEMA = """
create table if not exists events (
    event_id   integer primary key autoincrement,
    kind       text not null,
    key        text not null,
    field      text not null,
    value      text,
    changed_at text not null,
    changed_by text not null
);
create index if not exists events_by_key on events (kind, key);
create table if not exists current (
    kind       text not null,
    key        text not null,
    field      text not null,
    value      text,
    changed_at text not null,
    changed_by text not null,
    primary key (kind, key, field)
);
"""


class StoreError(Exception):
    """The store file can't be opened or written (a message for the user, not a traceback)."""


class Conflict(StoreError):
    """A change made on an outdated view: a field it sets was changed by someone else since."""

    def __init__(self, field: str, by: str, at: str) -> None:
        self.field, self.by, self.at = field, by, at
        super().__init__(_("The {field} was changed by {by} at {at} UTC after this view was opened; reload it and "
                           "make the change again").format(field=field, by=by, at=at.replace("T", " ")[:16]))


def store_path(db_path: Path) -> Path:
    """$CX_STORE, else `<database name>.state.sqlite` beside the database."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured)
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.state.sqlite")


class Store:
    """The follow-up store for one CX database (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def beside(cls, db_path: Path) -> "Store":  # untranslated: a type
        return cls(store_path(db_path))

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            con.execute("pragma journal_mode=wal")  # untranslated: SQL
            con.execute("pragma busy_timeout=10000")  # untranslated: SQL
            con.executescript(_SCHEMA)
            return con
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(_("the follow-up store {path} can't be opened: {error}").format(path=self.path,
                                                                                             error=exc)) from exc

    def connect(self) -> sqlite3.Connection:
        """An open connection (WAL, waiting for writers) for a module that keeps its own table in
        this file, as the audit log does; the caller closes it."""
        return self._connect()

    def change(self, kind: str, key: str, fields: dict[str, object], who: str,
               at: datetime | None = None, seen: int | None = None, checked: tuple[str, ...] = ()) -> None:
        """Set fields of one record, appending each to the history, in one transaction. With `seen`
        (the record's version when the writer's page was drawn, `versions()`), a field of `checked`
        changed after it refuses the whole change (Conflict)."""
        if not fields:
            return
        who = (who or "").strip() or "unknown"
        stamp = (at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        rows = [(kind, str(key), field, json.dumps(value, default=str), stamp, who)
                for field, value in fields.items()]
        with self._transaction(N_("the change could not be saved in {path}: {error}")) as con:
            if seen is not None:
                self._refuse_if_changed(con, kind, str(key), seen, [f for f in checked if f in fields])
            self._append(con, rows)

    def import_history(self, kind: str, changes: Iterable[tuple[str, datetime, str, dict[str, object]]]) -> int:
        """Import changes made in the past, each `(key, at, who, fields)` with its own time: a follow-up
        history kept before the app (the demo writes one). `at` must be timezone-aware and not in the
        future. A record that already has any change is left alone, so an import run twice writes
        nothing twice and never rewrites what someone did here; a new record's changes are appended
        oldest first, so its `current` values are its latest. One transaction: all or nothing. The
        events stay append-only like every other change. How many records were imported."""
        by_key: dict[str, list[tuple[datetime, str, dict[str, object]]]] = {}
        now = datetime.now(timezone.utc)
        for key, at, who, fields in changes:
            if at.tzinfo is None or at > now:
                raise ValueError(f"an imported change needs a past, timezone-aware time, not {at!r}")  # untranslated: for developers
            by_key.setdefault(str(key), []).append((at, (who or "").strip() or "unknown", fields))
        if not by_key:
            return 0
        with self._transaction(N_("the history could not be imported into {path}: {error}")) as con:
            known = {k for (k,) in con.execute(
                "select distinct key from events where kind = ? and key in (select value from json_each(?))",
                (kind, json.dumps(list(by_key))))}
            fresh = [k for k in by_key if k not in known]
            self._append(con, [(kind, key, field, json.dumps(value, default=str),
                                at.astimezone(timezone.utc).isoformat(timespec="seconds"), who)
                               for key in fresh
                               for at, who, fields in sorted(by_key[key], key=lambda change: change[0])
                               for field, value in fields.items()])
        return len(fresh)

    @contextmanager
    def _transaction(self, failure: str):
        """One write transaction on the store: committed whole or rolled back; a database error is a
        StoreError that says `failure` (a sentence with {path} and {error})."""
        try:
            with closing(self._connect()) as con:
                con.execute("begin immediate")  # untranslated: SQL
                try:
                    yield con
                    con.execute("commit")
                except BaseException:
                    con.execute("rollback")
                    raise
        except sqlite3.Error as exc:
            raise StoreError(_(failure).format(path=self.path, error=exc)) from exc

    @staticmethod
    def _append(con: sqlite3.Connection, rows: list[tuple]) -> None:
        """Append each (kind, key, field, value, changed_at, changed_by) to the history and make it
        the field's current value."""
        con.executemany("insert into events (kind, key, field, value, changed_at, changed_by) "
                        "values (?, ?, ?, ?, ?, ?)", rows)
        con.executemany("insert into current values (?, ?, ?, ?, ?, ?) "
                        "on conflict (kind, key, field) do update set value = excluded.value, "
                        "changed_at = excluded.changed_at, changed_by = excluded.changed_by", rows)

    @staticmethod
    def _refuse_if_changed(con: sqlite3.Connection, kind: str, key: str, seen: int, fields: list[str]) -> None:
        if not fields:
            return
        newer = con.execute("select field, changed_by, changed_at from events where kind = ? and key = ? "
                            "and event_id > ? and field in (select value from json_each(?)) "
                            "order by event_id desc limit 1",
                            (kind, key, seen, json.dumps(list(fields)))).fetchone()
        if newer:
            raise Conflict(*newer)

    def versions(self, kind: str) -> dict[str, int]:
        """Each record's version: the id of its newest event (0 for a record never changed)."""
        if not self.path.exists():
            return {}
        return dict(self._fetch("select key, max(event_id) from events where kind = ? group by key", (kind,)))

    def records(self, kind: str) -> dict[str, dict[str, object]]:
        """Every record of a kind: key -> {field: latest value}."""
        out: dict[str, dict[str, object]] = {}
        for key, field, value in self._rows("current", ("key", "field", "value"), kind).itertuples(index=False):
            out.setdefault(key, {})[field] = value
        return out

    def current(self, kind: str) -> pd.DataFrame:
        """The latest value of every field of a kind, with who set it and when."""
        return self._rows("current", ("key", "field", "value", "changed_at", "changed_by"), kind)

    def history(self, kind: str, key: str | None = None, keys: list[str] | None = None) -> pd.DataFrame:
        """Every change of a kind (or of one record, or of the records KEYS), oldest first."""
        return self._rows("events", ("event_id", "key", "field", "value", "changed_at", "changed_by"), kind, key,
                          keys)

    def newest_event(self) -> int:
        """The id of the newest change of any kind (0: none yet): what a reader keeping a fold of the
        history compares to know whether anything changed since."""
        return self._scalar("select coalesce(max(event_id), 0) from events", ()) if self.path.exists() else 0

    def keys_changed_after(self, kind: str, event_id: int) -> list[str]:
        """The records of a kind with a change newer than EVENT_ID."""
        if not self.path.exists():
            return []
        return [key for (key,) in self._fetch("select distinct key from events where event_id > ? and kind = ?",
                                              (event_id, kind))]

    def _scalar(self, sql: str, params: tuple):
        return self._fetch(sql, params)[0][0]

    def _fetch(self, sql: str, params: tuple) -> list[tuple]:
        try:
            with closing(self._connect()) as con:
                return con.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(_("the follow-up store {path} can't be read: {error}").format(path=self.path,
                                                                                           error=exc)) from exc

    def _rows(self, table: str, columns: tuple[str, ...], kind: str, key: str | None = None,
              keys: list[str] | None = None) -> pd.DataFrame:
        """Rows of one of the two fixed tables; a store never written to reads as empty, creating no file."""
        if not self.path.exists():
            return pd.DataFrame(columns=list(columns))
        sql = f"select {', '.join(columns)} from {table} where kind = ?"  # table and columns: fixed above
        params: tuple = (kind,)
        if key is not None:
            sql, params = sql + " and key = ?", (kind, str(key))  # untranslated: SQL
        elif keys is not None:
            sql, params = sql + " and key in (select value from json_each(?))", (kind, json.dumps(list(keys)))  # untranslated: SQL
        sql += " order by event_id" if table == "events" else " order by key, field"  # untranslated: SQL
        rows = self._fetch(sql, params)
        frame = pd.DataFrame(rows, columns=list(columns))
        frame["value"] = [json.loads(v) for v in frame["value"]]
        return frame
