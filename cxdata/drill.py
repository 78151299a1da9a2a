"""From a number to its rows: the answers, contacts, customers or transactions behind a KPI, filtered
exactly as the number is (same period, same filters, same definition), with personal data masked,
and the bytes of a CSV or Excel download of any table.

Each row set is one named query in sql/ (drill_answers, drill_contacts, drill_customers,
drill_transactions) built on the macros the KPI itself uses, so the rows recompute the number:
NPS from the answers' classes, SLA compliance from the contacts judged against an SLA, churn from
the customers active at the period's start and those of them lost in it.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

import openpyxl
import pandas as pd

from cxdata import formatting as fmt
from cxdata import metrics
from cxdata.access.roles import User
from cxdata.access.scoped import sees_customer_rows, sees_rows
from cxdata.filters import Filters
from cxdata.masking import mask

SHOWN = 50_000           # rows drawn on screen
DOWNLOAD_CAP = 100_000   # rows a download holds at most (an Excel sheet stays quick to build and open)


@dataclass(frozen=True)
class RowSet:
    query: str      # the named query in sql/
    noun: str       # what one row is, plural: "answers"


ANSWERS = RowSet("drill_answers", "answers")
CONTACTS = RowSet("drill_contacts", "contacts")
CUSTOMERS = RowSet("drill_customers", "customers")
TRANSACTIONS = RowSet("drill_transactions", "transactions")

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

# Column headings in plain words, for the screen and the downloads alike.
HEADINGS = {
    "feedback_id": "Answer", "submitted_at": "Answered at", "survey": "Survey", "score": "Score",
    "counts_as": "Counts as", "customer_id": "Customer", "segment": "Segment", "region": "Region",
    "country": "Country", "plan": "Plan", "channel": "Channel", "department": "Department",
    "journey_stage": "Journey stage", "touchpoint": "Touchpoint", "comment": "Comment (masked)",
    "interaction_id": "Contact", "started_at": "Opened at", "kind": "Kind",
    "first_response_seconds": "First response (minutes)", "is_never_answered": "Never answered",
    "resolved_at": "Resolved at", "is_escalated": "Escalated", "sla_seconds": "Promised time (hours)",
    "is_sla_met": "Resolved on time", "is_complaint": "Complaint",
    "is_first_contact_resolution": "Resolved at first contact",
    "started_on": "Customer since", "churned_on": "Left on", "annual_value": "Annual value",
    "is_lost": "Lost in the period",
    "transaction_id": "Transaction", "occurred_at": "On", "amount": "Amount",
}


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
        text = f"{self.n:,} {self.noun if self.n != 1 else self.noun[:-1]}"
        on_screen = min(shown, len(self.rows))
        if self.n > on_screen:
            text += f"; the first {on_screen:,} are shown"
            if self.is_capped:
                text += f", a download holds the first {len(self.rows):,}"
        return text


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
    return Drill(kpi, row_set.noun, out.rename(columns=HEADINGS), n, filters)


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
        return values.map({True: "yes", False: "no"}).fillna("")
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
        return "yes" if x else "no"
    if isinstance(x, pd.Timestamp | dt.datetime):
        return f"{x:%Y-%m-%d %H:%M}"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return fmt.count(x) if x.is_integer() else f"{x:,.2f}"
    return str(x)


# ---- Downloads -------------------------------------------------------------------------------------

def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opened by double-click reads accents right."""
    return table.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(table: pd.DataFrame, sheet: str = "Rows") -> bytes:
    """An Excel workbook of one sheet: typed numbers and dates, empty cells for no value, a frozen
    header row. Written row by row in openpyxl's write-only mode, several times faster than a
    DataFrame's to_excel on 100,000 rows."""
    book = openpyxl.Workbook(write_only=True)
    out = book.create_sheet(sheet[:31])
    out.freeze_panes = "A2"
    out.append([str(c) for c in table.columns])
    columns = []
    for name in table.columns:  # Python values, missing as None (an empty cell), no time zones
        values = table[name]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
        columns.append([None if _is_blank(v) else v.to_pydatetime() if isinstance(v, pd.Timestamp)
                        else v.item() if hasattr(v, "item") else v for v in values.astype(object)])
    for row in zip(*columns):
        out.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _is_blank(v) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and not math.isfinite(v))


def file_stem(kpi: str, filters: Filters) -> str:
    """'nps-2026-01-01-to-2026-03-31': names a download after the number and its period."""
    return f"{kpi.replace('_', '-')}-{filters.start.isoformat()}-to-{filters.end.isoformat()}"
