"""Plausibility checks after a load: results that pass every row check but cannot be right as a whole
(a median first response of years, SLA compliance of exactly 0 %, a column nearly always empty). They
are warnings that name the mapping line (or the file's column) to look at; they never block a load."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from cxdata import db
from cxdata.load.columns import Plan
from cxdata.load.mapping import Mapping

MAX_MEDIAN_FIRST_RESPONSE_DAYS = 7
MIN_SLA_JUDGED = 1_000   # SLA compliance of exactly 0 % or 100 % is a warning from this many contacts
MIN_VALUES = 20          # fewer values than this may be empty or at midnight by chance
NOT_CHECKED_EMPTY = {"comment"}  # free text is empty in most answers, rightly
CHECKED_TABLES = ("customers", "interactions", "feedback", "transactions")


@dataclass(frozen=True)
class LoadWarning:
    """One implausible result: what it is and where to look."""
    check: str
    table: str
    column: str | None
    message: str
    look_at: str = ""
    # message and look_at are kept in English (load_warnings); reasons.py translates them when shown.


@dataclass(frozen=True)
class Source:
    """One file of the run: where each of its model columns came from."""
    path: Path
    header: list[str]
    plan: Plan
    mapping: Mapping

    @property
    def table(self) -> str:
        return self.plan.table.name

    @property
    def provided(self) -> set[str]:
        """The model columns the file gives row by row (a constant is the same in every row)."""
        return set(self.plan.sources) | set(self.plan.lookups)

    def look_at(self, column: str) -> str | None:
        """The mapping line that fills COLUMN, or the file's column of that name; None if not given."""
        m = self.mapping
        renamed = [src for src, dst in m.columns.items() if dst == column]
        if renamed:
            return self._line("columns", renamed[0], f'[columns] "{renamed[0]}" = "{column}"')
        if column in m.derived:
            return self._line("derived", column, f"[derived] {column}")
        if column in m.lookups:
            return self._line(f"lookups.{column}", "key", f"[lookups.{column}] key")
        if column in m.constants:
            return self._line("constants", column, f"[constants] {column}")
        number = self.plan.sources.get(column)
        if number is not None and number < len(self.header):
            return f"{self.path.name}, column {self.header[number]!r}"
        return None

    def _line(self, section: str, key: str, label: str) -> str:
        line = self.mapping.lines.get(f"{section}.{key}")
        return f"{self.mapping.source}{f', line {line}' if line else ''}: {label}"


