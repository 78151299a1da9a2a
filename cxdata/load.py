"""Load customer data files (CSV/TSV/TXT, Excel .xlsx, Parquet) into the CX database.

Each file is read as text into a staging table, validated and cast in SQL, and upserted by
its key; rows that fail a check go to rejected_rows with their line and the reason, and the
file's other rows still load. A run (one or more files) is all or nothing: it happens on a
copy of the database that is swapped in only if every file could be read. docs/loading.md
is the user's guide.
"""
from __future__ import annotations

import codecs
import csv
import re
import tempfile
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pyarrow as pa

from cxdata import db

# ---- The data model's rules -------------------------------------------------------------------

KEYS = {  # the columns that identify a row; a later load of the same key updates it
    "customers": ("customer_id",),
    "interactions": ("interaction_id",),
    "feedback": ("feedback_id",),
    "transactions": ("transaction_id",),
    "targets": ("metric", "department", "period_start"),  # department null = whole company
    "journey_stages": ("stage",),
}
REQUIRED = {
    "customers": ("customer_id",),
    "interactions": ("interaction_id", "customer_id", "started_at", "channel"),
    "feedback": ("feedback_id", "customer_id", "submitted_at", "survey", "score"),
    "transactions": ("transaction_id", "customer_id", "occurred_at", "amount"),
    "targets": ("metric", "period_start", "period_end", "target"),
    "journey_stages": ("stage", "position"),
}
# How a file's table is told from its columns, first match wins.
DETECT = (
    ({"feedback_id"}, "feedback"),
    ({"interaction_id"}, "interactions"),
    ({"transaction_id"}, "transactions"),
    ({"metric", "target"}, "targets"),
    ({"stage", "position"}, "journey_stages"),
    ({"customer_id"}, "customers"),
)
LOWERCASE = frozenset({"channel", "survey", "office", "kind", "journey_stage", "stage"})
MINIMUMS = {"first_response_seconds": 0, "sla_seconds": 0, "annual_value": 0, "position": 1}
ORDERED = {  # (earlier, later) pairs: the later one may not come before the earlier
    "customers": ("signup_date", "churned_on"),
    "interactions": ("started_at", "resolved_at"),
    "targets": ("period_start", "period_end"),
}
FUTURE_ALLOWED = frozenset({("targets", "period_start"), ("targets", "period_end")})  # plans
SURVEYS = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
OFFICES = ["front", "back"]
TRUE_WORDS = ["true", "t", "yes", "y", "1"]
FALSE_WORDS = ["false", "f", "no", "n", "0"]
CLOCK_SKEW = timedelta(minutes=5)

# Layouts tried after ISO 8601 (which DuckDB's cast reads, with "T" or a space, with or without
# seconds and fractions; a date alone is midnight). Slashed dates are day first: month-first
# files need [formats] in a mapping.
TIMESTAMP_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
                     "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                     "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"]
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d"]

# DuckDB type (as information_schema spells it) -> how a text value is parsed and checked.
TYPE_KINDS = {"VARCHAR": "text", "TIMESTAMP": "timestamp", "DATE": "date", "BOOLEAN": "boolean",
              "DOUBLE": "number", "DECIMAL(14,2)": "decimal", "SMALLINT": "whole", "INTEGER": "whole"}
PARSE_REASONS = {
    "timestamp": "not a date-time (expected e.g. 2024-05-31 14:30:00 or 31/05/2024 14:30; "
                 "other layouts need [formats] in a mapping)",
    "date": "not a date (expected e.g. 2024-05-31 or 31/05/2024; other layouts need [formats] "
            "in a mapping)",
    "number": "not a number (use . for decimals, no thousands separators or currency signs)",
    "whole": "not a whole number",
    "boolean": "not a yes/no value (expected true/false, yes/no, y/n or 1/0)",
}
PARSE_REASONS["decimal"] = PARSE_REASONS["number"]
FORMATS = {".csv": "CSV", ".tsv": "CSV", ".txt": "CSV", ".xlsx": "Excel", ".xlsm": "Excel",
           ".parquet": "Parquet", ".pq": "Parquet"}
MAPPING_KEYS = ("table", "sheet", "columns", "values", "constants", "formats")
SLOW_STAGE_SECONDS = 2.0  # the CLI announces stages slower than this
REPORT_REASONS = 8  # reasons listed per file in the report; all are in rejected_rows
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

Progress = Callable[[str | None], None]  # a stage name when one starts, None when all are done


class LoadError(Exception):
    """A user mistake that stops a whole run: nothing from the run is committed."""

    def __init__(self, file: Path | str | None, message: str):
        super().__init__(f"{file}: {message}" if file else message)
        self.file = str(file) if file else None
        self.message = message
        self.load_id: str | None = None  # set once the failed run is recorded in `loads`


@dataclass(frozen=True)
class TableSpec:
    """A table of the data model: its columns and their types (read from sql/schema.sql)."""
    name: str
    columns: dict[str, str]  # column -> DuckDB type, in schema order
    key: tuple[str, ...]
    required: tuple[str, ...]

    def kind(self, column: str) -> str:
        return TYPE_KINDS[self.columns[column]]


@lru_cache(maxsize=None)
def table_specs() -> dict[str, TableSpec]:
    """The loadable tables, with column types introspected from the schema."""
    con = duckdb.connect()
    try:
        db.apply_schema(con)
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where list_contains($tables, table_name) order by table_name, ordinal_position",
            {"tables": list(KEYS)}).fetchall()
    finally:
        con.close()
    columns: dict[str, dict[str, str]] = {name: {} for name in KEYS}
    for table, column, data_type in rows:
        if data_type not in TYPE_KINDS or not _IDENTIFIER.match(column):
            raise RuntimeError(f"the loader does not know how to load {table}.{column} ({data_type})")
        columns[table][column] = data_type
    return {name: TableSpec(name, columns[name], KEYS[name], REQUIRED[name]) for name in KEYS}


def model_columns() -> set[str]:
    return {c for spec in table_specs().values() for c in spec.columns}


def infer_table(columns: Iterable[str]) -> str | None:
    """The table a file is for, told from its (canonical) column names; None if unclear."""
    present = set(columns)
    return next((table for needed, table in DETECT if needed <= present), None)


