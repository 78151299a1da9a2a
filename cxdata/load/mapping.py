"""Mapping files (TOML): how a source file's column names and values map onto the model, and
the columns, lookups and row filters computed from it (expressions checked in expressions.py)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

import duckdb

from cxdata.i18n import _
from cxdata.load.errors import LoadError, name_list
from cxdata.load.expressions import Expression, parse_expression
from cxdata.load.model import describe_tables, model_columns, table_specs

MAPPING_KEYS = ("table", "sheet", "expects_answer", "columns", "values", "constants", "formats", "derived",
                "lookups", "skip", "keep")
LOOKUP_KEYS = ("table", "match", "value", "key", "if_skipped")
# What a lookup does when its key finds only a row this run skipped (docs/loading.md, Lookups).
IF_SKIPPED = ("reject", "keep", "skip")


@dataclass(frozen=True)
class Lookup:
    """A model column filled from a loaded table: the row whose MATCH column equals KEY's value."""
    table: str
    match: str
    value: str
    key: Expression
    if_skipped: str = "reject"  # IF_SKIPPED: the key finds only a row this run skipped


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
    derived: dict[str, Expression] = field(default_factory=dict)  # model column -> expression
    lookups: dict[str, Lookup] = field(default_factory=dict)  # model column -> where to look it up
    skip: dict[str, Expression] = field(default_factory=dict)  # reason -> rows to skip
    keep: dict[str, Expression] = field(default_factory=dict)  # name -> rows to keep (others skipped)
    lines: dict[str, int] = field(default_factory=dict)  # "section.key" -> line in the file
    # interactions: whether the touchpoints of this file's contacts expect an answer (None: not told)
    expects_answer: bool | None = None

    def mentioned(self) -> set[str]:
        """Every model column the mapping names."""
        return (set(self.columns.values()) | set(self.values) | set(self.constants) | set(self.formats)
                | set(self.derived) | set(self.lookups))

    def where(self, section: str, key: str) -> str:
        """How a message names one setting: "mapping.toml, line 12: [derived] sla_seconds"."""
        return _setting(self.source, self.lines.get(f"{section}.{key}"), section, key)

    def expressions(self) -> list[tuple[str, str, Expression]]:
        """(section, key, expression) for every expression of the mapping."""
        return ([("derived", c, e) for c, e in self.derived.items()]
                + [(f"lookups.{c}", "key", lk.key) for c, lk in self.lookups.items()]
                + [("skip", r, e) for r, e in self.skip.items()]
                + [("keep", r, e) for r, e in self.keep.items()])


