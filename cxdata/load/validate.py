"""Checking rows in SQL: each column's text cleaned and typed, every row-level rule, and the
rejected rows (with line, column and reason) that the write then leaves out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cxdata import formatting as fmt
from cxdata.i18n import _
from cxdata.load.columns import Plan
from cxdata.load.files import Staged
from cxdata.load.mapping import Mapping
from cxdata.load.model import TableSpec
from cxdata.load.reasons import shown
from cxdata.load.report import RejectReason
from cxdata.load.sql import Params, ident
from cxdata.load.zones import (ABBREVIATION, CLOCK_WORDS, NAMED, OFFSET, OFFSET_SECONDS, ZONE_HINT,
                               company_timezone, zone_names)
from cxdata.metrics import KPIS, target_range

# Matched after trimming and lower-casing, so "NPS " loads as nps.
LOWERCASE = frozenset({"channel", "survey", "office", "kind", "journey_stage", "stage", "metric", "response_mode", "kpi"})
MINIMUMS = {"first_response_seconds": 0, "sla_seconds": 0, "annual_value": 0, "position": 1, "cost": 0}
# Durations beyond ten years are a unit mix-up (milliseconds?), and a deadline that far off
# would overflow the date arithmetic the SLA rule does.
MAXIMUMS = {"first_response_seconds": 10 * 365 * 86400, "sla_seconds": 10 * 365 * 86400}
ORDERED = {  # (earlier, later) pairs: the later one may not come before the earlier
    "customers": ("signup_date", "churned_on"),
    "interactions": ("started_at", "resolved_at"),
    "targets": ("period_start", "period_end"),
    "initiatives": ("start_date", "end_date"),
}
FUTURE_ALLOWED = frozenset({("targets", "period_start"), ("targets", "period_end"),  # plans
                            ("initiatives", "start_date"), ("initiatives", "end_date"),
                            ("initiative_checkpoints", "due_date")})
SURVEYS = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
OFFICES = ["front", "back"]
RESPONSE_MODES = ["immediate", "deferred", "none"]
TRUE_WORDS = ["true", "t", "yes", "y", "1"]
FALSE_WORDS = ["false", "f", "no", "n", "0"]
CLOCK_SKEW = timedelta(minutes=5)
# Dates before this year are typing slips (0024 for 2024) or placeholders (0001-01-01), never
# customer activity; they would stretch every monthly chart over centuries.
EARLIEST_YEAR = 1900
# The largest value of each whole-number type, for "too large" instead of "not a whole number".
WHOLE_MAXIMUMS = {"SMALLINT": 32767, "INTEGER": 2147483647}
# Trimmed from every value: spaces, tabs, line breaks and no-break spaces ("D1\t" is "D1").
WHITESPACE = " \t\r\n\v\f\u00a0"

# Layouts tried after ISO 8601 (which DuckDB's cast reads, with "T" or a space, with or without
# seconds and fractions; a date alone is midnight). Slashed dates are day first: month-first
# files need [formats] in a mapping.
TIMESTAMP_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
                     "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                     "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"]
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d"]

PARSE_REASONS = {  # by TableSpec.kind()
    "timestamp": "not a date-time (expected e.g. 2024-05-31 14:30:00 or 31/05/2024 14:30; "  # untranslated: stored in English, shown via reasons.py
                 "other layouts need [formats] in a mapping)",
    "date": "not a date (expected e.g. 2024-05-31 or 31/05/2024; other layouts need [formats] "  # untranslated: stored in English, shown via reasons.py
            "in a mapping)",
    "number": "not a number (use . for decimals, no thousands separators or currency signs)",  # untranslated: stored in English, shown via reasons.py
    "whole": "not a whole number",  # untranslated: stored in English, shown via reasons.py
    "boolean": "not a yes/no value (expected true/false, yes/no, y/n or 1/0)",  # untranslated: stored in English, shown via reasons.py
}
PARSE_REASONS["decimal"] = PARSE_REASONS["number"]


def _text(column: str) -> str:
    """The cleaned text of a column in the clean table: trimmed, empty -> null, mapped."""
    return ident(f"t_{column}")


def create_value_maps(con, mapping: Mapping) -> None:
    con.execute("create or replace temp table value_maps (column_name varchar, source_value varchar, "
                "canonical_value varchar)")
    con.executemany("insert into value_maps values (?, ?, ?)",
                    [(c, src, dst) for c, pairs in mapping.values.items() for src, dst in pairs.items()])


@dataclass(frozen=True)
class SkippedRows:
    """The clean rows a file of this run skipped (its [skip] / [keep]), kept for the run's later
    lookups: a review of a cancelled order still finds the order's customer."""
    name: str               # the temp table (a clean table's columns, plus _skip)
    file: str               # the file's name, for reasons
    columns: frozenset[str]  # the model columns it has


