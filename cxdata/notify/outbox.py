"""The outbox: one row per item, recipient and channel, in its own table in the store beside the
database (cxdata.store, as the audit log keeps its table), so nothing is sent twice.

A send is recorded before it is made (`intend`: state "sending", one more attempt) and its result
after (`sent`, or `failed` with the reason; after MAX_ATTEMPTS failures "gave_up"). A row still
"sending" when the next run starts means the run stopped between the send and its record: the
message may or may not have gone out. It is never resent by itself: `flag_uncertain` marks it
"uncertain" and the run reports it for a person to check; `python -m cxdata notify
--resend-uncertain` sends those again, under the same Message-ID (e-mail) or Idempotency-Key
(webhook), which lets a receiver that keeps them drop a copy it already has.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from cxdata.i18n import _
from cxdata.notify.recipients import SettingError
from cxdata.store import Store, StoreError

MAX_ATTEMPTS_ENV = "CX_NOTIFY_MAX_ATTEMPTS"
DEFAULT_MAX_ATTEMPTS = 3
DONE = ("sent", "uncertain", "gave_up")   # states a run never sends again by itself

_SCHEMA = """
create table if not exists notify_outbox (
    item_key    text not null,
    recipient   text not null,
    channel     text not null,
    state       text not null,
    attempts    integer not null,
    message_id  text not null,
    subject     text not null,
    error       text,
    first_at    text not null,
    last_at     text not null,
    primary key (item_key, recipient, channel)
);
"""


@dataclass(frozen=True)
class Row:
    item_key: str
    recipient: str
    channel: str
    state: str
    attempts: int
    subject: str
    error: str | None
    last_at: str


def message_id(item_key: str, recipient: str, channel: str) -> str:
    """The same id for the same item, recipient and channel in every run: the e-mail's Message-ID
    and the webhook's Idempotency-Key, so a receiver that keeps them can drop a second copy."""
    digest = hashlib.sha256(f"{item_key}\n{recipient}\n{channel}".encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@cx-cockpit.notify>"  # untranslated: an identifier


def max_attempts() -> int:
    """$CX_NOTIFY_MAX_ATTEMPTS (default 3): how many runs try a failing send before giving up."""
    raw = os.environ.get(MAX_ATTEMPTS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_ATTEMPTS
    if not raw.isdigit() or int(raw) < 1:
        raise SettingError(_("{setting}={value} is not a whole number of 1 or more").format(
            setting=MAX_ATTEMPTS_ENV, value=repr(raw)))
    return int(raw)


class Outbox:
    """The outbox table of one store (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _connect(self) -> sqlite3.Connection:
        con = self.store.connect()
        con.executescript(_SCHEMA)
        return con

    def entries(self) -> dict[tuple[str, str, str], Row]:
        """Every row by (item, recipient, channel), reading without writing anything (a dry run
        creates no file and no table)."""
        path = Path(self.store.path)
        if not path.exists():
            return {}
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as con:
                if not con.execute("select 1 from sqlite_master where name = 'notify_outbox'").fetchone():
                    return {}
                rows = con.execute("select item_key, recipient, channel, state, attempts, subject, error, last_at "
                                   "from notify_outbox").fetchall()
        except sqlite3.Error as exc:
            raise StoreError(_("the outbox in {path} can't be read: {error}").format(path=path, error=exc)) from exc
        return {(r[0], r[1], r[2]): Row(*r) for r in rows}

    def flag_uncertain(self, now: str) -> list[Row]:
        """Rows left "sending" by a run that stopped between a send and its record: marked
        "uncertain" (never resent by themselves) and returned for the report."""
        def work(con):
            rows = con.execute("select item_key, recipient, channel, state, attempts, subject, error, last_at "
                               "from notify_outbox where state = 'sending'").fetchall()
            con.execute("update notify_outbox set state = 'uncertain', last_at = ?, "
                        "error = 'the run stopped between sending and recording' where state = 'sending'", (now,))
            return [Row(*r) for r in rows]
        return self._write(work)

    def resend_uncertain(self, now: str) -> int:
        """--resend-uncertain: the uncertain rows become failed ones, so this run sends them again."""
        return self._write(lambda con: con.execute(
            "update notify_outbox set state = 'failed', last_at = ? where state = 'uncertain'", (now,)).rowcount)

    def intend(self, item_key: str, recipient: str, channel: str, subject: str, now: str) -> None:
        """Record that this send is about to be made (before it is made)."""
        self._write(lambda con: con.execute(
            "insert into notify_outbox values (?, ?, ?, 'sending', 1, ?, ?, null, ?, ?) "
            "on conflict (item_key, recipient, channel) do update set state = 'sending', "
            "attempts = attempts + 1, subject = excluded.subject, last_at = excluded.last_at",
            (item_key, recipient, channel, message_id(item_key, recipient, channel), subject, now, now)))

    def sent(self, item_key: str, recipient: str, channel: str, now: str) -> None:
        self._set(item_key, recipient, channel, "sent", None, now)

    def failed(self, item_key: str, recipient: str, channel: str, error: str, now: str, give_up: bool) -> None:
        self._set(item_key, recipient, channel, "gave_up" if give_up else "failed", error, now)

    def _set(self, item_key: str, recipient: str, channel: str, state: str, error: str | None, now: str) -> None:
        self._write(lambda con: con.execute(
            "update notify_outbox set state = ?, error = ?, last_at = ? "
            "where item_key = ? and recipient = ? and channel = ?",
            (state, error, now, item_key, recipient, channel)))

    def _write(self, work):
        try:
            with closing(self._connect()) as con:
                con.execute("begin immediate")  # untranslated: SQL
                try:
                    result = work(con)
                    con.execute("commit")  # untranslated: SQL
                    return result
                except BaseException:
                    con.execute("rollback")  # untranslated: SQL
                    raise
        except sqlite3.Error as exc:
            raise StoreError(_("the outbox in {path} can't be written: {error}").format(
                path=self.store.path, error=exc)) from exc
