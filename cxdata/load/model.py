"""The loadable tables: their keys, required columns and column types (from sql/schema.sql),
and how a file's table is told from its columns."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import duckdb

from cxdata import db
from cxdata.load.sql import IDENTIFIER

KEYS = {  # the columns that identify a row; a later load of the same key updates it
    "customers": ("customer_id",),
    "interactions": ("interaction_id",),
    "feedback": ("feedback_id",),
    "transactions": ("transaction_id",),
    "targets": ("metric", "department", "period_start"),  # department null = whole company
    "initiatives": ("name",),
    "initiative_checkpoints": ("initiative", "due_date", "what"),
    "journey_stages": ("stage",),
    "channels": ("channel",),
    "touchpoints": ("touchpoint",),
}
REQUIRED = {
    "customers": ("customer_id",),
    "interactions": ("interaction_id", "customer_id", "started_at", "channel"),
    "feedback": ("feedback_id", "customer_id", "submitted_at", "survey", "score"),
    "transactions": ("transaction_id", "customer_id", "occurred_at", "amount"),
    "targets": ("metric", "period_start", "period_end", "target"),
    "initiatives": ("name", "start_date", "kpi"),
    "initiative_checkpoints": ("initiative", "due_date", "what"),
    "journey_stages": ("stage", "position"),
    "channels": ("channel", "response_mode"),
    "touchpoints": ("touchpoint", "is_self_service"),
}
# How a file's table is told from its columns, first match wins.
DETECT = (
    ({"feedback_id"}, "feedback"),
    ({"interaction_id"}, "interactions"),
    ({"transaction_id"}, "transactions"),
    ({"initiative", "due_date"}, "initiative_checkpoints"),  # before targets: it may have metric + target
    ({"metric", "target"}, "targets"),
    ({"name", "kpi", "start_date"}, "initiatives"),
    ({"stage", "position"}, "journey_stages"),
    ({"channel", "response_mode"}, "channels"),
    ({"touchpoint", "is_self_service"}, "touchpoints"),
    ({"customer_id"}, "customers"),
)
# DuckDB type (as information_schema spells it) -> how a text value is parsed and checked.
TYPE_KINDS = {"VARCHAR": "text", "TIMESTAMP": "timestamp", "DATE": "date", "BOOLEAN": "boolean",
              "DOUBLE": "number", "DECIMAL(14,2)": "decimal", "SMALLINT": "whole", "INTEGER": "whole"}


@dataclass(frozen=True)
class TableSpec:
    """A table of the data model: its columns and their types (read from sql/schema.sql)."""
    name: str
    columns: dict[str, str]  # column -> DuckDB type, in schema order
    key: tuple[str, ...]
    required: tuple[str, ...]

    def kind(self, column: str) -> str:
        return TYPE_KINDS[self.columns[column]]


@lru_cache(maxsize=None)
def table_specs() -> dict[str, TableSpec]:
    """The loadable tables, with column types introspected from the schema."""
    con = duckdb.connect()
    try:
        db.apply_schema(con)
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where list_contains($tables, table_name) order by table_name, ordinal_position",
            {"tables": list(KEYS)}).fetchall()
    finally:
        con.close()
    columns: dict[str, dict[str, str]] = {name: {} for name in KEYS}
    for table, column, data_type in rows:
        if data_type not in TYPE_KINDS or not IDENTIFIER.match(column):
            raise RuntimeError(f"the loader does not know how to load {table}.{column} ({data_type})")  # untranslated: a schema error, for developers
        columns[table][column] = data_type
    return {name: TableSpec(name, columns[name], KEYS[name], REQUIRED[name]) for name in KEYS}


def model_columns() -> set[str]:
    return {c for spec in table_specs().values() for c in spec.columns}


def infer_table(columns: Iterable[str]) -> str | None:
    """The table a file is for, told from its (canonical) column names; None if unclear."""
    present = set(columns)
    return next((table for needed, table in DETECT if needed <= present), None)


def describe_tables() -> str:
    return "; ".join(f"{name} (key {' + '.join(spec.key)})" for name, spec in table_specs().items())
