"""Reading files into a staging table, every value as text: CSV (dialect and encoding sniffed,
transcoded to UTF-8, physical line numbers), Excel via openpyxl, and Parquet."""
from __future__ import annotations

import codecs
import csv
import re
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from cxdata import formatting
from cxdata.i18n import N_, _
from cxdata.load import limits
from cxdata.load.errors import LoadError, column_list, name_list
from cxdata.load.sql import ident

# DuckDB reads rows up to 2 MB; a file with a longer one (a pasted e-mail thread, an embedded
# image) is read again with this limit, so the long value is kept; a row longer still is rejected.
LONG_ROW_BYTES = 64 * 1024 * 1024
DEFAULT_ROW_BYTES = 2 * 1024 * 1024  # DuckDB's own default
FORMATS = {".csv": "CSV", ".tsv": "CSV", ".txt": "CSV", ".xlsx": "Excel", ".xlsm": "Excel",  # untranslated: names
           ".parquet": "Parquet", ".pq": "Parquet"}  # untranslated: file formats' names


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
    sheet: str | None = None  # Excel: the sheet read
    sheets: list[str] = field(default_factory=list)  # Excel: every sheet of the workbook, in order


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
        raise LoadError(path, _("no data rows, only a header ({columns}) — export the file again with its "
                                "data").format(columns=column_list(staged.columns)))
    return staged


def _check_file(path: Path) -> str:
    if not path.exists():
        raise LoadError(path, _("file not found — check the path and the file name"))
    if not path.is_file():
        raise LoadError(path, _("not a file — give the path of a CSV, Excel or Parquet file"))
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        suffix, known = repr(path.suffix or _("(no extension)")), ", ".join(sorted(FORMATS))
        if path.suffix.lower() == ".xls":
            raise LoadError(path, _("unknown format {suffix} (save it as .xlsx or CSV) — use {known}").format(
                suffix=suffix, known=known))
        raise LoadError(path, _("unknown format {suffix} — use {known}").format(suffix=suffix, known=known))
    if path.stat().st_size == 0:
        raise LoadError(path, _("the file is empty (0 bytes) — export it again with a header row and data"))
    return fmt


class _NotUtf8(Exception):
    pass


def _stage_csv(con, path: Path, name: str, workdir: Path) -> Staged:
    """CSV in UTF-8 (with or without BOM); else Windows-1252/Latin-1, or UTF-16 with a BOM."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if len(head) < 65536 and not head.strip():
        raise LoadError(path, _("the file has no content (only blank lines) — export it again "
                                "with a header row and data"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _read_csv(con, path, name, _transcode(path, workdir, "utf-16"), "utf-16")
    _refuse_binary(path, head)
    try:
        return _read_csv(con, path, name, path, "utf-8")
    except _NotUtf8:
        return _read_csv(con, path, name, _transcode(path, workdir, "cp1252"), "windows-1252")


BINARY_MAGIC = (  # how a file starts -> what it is and what to do instead
    (b"PK\x03\x04", N_("a zip archive or an Excel workbook"),
     N_("give an Excel workbook the .xlsx extension, or export the data as CSV")),
    (b"PAR1", N_("a Parquet file"), N_("give it the .parquet extension")),
    (b"\xd0\xcf\x11\xe0", N_("an old Excel .xls workbook"), N_("save it as .xlsx or CSV")),
    (b"\x1f\x8b", N_("a gzip-compressed file"), N_("decompress it first")),
)


def _refuse_binary(path: Path, head: bytes) -> None:
    """Stop at a binary file named .csv, before its bytes are read as column names."""
    for magic, what, fix in BINARY_MAGIC:
        if head.startswith(magic):
            raise LoadError(path, _("this looks like {what}, not CSV text — {fix}").format(what=_(what), fix=_(fix)))
    if b"\x00" in head[:8192]:
        raise LoadError(path, _("this looks like a binary file (it has NUL bytes), not CSV text — "
                                "export it as CSV, or give it the right extension (.xlsx, .parquet); "
                                "UTF-16 text needs a byte-order mark"))


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): read those as Latin-1."""
    return "".join(chr(b) for b in error.object[error.start:error.end]), error.end


