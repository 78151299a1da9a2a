"""From a number to its rows: the answers, contacts, customers or transactions behind a KPI, filtered
exactly as the number is (same period, same filters, same definition), with personal data masked
(their CSV and Excel downloads: cxdata.exports).

Each row set is one named query in sql/ (drill_answers, drill_contacts, drill_customers,
drill_transactions) built on the macros the KPI itself uses, so the rows recompute the number:
NPS from the answers' classes, SLA compliance from the contacts judged against an SLA, churn from
the customers active at the period's start and those of them lost in it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from cxdata import formatting as fmt
from cxdata import metrics
from cxdata.access.roles import User
from cxdata.access.scoped import sees_customer_rows, sees_rows
from cxdata.filters import Filters
from cxdata.i18n import N_, _, n_
from cxdata.masking import mask

SHOWN = 50_000           # rows drawn on screen
DOWNLOAD_CAP = 100_000   # rows a download holds at most (an Excel sheet stays quick to build and open)


@dataclass(frozen=True)
class RowSet:
    query: str      # the named query in sql/
    noun: str       # what one row is, plural: "answers" (a key; count() says it in words)
    help: str       # the drill button's hover, in English with {kpi}: shown as _(help)

    def count(self, n: int) -> str:
        """'1 answer', '1,234 contacts', in the language of this run."""
        shown = fmt.count(n)
        if self.noun == "answers":
            return n_("{n} answer", "{n} answers", n).format(n=shown)
        if self.noun == "contacts":
            return n_("{n} contact", "{n} contacts", n).format(n=shown)
        if self.noun == "customers":
            return n_("{n} customer", "{n} customers", n).format(n=shown)
        return n_("{n} transaction", "{n} transactions", n).format(n=shown)


ANSWERS = RowSet("drill_answers", "answers", N_("See the answers behind {kpi}, and download them"))
CONTACTS = RowSet("drill_contacts", "contacts", N_("See the contacts behind {kpi}, and download them"))
CUSTOMERS = RowSet("drill_customers", "customers", N_("See the customers behind {kpi}, and download them"))
TRANSACTIONS = RowSet("drill_transactions", "transactions", N_("See the transactions behind {kpi}, and download them"))

# Every KPI whose rows can be listed, and the rows behind it. A KPI not here (a median's history,
# revenue retention's two-year cohorts, churn after a bad experience) has no drill-down.
ROWS_OF: dict[str, RowSet] = {
    "nps": ANSWERS, "csat": ANSWERS, "ces": ANSWERS,
    "contacts": CONTACTS, "sla_compliance": CONTACTS, "first_response_live": CONTACTS,
    "first_response_written": CONTACTS, "first_contact_resolution": CONTACTS, "complaint_rate": CONTACTS,
    "escalation_rate": CONTACTS,
    "churn_rate": CUSTOMERS, "retention_rate": CUSTOMERS, "active_customers": CUSTOMERS,
    "annual_value_lost": CUSTOMERS,
    "revenue": TRANSACTIONS,
}

# Column headings in plain words, for the screen and the downloads alike (in English: rows() translates).
HEADINGS = {
    "feedback_id": N_("Answer"), "submitted_at": N_("Answered at"), "survey": N_("Survey"), "score": N_("Score"),
    "counts_as": N_("Counts as"), "customer_id": N_("Customer"), "segment": N_("Segment"), "region": N_("Region"),
    "country": N_("Country"), "plan": N_("Plan"), "channel": N_("Channel"), "department": N_("Department"),
    "journey_stage": N_("Journey stage"), "touchpoint": N_("Touchpoint"), "comment": N_("Comment (masked)"),
    "interaction_id": N_("Contact"), "started_at": N_("Opened at"), "kind": N_("Kind"),
    "first_response_seconds": N_("First response (minutes)"), "is_never_answered": N_("Never answered"),
    "resolved_at": N_("Resolved at"), "is_escalated": N_("Escalated"), "sla_seconds": N_("Promised time (hours)"),
    "is_sla_met": N_("Resolved on time"), "is_complaint": N_("Complaint"),
    "is_first_contact_resolution": N_("Resolved at first contact"),
    "started_on": N_("Customer since"), "churned_on": N_("Left on"), "annual_value": N_("Annual value"),
    "is_lost": N_("Lost in the period"),
    "transaction_id": N_("Transaction"), "occurred_at": N_("On"), "amount": N_("Amount"),
}


# What an answer counts as (sql/drill_answers.sql), in words.
COUNTS_AS = {"promoter": N_("promoter"), "passive": N_("passive"), "detractor": N_("detractor"),
             "satisfied": N_("satisfied"), "not satisfied": N_("not satisfied")}


@dataclass(frozen=True)
class Drill:
    """The rows behind one number: `rows` (at most the limit asked, masked, plain headings) of `n`."""

    kpi: str
    noun: str
    rows: pd.DataFrame
    n: int
    filters: Filters

    @property
    def is_capped(self) -> bool:
        return self.n > len(self.rows)

    def count_line(self, shown: int = SHOWN) -> str:
        """'1,234 answers' or '120,000 contacts; the newest 50,000 are shown, the download holds 100,000'."""
        total = ROWS_OF[self.kpi].count(self.n)
        on_screen = min(shown, len(self.rows))
        if self.n <= on_screen:
            return total
        if self.is_capped:
            return _("{total}; the first {shown} are shown, a download holds the first {held}").format(
                total=total, shown=fmt.count(on_screen), held=fmt.count(len(self.rows)))
        return _("{total}; the first {shown} are shown").format(total=total, shown=fmt.count(on_screen))


def can_drill(kpi: str, user: User | None = None) -> bool:
    """Whether `kpi` has rows behind it, and (given a user) whether they may see them: single
    customers and transactions for roles that see customers, contacts and answers for roles that see rows."""
    if kpi not in ROWS_OF:
        return False
    if user is None:
        return True
    return sees_customer_rows(user) if ROWS_OF[kpi] in (CUSTOMERS, TRANSACTIONS) else sees_rows(user)


def rows(reader, filters: Filters, kpi: str, limit: int = DOWNLOAD_CAP) -> Drill:
    """The rows behind `kpi` for `filters` (their period and dimensions), at most `limit` of them."""
    row_set = ROWS_OF[kpi]
    raw = reader.run(row_set.query, {**metrics.view_params(filters), "kpi": kpi, "limit": limit})
    n = int(raw["n_rows"].iloc[0]) if not raw.empty else 0
    out = raw.drop(columns="n_rows").copy()
    if "comment" in out:
        out["comment"] = out["comment"].map(mask)
    if "first_response_seconds" in out:
        out["first_response_seconds"] = out["first_response_seconds"] / 60
    if "sla_seconds" in out:
        out["sla_seconds"] = out["sla_seconds"] / 3600
    if "counts_as" in out:
        out["counts_as"] = out["counts_as"].map(lambda v: _(COUNTS_AS[v]) if v in COUNTS_AS else v)
    return Drill(kpi, row_set.noun, out.rename(columns={k: _(v) for k, v in HEADINGS.items()}), n, filters)


def cell_filters(filters: Filters, department: str, quarter: dt.date) -> Filters:
    """The filters behind a department scorecard cell: that department, from the quarter's first day to
    its last or the view's end, whichever comes first (as the scorecard's quarterly queries read it)."""
    next_quarter = dt.date(quarter.year + (quarter.month + 2) // 12, (quarter.month + 2) % 12 + 1, 1)
    return filters.replace(start=quarter, end=min(filters.end, next_quarter - dt.timedelta(days=1)),
                           department=[department])


# ---- On screen -------------------------------------------------------------------------------------

def shown(table: pd.DataFrame, limit: int = SHOWN) -> pd.DataFrame:
    """The first `limit` rows as text for the screen: thousands separators, yes/no, dates without
    seconds (without a time when every value is at midnight), and an empty cell (never None, nan or
    inf) where there is no value. Formatted a column at a time: 50,000 rows stay quick."""
    head = table.head(limit)
    return pd.DataFrame({name: _column(head[name]) for name in head.columns}, index=head.index)


def _column(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: _("yes"), False: _("no")}).fillna("")
    if pd.api.types.is_datetime64_any_dtype(values):
        at_midnight = (values.dropna() == values.dropna().dt.normalize()).all()
        return values.dt.strftime("%Y-%m-%d" if at_midnight else "%Y-%m-%d %H:%M").fillna("")
    return values.map(_cell)


def _cell(x) -> str:
    if hasattr(x, "item") and not isinstance(x, pd.Timestamp):  # a numpy scalar: its Python value
        x = x.item()
    if x is None or x is pd.NaT or (isinstance(x, float) and not math.isfinite(x)) or (
            not isinstance(x, (str, bool, int, float)) and pd.isna(x)):
        return ""
    if isinstance(x, bool):
        return _("yes") if x else _("no")
    if isinstance(x, pd.Timestamp | dt.datetime):
        return f"{x:%Y-%m-%d %H:%M}"
    if isinstance(x, int):
        return fmt.count(x)
    if isinstance(x, float):
        return fmt.count(x) if x.is_integer() else fmt.number(x, 2)
    return str(x)


# ---- Downloads -------------------------------------------------------------------------------------

def file_stem(kpi: str, filters: Filters) -> str:
    """'nps-2026-01-01-to-2026-03-31': names a download after the number and its period."""
    return f"{kpi.replace('_', '-')}-{filters.start.isoformat()}-to-{filters.end.isoformat()}"
