"""Checking rows in SQL: each column's text cleaned and typed, every row-level rule, and the
rejected rows (with line, column and reason) that the write then leaves out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cxdata.load.columns import Plan
from cxdata.load.files import Staged
from cxdata.load.mapping import Mapping
from cxdata.load.model import TableSpec
from cxdata.load.report import RejectReason
from cxdata.load.sql import Params, ident
from cxdata.metrics import KPIS

# Matched after trimming and lower-casing, so "NPS " loads as nps.
LOWERCASE = frozenset({"channel", "survey", "office", "kind", "journey_stage", "stage", "metric"})
MINIMUMS = {"first_response_seconds": 0, "sla_seconds": 0, "annual_value": 0, "position": 1}
# Durations beyond ten years are a unit mix-up (milliseconds?), and a deadline that far off
# would overflow the date arithmetic the SLA rule does.
MAXIMUMS = {"first_response_seconds": 10 * 365 * 86400, "sla_seconds": 10 * 365 * 86400}
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

PARSE_REASONS = {  # by TableSpec.kind()
    "timestamp": "not a date-time (expected e.g. 2024-05-31 14:30:00 or 31/05/2024 14:30; "
                 "other layouts need [formats] in a mapping)",
    "date": "not a date (expected e.g. 2024-05-31 or 31/05/2024; other layouts need [formats] "
            "in a mapping)",
    "number": "not a number (use . for decimals, no thousands separators or currency signs)",
    "whole": "not a whole number",
    "boolean": "not a yes/no value (expected true/false, yes/no, y/n or 1/0)",
}
PARSE_REASONS["decimal"] = PARSE_REASONS["number"]


def _text(column: str) -> str:
    """The cleaned text of a column in the clean table: trimmed, empty -> null, mapped."""
    return ident(f"t_{column}")


def create_value_maps(con, mapping: Mapping) -> None:
    con.execute("create temp table value_maps (column_name varchar, source_value varchar, "
                "canonical_value varchar)")
    con.executemany("insert into value_maps values (?, ?, ?)",
                    [(c, src, dst) for c, pairs in mapping.values.items() for src, dst in pairs.items()])


def create_clean(con, staged: Staged, plan: Plan, mapping: Mapping, clean: str) -> None:
    """One row per staged record: cleaned text (t_col) and typed value (col) of each column."""
    p = Params()
    texts, joins = [], []
    for column in plan.present:
        if column in plan.sources:
            value = f"nullif(trim(s.c{plan.sources[column]}), '')"
        else:
            value = f"nullif(trim({p(plan.constants[column])}), '')"
        if column in mapping.values:
            alias = ident(f"vm_{column}")
            joins.append(f"left join (select source_value, canonical_value from value_maps "
                         f"where column_name = {p(column)}) {alias} "
                         f"on {alias}.source_value = lower({value})")
            value = f"coalesce({alias}.canonical_value, {value})"
        if column in LOWERCASE:
            value = f"lower({value})"
        texts.append(f"{value} as {_text(column)}")
    typed = [f"{_typed(plan.table, c, mapping.formats.get(c), p)} as {ident(c)}" for c in plan.present]
    con.execute(
        f"create temp table {ident(clean)} as select _rec, _line, "
        f"{', '.join(_text(c) for c in plan.present)}, {', '.join(typed)} "
        f"from (select s._rec, s._line, {', '.join(texts)} from {ident(staged.name)} s "
        f"{' '.join(joins)})", p.values)


def _typed(spec: TableSpec, column: str, formats: list[str] | None, p: Params) -> str:
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


def _checks(plan: Plan, p: Params, now: datetime) -> list[_Check]:
    """Every row-level rule that applies to this file's columns."""
    spec, checks = plan.table, []
    for column in plan.present:
        t, v, kind = _text(column), ident(column), spec.kind(column)
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
        if column in MAXIMUMS:
            checks.append(_Check(column, f"more than ten years ({MAXIMUMS[column]:,} seconds): a unit mix-up?",
                                 f"{v} > {p(MAXIMUMS[column])}"))
        if column == "office":
            checks.append(_Check(column, "not front or back", f"not list_contains({p(OFFICES)}, {v})"))
        if column == "survey":
            checks.append(_Check(column, "unknown survey (expected nps, csat or ces)",
                                 f"not list_contains({p(list(SURVEYS))}, {v})"))
        if column == "metric":
            checks.append(_metric_check(p))
    if "score" in plan.present and "survey" in plan.present:
        checks.append(_score_range_check(p))
    early, late = ORDERED.get(spec.name, (None, None))
    if early in plan.present and late in plan.present:
        checks.append(_Check(late, f"before {early}", f"{ident(late)} < {ident(early)}"))
    return checks


