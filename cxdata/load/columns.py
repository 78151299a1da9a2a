"""Matching a file's columns to a table's: which staging column feeds each model column."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from cxdata.load.errors import LoadError, column_list, column_name, name_list
from cxdata.load.files import Staged
from cxdata.load.mapping import Mapping
from cxdata.load.model import TableSpec, describe_tables, infer_table, model_columns, table_specs


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
    listing = f"columns found: {column_list(found)}"
    matched = _match_columns(found, path, mapping, listing)
    spec = _choose_table(path, table, mapping, matched.values(), listing)
    outside = sorted(mapping.mentioned() - set(spec.columns))
    if outside:
        raise LoadError(path, f"the mapping names column(s) {name_list(outside)} that the "
                              f"{spec.name} table does not have; valid: {', '.join(spec.columns)}")
    sources: dict[str, int] = {}
    for i, column in sorted(matched.items()):
        if column not in spec.columns:
            continue
        if column in sources:
            raise LoadError(path, f"columns {column_name(found[sources[column]])} and "
                                  f"{column_name(found[i])} both give {column} — drop or rename one")
        if column in mapping.constants:
            raise LoadError(path, f"{column} is both a column of the file ({column_name(found[i])}) and a "
                                  "constant in the mapping — remove one")
        sources[column] = i
    absent = [c for c in spec.required if c not in sources and c not in mapping.constants]
    if absent:
        raise LoadError(path, f"missing required column(s) {name_list(absent)} for table "
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
        raise LoadError(path, f"the mapping {mapping.source} names column(s) {name_list(missing)} "
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
                              f"tables: {describe_tables()}")
    return table_specs()[name]
