"""Writing a checked file: upsert its good rows by key, and keep its rejected rows."""
from __future__ import annotations

from cxdata import derive
from cxdata import formatting as fmt
from cxdata.i18n import _
from cxdata.load import limits
from cxdata.load.columns import Plan
from cxdata.load.files import Staged
from cxdata.load.model import TableSpec
from cxdata.load.sql import Params, ident


def upsert(con, plan: Plan, clean: str, rejects: str) -> tuple[int, int, int]:
    """Insert new keys, replace changed rows, leave identical ones; returns (new, updated, unchanged).

    A column the file does not have keeps its stored value on update (null for new keys).
    """
    spec, present = plan.table, set(plan.present)
    table, merged = ident(spec.name), ident(f"merged_{clean}")
    first_key = ident(spec.key[0])
    same = " and ".join(f"g.{ident(c)} is not distinct from o.{ident(c)}" for c in plan.present)  # untranslated: SQL
    values = ", ".join(f"{'g' if c in present else 'o'}.{ident(c)} as {ident(c)}"
                       for c in spec.columns)
    con.execute(
        f"create temp table {merged} as select "
        f"case when o.{first_key} is null then 'new' when {same} then 'unchanged' "
        f"else 'updated' end as _status, {values} "
        f"from (select * from {ident(clean)} c where not exists "
        f"(select 1 from {ident(rejects)} r where r._rec = c._rec)) g "
        f"left join {table} o on {_key_match(spec, 'g', 'o')}")
    _note_changes(con, spec, f"merged_{clean}")
    con.execute(f"delete from {table} o using {merged} g "
                f"where g._status = 'updated' and {_key_match(spec, 'g', 'o')}")
    columns = ", ".join(ident(c) for c in spec.columns)
    con.execute(f"insert into {table} ({columns}) select {columns} from {merged} "
                f"where _status <> 'unchanged'")
    counts = dict(con.execute(f"select _status, count(*) from {merged} group by all").fetchall())
    con.execute(f"drop table {merged}")  # merged: checked by ident() above
    return counts.get("new", 0), counts.get("updated", 0), counts.get("unchanged", 0)


# The tables whose rows the derived layer reads by day and customer (sql/derived_update.sql), and those
# it never reads; a change to any other table (channels, touchpoints, journey stages) rebuilds it whole.
ROWS_BY_DAY = ("customers", "interactions", "feedback", "transactions")
NOT_DERIVED = ("targets", "initiatives", "initiative_checkpoints")


def _note_changes(con, spec: TableSpec, merged: str) -> None:
    """Record the new and updated rows of this upsert (before and after: key, customer, day) in
    refresh_changes, so the refresh that follows rebuilds only what they reach (cxdata.derive)."""
    if spec.name in NOT_DERIVED:
        derive.note_changes(con)  # noted as nothing: the refresh leaves the layer as it is
        return
    if spec.name not in ROWS_BY_DAY:
        derive.note_everything(con)
        return
    derive.note_changes(con)
    dated = DATED_BY.get(spec.name)
    key, table = ident(spec.key[0]), ident(spec.name)
    day = f"{{side}}.{ident(dated)}::date" if dated else "null::date"  # untranslated: SQL
    p = Params()
    source = p(spec.name)
    con.execute(
        f"insert into refresh_changes select {source}, g.{key}, g.customer_id, {day.format(side='g')} "
        f"from {ident(merged)} g where g._status <> 'unchanged' "
        f"union all select {source}, o.{key}, o.customer_id, {day.format(side='o')} "
        f"from {ident(merged)} g join {table} o on {_key_match(spec, 'g', 'o')} where g._status = 'updated'",
        p.values)


def _key_match(spec: TableSpec, new: str, old: str) -> str:
    """Key equality; a nullable key part (targets.department) matches null to null."""
    return " and ".join(
        f"{new}.{ident(c)} = {old}.{ident(c)}" if c in spec.required
        else f"{new}.{ident(c)} is not distinct from {old}.{ident(c)}" for c in spec.key)


def save_rejects(con, load_id: str, staged: Staged, table: str, rejects: str) -> str | None:
    """Each failed cell, and each malformed line, as a row of rejected_rows with the source row: the
    first limits.REJECTED_KEPT of them by line (a million rejected rows help nobody; the report and
    the loads table keep the full count). Returns a note when some were not kept."""
    most = limits.REJECTED_KEPT.value()
    n_cells = con.execute(f"select count(*) from {ident(rejects)}").fetchall()[0][0]
    p = Params()
    names = p(staged.columns)
    pairs = ", ".join(f"{names}[{i + 1}], s.c{i}" for i in range(len(staged.columns)))
    common = {"load_id": p(load_id), "file": p(str(staged.path.resolve())), "table": p(table)}
    con.execute(
        f"insert into rejected_rows (load_id, source_file, line, column_name, reason, value, "
        f"target_table, raw) select {common['load_id']}, {common['file']}, r._line, r.column_name, "
        f"r.reason, r.value, {common['table']}, json_object({pairs}) "
        f"from {ident(rejects)} r join {ident(staged.name)} s using (_rec) order by r._line limit {p(most)}",
        p.values)
    malformed = staged.malformed[:max(most - n_cells, 0)]
    if malformed:
        con.executemany(
            "insert into rejected_rows (load_id, source_file, line, reason, value, target_table, raw) "
            "values (?, ?, ?, ?, ?, ?, to_json(?))",
            [(load_id, str(staged.path.resolve()), line, reason, None, table, text)
             for line, reason, text in malformed])
    n_cells += len(staged.malformed)
    if n_cells > most:
        return _("{n} rejected cells: the first {kept} by line are kept in rejected_rows (the limit, {setting}); "
                 "fix those and load again to see the rest").format(n=fmt.count(n_cells), kept=fmt.count(most),
                                                                   setting=limits.REJECTED_KEPT.setting)
    return None


# The date a table's rows are placed in months by, and the columns whose empty cell is itself an
# answer (no churn date: still a customer; no resolution: still open), so every written row counts.
DATED_BY = {"interactions": "started_at", "feedback": "submitted_at", "transactions": "occurred_at"}
EMPTY_MEANS_SOMETHING = {("customers", "churned_on"), ("interactions", "resolved_at")}


def record_provided(con, load_id: str, plan: Plan, clean: str, rejects: str) -> None:
    """One provided_columns row per column the file has: how many written rows it informs and the
    first month of those (sql/schema.sql). A column the file lacks gets no row, so a metric that
    needs it can say "not in your data" instead of a number."""
    table, dated = plan.table.name, DATED_BY.get(plan.table.name)
    month = f"date_trunc('month', c.{ident(dated)})::date" if dated else "null::date"
    counts, months = [], []
    for column in plan.present:  # one pass over the written rows for every column  # untranslated: SQL
        informs = "true" if (table, column) in EMPTY_MEANS_SOMETHING else f"c.{ident(column)} is not null"  # untranslated: SQL
        counts.append(f"count(*) filter (where {informs})")  # untranslated: SQL
        months.append(f"min({month}) filter (where {informs})")  # untranslated: SQL
    p = Params()
    con.execute(
        f"insert into provided_columns select {p(load_id)}, {p(table)}, unnest({p(plan.present)}), "
        f"unnest([{', '.join(counts)}]), unnest([{', '.join(months)}]) "
        f"from {ident(clean)} c where not exists (select 1 from {ident(rejects)} r where r._rec = c._rec)",
        p.values)
