"""A mapping's expressions evaluated on a staged file: derived columns become staging columns like
the file's own (then cleaned and checked the same way), lookup keys k_COLUMN, and the reason a row
is skipped _skip. All of it runs before the write transaction, so a failing expression stops the
run with nothing written, and within a time limit (limits.MAPPING_SECONDS): DuckDB is interrupted
when it is over."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb

from cxdata.i18n import _
from cxdata.load import limits
from cxdata.load.errors import LoadError, column_list, name_list
from cxdata.load.files import Staged
from cxdata.load.mapping import Mapping
from cxdata.load.sql import Params, ident


@dataclass
class Computed:
    derived: dict[str, int] = field(default_factory=dict)  # model column -> staging column number
    lookup_keys: list[str] = field(default_factory=list)    # model columns with a k_COLUMN key
    skips: bool = False                                     # whether the table has _skip


def add_computed(con, staged: Staged, mapping: Mapping) -> Computed:
    """Evaluate the mapping's expressions into new columns of the staging table."""
    computed = Computed()
    if not mapping.expressions():
        return computed
    positions = _positions(staged, mapping)
    parts: list[tuple[str, str, str, str]] = []  # (section, key, sql, alias)
    for n, (column, expression) in enumerate(mapping.derived.items()):
        computed.derived[column] = len(staged.columns) + n
        parts.append(("derived", column, f"cast({expression.sql(positions)} as varchar)",  # untranslated: SQL
                      f"c{computed.derived[column]}"))
    for column, lookup in mapping.lookups.items():
        computed.lookup_keys.append(column)
        parts.append((f"lookups.{column}", "key", f"cast({lookup.key.sql(positions)} as varchar)",  # untranslated: SQL
                      f"k_{column}"))
    p = Params()
    conditions = ([(f"coalesce({e.sql(positions)}, false)", reason) for reason, e in mapping.skip.items()]
                  + [(f"not coalesce({e.sql(positions)}, false)", f"not {name}")  # untranslated: SQL
                     for name, e in mapping.keep.items()])
    if conditions:
        computed.skips = True
        whens = " ".join(f"when {condition} then {p(reason)}" for condition, reason in conditions)  # untranslated: SQL
        parts.append(("skip" if mapping.skip else "keep", next(iter(mapping.skip or mapping.keep)),
                      f"case {whens} end", "_skip"))  # untranslated: SQL
    selects = ", ".join(f"{sql} as {ident(alias)}" for _section, _key, sql, alias in parts)
    table = ident(staged.name)
    seconds = limits.MAPPING_SECONDS.value()
    watchdog = threading.Timer(seconds, con.interrupt)
    watchdog.start()
    try:
        con.execute(f"create or replace temp table {table} as select *, {selects} from {table}", p.values)
    except duckdb.InterruptException:
        raise LoadError(staged.path, _("the mapping's expressions took longer than the limit of {limit} on this "
                                       "file and were stopped — simplify them, or load the file in parts; "
                                       "nothing was loaded").format(limit=limits.MAPPING_SECONDS.text())) from None
    except duckdb.Error as exc:
        raise _failing_part(con, staged, mapping, parts, p, exc) from None
    finally:
        watchdog.cancel()
    return computed


def _positions(staged: Staged, mapping: Mapping) -> dict[str, int]:
    """File column name (lower-case, trimmed) -> its staging column, for every name an expression reads."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(staged.columns):
        positions.setdefault(name.strip().lower(), []).append(i)
    for section, key, expression in mapping.expressions():
        unknown = sorted(c for c in expression.columns if c not in positions)
        if unknown:
            raise LoadError(staged.path, _("{where} reads column(s) {columns} that the file does not have; columns "
                                           "found: {found} (a name with spaces goes in double quotes inside the "
                                           "expression)").format(where=mapping.where(section, key),
                                                                 columns=name_list(unknown),
                                                                 found=column_list(staged.columns)))
        twice = sorted(c for c in expression.columns if len(positions[c]) > 1)
        if twice:
            raise LoadError(staged.path, _("{where} reads {columns}, a name the file's header has twice — rename "
                                           "one").format(where=mapping.where(section, key), columns=name_list(twice)))
    return {name: found[0] for name, found in positions.items()}


def _failing_part(con, staged: Staged, mapping: Mapping, parts, p: Params, exc: Exception) -> LoadError:
    """Name the expression that failed on this file's values (the first of them)."""
    table = ident(staged.name)
    for section, key, sql, _column in parts:
        try:
            con.execute(f"select count({sql}) from {table}", p.values).fetchall()
        except duckdb.Error as own:
            return LoadError(staged.path, _("{where} fails on this file's values ({error}) — use try_cast or "
                                            "try_strptime so a bad value becomes empty and its row is "
                                            "rejected").format(where=mapping.where(section, key),
                                                               error=str(own).splitlines()[0]))
    return LoadError(staged.path, _("the mapping's expressions fail on this file ({error})").format(
        error=str(exc).splitlines()[0]))