def _describe_tables() -> str:
    return "; ".join(f"{name} (key {' + '.join(spec.key)})" for name, spec in table_specs().items())


def _names(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items) or "(none)"


def _column_list(found: list[str], limit: int = 10) -> str:
    """A file's column names for a one-line message: the first few, each kept short."""
    shown = ", ".join(_column_name(name) for name in found[:limit]) or "(none)"
    return shown + (f" … and {len(found) - limit} more" if len(found) > limit else "")


def _column_name(name: str, width: int = 40) -> str:
    """A column name quoted, shortened, and with unprintable characters shown as �."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in name)
    return repr(text if len(text) <= width else text[:width - 1] + "…")


# ---- Mapping files -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Mapping:
    """How a source file's columns and values map onto the model (docs/loading.md)."""
    table: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # source column -> model column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {lower(source): value}
    constants: dict[str, str] = field(default_factory=dict)  # model column -> text for every row
    formats: dict[str, list[str]] = field(default_factory=dict)  # model column -> strptime formats
    source: str = "mapping"  # where it came from, for messages

    def mentioned(self) -> set[str]:
        """Every model column the mapping names."""
        return set(self.columns.values()) | set(self.values) | set(self.constants) | set(self.formats)


def read_mapping(path: Path | str) -> Mapping:
    """Read and check a TOML mapping file; raises LoadError naming what to fix."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoadError(path, "mapping file not found — check the path given to --map") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(path, f"cannot read the mapping file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(path, f"not valid TOML ({exc}) — fix the syntax; docs/loading.md "
                              "has a full example") from None
    return parse_mapping(data, source=str(path))


def parse_mapping(data: dict, source: str = "mapping") -> Mapping:
    """Check a mapping given as a dict (the parsed TOML)."""
    def fail(message: str) -> LoadError:
        return LoadError(source, message)

    unknown = [k for k in data if k not in MAPPING_KEYS]
    if unknown:
        raise fail(f"unknown setting(s) {_names(unknown)}; a mapping may have {_names(MAPPING_KEYS)}")
    table = data.get("table")
    if table is not None and table not in table_specs():
        raise fail(f"unknown table {table!r}; tables: {_describe_tables()}")
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise fail("sheet must be a sheet name in quotes, e.g. sheet = \"Responses\"")
    valid = set(table_specs()[table].columns) if table else model_columns()
    where = f"the {table} table" if table else "any table"

    def section(name: str) -> dict:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise fail(f"[{name}] must be a table of settings, e.g. [{name}] then lines "
                       f"'\"source\" = \"value\"'")
        return value

    def check_columns(names: Iterable[str], what: str) -> None:
        bad = sorted(set(names) - valid)
        if bad:
            raise fail(f"{what} names column(s) {_names(bad)} that {where} does not have; "
                       f"valid columns: {', '.join(sorted(valid))}")

    columns = {str(src).strip(): _scalar_text(dst, fail, f"[columns] {src!r}")
               for src, dst in section("columns").items()}
    check_columns(columns.values(), "[columns]")
    values = {}
    for column, table_of_values in section("values").items():
        if not isinstance(table_of_values, dict):
            raise fail(f"[values.{column}] must list 'source value' = canonical value pairs")
        values[column] = {str(k).strip().lower(): _scalar_text(v, fail, f"[values.{column}]")
                          for k, v in table_of_values.items()}
    check_columns(values, "[values]")
    constants = {c: _scalar_text(v, fail, f"[constants] {c}") for c, v in section("constants").items()}
    check_columns(constants, "[constants]")
    formats = {c: _format_list(v, fail, c) for c, v in section("formats").items()}
    check_columns(formats, "[formats]")
    return Mapping(table, sheet, columns, values, constants, formats, source)


def _scalar_text(value, fail, where: str) -> str:
    """A TOML scalar as the text a file cell would hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    raise fail(f"{where}: expected a single value (text, number, date or true/false), got {value!r}")


def _format_list(value, fail, column: str) -> list[str]:
    formats = [value] if isinstance(value, str) else value
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
        raise fail(f"[formats] {column}: expected a strptime format like \"%d/%m/%Y %H:%M\" "
                   "or a list of them")
    con = duckdb.connect()
    try:
        for fmt in formats:
            try:
                con.execute("select try_strptime('2000-01-01', $f)", {"f": fmt})
            except duckdb.Error:
                raise fail(f"[formats] {column}: {fmt!r} is not a valid strptime format "
                           "(e.g. %d/%m/%Y %H:%M)") from None
    finally:
        con.close()
    return formats


# ---- Reports ------------------------------------------------------------------------------------

@dataclass
class RejectReason:
    column: str | None
    reason: str
    n_rows: int
    example_lines: list[int]


