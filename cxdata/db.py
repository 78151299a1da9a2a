"""Connections, named queries, and safe writes to the CX database.

DuckDB lets one process write a file or many read it, never both. The app holds the
database open read-only, so writers (loader, demo) never open it for writing: they work
on another file and swap it in with an atomic rename. Readers keep the old file until they
reopen (the app reopens when the file's identity changes). That other file is the spare, the
file the last write replaced, brought forward by replaying that write on it, so a write costs
what changed rather than a copy of the whole file (copy_and_swap).
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import socket
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd

from cxdata.i18n import N_, _

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
DEFAULT_DB = Path("data/cx.duckdb")
MEMORY_LIMIT_ENV = "CX_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"   # a 4 GB machine: the app's reader and one write each stay under it
CATCH_UP_CHECKPOINT = 32_000_000  # bytes of log after bringing the spare forward above which it is checkpointed
SPARE_SUFFIX = ".spare"        # .cx.duckdb.spare: the generation before the live one (copy_and_swap)
SPILL_SUFFIX = ".spill"        # .cx.duckdb.<process>@<machine>.spill: DuckDB's files when a query outgrows the limit
# A parameter naming, exactly, the contents of some long lists among a query's other parameters (the
# worked follow-up cases: cxdata/followup/worked.py): (version, the lists' names). A cache keys on the
# version instead of hashing those lists; run() binds only the parameters a query names, never this.
LISTS_VERSION = "lists_version"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_QUERY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class DatabaseBusy(Exception):
    """Another process holds the database (or a load) for writing."""


class NotADatabase(Exception):
    """The database path names a file DuckDB cannot open."""


class SettingError(Exception):
    """A setting (an environment variable) has a value that cannot be used; the message names it."""


class CannotWrite(Exception):
    """The database's folder cannot take the write (a full disk, a read-only file system, no
    permission): nothing was written and the database is as it was."""

    def __init__(self, message: str, cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause   # in words: "permission denied", "no space left on device"


def db_path() -> Path:
    """The configured database: $CX_DB, else data/cx.duckdb."""
    return Path(os.environ.get("CX_DB") or DEFAULT_DB)


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    """The text of sql/NAME.sql; names are checked so no path can escape sql/."""
    if not _QUERY_NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")  # untranslated: a programming error, for developers
    path = SQL_DIR / f"{name}.sql"
    if not path.exists():
        raise ValueError(f"no query named {name!r} (expected {path})")  # untranslated: for developers
    return path.read_text(encoding="utf-8")


def query_params(name: str) -> set[str]:
    """The $parameters a named query uses."""
    return set(_PARAM.findall(_strip_comments(sql_text(name))))


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pd.DataFrame:
    """Run sql/NAME.sql with bound parameters and return a DataFrame.

    Callers may pass a superset (e.g. every filter): only the parameters the query
    uses are bound, so every query accepts the shared filters the same way.
    """
    params = params or {}
    wanted = query_params(name)
    missing = wanted - params.keys()
    if missing:
        raise ValueError(f"query {name!r} needs parameters {sorted(missing)}")  # untranslated: for developers
    cur = con.cursor()  # one per query, so sessions sharing a connection never share a cursor
    try:
        return cur.execute(sql_text(name), {k: params[k] for k in wanted}).df()
    finally:
        cur.close()


class Reader:
    """Runs named queries on one connection; the app's cached twin lives in cxdata.app.cache."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def run(self, name: str, params: dict | None = None) -> pd.DataFrame:
        return run(self.con, name, params)