def _score_range_check(p: Params) -> _Check:
    """The score's range depends on the row's survey (SURVEYS)."""
    survey, score = ident("survey"), ident("score")
    at = f"list_position({p(list(SURVEYS))}, {survey})"
    low = f"{p([lo for lo, _ in SURVEYS.values()])}[{at}]"
    high = f"{p([hi for _, hi in SURVEYS.values()])}[{at}]"
    return _Check("score", "out of range for the survey", f"{score} < {low} or {score} > {high}",
                  detail=f"printf('out of range for %s (%d-%d)', {survey}, {low}, {high})")


def _metric_check(p: Params) -> _Check:
    """A target for a KPI the app does not know (metrics.KPIS) would load and never show."""
    metric, allowed = ident("metric"), sorted(KPIS)
    listed = ", ".join(allowed)
    return _Check("metric", f"unknown metric; allowed: {listed}",
                  f"not list_contains({p(allowed)}, {metric})",
                  detail=f"printf('unknown metric ''%s''; allowed: %s', {metric}, {p(listed)})")


def create_rejects(con, plan: Plan, clean: str, rejects: str) -> None:
    """One row per failed check (a row can fail several), plus later duplicates of a key."""
    p = Params()
    selects = []
    for check in _checks(plan, p, datetime.now()):
        detail = check.detail or p(check.reason)
        selects.append(f"select _rec, _line, {p(check.column)} as column_name, "
                       f"{p(check.reason)} as kind, {detail} as reason, "
                       f"{_text(check.column)} as value from {ident(clean)} "
                       f"where coalesce({check.condition}, false)")
    selects.append(_duplicate_select(plan.table, clean, p))
    con.execute(f"create temp table {ident(rejects)} as {' union all '.join(selects)}", p.values)


def _duplicate_select(spec: TableSpec, clean: str, p: Params) -> str:
    """Rows whose key appeared on an earlier line of the same file (the first one is kept)."""
    key = [ident(c) for c in spec.key]
    shown = key[0] if len(key) == 1 else "concat_ws(' / ', " + ", ".join(
        f"coalesce(cast({k} as varchar), '(none)')" for k in key) + ")"
    not_null = " and ".join(f"{ident(c)} is not null" for c in spec.key if c in spec.required)
    return (f"select _rec, _line, {p(', '.join(spec.key))}, {p('duplicate key')}, "
            f"'duplicate key ' || {shown} || ', first at line ' || _first_line, {shown} "
            f"from (select *, min(_line) over (partition by {', '.join(key)}) as _first_line "
            f"from {ident(clean)} where {not_null}) where _line > _first_line")


def reject_summary(con, rejects: str, malformed: list[tuple[int, str, str]]
                    ) -> tuple[list[RejectReason], int]:
    rows = con.execute(
        f"select column_name, kind, count(distinct _rec) as n, list_sort(list(distinct _line))[1:3] "
        f"from {ident(rejects)} group by all order by n desc, column_name, kind").fetchall()
    reasons = [RejectReason(c, kind, n, lines) for c, kind, n, lines in rows]
    n_rejected = con.execute(f"select count(distinct _rec) from {ident(rejects)}").fetchall()[0][0]
    if malformed:
        reasons.append(RejectReason(None, "malformed row (see rejected_rows for the text)",
                                    len(malformed), sorted(line for line, _, _ in malformed)[:3]))
        reasons.sort(key=lambda r: -r.n_rows)
    return reasons, n_rejected + len(malformed)