codecs.register_error("cxdata-latin1", _latin1_fallback)
csv.field_size_limit(LONG_ROW_BYTES)  # Python's csv (header names, line numbers) reads long rows too


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
                raise LoadError(path, _("starts like {encoding} but is not ({reason}) — save it again as "
                                        "UTF-8 CSV").format(encoding=encoding, reason=exc.reason)) from None
    return target


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    quote: str
    escape: str
    newline: str
    skip: int
    max_line_size: int | None = None  # LONG_ROW_BYTES once a row is known to be over DuckDB's default


def _sniff(con, source: Path, path: Path) -> _Dialect:
    """DuckDB's sniffer: strict (allowing rows up to LONG_ROW_BYTES if it fails at first), unless
    that fails or finds a single column.

    A broken row can make the strict sniffer settle for one column (or give up), while the
    tolerant one, which allows for rejected rows, finds the real delimiter.
    """
    long_rows = None
    row = _sniff_once(con, source, "")
    if row is None:  # perhaps a row over DuckDB's default length
        row = _sniff_once(con, source, f", max_line_size = {LONG_ROW_BYTES}")
        long_rows = LONG_ROW_BYTES if row is not None else None
    if row is None or row[5] < 2:
        tolerant = _sniff_once(con, source, ", store_rejects = true")
        if tolerant is not None and (row is None or tolerant[5] > row[5]):
            row, long_rows = tolerant, None
    if row is None:
        raise LoadError(path, _("cannot make out the CSV layout (delimiter, quotes) — check it is a "
                                "text table with a header row, or save it as .xlsx"))
    plain = [("" if v == "(empty)" else v) for v in row[:4]]
    return _Dialect(plain[0], plain[1], plain[2], plain[3].replace("\\r", "\r").replace("\\n", "\n"),
                    int(row[4] or 0), long_rows)


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
    raw = f"{name}_raw"
    rejected = _read_raw(con, path, source, raw, dialect)
    if dialect.max_line_size is None and any(kind == "LINE SIZE OVER MAXIMUM" for _line, kind, _message, _text in rejected):
        con.execute(f"drop table {ident(raw)}")  # read again, keeping the long values  # untranslated: SQL
        dialect = _Dialect(**{**dialect.__dict__, "max_line_size": LONG_ROW_BYTES})
        rejected = _read_raw(con, path, source, raw, dialect)
    standard = _Dialect(dialect.delimiter, '"', '"', dialect.newline, dialect.skip, dialect.max_line_size)
    if rejected and dialect.quote != '"':
        # One unclosed quote can make the sniffer settle for another quote character, which
        # breaks every row: the standard quote wins when it leaves fewer rows broken.
        con.execute(f"alter table {ident(raw)} rename to {ident(raw + '_sniffed')}")  # untranslated: SQL
        retry = _read_raw(con, path, source, raw, standard)
        if len({row[0] for row in retry}) < len({row[0] for row in rejected}):
            dialect, rejected = standard, retry
            con.execute(f"drop table {ident(raw + '_sniffed')}")  # untranslated: SQL
        else:
            con.execute(f"drop table {ident(raw)}")  # untranslated: SQL
            con.execute(f"alter table {ident(raw + '_sniffed')} rename to {ident(raw)}")  # untranslated: SQL
    columns = [d[0] for d in con.execute(f"select * from {ident(raw)} limit 0").description]
    header = _header_names(source, dialect, len(columns))
    if header:  # an empty name keeps DuckDB's (column3)
        columns = [given if given.strip() else made for given, made in zip(header, columns)]
    _stage_from_raw(con, raw, name, len(columns), dialect)
    n_rows = _count(con, name)
    staged = Staged(name, path, "CSV", columns, n_rows, encoding, dialect.delimiter)
    malformed = _dedupe_lines(rejected)
    if malformed or _has_inner_blank_line(source):
        _fix_line_numbers(con, staged, source, dialect, malformed)
    if not dialect.quote:
        _settle_literal_quotes(con, staged)
    return staged


