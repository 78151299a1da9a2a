"""What the data page reports: tables, the database file, load history and rejected rows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REJECTED_LIMIT = 50_000


def table_stats(reader) -> pd.DataFrame:
    return reader.run("table_stats")


def monthly_volume(reader) -> pd.DataFrame:
    """Rows per table and month by each record's date, 0 for a month without rows inside a table's span."""
    return reader.run("monthly_volume")


def volume_headline(volume: pd.DataFrame) -> str:
    """The finding of the monthly-volume chart: which months have no rows, or that none lacks them."""
    gaps = volume[volume["n_rows"] == 0]
    if gaps.empty:
        spans = volume.groupby("table_name")["month_start"].agg(["min", "max"])
        if len(spans.drop_duplicates()) > 1:
            return "No gaps: every table has rows in every month from its first to its last"
        return f"Rows in every month, {spans['min'].iloc[0]:%b %Y} to {spans['max'].iloc[0]:%b %Y}"
    if gaps["table_name"].nunique() == 1:
        months = [f"{m:%b %Y}" for m in gaps["month_start"]]
        listed = ", ".join(months[:3]) + (f" and {len(months) - 3} more" if len(months) > 3 else "")
        return f"{gaps['table_name'].iloc[0].capitalize()} has no rows in {listed}"
    per_table = gaps.groupby("table_name", sort=False).size()
    return f"{len(gaps)} months without rows: " + ", ".join(f"{t} ({k})" for t, k in per_table.items())


def derived_status(reader) -> str:
    """One line on the summary tables the pages read: when they were rebuilt and what they judge SLAs by."""
    row = reader.run("derived_status").iloc[0]
    latest = ("" if pd.isna(row["latest_event_at"]) else
              f"; SLA compliance is judged as of the data's latest event, {row['latest_event_at']:%Y-%m-%d %H:%M}")
    return (f"Summary tables rebuilt {row['refreshed_at']:%Y-%m-%d %H:%M} UTC in {row['refresh_seconds']:.1f} s "
            f"(version {row['version']}){latest}.")


def load_history(reader) -> pd.DataFrame:
    return reader.run("load_history")


def rejected_rows(reader, load_id: str = "", target_table: str = "", column_name: str = "",
                  search: str = "", limit: int = REJECTED_LIMIT) -> pd.DataFrame:
    """Rejected cells narrowed by the page's choices; every choice is a bound parameter."""
    return reader.run("rejected_rows", {"load_id": load_id, "target_table": target_table,
                                        "column_name": column_name, "search": search, "limit": limit})


def rejected_reasons(reader) -> pd.DataFrame:
    return reader.run("rejected_reasons")


def file_size(path: Path) -> str:
    size = path.stat().st_size
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""
