"""What the data page reports: tables, the database file, load history and rejected rows."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REJECTED_LIMIT = 50_000


def table_stats(reader) -> pd.DataFrame:
    return reader.run("table_stats")


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