QUOTED_WHOLE = r'^"([^"]|"")*"$'  # a value in quotes, any inner quote doubled


def _settle_literal_quotes(con, staged: Staged) -> None:
    """Read without a quote character (the sniffer's choice when a quote is left open), a value
    written in quotes keeps them: unquote the values quoted whole, and reject each row with a
    value that opens a quote and never closes it, instead of loading the stray quote."""
    table, columns = ident(staged.name), [f"c{i}" for i in range(len(staged.columns))]
    opens = " or ".join(f"starts_with({c}, '\"')" for c in columns)
    if not con.execute(f"select count(*) from {table} where {opens}").fetchall()[0][0]:
        return
    unclosed = " or ".join(f"(starts_with({c}, '\"') and not regexp_matches({c}, $whole))" for c in columns)  # untranslated: SQL
    bad = con.execute(f"select _line, concat_ws($delimiter, {', '.join(columns)}) from {table} "
                      f"where {unclosed} order by _line",
                      {"whole": QUOTED_WHOLE, "delimiter": staged.delimiter or ","}).fetchall()
    if bad:
        con.execute(f"delete from {table} where {unclosed}", {"whole": QUOTED_WHOLE})
        staged.malformed += [(line, 'malformed row: a quote is not closed (a value starts with " and '  # untranslated: stored in English, shown via reasons.py
                                    'has no closing one)', text) for line, text in bad]
        staged.malformed.sort()
        staged.n_rows -= len(bad)
    sets = ", ".join(f"{c} = case when regexp_matches({c}, $whole) then replace({c}[2:-2], '\"\"', '\"') "  # untranslated: SQL
                     f"else {c} end" for c in columns)
    con.execute(f"update {table} set {sets}", {"whole": QUOTED_WHOLE})


def _read_raw(con, path: Path, source: Path, raw: str, dialect: _Dialect) -> list[tuple]:
    """Read the file as text into table RAW; returns the rows DuckDB could not split."""
    errors, scans = f"{raw}_errors", f"{raw}_scans"
    try:
        con.execute(
            f"create temp table {ident(raw)} as select * from read_csv($p, all_varchar = true, "
            f"header = true, delim = $delim, quote = $quote, escape = $escape, skip = $skip, "
            f"store_rejects = true, rejects_table = $errors, rejects_scan = $scans, "
            f"max_line_size = $max_line)",
            {"p": str(source), "delim": dialect.delimiter, "quote": dialect.quote,
             "escape": dialect.escape, "skip": dialect.skip, "errors": errors, "scans": scans,
             "max_line": dialect.max_line_size or DEFAULT_ROW_BYTES})
    except duckdb.Error as exc:
        if "not utf-8" in str(exc).lower():
            raise _NotUtf8() from exc
        raise LoadError(path, _("cannot read the file as CSV ({error})").format(error=_first_line(exc))) from None
    rejected = con.execute(f"select line, error_type, error_message, csv_line from {ident(errors)} "
                           f"order by line").fetchall()
    for table in (errors, scans):
        con.execute(f"drop table {ident(table)}")  # untranslated: SQL
    if any(kind == "INVALID ENCODING" for _line, kind, _message, _text in rejected):
        con.execute(f"drop table {ident(raw)}")  # untranslated: SQL
        raise _NotUtf8()
    return rejected


