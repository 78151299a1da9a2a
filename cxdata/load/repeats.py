"""Keys repeated across the files of one run: the first valid occurrence is kept, and a later
file's row with a key an earlier file of the run already loaded is rejected as its duplicate,
not counted as an update of it (the check within one file is validate._duplicate_select)."""
from __future__ import annotations

from pathlib import Path

from cxdata.load.columns import Plan
from cxdata.load.sql import Params, ident

REASON = "duplicate key of a row an earlier file of this run loaded"  # untranslated: stored in English, shown via reasons.py


def _seen(plan: Plan) -> str:
    return ident(f"run_keys_{plan.table.name}")


def reject_repeats(con, plan: Plan, clean: str, rejects: str) -> None:
    """Add to REJECTS the valid rows of CLEAN whose key an earlier file of the run loaded (a row
    rejected for another reason keeps that reason alone, as within a file)."""
    seen = _seen(plan)
    if not con.execute("select count(*) from duckdb_tables() where temporary and table_name = $t",
                       {"t": f"run_keys_{plan.table.name}"}).fetchall()[0][0]:
        return
    p = Params()
    key = plan.table.key
    match = " and ".join(f"k.{ident(c)} is not distinct from c.{ident(c)}" for c in key)  # untranslated: SQL
    shown = " || ' / ' || ".join(f"coalesce(cast(c.{ident(c)} as varchar), '(none)')" for c in key)  # untranslated: SQL
    con.execute(
        f"insert into {ident(rejects)} select c._rec, c._line, {p(', '.join(key))}, {p(REASON)}, "
        f"printf({p('duplicate key %s: duplicate of %s line %d (the first valid row with a key loads)')}, "  # untranslated: stored in English, shown via reasons.py
        f"{shown}, k._file, k._line), {shown} from {ident(clean)} c join {seen} k on {match} "
        f"where not exists (select 1 from {ident(rejects)} r where r._rec = c._rec)", p.values)


def remember_loaded(con, plan: Plan, clean: str, rejects: str, path: Path) -> None:
    """Note the keys this file loaded (its rows not rejected), with the file's name and line."""
    seen = _seen(plan)
    key = ", ".join(ident(c) for c in plan.table.key)
    con.execute(f"create temp table if not exists {seen} as select {key}, '' as _file, 0 as _line "
                f"from {ident(clean)} limit 0")
    con.execute(f"insert into {seen} select {key}, $file, _line from {ident(clean)} c "
                f"where not exists (select 1 from {ident(rejects)} r where r._rec = c._rec)",
                {"file": path.name})