Skipped = dict[str, list[SkippedRows]]  # table -> the skipped rows of the run's files for it


def _skipped_keys(lookup, skipped: Skipped, p: Params) -> str | None:
    """SQL of the run's skipped rows of a lookup's table, one row per key: the value the lookup would
    take, why the row was skipped, and where (line, file); None when the run skipped none."""
    parts = [f"select cast({ident(lookup.match)} as varchar) as k, "
             f"{f'cast({ident(lookup.value)} as varchar)' if lookup.value in rows.columns else 'null'} as v, "  # untranslated: SQL
             f"_skip as why, _line as line, {p(rows.file)} as file from {ident(rows.name)}"
             for rows in skipped.get(lookup.table, []) if lookup.match in rows.columns]
    if not parts:
        return None
    return (f"select k, arg_min(v, line) as v, arg_min(why, line) as why, min(line) as line, "
            f"arg_min(file, line) as file from ({' union all '.join(parts)}) where k is not null group by k")  # untranslated: SQL


def skip_rows_of_skipped(con, staged: Staged, plan: Plan, skipped: Skipped) -> bool:
    """Skip the rows whose `if_skipped = "skip"` lookup finds only a row this run skipped (a payment
    of a cancelled order), with that reason; returns whether the staging table has _skip now."""
    has_skip = plan.skips
    for column, lookup in plan.lookups.items():
        p = Params()
        rows = _skipped_keys(lookup, skipped, p) if lookup.if_skipped == "skip" else None
        if rows is None:
            continue
        if not has_skip:
            con.execute(f"alter table {ident(staged.name)} add column _skip varchar")  # untranslated: SQL
            has_skip = True
        key = f"nullif(trim(s.{ident('k_' + column)}, {p(WHITESPACE)}), '')"
        con.execute(
            f"update {ident(staged.name)} s set _skip = {p(f'its {lookup.table} row was skipped as ')} || sk.why "  # untranslated: stored in English, shown via reasons.py
            f"from ({rows}) sk where s._skip is null and sk.k = {key} and not exists "
            f"(select 1 from {ident(lookup.table)} o where cast(o.{ident(lookup.match)} as varchar) = sk.k)",
            p.values)
    return has_skip


def create_clean(con, staged: Staged, plan: Plan, mapping: Mapping, clean: str,
                 skipped: Skipped | None = None) -> None:
    """One row per staged record: cleaned text (t_col) and typed value (col) of each column; the
    rows the mapping skips are there too, with their reason in _skip, when the plan has skips.

    A lookup reads the loaded table, then the rows this run skipped (SKIPPED): skip_COLUMN says why
    the row it found was skipped, and the value is taken from it only when the lookup keeps such rows.
    """
    p = Params()
    texts, joins = [], []
    space = p(WHITESPACE)
    lookups = plan.lookups
    for column in plan.present:
        if column in plan.sources:
            value = f"nullif(trim(s.c{plan.sources[column]}, {space}), '')"
        elif column in lookups:
            lookup, alias = lookups[column], ident(f"lk_{column}")
            key = f"nullif(trim(s.{ident('k_' + column)}, {space}), '')"
            joins.append(f"left join (select cast({ident(lookup.match)} as varchar) as k, "  # untranslated: SQL
                         f"any_value(cast({ident(lookup.value)} as varchar)) as v "
                         f"from {ident(lookup.table)} group by 1) {alias} on {alias}.k = {key}")
            texts.append(f"{key} as {ident('key_' + column)}")
            value = f"{alias}.v"
            rows = _skipped_keys(lookup, skipped or {}, p)
            if rows is None:
                texts += [f"null::varchar as {ident(f'{x}_{column}')}" for x in ("skip", "skipfile")]  # untranslated: SQL
                texts.append(f"null::bigint as {ident('skipline_' + column)}")  # untranslated: SQL
            else:
                found = ident(f"sk_{column}")
                joins.append(f"left join ({rows}) {found} on {alias}.k is null and {found}.k = {key}")  # untranslated: SQL
                texts += [f"{found}.why as {ident('skip_' + column)}",
                          f"{found}.file as {ident('skipfile_' + column)}",
                          f"{found}.line as {ident('skipline_' + column)}"]
                if lookup.if_skipped == "keep":
                    value = f"coalesce({alias}.v, {found}.v)"
            value = f"nullif(trim({value}, {space}), '')"
        else:
            value = f"nullif(trim({p(plan.constants[column])}, {space}), '')"
        if column in mapping.values:
            alias = ident(f"vm_{column}")
            joins.append(f"left join (select source_value, canonical_value from value_maps "  # untranslated: SQL
                         f"where column_name = {p(column)}) {alias} "
                         f"on {alias}.source_value = lower({value})")
            value = f"coalesce({alias}.canonical_value, {value})"
        if column in LOWERCASE:
            value = f"lower({value})"
        texts.append(f"{value} as {_text(column)}")
    zones = _Zones(company_timezone(), zone_names(con))
    typed = [f"{_typed(plan.table, c, mapping.formats.get(c), p, zones)} as {ident(c)}" for c in plan.present]
    keys = "".join(f"{ident(f'{x}_{c}')}, " for c in lookups for x in ("key", "skip", "skipfile", "skipline"))
    skip = "s._skip, " if plan.skips else ""
    con.execute(
        f"create temp table {ident(clean)} as select _rec, _line, {'_skip, ' if skip else ''}{keys}"
        f"{', '.join(_text(c) for c in plan.present)}, {', '.join(typed)} "
        f"from (select s._rec, s._line, {skip}{', '.join(texts)} from {ident(staged.name)} s "
        f"{' '.join(joins)})", p.values)