def connect_readonly(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the database for reading, as the app does."""
    path = Path(path or db_path())
    if not path.exists():
        raise FileNotFoundError(_("no database at {path}: run `python -m cxdata demo` or load files").format(path=path))
    try:
        return duckdb.connect(str(path), read_only=True, config=settings(path))
    except duckdb.Error as exc:
        if "Conflicting lock" in str(exc):
            raise DatabaseBusy(_lock_message(path, exc)) from exc
        raise NotADatabase(_("{path} is not a DuckDB database this version can open ({error})").format(
            path=path, error=_first_line(exc))) from exc


def settings(path: Path) -> dict[str, str]:
    """The DuckDB settings of every connection cxdata opens on a database file (the app's readers, the writable copy):
    memory bounded by $CX_MEMORY_LIMIT, and what does not fit spilled to a folder beside the file instead of failing.

    Each process gets its own spill folder per file, named for the file, the process and its machine (a container
    sharing the folder has its own process numbers): the DuckDB instance that creates the folder deletes it, with
    all it holds, when it closes, so instances sharing one could delete each other's files mid-query. DuckDB
    creates it only when a query spills. One process always passes the same settings for a file, as DuckDB
    requires of two connections to one file in a process."""
    _remove_dead_spills(path.parent)
    return {"memory_limit": memory_limit(),
            "temp_directory": str(path.with_name(f".{path.name}.{os.getpid()}@{socket.gethostname()}{SPILL_SUFFIX}"))}


def memory_limit() -> str:
    """$CX_MEMORY_LIMIT as DuckDB reads it (2GB, 512MB, 1.5GiB, 75%), else the default; SettingError if DuckDB cannot."""
    value = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    problem = _memory_limit_problem(value)
    if problem:
        raise SettingError(_("{setting}={value} is not a memory size ({error}): write it like 2GB, 512MB or 75% (of "
                             "this machine's memory)").format(setting=MEMORY_LIMIT_ENV, value=repr(value), error=problem))
    return value


@lru_cache(maxsize=None)
def _memory_limit_problem(value: str) -> str | None:
    """DuckDB's own reason for refusing the size (checked once per value, on an empty in-memory database)."""
    try:
        duckdb.connect(config={"memory_limit": value}).close()
    except duckdb.Error as exc:
        return _first_line(exc).removeprefix("Parser Error: ")  # untranslated: DuckDB's prefix, matched
    return None


def _remove_dead_spills(folder: Path) -> None:
    """The spill folders that processes of this machine left when they were killed (a clean close removes its own)."""
    host = socket.gethostname()
    try:
        for entry in folder.iterdir():
            stem, at, machine = entry.name.removesuffix(SPILL_SUFFIX).rpartition("@")
            pid = stem.rpartition(".")[2]
            if entry.name.endswith(SPILL_SUFFIX) and at and machine == host and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)
    except OSError:
        pass   # a folder that cannot be listed: nothing to tidy here


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's process
        return True
    return True


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing tables of the data model and (re)write the metric macros."""
    con.execute(sql_text("schema"))
    con.execute(sql_text("macros"))


def _lock_message(path: Path, exc: Exception) -> str:
    holder = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", str(exc))  # untranslated: DuckDB's words
    who = f"{holder.group(1)} (PID {holder.group(2)})" if holder else _("another process")
    return _("the database {path} is open for writing by {who}; close that program (or wait for it to finish) and "
             "try again").format(path=path, who=who)


@contextmanager
def _load_lock(path: Path) -> Iterator[None]:
    """One writer at a time: a second loader fails at once instead of losing an update."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise DatabaseBusy(_("another load into {path} is running; wait for it to finish").format(path=path)) from exc
        yield


@contextmanager
def copy_and_swap(path: Path | str | None, before_swap: Callable[[duckdb.DuckDBPyConnection], None],
                  catch_up: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
                  ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to another file holding the database, swapped in atomically on success,
    after `before_swap` has run on it (the writer's own step: cxdata.derive.writable_copy rebuilds the
    derived layer there, so this module never calls up into it). If the block or that step raises, the
    database is exactly as it was. Readers may hold the database open meanwhile; a process writing to it
    makes this fail with DatabaseBusy (its unsaved changes would otherwise be lost by the swap).

    That other file is the spare when it can be: the generation before the live one, which the previous
    write left beside the database (`_publish`). `catch_up(con)`, with the live file attached read-only as
    `live`, replays the live generation's write on it and says whether it could, so a write costs what
    the last two writes changed instead of a copy of the whole file. Otherwise (no spare, a reader still
    on it, a write cut off on it, or a last write that rebuilt everything) the live file is copied.
    """
    path = Path(path or db_path())
    with _write_errors(path), _load_lock(path):
        _remove_stale_copies(path)  # the lock means no other loader is using them
        con, work, lineage, generation = None, None, uuid.uuid4().hex, 0
        try:
            if path.exists():
                _check_no_writer(path)
                con, work, lineage, generation = _brought_forward(path, catch_up)
            if con is None:
                work = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
                if path.exists():
                    _copy_database(path, work)
                con = _writer(work)  # replays a copied WAL into the copy
                con.execute(sql_text("write_state"))
                state = run(con, "write_state_get", {"table": "write_state"})
                if len(state):
                    lineage, generation = state.iloc[0]["lineage"], int(state.iloc[0]["generation"])
                _set_state(con, lineage, generation + 1, "writing")
            apply_schema(con)
            yield con
            before_swap(con)
            _set_state(con, lineage, generation + 1, "ready")
            con.execute("checkpoint")
            con.close()
            _publish(path, work)
        finally:
            if con is not None:
                con.close()
            if work is not None and work != _spare(path):
                for leftover in (work, *_sidecars(work)):
                    leftover.unlink(missing_ok=True)


def _writer(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection for a write: the whole write is checkpointed once, at its end, instead of each
    time the log passes DuckDB's 16 MiB default, which would write the same changed blocks over and over."""
    con = duckdb.connect(str(path), config=settings(path))
    con.execute("set checkpoint_threshold = '1TB'")  # untranslated: SQL
    return con


def _spare(path: Path) -> Path:
    """The previous generation of the database: the file the last write replaced, kept by a hard link."""
    return path.with_name(f".{path.name}{SPARE_SUFFIX}")


def _set_state(con: duckdb.DuckDBPyConnection, lineage: str, generation: int, state: str) -> None:
    con.execute(sql_text("write_state_set"), {"lineage": lineage, "generation": generation, "state": state})


def _brought_forward(path: Path, catch_up: Callable[[duckdb.DuckDBPyConnection], bool] | None,
                     ) -> tuple[duckdb.DuckDBPyConnection | None, Path | None, str, int]:
    """The spare opened for writing and brought forward to the live generation by `catch_up`, with the
    live file's lineage and generation; (None, None, "", 0) when it cannot be, and the file is copied."""
    spare, nothing = _spare(path), (None, None, "", 0)
    if catch_up is None or not spare.exists() or any(s.exists() for s in _sidecars(path)) or _open_here(spare):
        return nothing
    try:
        con = _writer(spare)
    except duckdb.Error as exc:  # a reader in another process still has it open, or it is damaged: copy instead
        if "Conflicting lock" not in str(exc):  # untranslated: DuckDB's words, matched
            _remove_spare(spare)
        return nothing
    try:
        con.execute("attach " + _literal(path) + " as live (read_only)")  # untranslated: SQL; ATTACH takes no parameters
        con.execute(sql_text("write_state"))  # a spare from before generations were counted has none: discarded
        live, mine = (run(con, "write_state_get", {"table": table}) for table in ("live.write_state", "write_state"))
        if not len(live) or not len(mine):
            return _discard(con, spare)
        lineage, generation = live.iloc[0]["lineage"], int(live.iloc[0]["generation"])
        if (mine.iloc[0]["lineage"], int(mine.iloc[0]["generation"]), mine.iloc[0]["state"]) != (
                lineage, generation - 1, "ready"):
            return _discard(con, spare)
        _set_state(con, lineage, generation + 1, "writing")  # cut off from here on, it is never brought forward
        apply_schema(con)  # a newer version of the code may add columns the live file already has
        try:
            caught_up = catch_up(con)
        except duckdb.Error as exc:
            if write_failure(exc):
                raise  # a full disk stops the copy as well: say so (CannotWrite)
            caught_up = False  # whatever went wrong on the spare, the copy does not depend on it
        if not caught_up:
            return _discard(con, spare)
        con.execute("detach live")
        if sum(w.stat().st_size for w in _sidecars(spare) if w.exists()) > CATCH_UP_CHECKPOINT:
            con.execute("checkpoint")  # a big replay is read faster by the write's own refresh once checkpointed
        return con, spare, lineage, generation
    except BaseException:
        con.close()
        raise


def _discard(con: duckdb.DuckDBPyConnection, spare: Path) -> tuple[None, None, str, int]:
    """Give up on the spare (another lineage, a write cut off on it, a write it cannot replay) and remove it."""
    con.close()
    _remove_spare(spare)
    return None, None, "", 0


def _remove_spare(spare: Path) -> None:
    for leftover in (spare, *_sidecars(spare)):
        leftover.unlink(missing_ok=True)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _open_here(path: Path) -> bool:
    """Whether this process has the file open (a reader's connection to a generation since replaced):
    DuckDB's lock keeps other processes' readers from a spare being written, not this one's."""
    try:
        target = os.stat(path)
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return True  # cannot tell: treat it as in use, and copy
    for fd in fds:
        try:
            info = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def _publish(path: Path, work: Path) -> None:
    """Swap WORK in as the database, and keep the file it replaces as the spare for the next write (a
    hard link taken first, so the database's name always holds a whole generation)."""
    kept = path.with_name(f".{path.name}{SPARE_SUFFIX}.tmp")
    kept.unlink(missing_ok=True)
    try:
        os.link(path, kept)
    except OSError:  # no database yet, or a file system without hard links: the next write copies
        kept = None
    os.replace(work, path)
    for sidecar in _sidecars(path):  # they belong to the replaced file and would break the new one
        sidecar.unlink(missing_ok=True)
    _remove_spare(_spare(path))  # with any log a write cut off on it left
    if kept is not None:
        os.replace(kept, _spare(path))


# DuckDB's files next to a database: the WAL, the WAL of commits made during a checkpoint,
# and a transient merge of the two. A writer that died before checkpointing leaves the first
# two, with changes not yet in the main file.
_WAL_SUFFIXES = (".wal", ".wal.checkpoint", ".wal.recovery")
_REPLAYED_SUFFIXES = (".wal", ".wal.checkpoint")  # .wal.recovery is rebuilt from these


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in _WAL_SUFFIXES]


def _copy_database(path: Path, work: Path) -> None:
    """Copy the file with its mode, and any WAL so that opening the copy replays it."""
    shutil.copyfile(path, work)
    shutil.copymode(path, work)
    for suffix in _REPLAYED_SUFFIXES:
        wal = path.with_name(path.name + suffix)
        if wal.exists():
            shutil.copyfile(wal, work.with_name(work.name + suffix))


def _remove_stale_copies(path: Path) -> None:
    """Delete work copies (and their WALs) and scratch folders left by a load that was killed
    or ran out of disk."""
    stale = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}\.tmp"
                       rf"({'|'.join(re.escape(s) for s in _WAL_SUFFIXES)})?")
    scratch = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{8}}\.work")
    path.with_name(f".{path.name}{SPARE_SUFFIX}.tmp").unlink(missing_ok=True)  # a spare's link, cut off
    for entry in path.parent.iterdir():
        if stale.fullmatch(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
        elif scratch.fullmatch(entry.name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def scratch_folder(path: Path | str | None = None) -> Iterator[Path]:
    """A folder beside the database for a writer's temporary files (a file converted to UTF-8):
    removed at the end, or by the next write if this one is killed. Use inside a writable copy (cxdata.derive.writable_copy),
    whose lock keeps the next write from removing a folder still in use."""
    path = Path(path or db_path())
    folder = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.work")
    with _write_errors(path):
        folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# What a full disk, a read-only file system or a folder without permission raise while a write
# runs (DuckDB's own I/O errors say it in words).
_WRITE_ERRNOS = (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM)
_WRITE_WORDS = ("no space left", "read-only file system", "disk quota", "permission denied")  # untranslated: DuckDB's
# words, matched in its messages; the message shown translates them (_cannot_write).
WRITE_CAUSES = (N_("no space left"), N_("read-only file system"), N_("disk quota"), N_("permission denied"),
                N_("a file stands where its folder should be"))


@contextmanager
def _write_errors(path: Path) -> Iterator[None]:
    """Turn a failed write into CannotWrite, naming the database and the cause in words."""
    try:
        yield
    except OSError as exc:
        folder, named = path.resolve().parent, Path(str(exc.filename or "")).resolve()
        elsewhere = exc.filename is not None and folder != named and folder not in named.parents
        misplaced = isinstance(exc, (FileExistsError, NotADirectoryError))
        if elsewhere or (exc.errno not in _WRITE_ERRNOS and not misplaced
                         and not isinstance(exc, FileNotFoundError)):
            raise  # not the database's folder: a source file that cannot be read, say
        cause = WRITE_CAUSES[-1] if misplaced else exc.strerror or str(exc)
        raise CannotWrite(_cannot_write(path, cause), cause.lower()) from exc
    except duckdb.Error as exc:  # an I/O error, or a commit that could not write its log
        cause = write_failure(exc)
        if cause is None:
            raise
        raise CannotWrite(_cannot_write(path, cause), cause) from exc


def write_failure(exc: Exception) -> str | None:
    """The cause in words when a DuckDB error is the disk refusing a write (full, read-only, no
    permission), else None: a writer lets such an error through so that it reads as CannotWrite."""
    return next((w for w in _WRITE_WORDS if w in str(exc).lower()), None)


def _cannot_write(path: Path, cause: str) -> str:
    return _("cannot write the database {path} ({cause}): free disk space, make its folder writable, or choose "
             "another file with --db (or CX_DB); nothing was written and the database is as it was").format(
        path=path, cause=_(cause).lower())


def _check_no_writer(path: Path) -> None:
    """Fail clearly if another process has the database open for writing, or it is no database."""
    try:
        duckdb.connect(str(path), read_only=True, config=settings(path)).close()
    except duckdb.Error as exc:
        if "Conflicting lock" in str(exc):
            raise DatabaseBusy(_lock_message(path, exc)) from exc
        if "checkpoint iteration does not match" in str(exc):  # left by loads before WALs were copied
            raise NotADatabase(_("{path}.wal belongs to an earlier version of {path} and cannot be replayed; move "
                                 "it aside (e.g. rename it to {name}.wal.old) and try again").format(
                path=path, name=path.name)) from exc
        raise NotADatabase(_("{path} is not a DuckDB database this version can open ({error}); point --db or $CX_DB "
                             "at another file").format(path=path, error=_first_line(exc))) from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