@dataclass
class FileReport:
    path: Path
    format: str
    table: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    n_read: int = 0
    n_loaded: int = 0     # new keys
    n_updated: int = 0    # existing keys whose row changed
    n_unchanged: int = 0  # existing keys loaded again as they were
    n_rejected: int = 0   # rows (a row can fail several checks)
    reasons: list[RejectReason] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        delimiter = self.delimiter and {"\t": "tab", " ": "space"}.get(self.delimiter,
                                                                      repr(self.delimiter))
        layout = ", ".join(x for x in (self.format, self.encoding,
                                       delimiter and f"delimiter {delimiter}") if x)
        lines = [f"{self.path} -> {self.table} ({layout})",
                 f"  read {self.n_read:,}: loaded {self.n_loaded:,} new, updated {self.n_updated:,}, "
                 f"unchanged {self.n_unchanged:,}, rejected {self.n_rejected:,}"]
        if self.reasons:
            lines.append("  rejected by reason:")
        for r in self.reasons[:REPORT_REASONS]:
            more = ", ..." if r.n_rows > len(r.example_lines) else ""
            examples = ", ".join(str(n) for n in r.example_lines)
            label = f"{r.column}: " if r.column else ""
            lines.append(f"    {label}{r.reason} — {r.n_rows:,} row(s), line {examples}{more}")
        if len(self.reasons) > REPORT_REASONS:
            lines.append(f"    ... and {len(self.reasons) - REPORT_REASONS} more reason(s): "
                         "see the rejected_rows table")
        if self.ignored_columns:
            lines.append(f"  ignored columns: {', '.join(self.ignored_columns)}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


@dataclass
class LoadReport:
    load_id: str
    files: list[FileReport]
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def outcome(self) -> str:
        return "ok_with_rejects" if self.total("n_rejected") else "ok"

    def summary(self) -> str:
        rejected = self.total("n_rejected")
        where = " (see the rejected_rows table)" if rejected else ""
        return (f"Loaded {len(self.files)} file(s) in {self.seconds:.1f}s: "
                f"{self.total('n_read'):,} rows read, {self.total('n_loaded'):,} new, "
                f"{self.total('n_updated'):,} updated, {self.total('n_unchanged'):,} unchanged, "
                f"{rejected:,} rejected{where}. Run {self.load_id}.")

    def text(self) -> str:
        return "\n".join([f.text() for f in self.files] + [self.summary()])


# ---- The run -------------------------------------------------------------------------------------

def load_files(paths: Iterable[Path | str], table: str | None = None,
               mapping: Mapping | Path | str | None = None, db_path: Path | str | None = None,
               progress: Progress | None = None) -> LoadReport:
    """Load files into the database in one all-or-nothing run and return what happened.

    Raises LoadError for a problem with a whole file or the mapping (nothing is committed,
    the run is recorded in `loads` as failed) and db.DatabaseBusy if another program writes
    to the database. Row-level problems do not raise: those rows go to rejected_rows.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise LoadError(None, "no files given")
    if table is not None and table not in table_specs():
        raise LoadError(None, f"unknown table {table!r}; tables: {_describe_tables()}")
    run = _Run(uuid.uuid4().hex, datetime.now(), paths, progress or (lambda stage: None))
    failure: LoadError | None = None
    with db.writable_copy(db_path) as con:
        try:
            report = _load_all(con, run, table, mapping)
        except LoadError as exc:
            _record_failure(con, run, exc)
            failure = exc
    run.progress(None)
    if failure:
        raise failure
    return report


@dataclass
class _Run:
    load_id: str
    started_at: datetime
    paths: list[Path]
    progress: Progress
    files: list[FileReport] = field(default_factory=list)

    @property
    def file_names(self) -> list[str]:
        return [str(p.resolve()) for p in self.paths]


def _load_all(con: duckdb.DuckDBPyConnection, run: _Run, table: str | None,
              mapping: Mapping | Path | str | None) -> LoadReport:
    """Read and check every file first; then validate and write them in one transaction.

    Reading only creates temp tables, so a file that cannot be read stops the run before
    anything is written (and a failed statement cannot spoil the write transaction).
    """
    if isinstance(mapping, (str, Path)):
        mapping = read_mapping(mapping)
    mapping = mapping or Mapping()
    staged = []
    with tempfile.TemporaryDirectory(prefix="cxload-") as workdir:
        for n, path in enumerate(run.paths):
            run.progress(f"reading {path.name}")
            source = stage_file(con, path, f"stg_{n}", mapping.sheet, Path(workdir))
            plan = plan_columns(source, path, table, mapping)
            run.files.append(source.report(plan))
            staged.append((source, plan))
    con.begin()
    try:
        if mapping.values:
            _create_value_maps(con, mapping)
        for (source, plan), report in zip(staged, run.files):
            _validate_and_write(con, run, source, plan, mapping, report)
        _note_unknown_customers(con, run.files)
        result = LoadReport(run.load_id, run.files, time.time() - run.started_at.timestamp())
        _record(con, run, result.outcome, result.summary())
        con.commit()
        return result
    except BaseException:
        con.rollback()
        raise


def _note_unknown_customers(con, reports: list[FileReport]) -> None:
    """Say when activity names customers not loaded (yet): it counts company-wide, but under no
    segment or region until the customers file is loaded."""
    # On the load's own connection: a cursor would not see this run's uncommitted rows.
    counts = dict(con.execute(db.sql_text("unknown_customers")).fetchall())
    for report in reports:
        n = int(counts.get(report.table, 0))
        if n:
            report.notes.append(f"{n:,} {report.table} row(s) in the database have a customer_id that is not "
                                "in customers: they count in company-wide figures, but under no segment or "
                                "region until those customers are loaded")


def _validate_and_write(con, run: _Run, source: Staged, plan: Plan, mapping: Mapping,
                        report: FileReport) -> None:
    run.progress(f"validating {source.path.name}")
    clean, rejects = f"clean_{source.name}", f"rej_{source.name}"
    _create_clean(con, source, plan, mapping, clean)
    _create_rejects(con, plan, clean, rejects)
    report.reasons, report.n_rejected = _reject_summary(con, rejects, source.malformed)
    run.progress(f"writing {source.path.name}")
    counts = _upsert(con, plan, clean, rejects)
    report.n_loaded, report.n_updated, report.n_unchanged = counts
    _save_rejects(con, run.load_id, source, plan.table.name, rejects)
    for name in (source.name, clean, rejects):
        con.execute(f"drop table {_ident(name)}")


def _record(con, run: _Run, outcome: str, message: str) -> None:
    """The run's row in `loads`."""
    totals = LoadReport(run.load_id, run.files)
    tables = sorted({f.table for f in run.files if f.table})
    con.execute(
        "insert into loads (load_id, started_at, finished_at, files, target_table, n_read, "
        "n_loaded, n_updated, n_unchanged, n_rejected, outcome, message) values "
        "($id, $started, $finished, $files, $table, $n_read, $n_loaded, $n_updated, "
        "$n_unchanged, $n_rejected, $outcome, $message)",
        {"id": run.load_id, "started": run.started_at, "finished": datetime.now(),
         "files": run.file_names, "table": ", ".join(tables) or None,
         **{n: totals.total(n) for n in ("n_read", "n_loaded", "n_updated", "n_unchanged", "n_rejected")},
         "outcome": outcome, "message": message})


def _record_failure(con, run: _Run, exc: LoadError) -> None:
    """Record a failed run (nothing of it was written, so only n_read can be non-zero)."""
    _record(con, run, "failed", str(exc))
    exc.load_id = run.load_id


# ---- Reading files into a staging table -----------------------------------------------------------

@dataclass
class Staged:
    """A file read as text: table NAME has _rec (0-based record), _line, and c0..cN-1."""
    name: str
    path: Path
    format: str
    columns: list[str]  # the file's column names, in order
    n_rows: int
    encoding: str | None = None
    delimiter: str | None = None
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, reason, text)
    notes: list[str] = field(default_factory=list)

    def report(self, plan: Plan) -> FileReport:
        return FileReport(self.path, self.format, plan.table.name, self.encoding, self.delimiter,
                          n_read=self.n_rows + len(self.malformed),
                          ignored_columns=plan.ignored, notes=list(self.notes))


