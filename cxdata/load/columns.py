"""Matching a file's columns to a table's: which staging column feeds each model column."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from cxdata.load.computed import Computed
from cxdata.load.errors import LoadError, column_list, column_name, name_list
from cxdata.load.files import Staged
from cxdata.load.mapping import Lookup, Mapping
from cxdata.load.model import TableSpec, describe_tables, infer_table, model_columns, table_specs


@dataclass
class Plan:
    """Where each model column of one file comes from."""
    table: TableSpec
    sources: dict[str, int]   # model column -> staging column number (c0, c1, ...)
    constants: dict[str, str]
    ignored: list[str]
    lookups: dict[str, Lookup] = field(default_factory=dict)  # model column -> where its value is looked up
    skips: bool = False  # whether the staging table has _skip (rows the mapping skips)

    @property
    def present(self) -> list[str]:
        """The model columns this file provides, in schema order."""
        return [c for c in self.table.columns
                if c in self.sources or c in self.constants or c in self.lookups]


def _norm(name: str) -> str:
    return name.strip().lower()


def plan_columns(staged: Staged, path: Path, table: str | None, mapping: Mapping,
                 computed: Computed | None = None) -> Plan:
    """Match the file's columns to a table's (case-insensitive, trimmed, after the mapping);
    derived columns count as the file's own, and win over a same-named file column."""
    computed = computed or Computed()
    found = staged.columns
    listing = f"columns found: {column_list(found)}"
    matched = [(i, c) for i, c in _match_columns(found, path, mapping, listing)
               if c not in computed.derived and c not in mapping.lookups]
    for column in computed.derived:
        _not_also(path, mapping, column, "[derived]")
    for column in mapping.lookups:
        _not_also(path, mapping, column, "[lookups]")
    matched += [(i, c) for c, i in computed.derived.items()]
    spec = _choose_table(path, table, mapping, [c for _, c in matched] + list(mapping.lookups), listing)
    outside = sorted(mapping.mentioned() - set(spec.columns))
    if outside:
        raise LoadError(path, f"the mapping names column(s) {name_list(outside)} that the "
                              f"{spec.name} table does not have; valid: {', '.join(spec.columns)}")
    _check_formats(mapping, spec)
    _check_repeated_names(found, matched, path)
    sources: dict[str, int] = {}
    for i, column in sorted(matched):
        if column not in spec.columns:
            continue
        if column in sources:
            raise LoadError(path, f"columns {column_name(found[sources[column]])} and "
                                  f"{column_name(found[i])} both give {column} — drop or rename one")
        if column in mapping.constants:
            raise LoadError(path, f"{column} is both a column of the file ({column_name(found[i])}) and a "
                                  "constant in the mapping — remove one")
        sources[column] = i
    absent = [c for c in spec.required
              if c not in sources and c not in mapping.constants and c not in mapping.lookups]
    if absent:
        raise LoadError(path, f"missing required column(s) {name_list(absent)} for table "
                              f"{spec.name}; {listing} — add them, or map your column names "
                              "with --map (see docs/loading.md)")
    constants = dict(mapping.constants)
    for column in spec.key:  # a key part the file lacks (targets.department) is null: company-wide
        if column not in sources:
            constants.setdefault(column, "")
    read = {c for _, _, e in mapping.expressions() for c in e.columns}
    ignored = [name for i, name in enumerate(found)
               if i not in sources.values() and _norm(name) not in read]
    return Plan(spec, sources, constants, ignored, dict(mapping.lookups), computed.skips)


def _not_also(path: Path, mapping: Mapping, column: str, section: str) -> None:
    """A model column comes from one place: a rename, a constant, a derivation or a lookup."""
    others = {"[columns]": column in mapping.columns.values(), "[constants]": column in mapping.constants,
              "[derived]": column in mapping.derived, "[lookups]": column in mapping.lookups}
    clash = [name for name, used in others.items() if used and name != section]
    if clash:
        raise LoadError(path, f"{column} is given by both {section} and {clash[0]} in the mapping "
                              f"{mapping.source} — keep one")


def _check_formats(mapping: Mapping, spec: TableSpec) -> None:
    """[formats] only reads dates and timestamps: on another column it would do nothing."""
    for column in mapping.formats:
        if column in spec.columns and spec.kind(column) not in ("date", "timestamp"):
            raise LoadError(mapping.source, f"[formats] {column}: {spec.name}.{column} is a "
                                            f"{spec.kind(column)} column, not a date or timestamp — "
                                            "formats apply to dates only; remove the entry")


def _check_repeated_names(found: list[str], matched: list[tuple[int, str]], path: Path) -> None:
    """A header naming a used column twice: which of the two is meant cannot be told."""
    for i, column in matched:
        if i >= len(found):
            continue  # a derived column
        twins = [j for j, name in enumerate(found) if _norm(name) == _norm(found[i])]
        if len(twins) > 1:
            raise LoadError(path, f"the header has {column_name(found[i])} {len(twins)} times (columns "
                                  f"{', '.join(str(j + 1) for j in twins)}) and it gives {column} — "
                                  "rename the copies so each column has its own name")


def _match_columns(found: list[str], path: Path, mapping: Mapping, listing: str) -> list[tuple[int, str]]:
    """(file column number, model column) pairs: the mapping's renames (one file column may give
    several model columns), then same-named columns."""
    position: dict[str, int] = {}
    for i, name in enumerate(found):
        position.setdefault(_norm(name), i)
    missing = [src for src in mapping.columns if _norm(src) not in position]
    if missing:
        raise LoadError(path, f"the mapping {mapping.source} names column(s) {name_list(missing)} "
                              f"that the file does not have; {listing} — fix [columns]")
    renamed = [(position[_norm(src)], dst) for src, dst in mapping.columns.items()]
    taken = {i for i, _ in renamed}
    known = model_columns() - {dst for _, dst in renamed}  # a rename wins over a same-named column
    same_named = [(i, _norm(name)) for i, name in enumerate(found)
                  if i not in taken and _norm(name) in known]
    return same_named + renamed


def _choose_table(path: Path, table: str | None, mapping: Mapping, columns: Iterable[str],
                  listing: str) -> TableSpec:
    name = table or mapping.table or infer_table(set(columns) | set(mapping.constants))
    if name is None:
        raise LoadError(path, f"cannot tell which table the file is for: no key column found; "
                              f"{listing} — name the table with --table, or map a key column; "
                              f"tables: {describe_tables()}")
    return table_specs()[name]
