"""The derived layer: the metric macros and the daily summary tables, rebuilt by every write.

Every write goes through `writable_copy`, which calls `refresh` on its copy before the swap, so no
reader ever sees raw rows and their summaries out of step. VERSION is a hash of the SQL that builds the layer: a database
whose layer another version of this code built is refreshed before the app reads it.
"""
from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from cxdata import churn, comments, db, journey, service, themes
from cxdata.i18n import _

# The SQL of the layer and the code that analyses comments (not the theme file: editing it takes a
# `python -m cxdata refresh`, which re-themes everything).
VERSION = hashlib.sha256((db.sql_text("macros") + db.sql_text("derived")).encode()
                         + b"".join(p.read_bytes() for p in comments.ANALYSIS_FILES)
                         + b"".join(p.read_bytes() for p in churn.SCORING_FILES)).hexdigest()[:12]


class RefreshFailed(Exception):
    """The derived tables could not be rebuilt, so the write they belong to was not swapped in."""


def refresh(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] | None = None) -> float:
    """Rebuild every derived table on this (writable) connection, whose schema and macros
    db.apply_schema has written; return the seconds it took. PROGRESS is told each stage as it starts."""
    began = time.perf_counter()
    progress = progress or (lambda stage: None)
    progress("analysing comments")  # untranslated: a stage the command line announces, in English as all its messages
    try:
        comments.refresh(con)  # the comment analysis that the voice tables of derived.sql read
    except themes.ThemeFileError as exc:
        raise RefreshFailed(_("{error}; nothing was written").format(error=exc)) from exc
    service.write_settings(con)  # the service thresholds that derived.sql's service tables read
    progress("rebuilding the summary tables")  # untranslated: a stage the command line announces
    try:
        con.execute(db.sql_text("derived"))
        journey.store_presets(con)  # the paths of the date presets, computed once here instead of per view
    except duckdb.Error as exc:
        raise RefreshFailed(_("rebuilding the summary tables failed, so nothing was written ({error})").format(
            error=str(exc).strip().splitlines()[0])) from exc
    progress("scoring churn risk")  # untranslated: a stage the command line announces
    churn.refresh(con)  # the risk scores, trained on the history this write leaves
    seconds = time.perf_counter() - began
    con.execute(db.sql_text("derived_stamp"), {"refreshed_at": datetime.now(timezone.utc).replace(tzinfo=None),
                                               "version": VERSION, "refresh_seconds": seconds})
    return seconds


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
def writable_copy(path: Path | str | None = None,
                  progress: Callable[[str], None] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write: a read-write connection to a copy of the database (db.copy_and_swap),
    whose derived layer is rebuilt before it is swapped in atomically, so every write leaves raw rows
    and their summaries in step. If the block raises, the database is exactly as it was. PROGRESS is
    told the refresh's stages, then the saving of the copy."""
    def rebuild(con: duckdb.DuckDBPyConnection) -> None:
        refresh(con, progress)
        if progress:
            progress("saving the database")  # untranslated: a stage the command line announces

    with db.copy_and_swap(path, before_swap=rebuild) as con:
        yield con