def stage_file(con, path: Path, name: str, sheet: str | None, workdir: Path) -> Staged:
    """Read one file, all values as text, into the staging table NAME."""
    fmt = _check_file(path)
    if fmt == "CSV":
        staged = _stage_csv(con, path, name, workdir)
    elif fmt == "Excel":
        staged = _stage_excel(con, path, name, sheet)
    else:
        staged = _stage_parquet(con, path, name)
    if staged.n_rows == 0 and not staged.malformed:
        raise LoadError(path, f"no data rows, only a header ({_column_list(staged.columns)}) — "
                              "export the file again with its data")
    return staged


def _check_file(path: Path) -> str:
    if not path.exists():
        raise LoadError(path, "file not found — check the path and the file name")
    if not path.is_file():
        raise LoadError(path, "not a file — give the path of a CSV, Excel or Parquet file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        hint = " (save it as .xlsx or CSV)" if path.suffix.lower() == ".xls" else ""
        raise LoadError(path, f"unknown format {path.suffix or '(no extension)'!r}{hint} — "
                              f"use {', '.join(sorted(FORMATS))}")
    if path.stat().st_size == 0:
        raise LoadError(path, "the file is empty (0 bytes) — export it again with a header row and data")
    return fmt


class _NotUtf8(Exception):
    pass


def _stage_csv(con, path: Path, name: str, workdir: Path) -> Staged:
    """CSV in UTF-8 (with or without BOM); else Windows-1252/Latin-1, or UTF-16 with a BOM."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if len(head) < 65536 and not head.strip():
        raise LoadError(path, "the file has no content (only blank lines) — export it again "
                              "with a header row and data")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _read_csv(con, path, name, _transcode(path, workdir, "utf-16"), "utf-16")
    _refuse_binary(path, head)
    try:
        return _read_csv(con, path, name, path, "utf-8")
    except _NotUtf8:
        return _read_csv(con, path, name, _transcode(path, workdir, "cp1252"), "windows-1252")


BINARY_MAGIC = (  # how a file starts -> what it is and what to do instead
    (b"PK\x03\x04", "a zip archive or an Excel workbook",
     "give an Excel workbook the .xlsx extension, or export the data as CSV"),
    (b"PAR1", "a Parquet file", "give it the .parquet extension"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook", "save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first"),
)


def _refuse_binary(path: Path, head: bytes) -> None:
    """Stop at a binary file named .csv, before its bytes are read as column names."""
    for magic, what, fix in BINARY_MAGIC:
        if head.startswith(magic):
            raise LoadError(path, f"this looks like {what}, not CSV text — {fix}")
    if b"\x00" in head[:8192]:
        raise LoadError(path, "this looks like a binary file (it has NUL bytes), not CSV text — "
                              "export it as CSV, or give it the right extension (.xlsx, .parquet); "
                              "UTF-16 text needs a byte-order mark")


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): read those as Latin-1."""
    return "".join(chr(b) for b in error.object[error.start:error.end]), error.end


codecs.register_error("cxdata-latin1", _latin1_fallback)


def _transcode(path: Path, workdir: Path, encoding: str) -> Path:
    """Write a UTF-8 copy of the file into workdir; cp1252 streams, so big files are fine."""
    target = workdir / f"{uuid.uuid4().hex}.csv"
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        if encoding == "cp1252":  # single-byte, so any chunk boundary is safe
            while chunk := src.read(1 << 20):
                dst.write(chunk.decode("cp1252", errors="cxdata-latin1"))
        else:
            try:
                dst.write(src.read().decode(encoding))
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"starts like {encoding} but is not ({exc.reason}) — "
                                      "save it again as UTF-8 CSV") from None
    return target


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    quote: str
    escape: str
    newline: str
    skip: int


def _sniff(con, source: Path, path: Path) -> _Dialect:
    """DuckDB's sniffer: strict, unless that fails or finds a single column.

    A broken row can make the strict sniffer settle for one column (or give up), while the
    tolerant one, which allows for rejected rows, finds the real delimiter.
    """
    row = _sniff_once(con, source, "")
    if row is None or row[5] < 2:
        tolerant = _sniff_once(con, source, ", store_rejects = true")
        if tolerant is not None and (row is None or tolerant[5] > row[5]):
            row = tolerant
    if row is None:
        raise LoadError(path, "cannot make out the CSV layout (delimiter, quotes) — check it is a "
                              "text table with a header row, or save it as .xlsx")
    plain = [("" if v == "(empty)" else v) for v in row[:4]]
    return _Dialect(plain[0], plain[1], plain[2], plain[3].replace("\\r", "\r").replace("\\n", "\n"),
                    int(row[4] or 0))


def _sniff_once(con, source: Path, options: str) -> tuple | None:
    """(delimiter, quote, escape, newline, skip rows, number of columns), or None."""
    try:
        return con.execute(f"select Delimiter, Quote, Escape, NewLineDelimiter, SkipRows, len(Columns) "
                           f"from sniff_csv($p{options})", {"p": str(source)}).fetchall()[0]
    except duckdb.Error as exc:
        if "not utf-8" in str(exc).lower():
            raise _NotUtf8() from exc
        return None