@dataclass(frozen=True)
class _Zones:
    company: str       # CX_TIMEZONE: the zone of values written without one
    names: list[str]   # the zone names a value may end with (zones.zone_names)


def _typed(spec: TableSpec, column: str, formats: list[str] | None, p: Params, zones: _Zones) -> str:
    """SQL turning a column's cleaned text into its model type; null when it does not parse."""
    t, sql_type, kind = _text(column), spec.columns[column], spec.kind(column)
    if kind == "text":
        return t
    if kind == "timestamp":
        return _typed_timestamp(t, formats, p, zones)
    if kind == "date":
        own = f"cast(try_strptime({t}, {p(formats)}) as date), " if formats else ""  # untranslated: SQL
        fallback = "" if formats else f", cast(try_strptime({t}, {p(DATE_FORMATS)}) as date)"  # untranslated: SQL
        return (f"coalesce({own}try_cast({t} as date), "  # untranslated: SQL
                f"cast(try_cast({t} as timestamp) as date){fallback})")
    if kind == "boolean":
        return (f"case when list_contains({p(TRUE_WORDS)}, lower({t})) then true "  # untranslated: SQL
                f"when list_contains({p(FALSE_WORDS)}, lower({t})) then false end")
    number = _number(t)
    if kind == "number":
        return f"case when isfinite({number}) then {number} end"  # untranslated: SQL
    if kind == "decimal":
        return f"case when isfinite({number}) then try_cast({t} as {sql_type}) end"  # untranslated: SQL
    return f"case when {number} = round({number}) then try_cast({number} as {sql_type}) end"  # untranslated: SQL


def _number(t: str) -> str:
    """A text's number, or null; DuckDB would read 1_000 as 1000, but a separator is refused."""
    return f"case when not contains({t}, '_') then try_cast({t} as double) end"  # untranslated: SQL


def _typed_timestamp(t: str, formats: list[str] | None, p: Params, zones: _Zones) -> str:
    """Timestamps are stored on the company's clock (zones.company_timezone, UTC by default): a
    value with an offset or a zone name is converted to it; one without is taken as already on it."""
    def local(utc: str) -> str:  # a UTC time on the company's clock
        if zones.company == "UTC":
            return utc
        return f"timezone({p(zones.company)}, timezone('UTC', {utc}))"

    def parsed(value: str) -> str:  # a value without a zone, as written
        if formats:
            return f"coalesce(try_strptime({value}, {p(formats)}), try_cast({value} as timestamp))"  # untranslated: SQL
        return f"coalesce(try_cast({value} as timestamp), try_strptime({value}, {p(TIMESTAMP_FORMATS)}))"  # untranslated: SQL

    offset, named = p(OFFSET), p(NAMED)
    zone = f"regexp_extract({t}, {named}, 2)"
    # the time as written, less its offset: any layout, and a space before the offset (Shopify's
    # "2025-11-03 10:15:20 -0500", which DuckDB's own cast refuses)
    offset_utc = f"{parsed(f'regexp_extract({t}, {offset}, 1)')} - to_minutes({_offset_minutes(t, p)})"
    with_offset = f"case when regexp_matches({t}, {offset}) and {_offset_in_range(t, p)} then {local(offset_utc)} end"  # untranslated: SQL
    named_utc = f"timezone('UTC', timezone({zone}, {parsed(f'regexp_extract({t}, {named}, 1)')}))"
    with_name = (f"case when regexp_matches({t}, {named}) and list_contains({p(zones.names)}, {zone}) "  # untranslated: SQL
                 f"then {local(named_utc)} end")
    without = f"case when not {_has_zone(t, p)} then {parsed(t)} end"  # untranslated: SQL
    own = f"try_strptime({t}, {p(formats)}), " if formats else ""
    # Most values end with a plain time: one cheap test sends only the others through the zone rules.
    return (f"coalesce({own}case when regexp_matches({t}, {p(ZONE_HINT)}) "  # untranslated: SQL
            f"then coalesce({with_offset}, {with_name}, {without}) else {parsed(t)} end)")


