"""The derived layer: the metric macros and the daily summary tables, brought up to date by every write.

Every write goes through `writable_copy`, which calls `refresh` on its file before the swap, so no
reader ever sees raw rows and their summaries out of step; `replay_last_write` brings the spare (the
generation before, db.copy_and_swap) forward by the last write the same way. A load records what it changed (`note_changes`,
the table refresh_changes, on the copy only) and `refresh` then rebuilds only the days and customers those rows reach
(sql/derived_update.sql), with the same macros as the full rebuild (sql/derived.sql); anything else (a
demo build, `python -m cxdata refresh`, a load of a reference table, a new code version) rebuilds the
whole layer. VERSION is a hash of the SQL that builds the layer: a database whose layer another version
of this code built is rebuilt before the app reads it.
"""
from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

from cxdata import churn, comments, db, journey, service, themes
from cxdata.i18n import _

# The SQL of the layer and the code that analyses comments (not the theme file: editing it takes a
# `python -m cxdata refresh`, which re-themes everything).
VERSION = hashlib.sha256((db.sql_text("macros") + db.sql_text("derived")).encode()
                         + b"".join(p.read_bytes() for p in comments.ANALYSIS_FILES)
                         + b"".join(p.read_bytes() for p in churn.SCORING_FILES)).hexdigest()[:12]


class RefreshFailed(Exception):
    """The derived tables could not be rebuilt, so the write they belong to was not swapped in."""


def refresh(con: duckdb.DuckDBPyConnection, scheduled: bool = False,
            progress: Callable[[str], None] | None = None) -> float:
    """Bring every derived table up to date on this (writable) connection, whose schema and macros
    db.apply_schema has written: only where the changes noted on it reach when it can (`can_update`),
    else the whole layer. Return the seconds it took.

    Two things read every customer's whole history as of the newest day, which a load of one day's
    rows would pay for whole: training the churn model and scoring every customer, and the journey
    map's stored views. A full rebuild computes them, and so does the SCHEDULED refresh (`python -m
    cxdata refresh --scheduled`, e.g. nightly after the day's loads: docs/performance.md); a load keeps
    the scores as they were (the churn page says the day they are as of) and drops the stored views
    (the journey page computes them until then). PROGRESS is told each stage as it starts."""
    began = time.perf_counter()
    progress = progress or (lambda stage: None)
    progress("analysing comments")  # untranslated: a stage the command line announces, in English as all its messages
    try:
        comments.refresh(con)  # the comment analysis that the voice tables of derived.sql read
    except themes.ThemeFileError as exc:
        raise RefreshFailed(_("{error}; nothing was written").format(error=exc)) from exc
    settings_before = _service_settings(con)
    service.write_settings(con)  # the service thresholds that derived.sql's service tables read
    update = settings_before == _service_settings(con) and can_update(con)
    progress("updating the summary tables" if update else "rebuilding the summary tables")  # untranslated: a stage
    try:
        con.execute(db.sql_text("derived_update" if update else "derived"))
        if scheduled or not update:  # a load drops them (sql/derived_update.sql): the page computes them until then
            journey.store_presets(con)  # the paths of the date presets, computed once here instead of per view
    except duckdb.Error as exc:
        if db.write_failure(exc):
            raise  # the disk, not the tables: db.copy_and_swap says so (CannotWrite)
        raise RefreshFailed(_("rebuilding the summary tables failed, so nothing was written ({error})").format(
            error=str(exc).strip().splitlines()[0])) from exc
    if scheduled or not update:
        progress("scoring churn risk")  # untranslated: a stage the command line announces
        churn.refresh(con)  # the risk scores, trained on the history this write leaves
    seconds = time.perf_counter() - began
    con.execute(db.sql_text("derived_stamp"), {"refreshed_at": datetime.now(timezone.utc).replace(tzinfo=None),
                                               "version": VERSION, "refresh_seconds": seconds})
    replayable = update and not scheduled  # what the next write replays on the spare (db.copy_and_swap)
    con.execute(db.sql_text("last_write_keep" if replayable else "last_write_forget"))
    con.execute(db.sql_text("refresh_changes_clear"))
    return seconds