def _read_csv(con, path: Path, name: str, source: Path, encoding: str) -> Staged:
    dialect = _sniff(con, source, path)
    raw, errors, scans = f"{name}_raw", f"{name}_errors", f"{name}_scans"
    try:
        con.execute(
            f"create temp table {_ident(raw)} as select * from read_csv($p, all_varchar = true, "
            f"header = true, delim = $delim, quote = $quote, escape = $escape, skip = $skip, "
            f"store_rejects = true, rejects_table = $errors, rejects_scan = $scans)",
            {"p": str(source), "delim": dialect.delimiter, "quote": dialect.quote,
             "escape": dialect.escape, "skip": dialect.skip, "errors": errors, "scans": scans})
    except duckdb.Error as exc:
        if "not utf-8" in str(exc).lower():
            raise _NotUtf8() from exc
        raise LoadError(path, f"cannot read the file as CSV ({_first_line(exc)})") from None
    columns = [d[0] for d in con.execute(f"select * from {_ident(raw)} limit 0").description]
    rejected = con.execute(f"select line, error_type, error_message, csv_line from {_ident(errors)} "
                           f"order by line").fetchall()
    for table in (errors, scans):
        con.execute(f"drop table {_ident(table)}")
    if any(kind == "INVALID ENCODING" for _, kind, _, _ in rejected):
        con.execute(f"drop table {_ident(raw)}")
        raise _NotUtf8()
    _stage_from_raw(con, raw, name, len(columns), dialect)
    n_rows = _count(con, name)
    staged = Staged(name, path, "CSV", columns, n_rows, encoding, dialect.delimiter)
    malformed = _dedupe_lines(rejected)
    if malformed or _has_inner_blank_line(source):
        _fix_line_numbers(con, staged, source, dialect, malformed)
    return staged


def _stage_from_raw(con, raw: str, name: str, n_columns: int, dialect: _Dialect) -> None:
    """Rename columns to c0..cN-1 and number records with the physical line each starts on.

    Line = header line + record number + newlines inside quoted values of earlier records.
    (rowid only gives the order: inside a transaction it does not start at 0.)
    Blank lines and broken rows are not seen here; _fix_line_numbers corrects for them.
    """
    refs = [f"#{i + 1}" for i in range(n_columns)]
    newline = "chr(13)" if dialect.newline == "\r" else "chr(10)"
    joined = f"concat({', '.join(refs)})"
    newlines = f"strlen({joined}) - strlen(replace({joined}, {newline}, ''))"
    con.execute(
        f"create temp table {_ident(name)} as select row_number() over w - 1 as _rec, "
        f"cast({dialect.skip + 1} + row_number() over w + coalesce(sum({newlines}) over (w rows "
        f"between unbounded preceding and 1 preceding), 0) as bigint) as _line, "
        + ", ".join(f"{ref} as c{i}" for i, ref in enumerate(refs))
        + f" from {_ident(raw)} window w as (order by rowid)")
    con.execute(f"drop table {_ident(raw)}")


def _dedupe_lines(rejected: list[tuple]) -> list[tuple[int, str, str]]:
    """Rows DuckDB could not split, one per line: (logical line, reason, text)."""
    reasons = {"TOO MANY COLUMNS": "more values than the header has columns (quote values "
                                   "that contain the delimiter)",
               "MISSING COLUMNS": "fewer values than the header has columns",
               "UNQUOTED VALUE": "a quote is not closed or is followed by other text",
               "LINE SIZE OVER MAXIMUM": "the row is too long"}
    rows: dict[int, tuple[int, str, str]] = {}
    for line, kind, message, text in rejected:
        rows.setdefault(line, (line, "malformed row: " + reasons.get(kind, message),
                               (text or "").strip("\r\n")))
    return list(rows.values())


def _has_inner_blank_line(source: Path) -> bool:
    """Whether the file has an empty line before its last record (DuckDB skips those)."""
    size = source.stat().st_size
    with source.open("rb") as fh:
        fh.seek(max(0, size - 65536))
        tail = fh.read()
        end = size - (len(tail) - len(tail.rstrip()))  # offset just past the last non-blank byte
        fh.seek(0)
        offset, carry = 0, b""
        while chunk := fh.read(1 << 22):
            found = re.search(rb"\n\r?\n", carry + chunk)
            if found:
                return offset - len(carry) + found.start() < end - 1
            carry = chunk[-2:]
            offset += len(chunk)
    return False


def _fix_line_numbers(con, staged: Staged, source: Path, dialect: _Dialect,
                      malformed: list[tuple[int, str, str]]) -> None:
    """Recount physical lines with Python's csv module when blank or broken rows shift them.

    DuckDB reports broken rows by logical line (records and blank lines, quoted newlines not
    counted); this maps those to physical lines and renumbers the good rows.
    """
    starts = _record_start_lines(source, dialect) or []
    bad = {line for line, _, _ in malformed}
    good = [start for logical, start in enumerate(starts, start=1)
            if logical > 1 and start is not None and logical not in bad]
    if len(good) != staged.n_rows or any(line > len(starts) for line in bad):
        staged.notes.append("line numbers may be approximate (blank or broken rows in the file)")
        return
    staged.malformed = [(starts[line - 1] or line, reason, text) for line, reason, text in malformed]
    lines = pa.table({"_rec": pa.array(range(len(good)), pa.int64()), "_line": pa.array(good, pa.int64())})
    con.register("_line_numbers", lines)
    try:
        con.execute(f"update {_ident(staged.name)} s set _line = n._line from _line_numbers n "
                    f"where s._rec = n._rec")
    finally:
        con.unregister("_line_numbers")


def _record_start_lines(source: Path, dialect: _Dialect) -> list[int | None] | None:
    """Physical start line of each record (None for blank lines), or None if csv can't parse it."""
    if len(dialect.delimiter) != 1:
        return None
    options = {"delimiter": dialect.delimiter, "strict": False}
    if not dialect.quote:
        options["quoting"] = csv.QUOTE_NONE
    else:
        options["quotechar"] = dialect.quote
        if dialect.escape and dialect.escape != dialect.quote:
            options.update(escapechar=dialect.escape, doublequote=False)
    starts: list[int | None] = []
    with source.open(encoding="utf-8-sig", newline="") as fh:
        for _ in range(dialect.skip):
            fh.readline()
        reader = csv.reader(fh, **options)
        previous = dialect.skip
        try:
            for record in reader:
                starts.append(previous + 1 if record else None)
                previous = reader.line_num + dialect.skip
        except csv.Error:
            return None
    return starts