def read_mapping(path: Path | str) -> Mapping:
    """Read and check a TOML mapping file; raises LoadError naming what to fix."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoadError(path, _("mapping file not found — check the path given to --map")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(path, _("cannot read the mapping file ({error})").format(error=exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(path, not_toml(exc)) from None
    return parse_mapping(data, source=str(path), text=path.read_text(encoding="utf-8"))


def parse_mapping(data: dict, source: str = "mapping", text: str = "") -> Mapping:
    """Check a mapping given as a dict (the parsed TOML); TEXT, the file, gives line numbers."""
    lines = _setting_lines(text)

    def fail(message: str) -> LoadError:
        return LoadError(source, message)

    def fail_at(section: str, key: str, message: str) -> LoadError:
        return LoadError(None, f"{_setting(source, lines.get(f'{section}.{key}'), section, key)}: {message}")

    def expression(section: str, key: str, value) -> Expression:
        try:
            return parse_expression(value)
        except ValueError as exc:
            raise fail_at(section, key, str(exc)) from None

    unknown = [k for k in data if k not in MAPPING_KEYS]
    if unknown:
        raise fail(_("unknown setting(s) {settings}; a mapping may have {allowed}").format(
            settings=name_list(unknown), allowed=name_list(MAPPING_KEYS)))
    table = data.get("table")
    if table is not None and table not in table_specs():
        raise fail(_("unknown table {table}; tables: {tables}").format(table=repr(table), tables=describe_tables()))
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise fail(_("sheet must be a sheet name in quotes, e.g. sheet = \"Responses\""))
    expects_answer = data.get("expects_answer")
    if expects_answer is not None and not isinstance(expects_answer, bool):
        raise fail(_("expects_answer must be true or false (whether this file's contacts expect an answer)"))
    if expects_answer is not None and table not in (None, "interactions"):
        raise fail(_("expects_answer is about contacts (the interactions table), not {table}").format(table=table))
    valid = set(table_specs()[table].columns) if table else model_columns()

    def section(name: str) -> dict:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise fail(_("[{name}] must be a table of settings, e.g. [{name}] then lines "
                         "'\"source\" = \"value\"'").format(name=name))
        return value

    def check_columns(names: Iterable[str], what: str) -> None:
        bad = sorted(set(names) - valid)
        if bad:
            fields = {"what": what, "columns": name_list(bad), "table": table, "valid": ", ".join(sorted(valid))}
            if table:
                raise fail(_("{what} names column(s) {columns} that the {table} table does not have; valid "
                             "columns: {valid}").format(**fields))
            raise fail(_("{what} names column(s) {columns} that any table does not have; valid columns: "
                         "{valid}").format(**fields))

    columns = {str(src).strip(): _scalar_text(dst, fail, f"[columns] {src!r}")
               for src, dst in section("columns").items()}
    check_columns(columns.values(), "[columns]")
    values = {}
    for column, table_of_values in section("values").items():
        if not isinstance(table_of_values, dict):
            raise fail(_("[values.{column}] must list 'source value' = canonical value pairs").format(column=column))
        values[column] = {str(k).strip().lower(): _scalar_text(v, fail, f"[values.{column}]")
                          for k, v in table_of_values.items()}
    check_columns(values, "[values]")
    constants = {c: _scalar_text(v, fail, f"[constants] {c}") for c, v in section("constants").items()}
    check_columns(constants, "[constants]")
    formats = {c: _format_list(v, fail, c) for c, v in section("formats").items()}
    check_columns(formats, "[formats]")
    derived = {str(c): expression("derived", c, e) for c, e in section("derived").items()}
    check_columns(derived, "[derived]")
    lookups = {}
    for column, spec in section("lookups").items():
        lookups[column] = _lookup(column, spec, lambda key, message, c=column: fail_at(
            f"lookups.{c}", key, message), expression)
    check_columns(lookups, "[lookups]")
    skip = {str(r): expression("skip", r, e) for r, e in section("skip").items()}
    keep = {str(r): expression("keep", r, e) for r, e in section("keep").items()}
    mapping = Mapping(table, sheet, columns, values, constants, formats, source, derived, lookups,
                      skip, keep, lines, expects_answer)
    if expects_answer is not None and "touchpoint" not in mapping.mentioned():
        raise fail(_("expects_answer is set for the touchpoints of this file's contacts, but the mapping gives "
                     "them none: name the touchpoint column under [columns], or set one under [constants] "
                     "(e.g. touchpoint = \"delivery\")"))
    return mapping


def _lookup(column: str, spec, fail_at, expression) -> Lookup:
    """One [lookups.COLUMN] section: table, match (its column), value (default COLUMN), key."""
    if not isinstance(spec, dict):
        raise fail_at("table", _("expected a section with table, match and key"))
    unknown = [k for k in spec if k not in LOOKUP_KEYS]
    if unknown:
        raise fail_at(unknown[0], _("unknown setting; a lookup has {allowed}").format(allowed=name_list(LOOKUP_KEYS)))
    for needed in ("table", "match", "key"):
        if needed not in spec:
            raise fail_at(needed, _("missing; e.g. table = \"interactions\", match = \"interaction_id\", "
                                    "key = \"order_id\""))
    table = spec["table"]
    if table not in table_specs():
        raise fail_at("table", _("unknown table {table}; tables: {tables}").format(table=repr(table),
                                                                                  tables=describe_tables()))
    columns = table_specs()[table].columns
    value = spec.get("value", column)
    for name, given in (("match", spec["match"]), ("value", value)):
        if given not in columns:
            raise fail_at(name, _("{name} is not a column of {table}; columns: {columns}").format(
                name=repr(given), table=table, columns=", ".join(columns)))
    if_skipped = spec.get("if_skipped", "reject")
    if if_skipped not in IF_SKIPPED:
        raise fail_at("if_skipped", _("{value} is not one of {allowed}").format(value=repr(if_skipped),
                                                                                 allowed=name_list(IF_SKIPPED)))
    return Lookup(table, spec["match"], value, expression(f"lookups.{column}", "key", spec["key"]),
                  if_skipped)


def _setting(source: str, line: int | None, section: str, key: str) -> str:
    """How a message names one setting: "mapping.toml, line 12: [derived] sla_seconds"."""
    if line:
        return _("{source}, line {line}: [{section}] {key}").format(source=source, line=line, section=section, key=key)
    return f"{source}: [{section}] {key}"


def not_toml(exc: Exception) -> str:
    """A mapping file that is not TOML: the parser's words, and where to find an example."""
    return _("not valid TOML ({error}) — fix the syntax; docs/loading.md has a full example").format(error=exc)


_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_SETTING = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _setting_lines(text: str) -> dict[str, int]:
    """"section.key" -> line number of each setting of a TOML file, for messages."""
    lines, section = {}, ""
    for number, line in enumerate(text.splitlines(), start=1):
        if found := _SECTION.match(line):
            section = ".".join(part.strip().strip('"\'') for part in found.group(1).split("."))
        elif found := _SETTING.match(line):
            key = found.group(1)
            key = key[1:-1] if key[0] in "\"'" else key
            lines.setdefault(f"{section}.{key}" if section else key, number)
    return lines


def _scalar_text(value, fail, where: str) -> str:
    """A TOML scalar as the text a file cell would hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    raise fail(_("{where}: expected a single value (text, number, date or true/false), got {value}").format(
        where=where, value=repr(value)))


def _format_list(value, fail, column: str) -> list[str]:
    formats = [value] if isinstance(value, str) else value
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
        raise fail(_("[formats] {column}: expected a strptime format like \"%d/%m/%Y %H:%M\" "
                     "or a list of them").format(column=column))
    con = duckdb.connect()
    try:
        for fmt in formats:
            try:
                con.execute("select try_strptime('2000-01-01', $f)", {"f": fmt})
            except duckdb.Error:
                raise fail(_("[formats] {column}: {format} is not a valid strptime format "
                             "(e.g. %d/%m/%Y %H:%M)").format(column=column, format=repr(fmt))) from None
    finally:
        con.close()
    return formats