def _offset_in_range(t: str, p: Params) -> str:
    """Offsets run from -12:00 to +14:00, minutes under 60 (Z is UTC)."""
    sign = f"regexp_extract({t}, {p(OFFSET)}, 2)"
    hours, minutes = f"try_cast(substr({sign}, 2, 2) as integer)", f"try_cast(right(replace({sign}, ':', ''), 2) as integer)"  # untranslated: SQL
    return (f"({sign} = 'Z' or (({hours} <= 14 and starts_with({sign}, '+')) or ({hours} <= 12 and starts_with({sign}, '-'))) "  # untranslated: SQL
            f"and (strlen(replace({sign}, ':', '')) = 3 or {minutes} < 60))")


def _offset_minutes(t: str, p: Params) -> str:
    """A value's offset in minutes east of UTC (Z is 0)."""
    sign = f"regexp_extract({t}, {p(OFFSET)}, 2)"
    digits = f"replace({sign}, ':', '')"
    return (f"case when {sign} = 'Z' then 0 else (case when starts_with({sign}, '-') then -1 else 1 end) * "  # untranslated: SQL
            f"(try_cast(substr({digits}, 2, 2) as integer) * 60 + coalesce(try_cast(nullif(substr({digits}, 4, 2), '') "
            f"as integer), 0)) end")


def _has_zone(t: str, p: Params) -> str:
    """Whether a value ends with an offset, a zone name or an abbreviation (AM and PM are none)."""
    letters = f"regexp_extract({t}, {p(ABBREVIATION)}, 1)"
    return (f"(regexp_matches({t}, {p(OFFSET)}) or regexp_matches({t}, {p(OFFSET_SECONDS)}) "  # untranslated: SQL
            f"or regexp_matches({t}, {p(NAMED)}) or (regexp_matches({t}, {p(ABBREVIATION)}) "
            f"and not list_contains({p(CLOCK_WORDS)}, upper({letters}))))")


def _zone_problem(t: str, p: Params, names: list[str]) -> str:
    """Why the zone a value ends with cannot be used, or null: an offset out of range or with
    seconds, a name the time-zone database lacks, or an abbreviation (PST, IST) that names several."""
    offset = f"regexp_extract({t}, {p(OFFSET)}, 2)"
    name = f"regexp_extract({t}, {p(NAMED)}, 2)"
    letters = f"regexp_extract({t}, {p(ABBREVIATION)}, 1)"
    return (f"case when regexp_matches({t}, {p(OFFSET_SECONDS)}) then printf({p('time-zone offset %s has seconds: give hours and minutes (+05:30)')}, regexp_extract({t}, {p(OFFSET_SECONDS)}, 1)) "  # untranslated: stored in English, shown via reasons.py
            f"when regexp_matches({t}, {p(OFFSET)}) and not {_offset_in_range(t, p)} "
            f"then printf({p('time-zone offset %s is out of range (-12:00 to +14:00)')}, {offset}) "  # untranslated: stored in English, shown via reasons.py
            f"when regexp_matches({t}, {p(NAMED)}) and not list_contains({p(names)}, {name}) "
            f"then printf({p('unknown time zone %s: use a name of the time-zone database, e.g. Europe/Madrid')}, {name}) "  # untranslated: stored in English, shown via reasons.py
            f"when regexp_matches({t}, {p(ABBREVIATION)}) and not list_contains({p(CLOCK_WORDS)}, upper({letters})) "
            f"then printf({p('time-zone abbreviation %s names several zones: give an offset (-08:00) or a zone name (America/Los_Angeles)')}, {letters}) end")  # untranslated: stored in English, shown via reasons.py


