"""Mapping files (TOML): how a source file's column names and values map onto the model."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

import duckdb

from cxdata.load.errors import LoadError, name_list
from cxdata.load.model import describe_tables, model_columns, table_specs

MAPPING_KEYS = ("table", "sheet", "columns", "values", "constants", "formats")


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
        raise fail(f"unknown setting(s) {name_list(unknown)}; a mapping may have {name_list(MAPPING_KEYS)}")
    table = data.get("table")
    if table is not None and table not in table_specs():
        raise fail(f"unknown table {table!r}; tables: {describe_tables()}")
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
            raise fail(f"{what} names column(s) {name_list(bad)} that {where} does not have; "
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
