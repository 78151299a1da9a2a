"""Which KPIs an initiative can aim at and be measured on, and what one observation of each is.

Each is measured per observation, so a difference-in-differences has a variance per cell: an NPS
answer is +100 (promoter), 0 (passive) or -100 (detractor); a CSAT answer 100 (4-5) or 0; a CES
answer its 1-7 score (the product's CES is a mean); a contact 100 when it was a complaint, else 0;
a customer active at a period's start 100 when lost in it, else 0. Means of these are the KPIs of
sql/macros.sql (nps_of, csat_of, ces_of, complaint_pct_of, churn_rate_of).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    key: str       # a key of cxdata.metrics.KPIS
    source: str    # answers, contacts or customers: which query measures it
    survey: str | None = None  # the feedback survey, for answers


MEASURED = {m.key: m for m in [
    Measured("nps", "answers", "nps"),
    Measured("csat", "answers", "csat"),
    Measured("ces", "answers", "ces"),
    Measured("complaint_rate", "contacts"),
    Measured("churn_rate", "customers"),
]}
# The scope's dimensions, as the loaded table's columns name them -> the column of the rows they match.
SCOPE_COLUMNS = {"segments": "segment", "regions": "region", "channels": "channel",
                 "touchpoints": "touchpoint", "departments": "department"}
SCOPE_DIMENSIONS = tuple(SCOPE_COLUMNS.values())   # the dimensions a scope may name, in the form's order
KPI_CHOICES = tuple(MEASURED)                        # the KPIs an initiative may aim at, in the picker's order
# Dimensions a customer has (churn is measured on customers: the others pick customers by their contacts).
CUSTOMER_SCOPE = ("segment", "region")
SEPARATOR = ";"


def split_values(cell, lower: bool = False) -> tuple[str, ...]:
    """A scope cell's values: "Europe; LATAM" -> ("Europe", "LATAM"); empty -> () (every value)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ()
    values = (v.strip() for v in str(cell).split(SEPARATOR) if v.strip())
    return tuple(dict.fromkeys(v.lower() if lower else v for v in values))