def _stage_excel(con, path: Path, name: str, sheet: str | None) -> Staged:
    """The first sheet (or the mapping's), every cell as text; line = the sheet's row number."""
    title, header, lines, records = _read_sheet(path, sheet)
    keep = [i for i, h in enumerate(header) if h is not None and h.strip()]
    columns = {"_rec": pa.array(range(len(lines)), pa.int64()), "_line": pa.array(lines, pa.int64())}
    for n, i in enumerate(keep):
        columns[f"c{n}"] = pa.array([r[i] if i < len(r) else None for r in records], pa.string())
    _create_from_arrow(con, name, pa.table(columns))
    return Staged(name, path, "Excel", [header[i] for i in keep], len(lines),
                  notes=[f"sheet {title!r}; line = row number in the sheet"])


def _read_sheet(path: Path, sheet: str | None) -> tuple[str, list, list[int], list[list]]:
    """(sheet title, header cells, row number of each non-empty row, its cells as text)."""
    import openpyxl  # only Excel loads pay for the import

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise LoadError(path, f"cannot open as an Excel workbook ({type(exc).__name__}: {exc}) — "
                              "save it again as .xlsx") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise LoadError(path, f"no sheet named {sheet!r}; sheets: {_names(book.sheetnames)} — "
                                  "fix `sheet` in the mapping")
        rows = book[sheet] if sheet else book.worksheets[0]
        cells = ([_cell_text(v) for v in values] for values in rows.iter_rows(values_only=True))
        header = next(cells, None)
        if not header or not any(header):
            raise LoadError(path, f"sheet {rows.title!r} is empty or its first row is blank; row 1 "
                                  "must hold the column names")
        numbered = [(n, row) for n, row in enumerate(cells, start=2) if any(c is not None for c in row)]
        return rows.title, header, [n for n, _ in numbered], [row for _, row in numbered]
    finally:
        book.close()


def _cell_text(value) -> str | None:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _stage_parquet(con, path: Path, name: str) -> Staged:
    """Every column cast to text; line = row number in the file (1 = first row)."""
    try:
        columns = [d[0] for d in con.execute("select * from read_parquet($p) limit 0",
                                             {"p": str(path)}).description]
        casts = ", ".join(f"cast(#{i + 1} as varchar) as c{i}" for i in range(len(columns)))
        con.execute(f"create temp table {_ident(name)} as select file_row_number as _rec, "
                    f"file_row_number + 1 as _line, {casts} "
                    f"from read_parquet($p, file_row_number = true)", {"p": str(path)})
    except duckdb.Error as exc:
        raise LoadError(path, f"cannot read as Parquet ({_first_line(exc)})") from None
    n_rows = _count(con, name)
    return Staged(name, path, "Parquet", columns, n_rows,
                  notes=["line = row number in the Parquet file (1 = first row)"])


def _create_from_arrow(con, name: str, table: pa.Table) -> None:
    con.register("_arrow_source", table)
    try:
        con.execute(f"create temp table {_ident(name)} as select * from _arrow_source")
    finally:
        con.unregister("_arrow_source")


def _count(con, table: str) -> int:
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open and refuses register()
    return con.execute(f"select count(*) from {_ident(table)}").fetchall()[0][0]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


# ---- Matching columns to the model -----------------------------------------------------------------

@dataclass
class Plan:
    """Where each model column of one file comes from."""
    table: TableSpec
    sources: dict[str, int]   # model column -> staging column number (c0, c1, ...)
    constants: dict[str, str]
    ignored: list[str]

    @property
    def present(self) -> list[str]:
        """The model columns this file provides, in schema order."""
        return [c for c in self.table.columns if c in self.sources or c in self.constants]


def _norm(name: str) -> str:
    return name.strip().lower()


def plan_columns(staged: Staged, path: Path, table: str | None, mapping: Mapping) -> Plan:
    """Match the file's columns to a table's (case-insensitive, trimmed, after the mapping)."""
    found = staged.columns
    listing = f"columns found: {_column_list(found)}"
    matched = _match_columns(found, path, mapping, listing)
    spec = _choose_table(path, table, mapping, matched.values(), listing)
    outside = sorted(mapping.mentioned() - set(spec.columns))
    if outside:
        raise LoadError(path, f"the mapping names column(s) {_names(outside)} that the "
                              f"{spec.name} table does not have; valid: {', '.join(spec.columns)}")
    sources: dict[str, int] = {}
    for i, column in sorted(matched.items()):
        if column not in spec.columns:
            continue
        if column in sources:
            raise LoadError(path, f"columns {_column_name(found[sources[column]])} and "
                                  f"{_column_name(found[i])} both give {column} — drop or rename one")
        if column in mapping.constants:
            raise LoadError(path, f"{column} is both a column of the file ({_column_name(found[i])}) and a "
                                  "constant in the mapping — remove one")
        sources[column] = i
    absent = [c for c in spec.required if c not in sources and c not in mapping.constants]
    if absent:
        raise LoadError(path, f"missing required column(s) {_names(absent)} for table "
                              f"{spec.name}; {listing} — add them, or map your column names "
                              "with --map (see docs/loading.md)")
    constants = dict(mapping.constants)
    for column in spec.key:  # a key part the file lacks (targets.department) is null: company-wide
        if column not in sources:
            constants.setdefault(column, "")
    ignored = [name for i, name in enumerate(found) if i not in sources.values()]
    return Plan(spec, sources, constants, ignored)


def _match_columns(found: list[str], path: Path, mapping: Mapping, listing: str) -> dict[int, str]:
    """File column number -> model column: the mapping's renames, then same-named columns."""
    position: dict[str, int] = {}
    for i, name in enumerate(found):
        position.setdefault(_norm(name), i)
    missing = [src for src in mapping.columns if _norm(src) not in position]
    if missing:
        raise LoadError(path, f"the mapping {mapping.source} names column(s) {_names(missing)} "
                              f"that the file does not have; {listing} — fix [columns]")
    renamed = {position[_norm(src)]: dst for src, dst in mapping.columns.items()}
    known = model_columns() - set(renamed.values())  # a rename wins over a same-named column
    same_named = {i: _norm(name) for i, name in enumerate(found)
                  if i not in renamed and _norm(name) in known}
    return {**same_named, **renamed}