@dataclass(frozen=True)
class _Check:
    column: str
    reason: str     # stable text, grouped in the report
    condition: str  # SQL over the clean table, true when the row fails
    detail: str | None = None  # SQL for a row-specific reason (defaults to `reason`)


def _checks(plan: Plan, p: Params, now: datetime, zone_list: list[str]) -> list[_Check]:
    """Every row-level rule that applies to this file's columns."""
    spec, checks = plan.table, []
    for column in plan.present:
        t, v, kind = _text(column), ident(column), spec.kind(column)
        if column in spec.required:  # a lookup's miss has its own reason
            missing = f"{t} is null" + (f" and {ident('key_' + column)} is null"  # untranslated: SQL
                                        if column in plan.lookups else "")
            checks.append(_Check(column, "missing value (required)", missing))  # untranslated: stored in English, shown via reasons.py
        if kind in ("number", "decimal"):
            checks.extend(_number_checks(spec, column))
        elif kind == "whole":
            checks.extend(_whole_checks(spec, column))
        elif kind == "timestamp":
            problem = _zone_problem(t, p, zone_list)
            checks.append(_Check(column, PARSE_REASONS[kind], f"{t} is not null and {v} is null and {problem} is null"))  # untranslated: SQL
            checks.append(_Check(column, "time zone not understood (an offset out of range or with seconds, "  # untranslated: stored in English, shown via reasons.py
                                         "an unknown zone name, or an ambiguous abbreviation)",
                                 f"{v} is null and {problem} is not null", detail=problem))  # untranslated: SQL
        elif kind != "text":
            checks.append(_Check(column, PARSE_REASONS[kind], f"{t} is not null and {v} is null"))  # untranslated: SQL
        if kind in ("timestamp", "date"):
            checks.append(_Check(column, f"before {EARLIEST_YEAR} (the earliest year the loader accepts: "  # untranslated: stored in English, shown via reasons.py
                                         "a typing slip or a placeholder date?)",
                                 f"{v} < {p(datetime(EARLIEST_YEAR, 1, 1) if kind == 'timestamp' else datetime(EARLIEST_YEAR, 1, 1).date())}"))
        if column in plan.lookups:
            checks.extend(_lookup_checks(column, plan.lookups[column], p))
        if kind in ("timestamp", "date") and (spec.name, column) not in FUTURE_ALLOWED:
            limit = now + CLOCK_SKEW
            checks.append(_Check(column, "in the future",  # untranslated: stored in English, shown via reasons.py
                                 f"{v} > {p(limit if kind == 'timestamp' else limit.date())}"))
        if column in MINIMUMS:
            checks.append(_Check(column, f"must be {MINIMUMS[column]} or more",  # untranslated: stored in English, shown via reasons.py
                                 f"{v} < {p(MINIMUMS[column])}"))
        if column in MAXIMUMS:
            checks.append(_Check(column, f"more than ten years ({MAXIMUMS[column]:,} seconds): a unit mix-up?",  # untranslated: stored in English, shown via reasons.py
                                 f"{v} > {p(MAXIMUMS[column])}"))
        if column == "office":
            checks.append(_Check(column, "not front or back", f"not list_contains({p(OFFICES)}, {v})"))  # untranslated: stored in English, shown via reasons.py
        if column == "survey":
            checks.append(_Check(column, "unknown survey (expected nps, csat or ces)",  # untranslated: stored in English, shown via reasons.py
                                 f"not list_contains({p(list(SURVEYS))}, {v})"))  # untranslated: SQL
        if column == "metric":
            checks.append(_metric_check(p))
        if column == "kpi" or (column == "metric" and spec.name == "initiative_checkpoints"):
            checks.append(_initiative_kpi_check(column, p))
        if column == "initiative":
            checks.append(_Check(column, "no initiative with this name (load the initiatives file first)",  # untranslated: stored in English, shown via reasons.py
                                 f"{v} is not null and not exists (select 1 from initiatives i where i.name = {v})",  # untranslated: SQL
                                 detail=f"printf({p('no initiative named %s (load the initiatives file first)')}, {v})"))  # untranslated: stored in English, shown via reasons.py
        if column == "response_mode":
            checks.append(_Check(column, "not immediate, deferred or none",  # untranslated: stored in English, shown via reasons.py
                                 f"not list_contains({p(RESPONSE_MODES)}, {v})"))  # untranslated: SQL
    if "score" in plan.present and "survey" in plan.present:
        checks.append(_score_range_check(p))
    early, late = ORDERED.get(spec.name, (None, None))
    if early in plan.present and late in plan.present:
        checks.append(_Check(late, f"before {early}", f"{ident(late)} < {ident(early)}"))
    return checks


