"""What the data page reports: tables, the database file, load history and rejected rows."""
from __future__ import annotations

import re
from datetime import timezone
from pathlib import Path

import pandas as pd

from cxdata import filters, metrics
from cxdata import formatting as fmt
from cxdata.i18n import N_, _, n_
from cxdata.masking import mask

REJECTED_LIMIT = 50_000
ANSWERS_LIMIT = 1_000  # answers whose contact was not loaded, listed on the page
OUTCOMES = {"ok": N_("OK"), "ok_with_rejects": N_("Some rejected"), "failed": N_("Failed")}   # shown as _(…)


def table_stats(reader) -> pd.DataFrame:
    """Rows and date span per table; a table without a date column has blank dates, not "None"."""
    return blank_text(reader.run("table_stats"))


def monthly_volume(reader) -> pd.DataFrame:
    """Rows per table and month by each record's date, 0 for a month without rows inside a table's span."""
    return reader.run("monthly_volume")


def volume_headline(volume: pd.DataFrame) -> str:
    """The finding of the monthly-volume chart: which months have no rows, or that none lacks them."""
    gaps = volume[volume["n_rows"] == 0]
    if gaps.empty:
        spans = volume.groupby("table_name")["month_start"].agg(["min", "max"])
        if len(spans.drop_duplicates()) > 1:
            return _("No gaps: every table has rows in every month from its first to its last")
        return _("Rows in every month, {first} to {last}").format(
            first=fmt.month(spans["min"].iloc[0]), last=fmt.month(spans["max"].iloc[0]))
    if gaps["table_name"].nunique() == 1:
        months = [fmt.month(m) for m in gaps["month_start"]]
        table = gaps["table_name"].iloc[0].capitalize()
        if len(months) > 3:
            return n_("{table} has no rows in {months} and {n} more", "{table} has no rows in {months} and {n} more",
                      len(months) - 3).format(table=table, months=", ".join(months[:3]), n=fmt.count(len(months) - 3))
        return _("{table} has no rows in {months}").format(table=table, months=", ".join(months))
    per_table = gaps.groupby("table_name", sort=False).size()
    return n_("{n} month without rows: {tables}", "{n} months without rows: {tables}", len(gaps)).format(
        n=fmt.count(len(gaps)), tables=", ".join(f"{t} ({fmt.count(k)})" for t, k in per_table.items()))


def derived_status(reader) -> str:
    """One line on the summary tables the pages read: when they were rebuilt and what they judge SLAs by."""
    row = reader.run("derived_status").iloc[0]
    # Event times are stored as the files gave them, in the zone they were exported in (docs/loading.md).
    rebuilt = dict(at=f"{row['refreshed_at']:%Y-%m-%d %H:%M}", seconds=fmt.number(row["refresh_seconds"], 1),
                   version=row["version"])
    if pd.isna(row["latest_event_at"]):
        return _("Summary tables rebuilt {at} UTC in {seconds} s (version {version}).").format(**rebuilt)
    return _("Summary tables rebuilt {at} UTC in {seconds} s (version {version}); SLA compliance is judged as of "
             "the data's latest event, {latest} (in the data's own time zone).").format(
        latest=f"{row['latest_event_at']:%Y-%m-%d %H:%M}", **rebuilt)


def load_history(reader) -> pd.DataFrame:
    """The load runs as the page shows them: start in UTC, file names, outcomes in words."""
    history = reader.run("load_history")
    history["started_at"] = machine_time_as_utc(history["started_at"])
    history["files"] = history["files"].map(file_names)
    history["outcome"] = history["outcome"].map(lambda o: _(OUTCOMES[o]) if o in OUTCOMES else o)
    return blank_text(history)


def load_warnings(reader) -> pd.DataFrame:
    """Plausibility warnings of each table's latest load (cxdata/load/checks.py): results that loaded
    but look wrong, with the mapping line to look at. None for a database older than the warnings."""
    if not reader.run("load_warnings_kept")["is_kept"].iloc[0]:
        return pd.DataFrame(columns=["loaded_at", "table_name", "column_name", "check_name", "message", "look_at"])
    warnings = reader.run("load_warnings_latest")
    warnings["loaded_at"] = machine_time_as_utc(warnings["loaded_at"])
    return blank_text(warnings)


def metrics_not_in_data(reader) -> pd.DataFrame:
    """The dashboard's metrics the data cannot give, or gives only from some month on, and why: the
    same coverage (metrics.coverage) that makes their tiles read "not in your data"."""
    coverage = metrics.coverage(reader)
    months = [m for m in coverage.provided.values() if m is not None]
    data_starts = min(months, default=None)  # a column provided from the first month on is not "late"
    rows = []
    for key in metrics.NEEDS:
        why, since = coverage.missing(key), coverage.since(key)
        if why:
            rows.append({"metric": _(metrics.KPIS[key].label), "shown_as": _(metrics.NOT_IN_DATA), "why": why})
        elif since is not None and since > data_starts:
            rows.append({"metric": _(metrics.KPIS[key].label),
                         "shown_as": _("from {month} on").format(month=fmt.month(since)),
                         "why": _("its data starts in {month}: earlier months read {words}").format(
                             month=fmt.month(since), words=_(metrics.NOT_IN_DATA))})
    return pd.DataFrame(rows, columns=["metric", "shown_as", "why"])