def _choose_table(path: Path, table: str | None, mapping: Mapping, columns: Iterable[str],
                  listing: str) -> TableSpec:
    name = table or mapping.table or infer_table(set(columns) | set(mapping.constants))
    if name is None:
        raise LoadError(path, f"cannot tell which table the file is for: no key column found; "
                              f"{listing} — name the table with --table, or map a key column; "
                              f"tables: {_describe_tables()}")
    return table_specs()[name]


# ---- Validation in SQL -------------------------------------------------------------------------------

class _Params:
    """Values bound to a generated query: SQL text only ever gets allow-listed identifiers."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def __call__(self, value) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "$" + name


def _ident(name: str) -> str:
    """A quoted identifier: a model column or a table name this module made up."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not an identifier the loader generates: {name!r}")
    return f'"{name}"'


def _text(column: str) -> str:
    """The cleaned text of a column in the clean table: trimmed, empty -> null, mapped."""
    return _ident(f"t_{column}")


def _create_value_maps(con, mapping: Mapping) -> None:
    con.execute("create temp table value_maps (column_name varchar, source_value varchar, "
                "canonical_value varchar)")
    con.executemany("insert into value_maps values (?, ?, ?)",
                    [(c, src, dst) for c, pairs in mapping.values.items() for src, dst in pairs.items()])


def _create_clean(con, staged: Staged, plan: Plan, mapping: Mapping, clean: str) -> None:
    """One row per staged record: cleaned text (t_col) and typed value (col) of each column."""
    p = _Params()
    texts, joins = [], []
    for column in plan.present:
        if column in plan.sources:
            value = f"nullif(trim(s.c{plan.sources[column]}), '')"
        else:
            value = f"nullif(trim({p(plan.constants[column])}), '')"
        if column in mapping.values:
            alias = _ident(f"vm_{column}")
            joins.append(f"left join (select source_value, canonical_value from value_maps "
                         f"where column_name = {p(column)}) {alias} "
                         f"on {alias}.source_value = lower({value})")
            value = f"coalesce({alias}.canonical_value, {value})"
        if column in LOWERCASE:
            value = f"lower({value})"
        texts.append(f"{value} as {_text(column)}")
    typed = [f"{_typed(plan.table, c, mapping.formats.get(c), p)} as {_ident(c)}" for c in plan.present]
    con.execute(
        f"create temp table {_ident(clean)} as select _rec, _line, "
        f"{', '.join(_text(c) for c in plan.present)}, {', '.join(typed)} "
        f"from (select s._rec, s._line, {', '.join(texts)} from {_ident(staged.name)} s "
        f"{' '.join(joins)})", p.values)


def _typed(spec: TableSpec, column: str, formats: list[str] | None, p: _Params) -> str:
    """SQL turning a column's cleaned text into its model type; null when it does not parse."""
    t, sql_type, kind = _text(column), spec.columns[column], spec.kind(column)
    if kind == "text":
        return t
    if kind == "timestamp":
        own = f"try_strptime({t}, {p(formats)}), " if formats else ""
        fallback = "" if formats else f", try_strptime({t}, {p(TIMESTAMP_FORMATS)})"
        return f"coalesce({own}try_cast({t} as timestamp){fallback})"
    if kind == "date":
        own = f"cast(try_strptime({t}, {p(formats)}) as date), " if formats else ""
        fallback = "" if formats else f", cast(try_strptime({t}, {p(DATE_FORMATS)}) as date)"
        return (f"coalesce({own}try_cast({t} as date), "
                f"cast(try_cast({t} as timestamp) as date){fallback})")
    if kind == "boolean":
        return (f"case when list_contains({p(TRUE_WORDS)}, lower({t})) then true "
                f"when list_contains({p(FALSE_WORDS)}, lower({t})) then false end")
    number = f"try_cast({t} as double)"
    if kind == "number":
        return f"case when isfinite({number}) then {number} end"
    if kind == "decimal":
        return f"try_cast({t} as {sql_type})"
    return f"case when {number} = round({number}) then try_cast({number} as {sql_type}) end"


@dataclass(frozen=True)
class _Check:
    column: str
    reason: str     # stable text, grouped in the report
    condition: str  # SQL over the clean table, true when the row fails
    detail: str | None = None  # SQL for a row-specific reason (defaults to `reason`)


def _checks(plan: Plan, p: _Params, now: datetime) -> list[_Check]:
    """Every row-level rule that applies to this file's columns."""
    spec, checks = plan.table, []
    for column in plan.present:
        t, v, kind = _text(column), _ident(column), spec.kind(column)
        if column in spec.required:
            checks.append(_Check(column, "missing value (required)", f"{t} is null"))
        if kind != "text":
            checks.append(_Check(column, PARSE_REASONS[kind], f"{t} is not null and {v} is null"))
        if kind in ("timestamp", "date") and (spec.name, column) not in FUTURE_ALLOWED:
            limit = now + CLOCK_SKEW
            checks.append(_Check(column, "in the future",
                                 f"{v} > {p(limit if kind == 'timestamp' else limit.date())}"))
        if column in MINIMUMS:
            checks.append(_Check(column, f"must be {MINIMUMS[column]} or more",
                                 f"{v} < {p(MINIMUMS[column])}"))
        if column == "office":
            checks.append(_Check(column, "not front or back", f"not list_contains({p(OFFICES)}, {v})"))
        if column == "survey":
            checks.append(_Check(column, "unknown survey (expected nps, csat or ces)",
                                 f"not list_contains({p(list(SURVEYS))}, {v})"))
    if "score" in plan.present and "survey" in plan.present:
        checks.append(_score_range_check(p))
    early, late = ORDERED.get(spec.name, (None, None))
    if early in plan.present and late in plan.present:
        checks.append(_Check(late, f"before {early}", f"{_ident(late)} < {_ident(early)}"))
    return checks


