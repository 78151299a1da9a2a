"""Matching a file's columns to a table's: which staging column feeds each model column."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from cxdata.i18n import _
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
    listing = _("columns found: {columns}").format(columns=column_list(found))
    matched = [(i, c) for i, c in _match_columns(found, path, mapping, listing)
               if c not in computed.derived and c not in mapping.lookups]
    for column in computed.derived:
        _not_also(path, mapping, column, "[derived]")
    for column in mapping.lookups:
        _not_also(path, mapping, column, "[lookups]")
    matched += [(i, c) for c, i in computed.derived.items()]
    spec = _choose_table(path, table, mapping, [c for _i, c in matched] + list(mapping.lookups), listing)
    outside = sorted(mapping.mentioned() - set(spec.columns))
    if outside:
        raise LoadError(path, _("the mapping names column(s) {columns} that the {table} table does not have; "
                                "valid: {valid}").format(columns=name_list(outside), table=spec.name,
                                                         valid=", ".join(spec.columns)))
    _check_formats(mapping, spec)
    _check_repeated_names(found, matched, path)
    sources: dict[str, int] = {}
    for i, column in sorted(matched):
        if column not in spec.columns:
            continue
        if column in sources:
            raise LoadError(path, _("columns {first} and {second} both give {column} — drop or rename one").format(
                first=column_name(found[sources[column]]), second=column_name(found[i]), column=column))
        if column in mapping.constants:
            raise LoadError(path, _("{column} is both a column of the file ({name}) and a constant in the mapping "
                                    "— remove one").format(column=column, name=column_name(found[i])))
        sources[column] = i
    absent = [c for c in spec.required
              if c not in sources and c not in mapping.constants and c not in mapping.lookups]
    if absent:
        raise LoadError(path, _("missing required column(s) {columns} for table {table}; {listing} — add them, "
                                "or map your column names with --map (see docs/loading.md)").format(
            columns=name_list(absent), table=spec.name, listing=listing))
    constants = dict(mapping.constants)
    for column in spec.key:  # a key part the file lacks (targets.department) is null: company-wide
        if column not in sources:
            constants.setdefault(column, "")
    read = {c for _section, _key, e in mapping.expressions() for c in e.columns}
    ignored = [name for i, name in enumerate(found)
               if i not in sources.values() and _norm(name) not in read]
    return Plan(spec, sources, constants, ignored, dict(mapping.lookups), computed.skips)


def _not_also(path: Path, mapping: Mapping, column: str, section: str) -> None:
    """A model column comes from one place: a rename, a constant, a derivation or a lookup."""
    others = {"[columns]": column in mapping.columns.values(), "[constants]": column in mapping.constants,
              "[derived]": column in mapping.derived, "[lookups]": column in mapping.lookups}
    clash = [name for name, used in others.items() if used and name != section]
    if clash:
        raise LoadError(path, _("{column} is given by both {section} and {other} in the mapping {mapping} — keep "
                                "one").format(column=column, section=section, other=clash[0], mapping=mapping.source))


def _check_formats(mapping: Mapping, spec: TableSpec) -> None:
    """[formats] only reads dates and timestamps: on another column it would do nothing."""
    for column in mapping.formats:
        if column in spec.columns and spec.kind(column) not in ("date", "timestamp"):
            raise LoadError(mapping.source, _("[formats] {column}: {table}.{column} is a {kind} column, not a date "
                                              "or timestamp — formats apply to dates only; remove the "
                                              "entry").format(column=column, table=spec.name, kind=spec.kind(column)))


def _check_repeated_names(found: list[str], matched: list[tuple[int, str]], path: Path) -> None:
    """A header naming a used column twice: which of the two is meant cannot be told."""
    for i, column in matched:
        if i >= len(found):
            continue  # a derived column
        twins = [j for j, name in enumerate(found) if _norm(name) == _norm(found[i])]
        if len(twins) > 1:
            raise LoadError(path, _("the header has {name} {n} times (columns {positions}) and it gives {column} — "
                                    "rename the copies so each column has its own name").format(
                name=column_name(found[i]), n=len(twins), positions=", ".join(str(j + 1) for j in twins),
                column=column))


def _match_columns(found: list[str], path: Path, mapping: Mapping, listing: str) -> list[tuple[int, str]]:
    """(file column number, model column) pairs: the mapping's renames (one file column may give
    several model columns), then same-named columns."""
    position: dict[str, int] = {}
    for i, name in enumerate(found):
        position.setdefault(_norm(name), i)
    missing = [src for src in mapping.columns if _norm(src) not in position]
    if missing:
        raise LoadError(path, _("the mapping {mapping} names column(s) {columns} that the file does not have; "
                                "{listing} — fix [columns]").format(mapping=mapping.source, columns=name_list(missing),
                                                                    listing=listing))
    renamed = [(position[_norm(src)], dst) for src, dst in mapping.columns.items()]
    taken = {i for i, _dst in renamed}
    known = model_columns() - {dst for _i, dst in renamed}  # a rename wins over a same-named column
    same_named = [(i, _norm(name)) for i, name in enumerate(found)
                  if i not in taken and _norm(name) in known]
    return same_named + renamed


def _choose_table(path: Path, table: str | None, mapping: Mapping, columns: Iterable[str],
                  listing: str) -> TableSpec:
    name = table or mapping.table or infer_table(set(columns) | set(mapping.constants))
    if name is None:
        raise LoadError(path, _("cannot tell which table the file is for: no key column found; {listing} — name "
                                "the table with --table, or map a key column; tables: {tables}").format(
            listing=listing, tables=describe_tables()))
    return table_specs()[name]
