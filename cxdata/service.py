"""Service levels: the promise made to customers, from the first answer to the solution.

A contact due an answer (not self-service: the `touchpoints` reference table) is *immediate* when
an immediate channel's front office answered it within the immediate threshold without escalating
it, and *deferred* otherwise: escalated or answered later, promised a resolution within the deferred
promise. `sla_seconds` stays the promise to resolve each contact (SLA compliance). Every number comes
from sql/service_*.sql on the derived service_daily table; docs/service-levels.md defines each one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from cxdata import formatting as fmt
from cxdata import metrics
from cxdata.filters import Filters
from cxdata.i18n import N_, _, n_

IMMEDIATE_ENV = "CX_IMMEDIATE_SECONDS"
DEFERRED_ENV = "CX_DEFERRED_SECONDS"
DEFAULT_IMMEDIATE_SECONDS = 180.0      # answered on the spot: within 3 minutes
DEFAULT_DEFERRED_SECONDS = 24 * 3600.0  # the back office's promise: resolved within a day
BREAKDOWNS = {"channel": N_("Channel"), "department": N_("Department"), "kind": N_("Kind"), "office": N_("Office")}
BACKLOG_HOURS = (4, 24)
BACKLOG_LIMIT = 200
FEW_JUDGED = 30   # a department's SLA compliance on fewer contacts is named with its count in the headline


@dataclass(frozen=True)
class Settings:
    immediate_seconds: float
    deferred_seconds: float


def _seconds(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, default))
    except ValueError:
        return default
    return value if 0 < value < 10 * 365 * 86400 else default


def settings() -> Settings:
    """The thresholds asked for: $CX_IMMEDIATE_SECONDS (default 180) and $CX_DEFERRED_SECONDS
    (default 86,400); an unusable value falls back to the default."""
    return Settings(_seconds(IMMEDIATE_ENV, DEFAULT_IMMEDIATE_SECONDS), _seconds(DEFERRED_ENV, DEFAULT_DEFERRED_SECONDS))


def write_settings(con: duckdb.DuckDBPyConnection) -> None:
    """Write the thresholds and live channels the service tables are built with (cxdata.derive
    calls this before sql/derived.sql), so the page can say which ones are in force."""
    chosen = settings()
    con.execute("create or replace table service_settings as select $immediate::double as immediate_seconds, "
                "$deferred::double as deferred_seconds, $live::varchar[] as live_channels",
                {"immediate": chosen.immediate_seconds, "deferred": chosen.deferred_seconds,
                 "live": metrics.live_channels()})


def in_force(reader) -> Settings:
    """The thresholds the derived layer was built with (a changed setting applies at the next refresh)."""
    row = reader.run("service_settings").iloc[0]
    return Settings(float(row["immediate_seconds"]), float(row["deferred_seconds"]))


def pending_change(reader) -> str | None:
    """A sentence when the settings differ from those in force, else None."""
    built, asked = in_force(reader), settings()
    if built == asked:
        return None
    return _("The administrator has set new service time limits ({immediate} immediate, {deferred} deferred); they "
             "apply once the data is next refreshed. Until then the figures use {immediate_now} and "
             "{deferred_now}.").format(immediate=_duration(asked.immediate_seconds),
                                       deferred=_duration(asked.deferred_seconds),
                                       immediate_now=_duration(built.immediate_seconds),
                                       deferred_now=_duration(built.deferred_seconds))


def _duration(seconds: float) -> str:
    return fmt.duration_short(seconds)


@dataclass(frozen=True)
class Levels:
    settings: Settings
    total: pd.Series            # the whole view's row of sql/service_levels.sql
    by: dict[str, pd.DataFrame]  # breakdown -> its members' rows, most contacts first
    missing: dict[str, str] = field(default_factory=dict)  # level -> why it is not in the data (metrics.Coverage)


# The levels of sql/service_levels.sql that are KPIs with declared needs (metrics.NEEDS).
LEVEL_KPIS = ("immediate_share", "deferred_on_time", "sla_compliance", "first_contact_resolution",
              "unanswered_rate", "escalation_rate")


def levels(reader, filters: Filters) -> Levels:
    """The service levels of the view: the whole view and per channel, department, kind and office. A
    level whose columns the data does not provide in the period has no value, and `missing` says why."""
    rows = reader.run("service_levels", filters.params())
    coverage = metrics.coverage(reader)
    missing = {k: reason for k in LEVEL_KPIS if (reason := coverage.missing(k, filters.start))}
    rows.loc[:, list(missing)] = float("nan")
    total = rows[(rows["dimension"] == "all") & rows["n_contacts"].notna()]  # no contact: a row of nulls
    empty = pd.Series({c: None for c in rows.columns}, dtype=object) if total.empty else total.iloc[0]
    by = {d: rows[rows["dimension"] == d].reset_index(drop=True) for d in BREAKDOWNS}
    return Levels(in_force(reader), empty, by, missing)


def resolution_histogram(reader, filters: Filters) -> pd.DataFrame:
    """Resolution times of the view's resolved agent-handled contacts, binned (8 bins a decade) per
    response mode of the channel: response_mode, bin, low_seconds, high_seconds, n."""
    return reader.run("service_resolution", filters.params())


def share_within(histogram: pd.DataFrame, seconds: float) -> float | None:
    """The share (%) of the histogram's contacts resolved within `seconds`, counting a bin whole when
    it ends by then (so slightly under the exact share when the promise falls inside a bin)."""
    n = histogram["n"].sum()
    return None if n == 0 else 100.0 * histogram.loc[histogram["high_seconds"] <= seconds * 1.0001, "n"].sum() / n


@dataclass(frozen=True)
class Backlog:
    rows: pd.DataFrame   # the open contacts due within the hours asked, oldest first (at most BACKLOG_LIMIT)
    n_due_soon: int
    n_due_4h: int
    n_overdue: int
    as_of: object


def backlog(reader, filters: Filters, hours: int = 24, rows: bool = True) -> Backlog:
    """Open contacts whose SLA expires in the next `hours` hours of the data's latest event, oldest
    first, with owner department; the dimension filters apply, the date range does not (it is now).
    Without `rows`, the counts alone (for roles that see aggregates only)."""
    rows = reader.run("service_backlog", {"filters": filters.params()["filters"], "hours": hours,
                                          "limit": BACKLOG_LIMIT if rows else 0})
    head = rows.iloc[0] if not rows.empty else None
    listed = rows[rows["interaction_id"].notna()].reset_index(drop=True)
    return Backlog(listed, int(head["n_due_soon"]) if head is not None else 0,
                   int(head["n_due_4h"]) if head is not None else 0,
                   int(head["n_overdue"]) if head is not None else 0,
                   listed["as_of"].iloc[0] if not listed.empty else None)


def headline(lv: Levels) -> str:
    """The page's finding: the worst department on SLA compliance, or the whole view's level."""
    t = lv.total
    if t["n_contacts"] is None or pd.isna(t["n_contacts"]) or not t["n_contacts"]:
        return _("No contacts in this view")
    if "sla_compliance" in lv.missing:
        return _("SLA compliance: {not_in_data}").format(not_in_data=_(metrics.NOT_IN_DATA))
    dept = lv.by["department"].dropna(subset=["sla_compliance"])
    dept = dept[dept["n_sla_judged"] > 0]   # the bars the chart draws
    whole = fmt.percent(t["sla_compliance"], 0)
    if len(dept) > 1:  # the lowest bar as the chart writes it (whole %), ties named together
        shown = dept["sla_compliance"].map(lambda v: int(round(v)))
        worst = dept[shown == shown.min()]
        few = [(m, n_("{n} contact", "{n} contacts", n).format(n=fmt.count(n)))
               for m, n in zip(worst["member"], worst["n_sla_judged"]) if n < FEW_JUDGED]
        fields = dict(departments=fmt.and_list(worst["member"]), share=fmt.percent(shown.min(), 0), whole=whole)
        if not few:
            return _("{departments}: {share} within SLA (all: {whole})").format(**fields)
        if len(worst) == 1:
            return _("{departments}: {share} within SLA on {contacts} (all: {whole})").format(contacts=few[0][1],
                                                                                              **fields)
        bases = "; ".join(_("{department} on {contacts}").format(department=m, contacts=n) for m, n in few)
        return _("{departments}: {share} within SLA, {bases} (all: {whole})").format(bases=bases, **fields)
    return _("{share} of contacts resolved within their SLA").format(share=whole) if pd.notna(t["sla_compliance"]) \
        else _("No contact's SLA has expired yet in this view")