def run_checks(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> list[LoadWarning]:
    """The warnings for the tables this run wrote, judged over all their rows in the database."""
    touched = {s.table for s in sources}
    warnings: list[LoadWarning] = []
    if "interactions" in touched:
        warnings += _service(con, sources)
    if touched & {"interactions", "feedback"}:
        warnings += _answer_order(con, sources, "feedback" if "feedback" in touched else "interactions")
    for table in CHECKED_TABLES:
        if table in touched:
            warnings += _columns(con, sources, table)
    if "initiatives" in touched:
        warnings += _initiative_scope(con, sources)
    return warnings


def _initiative_scope(con, sources: list[Source]) -> list[LoadWarning]:
    """Scope values (segments, regions, channels, touchpoints, departments) that no loaded row has: the
    initiative would measure nothing there. A warning, not a reject: the data may come later."""
    out = []
    for row in _query(con, "initiative_scope_unknown").itertuples():
        values = ", ".join(f"'{v}'" for v in row.unknown_values)
        out.append(LoadWarning(
            "initiative_scope_unknown", "initiatives", row.column_name,  # untranslated: stored in English, shown via reasons.py
            f"{row.column_name}: {values} not in the data loaded, so the initiative's scope matches nothing "
            "there (a typing slip, or a value named differently in the data?)",
            _look_at(sources, ("initiatives", row.column_name))))
    return out


def _look_at(sources: list[Source], *columns: tuple[str, str]) -> str:
    """Where each (table, column) came from in this run, once each, in the order asked."""
    places = [place for table, column in columns for s in sources if s.table == table
              if (place := s.look_at(column))]
    return "; ".join(dict.fromkeys(places))


def _query(con, name: str) -> pd.DataFrame:
    # On the load's own connection: a cursor (db.run) would not see this run's uncommitted rows.
    return con.execute(db.sql_text(name)).df()


def _one_row(con, name: str) -> dict:
    return _query(con, name).iloc[0].to_dict()


def _service(con, sources: list[Source]) -> list[LoadWarning]:
    row = _one_row(con, "load_check_service")
    out = []
    n, median = int(row["n_first_response"]), row["median_first_response_seconds"]
    if n >= MIN_VALUES and median > MAX_MEDIAN_FIRST_RESPONSE_DAYS * 86400:
        out.append(LoadWarning(
            "slow_first_response", "interactions", "first_response_seconds",  # untranslated: stored in English, shown via reasons.py
            f"the median first response is {median / 86400:,.0f} days over {n:,} contacts: more than "
            f"{MAX_MEDIAN_FIRST_RESPONSE_DAYS} days is implausible (is the contact's start a purchase or "
            "order date rather than when the customer got in touch?)",
            _look_at(sources, ("interactions", "first_response_seconds"), ("interactions", "started_at"))))
    judged, met = int(row["n_sla_judged"]), int(row["n_sla_met"])
    if judged >= MIN_SLA_JUDGED and met in (0, judged):
        verdict = "met" if met else "missed"
        out.append(LoadWarning(
            "sla_all_or_nothing", "interactions", "sla_seconds",  # untranslated: stored in English, shown via reasons.py
            f"SLA compliance is {100 if met else 0}% over {judged:,} contacts: every one {verdict} its "
            "deadline, which is implausible (check the promised time and the dates it runs between)",
            _look_at(sources, ("interactions", "sla_seconds"), ("interactions", "started_at"),
                     ("interactions", "resolved_at"))))
    return out


def _answer_order(con, sources: list[Source], table: str) -> list[LoadWarning]:
    row = _one_row(con, "load_check_answer_order")
    n_before, n_linked = int(row["n_before_contact"]), int(row["n_linked"])
    if not n_before:
        return []
    gap = pd.Timedelta(row["most_before"])
    by = f"{gap.days:,} days" if gap.days >= 2 else f"{gap.total_seconds() / 3600:,.1f} hours"
    return [LoadWarning(
        "answer_before_contact", table, "submitted_at",  # untranslated: stored in English, shown via reasons.py
        f"{n_before:,} of {n_linked:,} answers are dated before the contact they answer (by up to {by}): "
        "one of the two dates is not what it seems",
        _look_at(sources, ("feedback", "submitted_at"), ("interactions", "started_at")))]


def _columns(con, sources: list[Source], table: str) -> list[LoadWarning]:
    """Columns this run filled that are mostly empty, and timestamps that never leave midnight."""
    provided = set().union(*(s.provided for s in sources if s.table == table))
    out = []
    for row in _query(con, f"load_check_columns_{table}").itertuples():
        column = row.column_name
        if column not in provided:
            continue
        n_rows, n_filled = int(row.n_rows), int(row.n_filled)
        if column not in NOT_CHECKED_EMPTY and n_rows >= MIN_VALUES and 2 * n_filled < n_rows:
            out.append(LoadWarning(
                "mostly_empty", table, column,
                f"{table}.{column} is empty in {n_rows - n_filled:,} of {n_rows:,} rows "
                f"({100 * (n_rows - n_filled) / n_rows:.0f}%): is it the right column of the file?",
                _look_at(sources, (table, column))))
        if not pd.isna(row.n_off_midnight) and n_filled >= MIN_VALUES and int(row.n_off_midnight) == 0:
            out.append(LoadWarning(
                "all_midnight", table, column,
                f"{table}.{column}: all {n_filled:,} values fall on midnight, so the file gives dates without "
                "times and every duration measured from them is in whole days (is there a column with the time?)",
                _look_at(sources, (table, column))))
    return out


def save_warnings(con, load_id: str, warnings: list[LoadWarning]) -> None:
    """Keep the run's warnings beside its `loads` row, for the Data & loads page."""
    for w in warnings:
        con.execute("insert into load_warnings values ($load_id, $table, $column, $check, $message, $look_at)",
                    {"load_id": load_id, "table": w.table, "column": w.column, "check": w.check,
                     "message": w.message, "look_at": w.look_at or None})