def _number_checks(spec: TableSpec, column: str) -> list[_Check]:
    """Why a number did not load: not a number, a date-time where seconds belong, or too large."""
    t, v = _text(column), ident(column)
    failed = f"{t} is not null and {v} is null"  # untranslated: SQL
    number = _number(t)
    when = f"try_cast({t} as timestamp) is not null and {number} is null"  # untranslated: SQL
    checks = [_Check(column, PARSE_REASONS[spec.kind(column)], f"{failed} and {number} is null "  # untranslated: SQL
                                                               f"and not ({when})")]
    if column.endswith("_seconds"):
        checks.append(_Check(column, "a date-time, not a number of seconds: derive the duration in "  # untranslated: stored in English, shown via reasons.py
                                     "the mapping, e.g. [derived] " + column + " = \"date_diff('second', "
                                     "created_at, first_reply_at)\" (docs/loading.md)", f"{failed} and {when}"))
    else:
        checks.append(_Check(column, PARSE_REASONS[spec.kind(column)], f"{failed} and {when}"))
    if spec.kind(column) == "decimal":
        checks.append(_Check(column, "too large for the column (at most 999,999,999,999.99)",  # untranslated: stored in English, shown via reasons.py
                             f"{failed} and isfinite({number})"))  # untranslated: SQL
    checks.append(_Check(column, "not a finite number (NaN, infinity, or too large to hold)",  # untranslated: stored in English, shown via reasons.py
                         f"{failed} and {number} is not null and not isfinite({number})"))  # untranslated: SQL
    return checks


def _whole_checks(spec: TableSpec, column: str) -> list[_Check]:
    """Why a whole number did not load: not one, or more than its column holds."""
    t, v = _text(column), ident(column)
    number = _number(t)
    failed = f"{t} is not null and {v} is null"  # untranslated: SQL
    fits = f"{number} = round({number}) and isfinite({number})"  # untranslated: SQL
    largest = WHOLE_MAXIMUMS[spec.columns[column]]
    return [_Check(column, PARSE_REASONS["whole"], f"{failed} and not coalesce({fits}, false)"),  # untranslated: SQL
            _Check(column, f"too large (at most {largest:,})", f"{failed} and {fits}")]  # untranslated: stored in English, shown via reasons.py


def _lookup_checks(column: str, lookup, p: Params) -> list[_Check]:
    """A key whose lookup finds nothing: the row is rejected, never loaded with an empty value; when
    it finds only a row this run skipped, the reason says so (with that row's reason and line)."""
    key, skip = ident(f"key_{column}"), ident(f"skip_{column}")
    reason = f"no {lookup.table} row with this {lookup.match} (lookup for {column})"  # untranslated: stored in English, shown via reasons.py
    missing = _Check(column, reason, f"{key} is not null and {_text(column)} is null and {skip} is null",  # untranslated: SQL
                     detail=f"printf({p(f'no {lookup.table} row with {lookup.match} %s (lookup for {column})')}, "  # untranslated: stored in English, shown via reasons.py
                            f"{key})")
    said = p(f"its {lookup.table} row %s was skipped as %s (line %d of %s; lookup for {column})")  # untranslated: stored in English, shown via reasons.py
    skipped = _Check(column, f"its {lookup.table} row was skipped (lookup for {column})",  # untranslated: stored in English, shown via reasons.py
                     f"{skip} is not null and {_text(column)} is null",  # untranslated: SQL
                     detail=f"printf({said}, {key}, {skip}, {ident('skipline_' + column)}, "
                            f"{ident('skipfile_' + column)})")
    return [missing, skipped]


def kept_from_skipped(con, plan: Plan, clean: str) -> list[str]:
    """Report notes: rows that took a value from a row this run skipped (`if_skipped = "keep"`)."""
    notes = []
    for column, lookup in plan.lookups.items():
        if lookup.if_skipped != "keep":
            continue
        skip = ident(f"skip_{column}")
        counts = con.execute(f"select {skip}, count(*) from {ident(clean)} where {skip} is not null "
                             f"and {_text(column)} is not null group by all order by 2 desc, 1").fetchall()
        if counts:
            n = sum(k for _reason, k in counts)
            why = ", ".join(f"{shown(reason)}: {fmt.count(k)}" for reason, k in counts)
            notes.append(_("{n} row(s) took {column} from {table} rows this load skipped ({why}): loaded, as "
                           "[lookups.{column}] if_skipped = \"keep\" asks").format(
                n=fmt.count(n), column=column, table=lookup.table, why=why))
    return notes