def _score_range_check(p: _Params) -> _Check:
    """The score's range depends on the row's survey (SURVEYS)."""
    survey, score = _ident("survey"), _ident("score")
    at = f"list_position({p(list(SURVEYS))}, {survey})"
    low = f"{p([lo for lo, _ in SURVEYS.values()])}[{at}]"
    high = f"{p([hi for _, hi in SURVEYS.values()])}[{at}]"
    return _Check("score", "out of range for the survey", f"{score} < {low} or {score} > {high}",
                  detail=f"printf('out of range for %s (%d-%d)', {survey}, {low}, {high})")


def _create_rejects(con, plan: Plan, clean: str, rejects: str) -> None:
    """One row per failed check (a row can fail several), plus later duplicates of a key."""
    p = _Params()
    selects = []
    for check in _checks(plan, p, datetime.now()):
        detail = check.detail or p(check.reason)
        selects.append(f"select _rec, _line, {p(check.column)} as column_name, "
                       f"{p(check.reason)} as kind, {detail} as reason, "
                       f"{_text(check.column)} as value from {_ident(clean)} "
                       f"where coalesce({check.condition}, false)")
    selects.append(_duplicate_select(plan.table, clean, p))
    con.execute(f"create temp table {_ident(rejects)} as {' union all '.join(selects)}", p.values)


def _duplicate_select(spec: TableSpec, clean: str, p: _Params) -> str:
    """Rows whose key appeared on an earlier line of the same file (the first one is kept)."""
    key = [_ident(c) for c in spec.key]
    shown = key[0] if len(key) == 1 else "concat_ws(' / ', " + ", ".join(
        f"coalesce(cast({k} as varchar), '(none)')" for k in key) + ")"
    not_null = " and ".join(f"{_ident(c)} is not null" for c in spec.key if c in spec.required)
    return (f"select _rec, _line, {p(', '.join(spec.key))}, {p('duplicate key')}, "
            f"'duplicate key ' || {shown} || ', first at line ' || _first_line, {shown} "
            f"from (select *, min(_line) over (partition by {', '.join(key)}) as _first_line "
            f"from {_ident(clean)} where {not_null}) where _line > _first_line")


def _reject_summary(con, rejects: str, malformed: list[tuple[int, str, str]]
                    ) -> tuple[list[RejectReason], int]:
    rows = con.execute(
        f"select column_name, kind, count(distinct _rec) as n, list_sort(list(distinct _line))[1:3] "
        f"from {_ident(rejects)} group by all order by n desc, column_name, kind").fetchall()
    reasons = [RejectReason(c, kind, n, lines) for c, kind, n, lines in rows]
    n_rejected = con.execute(f"select count(distinct _rec) from {_ident(rejects)}").fetchall()[0][0]
    if malformed:
        reasons.append(RejectReason(None, "malformed row (see rejected_rows for the text)",
                                    len(malformed), sorted(line for line, _, _ in malformed)[:3]))
        reasons.sort(key=lambda r: -r.n_rows)
    return reasons, n_rejected + len(malformed)


def _save_rejects(con, load_id: str, staged: Staged, table: str, rejects: str) -> None:
    p = _Params()
    names = p(staged.columns)
    pairs = ", ".join(f"{names}[{i + 1}], s.c{i}" for i in range(len(staged.columns)))
    common = {"load_id": p(load_id), "file": p(str(staged.path.resolve())), "table": p(table)}
    con.execute(
        f"insert into rejected_rows (load_id, source_file, line, column_name, reason, value, "
        f"target_table, raw) select {common['load_id']}, {common['file']}, r._line, r.column_name, "
        f"r.reason, r.value, {common['table']}, json_object({pairs}) "
        f"from {_ident(rejects)} r join {_ident(staged.name)} s using (_rec) order by r._line",
        p.values)
    if staged.malformed:
        con.executemany(
            "insert into rejected_rows (load_id, source_file, line, reason, value, target_table, raw) "
            "values (?, ?, ?, ?, ?, ?, to_json(?))",
            [(load_id, str(staged.path.resolve()), line, reason, None, table, text)
             for line, reason, text in staged.malformed])


# ---- Writing: upsert by key -----------------------------------------------------------------------

def _upsert(con, plan: Plan, clean: str, rejects: str) -> tuple[int, int, int]:
    """Insert new keys, replace changed rows, leave identical ones; returns (new, updated, unchanged).

    A column the file does not have keeps its stored value on update (null for new keys).
    """
    spec, present = plan.table, set(plan.present)
    table, merged = _ident(spec.name), _ident(f"merged_{clean}")
    first_key = _ident(spec.key[0])
    same = " and ".join(f"g.{_ident(c)} is not distinct from o.{_ident(c)}" for c in plan.present)
    values = ", ".join(f"{'g' if c in present else 'o'}.{_ident(c)} as {_ident(c)}"
                       for c in spec.columns)
    con.execute(
        f"create temp table {merged} as select "
        f"case when o.{first_key} is null then 'new' when {same} then 'unchanged' "
        f"else 'updated' end as _status, {values} "
        f"from (select * from {_ident(clean)} c where not exists "
        f"(select 1 from {_ident(rejects)} r where r._rec = c._rec)) g "
        f"left join {table} o on {_key_match(spec, 'g', 'o')}")
    con.execute(f"delete from {table} o using {merged} g "
                f"where g._status = 'updated' and {_key_match(spec, 'g', 'o')}")
    columns = ", ".join(_ident(c) for c in spec.columns)
    con.execute(f"insert into {table} ({columns}) select {columns} from {merged} "
                f"where _status <> 'unchanged'")
    counts = dict(con.execute(f"select _status, count(*) from {merged} group by all").fetchall())
    con.execute(f"drop table {merged}")
    return counts.get("new", 0), counts.get("updated", 0), counts.get("unchanged", 0)


def _key_match(spec: TableSpec, new: str, old: str) -> str:
    """Key equality; a nullable key part (targets.department) matches null to null."""
    return " and ".join(
        f"{new}.{_ident(c)} = {old}.{_ident(c)}" if c in spec.required
        else f"{new}.{_ident(c)} is not distinct from {old}.{_ident(c)}" for c in spec.key)