def rejected_rows(reader, load_id: str = "", target_table: str = "", column_name: str = "",
                  search: str = "", limit: int = REJECTED_LIMIT) -> pd.DataFrame:
    """Rejected cells narrowed by the page's choices; every choice is a bound parameter.
    `source_file` keeps the full path for the download, `file_name` is what the table shows. The
    rejected value and the raw row are masked (cxdata.masking): a comment may hold an e-mail or a card."""
    rows = reader.run("rejected_rows", {"load_id": load_id, "target_table": target_table,
                                        "column_name": column_name, "search": search, "limit": limit})
    rows["value"] = rows["value"].map(mask)
    rows["raw"] = rows["raw"].map(mask)
    rows["loaded_at"] = machine_time_as_utc(rows["loaded_at"])
    rows["file_name"] = rows["source_file"].map(file_names)
    return blank_text(rows)


def rejected_reasons(reader) -> pd.DataFrame:
    """Rejected cells counted by load, table, column and reason, the load's start in UTC."""
    reasons = reader.run("rejected_reasons")
    reasons["loaded_at"] = machine_time_as_utc(reasons["loaded_at"])
    return blank_text(reasons)


def answers_without_contact(reader, limit: int = ANSWERS_LIMIT) -> tuple[int, pd.DataFrame]:
    """How many answers name a contact that was not loaded (so they count for the company, not for a
    department), and the newest of them; (0, empty) when there are none."""
    rows = reader.run("answers_without_contact", {"limit": limit})
    n = int(rows["n_answers"].iloc[0]) if len(rows) else 0
    return n, blank_text(rows.drop(columns=["n_answers"]))


def machine_time_as_utc(stamps: pd.Series) -> pd.Series:
    """Naive local times of this machine (the loader and the demo stamp loads with datetime.now()) as
    UTC: each is read in the zone the machine is set to (TZ), daylight saving time included."""
    # Each distinct stamp once: the rejected cells of one load share its stamp.
    utc = {stamp: stamp.to_pydatetime().astimezone(timezone.utc) for stamp in stamps.dropna().unique()}
    return pd.to_datetime(stamps.map(utc), utc=True)


def file_names(paths) -> str:
    """A file path, or a list of them, as the names a person reads: "customers.csv, feedback.xlsx";
    the full paths stay in the database and the download."""
    if isinstance(paths, str):
        paths = [paths]
    if pd.api.types.is_scalar(paths):  # None or NaN: no files recorded
        return ""
    return ", ".join(re.split(r"[\\/]", str(p))[-1] for p in paths)


def blank_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty text instead of a missing value in the text columns, so a table cell shows nothing, not "None"."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    return frame.fillna({c: "" for c in text})


def file_size(path: Path) -> str:
    size = path.stat().st_size
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            if unit == "bytes":
                return n_("{n} byte", "{n} bytes", size).format(n=fmt.count(size))
            return f"{fmt.number(size, 1)} {unit}"   # untranslated: a number and its unit symbol
        size /= 1024
    return ""


def facts(reader) -> dict:
    """Row counts, the data's date span, when it was loaded and whether it is the demo: the app's
    header and presets and the board pack's footer read the same facts."""
    out = reader.run("data_extent").iloc[0].to_dict()
    for day in ("newest_on", "oldest_on"):  # DuckDB dates arrive in pandas as timestamps
        out[day] = None if pd.isna(out[day]) else pd.Timestamp(out[day]).date()
    source = reader.run("data_source").iloc[0]
    out["is_demo"] = bool(source["is_demo"])
    # Loads record the machine's local time (datetime.now()): whole days are judged in it, and it
    # is shown in UTC, as the Data & loads page shows it.
    out["last_loaded_at"] = None if pd.isna(source["last_loaded_at"]) else pd.Timestamp(source["last_loaded_at"])
    out["last_loaded_utc"] = (None if out["last_loaded_at"] is None else
                              machine_time_as_utc(pd.Series([out["last_loaded_at"]])).iloc[0])
    out["last_complete_on"] = (filters.last_complete_day(out["newest_on"], out["last_loaded_at"])
                               if out["newest_on"] else None)
    return out


def filter_options(reader) -> dict[str, list[str]]:
    """The values each filter dimension offers: those that exist in the data."""
    frame = reader.run("filter_options")
    return {key: frame.loc[frame["dimension"] == key, "value"].tolist() for key in filters.DIMENSIONS}