def _score_range_check(p: Params) -> _Check:
    """The score's range depends on the row's survey (SURVEYS)."""
    survey, score = ident("survey"), ident("score")
    at = f"list_position({p(list(SURVEYS))}, {survey})"
    low = f"{p([lo for lo, _hi in SURVEYS.values()])}[{at}]"
    high = f"{p([hi for _lo, hi in SURVEYS.values()])}[{at}]"
    return _Check("score", "out of range for the survey", f"{score} < {low} or {score} > {high}",  # untranslated: stored in English, shown via reasons.py
                  detail=f"printf('out of range for %s (%d-%d)', {survey}, {low}, {high})")  # untranslated: stored in English, shown via reasons.py


def _metric_check(p: Params) -> _Check:
    """A target for a KPI the app does not know (metrics.KPIS) would load and never show."""
    metric, allowed = ident("metric"), sorted(KPIS)
    listed = ", ".join(allowed)
    return _Check("metric", f"unknown metric; allowed: {listed}",  # untranslated: stored in English, shown via reasons.py
                  f"not list_contains({p(allowed)}, {metric})",  # untranslated: SQL
                  detail=f"printf('unknown metric ''%s''; allowed: %s', {metric}, {p(listed)})")  # untranslated: stored in English, shown via reasons.py


def _initiative_kpi_check(column: str, p: Params) -> _Check:
    """An initiative (or a checkpoint's metric) is measured on a KPI the initiatives can measure."""
    from cxdata.initiatives.kpis import MEASURED   # the initiatives' own list: imported when needed
    v, allowed = ident(column), list(MEASURED)
    listed = ", ".join(allowed)
    return _Check(column, f"not a KPI an initiative is measured on; allowed: {listed}",  # untranslated: stored in English, shown via reasons.py
                  f"{v} is not null and not list_contains({p(allowed)}, {v})",  # untranslated: SQL
                  detail=f"printf('not a KPI an initiative is measured on: ''%s''; allowed: %s', {v}, {p(listed)})")  # untranslated: stored in English, shown via reasons.py


def _company_now(con) -> datetime:
    """Now on the company's clock, the one timestamps are stored on, whatever the machine's zone."""
    return con.execute("select timezone($tz, now())", {"tz": company_timezone()}).fetchall()[0][0]


def create_rejects(con, plan: Plan, clean: str, rejects: str) -> None:
    """One row per failed check (a row can fail several), then the later duplicates of a key among
    the rows that passed: a rejected row never makes its valid twin a duplicate."""
    p = Params()
    selects = []
    for check in _checks(plan, p, _company_now(con), zone_names(con)):
        detail = check.detail or p(check.reason)
        selects.append(f"select _rec, _line, {p(check.column)} as column_name, "
                       f"{p(check.reason)} as kind, {detail} as reason, "
                       f"{_text(check.column)} as value from {ident(clean)} "
                       f"where coalesce({check.condition}, false)")
    if plan.table.name == "targets":
        checks = _target_checks(con, plan, clean, p)
        selects += [f"select _rec, _line, {p(c.column)}, {p(c.reason)}, {c.detail or p(c.reason)}, "
                    f"{_text(c.column)} from {ident(clean)} where coalesce({c.condition}, false)" for c in checks]
    con.execute(f"create temp table {ident(rejects)} as {' union all '.join(selects)}", p.values)  # untranslated: SQL
    p = Params()
    con.execute(f"insert into {ident(rejects)} {_duplicate_select(plan.table, clean, rejects, p)}", p.values)