def _header_names(source: Path, dialect: _Dialect, n_columns: int) -> list[str] | None:
    """The header as the file writes it: DuckDB renames a repeated name (name -> name_1)."""
    if len(dialect.delimiter) != 1:
        return None
    options = {"delimiter": dialect.delimiter}
    if dialect.quote:
        options["quotechar"] = dialect.quote
    else:
        options["quoting"] = csv.QUOTE_NONE
    with source.open(encoding="utf-8-sig", newline="") as fh:
        for _skipped in range(dialect.skip):
            fh.readline()
        try:
            header = next(csv.reader(fh, **options), None)
        except csv.Error:
            return None
    return header if header is not None and len(header) == n_columns else None


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
        f"create temp table {ident(name)} as select row_number() over w - 1 as _rec, "
        f"cast({dialect.skip + 1} + row_number() over w + coalesce(sum({newlines}) over (w rows "
        f"between unbounded preceding and 1 preceding), 0) as bigint) as _line, "
        + ", ".join(f"{ref} as c{i}" for i, ref in enumerate(refs))  # untranslated: SQL
        + f" from {ident(raw)} window w as (order by rowid)")
    con.execute(f"drop table {ident(raw)}")  # untranslated: SQL


def _dedupe_lines(rejected: list[tuple]) -> list[tuple[int, str, str]]:
    """Rows DuckDB could not split, one per line: (logical line, reason, text)."""
    reasons = {"TOO MANY COLUMNS": "more values than the header has columns (quote values "  # untranslated: stored in English, shown via reasons.py
                                   "that contain the delimiter)",
               "MISSING COLUMNS": "fewer values than the header has columns",  # untranslated: stored in English, shown via reasons.py
               "UNQUOTED VALUE": "a quote is not closed or is followed by other text",  # untranslated: stored in English, shown via reasons.py
               "LINE SIZE OVER MAXIMUM": f"the row is longer than {LONG_ROW_BYTES // 2**20} MB"}  # untranslated: stored in English, shown via reasons.py
    rows: dict[int, tuple[int, str, str]] = {}
    for line, kind, message, text in rejected:
        rows.setdefault(line, (line, "malformed row: " + reasons.get(kind, message),  # untranslated: stored in English, shown via reasons.py
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
    bad = {line for line, _reason, _text in malformed}
    good = [start for logical, start in enumerate(starts, start=1)
            if logical > 1 and start is not None and logical not in bad]
    if len(good) != staged.n_rows or any(line > len(starts) for line in bad):
        staged.notes.append(_("line numbers may be approximate (blank or broken rows in the file)"))
        return
    staged.malformed = [(starts[line - 1] or line, reason, text) for line, reason, text in malformed]
    lines = pa.table({"_rec": pa.array(range(len(good)), pa.int64()), "_line": pa.array(good, pa.int64())})
    con.register("_line_numbers", lines)
    try:
        con.execute(f"update {ident(staged.name)} s set _line = n._line from _line_numbers n "
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
        for _skipped in range(dialect.skip):
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
    title, header, lines, records, sheets = _read_sheet(path, sheet)
    keep = [i for i, h in enumerate(header) if h is not None and h.strip()]
    columns = {"_rec": pa.array(range(len(lines)), pa.int64()), "_line": pa.array(lines, pa.int64())}
    for n, i in enumerate(keep):
        columns[f"c{n}"] = pa.array([r[i] if i < len(r) else None for r in records], pa.string())
    _create_from_arrow(con, name, pa.table(columns))
    return Staged(name, path, "Excel", [header[i] for i in keep], len(lines),  # untranslated: a format's name
                  notes=[_("sheet {sheet}; line = row number in the sheet").format(sheet=repr(title))],
                  sheet=title, sheets=sheets)


def _other_sheets(title: str, sheets: list[str]) -> str:
    """The hint a problem with one sheet gets when the workbook has others."""
    others = [s for s in sheets if s != title]
    if not others:
        return ""
    return " " + _("(this is sheet {sheet}; the workbook also has {others}: to read another, name it in a mapping, "
                   "e.g. sheet = {example}, and load with --map)").format(sheet=repr(title), others=name_list(others),
                                                                          example=repr(others[0]))


@contextmanager
def sheet_hint(staged: Staged):
    """A problem with the columns of an Excel sheet names the workbook's other sheets."""
    try:
        yield
    except LoadError as exc:
        hint = _other_sheets(staged.sheet, staged.sheets) if staged.sheet else ""
        if not hint:
            raise
        raise LoadError(exc.file, exc.message + hint) from None


def _read_sheet(path: Path, sheet: str | None) -> tuple[str, list, list[int], list[list], list[str]]:
    """(sheet title, header cells, row number of each non-empty row, its cells as text, all sheets)."""
    import openpyxl  # only Excel loads pay for the import

    _check_unpacked_size(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise LoadError(path, _("cannot open as an Excel workbook ({error}) — save it again as .xlsx").format(
            error=f"{type(exc).__name__}: {exc}")) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise LoadError(path, _("no sheet named {sheet}; sheets: {sheets} — fix `sheet` in the mapping").format(
                sheet=repr(sheet), sheets=name_list(book.sheetnames)))
        rows = book[sheet] if sheet else book.worksheets[0]
        most = limits.SHEET_ROWS.value()
        if (rows.max_row or 0) > most + 1:   # the sheet's own dimension, read before any row
            raise LoadError(path, _too_many_rows(rows.title, rows.max_row - 1, declared=True))
        cells = ([_cell_text(v) for v in values] for values in _at_most(rows.iter_rows(values_only=True),
                                                                           most + 1, path, rows.title))
        header = next(cells, None)
        if not header or not any(header):
            raise LoadError(path, _("sheet {sheet} is empty or its first row is blank; row 1 must hold the column "
                                    "names").format(sheet=repr(rows.title)) + _other_sheets(rows.title, book.sheetnames))
        numbered = [(n, row) for n, row in enumerate(cells, start=2) if any(c is not None for c in row)]
        return (rows.title, header, [n for n, _row in numbered], [row for _n, row in numbered],
                list(book.sheetnames))
    finally:
        book.close()


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook that unpacks to more than the limit before any of it is read: a small
    .xlsx can hold a million rows (its XML compresses a hundredfold)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl says what it is
    if unpacked > limits.SHEET_MB.value() * 1024 * 1024:
        raise LoadError(path, _("the workbook unpacks to {size} MB, more than the limit of {limit} — save the sheet "
                                "as CSV (no limit) and load that; nothing was loaded").format(
            size=formatting.number(unpacked / 1024 / 1024), limit=limits.SHEET_MB.text()))


def _at_most(rows, most: int, path: Path, title: str):
    """The rows of a sheet whose dimension is missing, stopped as soon as there are too many."""
    for n, row in enumerate(rows, start=1):
        if n > most:
            raise LoadError(path, _too_many_rows(title, most - 1, declared=False))
        yield row


def _too_many_rows(title: str, n: int, declared: bool) -> str:
    fields = {"sheet": repr(title), "n": formatting.count(n), "limit": limits.SHEET_ROWS.text()}
    if declared:
        return _("sheet {sheet} declares {n} rows, more than the limit of {limit} for a spreadsheet — save it as "
                 "CSV (no limit) and load that; nothing was loaded").format(**fields)
    return _("sheet {sheet} has more than {n} rows, more than the limit of {limit} for a spreadsheet — save it "
             "as CSV (no limit) and load that; nothing was loaded").format(**fields)


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
        casts = ", ".join(f"cast(#{i + 1} as varchar) as c{i}" for i in range(len(columns)))  # untranslated: SQL
        con.execute(f"create temp table {ident(name)} as select file_row_number as _rec, "
                    f"file_row_number + 1 as _line, {casts} "
                    f"from read_parquet($p, file_row_number = true)", {"p": str(path)})
    except duckdb.Error as exc:
        raise LoadError(path, _("cannot read as Parquet ({error})").format(error=_first_line(exc))) from None
    n_rows = _count(con, name)
    return Staged(name, path, "Parquet", columns, n_rows,  # untranslated: a format's name
                  notes=[_("line = row number in the Parquet file (1 = first row)")])


def _create_from_arrow(con, name: str, table: pa.Table) -> None:
    con.register("_arrow_source", table)
    try:
        con.execute(f"create temp table {ident(name)} as select * from _arrow_source")
    finally:
        con.unregister("_arrow_source")


def _count(con, table: str) -> int:
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open and refuses register()
    return con.execute(f"select count(*) from {ident(table)}").fetchall()[0][0]


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]

