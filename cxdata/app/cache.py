"""Streamlit caching for the app: one read-only connection per database file, cached query results.

Both are keyed on the file's identity (inode, size, modification time), so when a
load swaps in a new database the next rerun opens it and no stale result is served.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from cxdata import db, derive
from cxdata.app import audited
from cxdata.i18n import _


def file_stamp(path: Path) -> tuple[int, int, int]:
    """What changes when a load or demo build replaces the file."""
    info = os.stat(path)
    return info.st_ino, info.st_size, info.st_mtime_ns


class _Connections:
    """One open connection per database file, replaced when a load swaps the file.

    The old connection must be closed first: while it is open, DuckDB's in-process
    instance cache hands `connect(path)` the old instance, still reading the replaced
    file. Queries already running on its cursors finish normally.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[tuple[int, int, int], duckdb.DuckDBPyConnection]] = {}
        threading.Thread(target=self._let_go_of_replaced, daemon=True, name="cx-replaced-files").start()

    def _let_go_of_replaced(self, every: float = 1.0) -> None:
        """Close, within a second, a connection to a file a write has replaced, even when nobody visits:
        the replaced file is the spare the next write brings forward (cxdata.db.copy_and_swap), which it
        can only do once no reader holds it (else it copies the whole database)."""
        while True:
            time.sleep(every)
            with self._lock:
                for path, (stamp, con) in list(self._open.items()):
                    try:
                        replaced = file_stamp(Path(path)) != stamp
                    except OSError:  # removed: nothing to keep it open for either
                        replaced = True
                    if replaced:
                        _close(con)
                        del self._open[path]

    def get(self, path: str) -> duckdb.DuckDBPyConnection:
        with self._lock:
            stamp = file_stamp(Path(path))
            current = self._open.get(path)
            if current and current[0] == stamp:
                return current[1]
            if current:
                _close(current[1])
            con = db.connect_readonly(path)
            self._open[path] = (stamp, con)
            return con


def _close(con: duckdb.DuckDBPyConnection, attempts: int = 50) -> None:
    """Close a connection another session may be opening a cursor on at this instant."""
    for _attempt in range(attempts):
        try:
            con.close()
            return
        except duckdb.Error:  # "connection is busy with another call"
            time.sleep(0.02)
    con.close()


@st.cache_resource(show_spinner=False)
def _connections() -> _Connections:
    return _Connections()


@st.cache_data(max_entries=1000, show_spinner=False)
def _run(path: str, stamp: tuple[int, int, int], name: str, params: dict, _lists: dict) -> pd.DataFrame:
    """Keyed on the file's stamp, so a swapped-in database never gets an old result; `_lists` (not
    hashed: the underscore) are long lists that params' db.LISTS_VERSION names exactly."""
    try:
        return db.run(_connections().get(path), name, {**params, **_lists})
    except duckdb.ConnectionException:
        # Another session swapped the connection between our get() and cursor(): once more.
        return db.run(_connections().get(path), name, {**params, **_lists})


class CachedReader:
    """Runs named queries on the database as it is now, through Streamlit's caches."""

    def __init__(self, path: Path):
        self.path = path
        self.stamp = file_stamp(path)

    def run(self, name: str, params: dict | None = None) -> pd.DataFrame:
        params = params or {}
        _version, versioned = params.get(db.LISTS_VERSION, (None, ()))
        lists = {key: params[key] for key in versioned if key in params}
        return _run(str(self.path), self.stamp, name, {k: v for k, v in params.items() if k not in lists}, lists)


def ensure_database(path: Path) -> None:
    """Build the demo database if none exists, so a fresh clone shows real-looking dashboards;
    rebuild the derived tables of a database another version of cx-cockpit wrote.

    The version is checked once per file state (a load's swap is a new state). A rebuild that
    failed is remembered for that state, so the app says why instead of copying the file on
    every click.
    """
    if not path.exists():
        from cxdata.demo import build_demo

        with st.spinner(_("No database yet: building the demo data (a few seconds)…")):
            try:
                counts = build_demo(path)
            except db.DatabaseBusy:
                return  # another session is building it; the caller finds it when done
        audited.record("demo", {"database": str(path), "why": "no database yet", "rows": counts})  # untranslated: a stored record
        return
    _ensure_current(str(path), file_stamp(path))


@st.cache_resource(show_spinner=False)
def _ensure_current(path: str, stamp: tuple[int, int, int]) -> str:
    """The outcome for this state of the file: "current", "refreshed" or "failed: <why>"."""
    if not derive.needs_refresh(path):
        return "current"
    with st.spinner(_("This database was written by another version of cx-cockpit: "
                      "rebuilding its summary tables (once)…")):
        try:
            derive.ensure_current(path)
        except derive.RefreshFailed as exc:
            return f"failed: {exc}"
    audited.record("refresh", {"database": path, "why": "written by another version",   # untranslated: a stored record
                               "version": derive.VERSION})
    return "refreshed"


def rebuild_failure(path: Path) -> str | None:
    """Why this file's summary tables could not be rebuilt, if that is so."""
    outcome = _ensure_current(str(path), file_stamp(path)) if path.exists() else ""
    return outcome.removeprefix("failed: ") if outcome.startswith("failed: ") else None