def _target_checks(con, plan: Plan, clean: str, p: Params) -> list[_Check]:
    """A target the scorecards could not use: for a department no data knows, out of its metric's
    range (a negative rate), or overlapping another target of the same metric and department
    (earlier in the file, or already loaded with another start) so two targets would be in force."""
    checks = []
    present = set(plan.present)
    known = [r[0] for r in con.execute(
        "select distinct department from interactions where department is not null union "
        "select distinct department from feedback where department is not null").fetchall()]
    if "department" in present and known:
        checks.append(_Check("department", "unknown department (not in the interactions or feedback loaded)",  # untranslated: stored in English, shown via reasons.py
                             f"{ident('department')} is not null and not list_contains({p(known)}, {ident('department')})",  # untranslated: SQL
                             detail=f"printf('unknown department ''%s'' (not in the interactions or feedback loaded)', "  # untranslated: stored in English, shown via reasons.py
                                    f"{ident('department')})"))
    if {"metric", "target"} <= present:
        metrics = [m for m in sorted(KPIS)]
        lows = [target_range(m)[0] for m in metrics]
        highs = [target_range(m)[1] for m in metrics]
        at = f"list_position({p(metrics)}, {ident('metric')})"
        low, high = f"{p(lows)}[{at}]", f"{p(highs)}[{at}]"
        checks.append(_Check("target", "out of range for the metric",  # untranslated: stored in English, shown via reasons.py
                             f"{at} is not null and ({ident('target')} < {low} or {ident('target')} > {high})",  # untranslated: SQL
                             detail=f"printf('out of range for %s (%s%s)', {ident('metric')}, "  # untranslated: stored in English, shown via reasons.py
                                    f"case when {ident('target')} < 0 and {low} = 0 then 'a rate can not be negative: ' "
                                    f"else '' end, case when {high} is null then 'at least ' || {low} "
                                    f"else {low} || ' to ' || {high} end)"))
    if {"metric", "period_start", "period_end"} <= present:
        c = ident(clean)  # the outer row: the row being checked
        same = f"o.metric = {c}.metric" + (f" and o.department is not distinct from {c}.department"  # untranslated: SQL
                                            if "department" in present else " and o.department is null")  # untranslated: SQL
        overlap = f"o.period_start <= {c}.period_end and o.period_end >= {c}.period_start"  # untranslated: SQL
        earlier = (f"exists (select 1 from {c} o where {same} and {overlap} and o._line < {c}._line "  # untranslated: SQL
                   f"and o.period_start is distinct from {c}.period_start)")
        loaded = f"exists (select 1 from targets o where {same} and {overlap} and o.period_start <> {c}.period_start)"  # untranslated: SQL
        condition = f"({earlier} or {loaded})"
        checks.append(_Check("period_start", "overlaps another target for the same metric and department",  # untranslated: stored in English, shown via reasons.py
                             condition))
    return checks


def _duplicate_select(spec: TableSpec, clean: str, rejects: str, p: Params) -> str:
    """Valid rows whose key a valid row on an earlier line of the same file has: the first valid one
    loads, the others are rejected naming its line. A key already in the table is not a duplicate
    (the row updates it, or is unchanged)."""
    key = [ident(c) for c in spec.key]
    shown = key[0] if len(key) == 1 else "concat_ws(' / ', " + ", ".join(
        f"coalesce(cast({k} as varchar), '(none)')" for k in key) + ")"  # untranslated: SQL
    not_null = " and ".join(f"{ident(c)} is not null" for c in spec.key if c in spec.required)  # untranslated: SQL
    return (f"select _rec, _line, {p(', '.join(spec.key))}, {p('duplicate key')}, "  # untranslated: stored in English, shown via reasons.py
            f"'duplicate key ' || {shown} || ': duplicate of line ' || _first_line "
            f"|| ' (the first valid row with a key loads)', {shown} "
            f"from (select *, min(_line) over (partition by {', '.join(key)}) as _first_line "
            f"from {ident(clean)} c where {not_null} "
            f"and not exists (select 1 from {ident(rejects)} r where r._rec = c._rec)) "
            f"where _line > _first_line")


def reject_summary(con, rejects: str, malformed: list[tuple[int, str, str]]
                    ) -> tuple[list[RejectReason], int]:
    rows = con.execute(
        f"select column_name, kind, count(distinct _rec) as n, list_sort(list(distinct _line))[1:3] "
        f"from {ident(rejects)} group by all order by n desc, column_name, kind").fetchall()
    reasons = [RejectReason(c, kind, n, lines) for c, kind, n, lines in rows]
    n_rejected = con.execute(f"select count(distinct _rec) from {ident(rejects)}").fetchall()[0][0]
    if malformed:
        reasons.append(RejectReason(None, "malformed row (see rejected_rows for the text)",  # untranslated: stored in English, shown via reasons.py
                                    len(malformed), sorted(line for line, _why, _text in malformed)[:3]))
        reasons.sort(key=lambda r: -r.n_rows)
    return reasons, n_rejected + len(malformed)