def replay_last_write(con: duckdb.DuckDBPyConnection) -> bool:
    """Bring the spare (the generation before the live one, open for writing on CON, the live file
    attached read-only as live) forward by the live generation's write: the rows it changed, copied by
    key (sql/spare_sync.sql), then the same update of the derived layer from the same changes. False
    when that write cannot be replayed (it rebuilt the whole layer), or when afterwards any table's
    row count differs from the live file's: the writer then copies the live file instead."""
    if not _keeps_last_write(con, live=True):
        return False
    con.execute(db.sql_text("spare_sync"))
    note_changes(con)
    con.execute(db.sql_text("last_write_replay"))
    if not can_update(con):
        return False
    refresh(con)
    if not _keeps_last_write(con, live=False):  # the service settings changed since: the layer was rebuilt whole
        return False
    tables = db.run(con, "spare_tables")
    if not tables["in_both"].all():
        return False
    return all(con.execute(db.sql_text("table_rows"), {"qualified": f"live.{name}"}).fetchone()
               == con.execute(db.sql_text("table_rows"), {"qualified": name}).fetchone()
               for name in tables["table_name"])


def _keeps_last_write(con: duckdb.DuckDBPyConnection, live: bool) -> bool:
    return con.execute(db.sql_text("last_write_replayable"), {"live": live}).fetchone()[0]


def note_changes(con: duckdb.DuckDBPyConnection) -> None:
    """Start recording a write's changes on this writable copy (the table refresh_changes, which the
    writer fills, cxdata/load/write.py, and `refresh` drops), so that `refresh` rebuilds only what they
    reach. A write that records nothing this way gets the whole layer rebuilt."""
    con.execute(db.sql_text("refresh_changes"))


def note_everything(con: duckdb.DuckDBPyConnection) -> None:
    """Record that this write changed something the layer reads whole (a reference table), so the next
    `refresh` rebuilds everything."""
    note_changes(con)
    con.execute(db.sql_text("refresh_changes_full"))


def can_update(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the changes noted on this connection can be applied by sql/derived_update.sql: they
    were noted, the layer was built by this code over some contacts, and they name no new journey
    stage or touchpoint and change no table the layer reads whole (sql/derived_update_check.sql)."""
    if not con.execute(db.sql_text("refresh_changes_noted")).fetchone()[0] or not is_current(con):
        return False
    check = db.run(con, "derived_update_check").iloc[0]
    return (check["n_full"] == 0 and check["n_new_stages"] == 0 and check["n_new_touchpoints"] == 0
            and not pd.isna(check["latest_event_at"]))


def _service_settings(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """The service thresholds the layer was built with (None before the first build)."""
    try:
        row = db.run(con, "service_settings").iloc[0]
    except duckdb.CatalogException:
        return None
    return row["immediate_seconds"], row["deferred_seconds"], tuple(row["live_channels"])


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this database's derived layer was built by this version of the code."""
    try:
        row = con.execute(db.sql_text("derived_version")).fetchone()
    except duckdb.CatalogException:  # written before the derived layer existed
        return False
    return row is not None and row[0] == VERSION


def needs_refresh(path: Path | str) -> bool:
    """Whether the file is a cx-cockpit database whose derived layer another version built (or
    none has been built yet). A DuckDB file that is not a cx-cockpit database is left alone."""
    con = db.connect_readonly(path)
    try:
        return con.execute(db.sql_text("cx_tables")).fetchone()[0] == 4 and not is_current(con)
    finally:
        con.close()


def ensure_current(path: Path | str) -> bool:
    """Rebuild the derived layer of the database at `path` if it needs it; True when it did.

    Goes through writable_copy like any write, so readers keep working and the swap is atomic.
    """
    if not needs_refresh(path):
        return False
    with writable_copy(path):
        pass  # writable_copy refreshes the copy before swapping it in
    return True


@contextmanager
def writable_copy(path: Path | str | None = None, scheduled: bool = False,
                  progress: Callable[[str], None] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: a read-write connection to a copy of the database (db.copy_and_swap),
    whose derived layer is brought up to date (`refresh`; SCHEDULED: the scheduled refresh) before it is
    swapped in atomically, so every write leaves raw rows and their summaries in step. If the block
    raises, the database is exactly as it was. PROGRESS is told the refresh's stages, then the saving."""
    def rebuild(con: duckdb.DuckDBPyConnection) -> None:
        refresh(con, scheduled=scheduled, progress=progress)
        if progress:
            progress("saving the database")  # untranslated: a stage the command line announces

    def catch_up(con: duckdb.DuckDBPyConnection) -> bool:
        if progress:
            progress("bringing the spare copy up to date")  # untranslated: a stage the command line announces
        return replay_last_write(con)

    with db.copy_and_swap(path, before_swap=rebuild, catch_up=catch_up) as con:
        yield con
