"""Risk features as of a date: the SQL's columns (sql/churn_features.sql), turned into the
model's numeric inputs, and each input's reason in plain words.

Every input is oriented so that a larger value means "more like a leaver" where that is its
plain reading (a drop, a count of bad events), which keeps the model's signs readable.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from cxdata import db
from cxdata import formatting as fmt

HORIZON_DAYS = 90  # churn "in the next 90 days": the label window and the features' quarter


def as_of(reader: db.Reader, day: dt.date, horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """One row per customer active at the end of `day`, with what was known then and the label."""
    return reader.run("churn_features", {"as_of": day, "horizon_days": horizon_days})


def _change(recent: pd.Series, prior: pd.Series) -> pd.Series:
    """Relative change on the previous quarter, -1..+1 (0 without a previous quarter to compare)."""
    prior = prior.astype(float)
    out = (recent.astype(float) - prior) / prior.where(prior > 0)
    return out.clip(-1, 1).fillna(0.0)


def _drop(before: pd.Series, after: pd.Series) -> pd.Series:
    """How far a score fell (0 if it rose, or either is unknown)."""
    return (before.astype(float) - after.astype(float)).clip(lower=0).fillna(0.0)


@dataclass(frozen=True)
class Signal:
    """One model input: how it is computed, its short label, and its reason for one customer."""
    key: str
    label: str                                       # the reason filter's choice: "Complaints"
    value: Callable[[pd.DataFrame], pd.Series]       # features frame -> input
    reason: Callable[[pd.Series], str | None] | None  # a row of the features -> words, None if not adverse


def _pct_down(recent: float, prior: float) -> int:
    return round(100 * (prior - recent) / prior) if prior > 0 else 0


SIGNALS: tuple[Signal, ...] = (
    Signal("complaints", "Complaints", lambda f: f["n_complaints_90d"].clip(upper=6).astype(float),
           lambda r: (f"{fmt.plural(int(r.n_complaints_90d), 'complaint')} in the last 90 days"
                      if r.n_complaints_90d > 0 else None)),
    Signal("escalations", "Escalations", lambda f: f["n_escalations_90d"].clip(upper=4).astype(float),
           lambda r: (f"{fmt.plural(int(r.n_escalations_90d), 'escalation')} in the last 90 days"
                      if r.n_escalations_90d > 0 else None)),
    Signal("cancellation", "Cancellation contact", lambda f: (f["n_cancellation_contacts_90d"] > 0).astype(float),
           lambda r: "asked to cancel in the last 90 days" if r.n_cancellation_contacts_90d > 0 else None),
    Signal("open_complaint", "Open complaint", lambda f: (f["n_open_complaints"] > 0).astype(float),
           lambda r: "a complaint still open" if r.n_open_complaints > 0 else None),
    Signal("open_requests", "Open requests", lambda f: f["n_open_requests"].clip(upper=4).astype(float),
           lambda r: f"{fmt.plural(int(r.n_open_requests), 'request')} still open" if r.n_open_requests > 0 else None),
    Signal("sla_breaches", "SLA breaches", lambda f: f["n_sla_breaches_90d"].clip(upper=5).astype(float),
           lambda r: (f"{fmt.plural(int(r.n_sla_breaches_90d), 'missed SLA', 'missed SLAs')} in the last 90 days"
                      if r.n_sla_breaches_90d > 0 else None)),
    Signal("nps_fell", "NPS fell", lambda f: _drop(f["nps_before"], f["nps_last"]),
           lambda r: (f"NPS fell from {int(r.nps_before)} to {int(r.nps_last)}"
                      if pd.notna(r.nps_before) and pd.notna(r.nps_last) and r.nps_last < r.nps_before else None)),
    Signal("nps_low", "Detractor", lambda f: (10 - f["nps_last"].astype(float)).fillna(10 - 8.0),
           lambda r: (f"latest NPS answer {int(r.nps_last)} (detractor)"
                      if pd.notna(r.nps_last) and r.nps_last <= 6 else None)),
    Signal("nps_year", "Unhappy all year", lambda f: (10 - f["nps_mean_365d"].astype(float)).fillna(10 - 8.0),
           lambda r: (f"NPS answers averaged {r.nps_mean_365d:.1f} over the past year"
                      if pd.notna(r.nps_mean_365d) and r.nps_mean_365d <= 6 else None)),
    Signal("csat_low", "Low CSAT", lambda f: (5 - f["csat_90d"].astype(float)).fillna(5 - 4.2),
           lambda r: (f"CSAT averaged {r.csat_90d:.1f} (1-5) in the last 90 days"
                      if pd.notna(r.csat_90d) and r.csat_90d < 3 else None)),
    Signal("ces_low", "High effort", lambda f: (7 - f["ces_90d"].astype(float)).fillna(7 - 5.5),
           lambda r: (f"effort score averaged {r.ces_90d:.1f} (1-7, 7 = easiest) in the last 90 days"
                      if pd.notna(r.ces_90d) and r.ces_90d < 4 else None)),
    Signal("csat_fell", "CSAT fell", lambda f: _drop(f["csat_prior_90d"], f["csat_90d"]),
           lambda r: (f"CSAT down from {r.csat_prior_90d:.1f} to {r.csat_90d:.1f} (1-5) on the previous quarter"
                      if pd.notna(r.csat_prior_90d) and pd.notna(r.csat_90d) and r.csat_90d < r.csat_prior_90d - 0.5
                      else None)),
    Signal("ces_fell", "More effort", lambda f: _drop(f["ces_prior_90d"], f["ces_90d"]),
           lambda r: (f"effort score down from {r.ces_prior_90d:.1f} to {r.ces_90d:.1f} (1-7, 7 = easiest)"
                      if pd.notna(r.ces_prior_90d) and pd.notna(r.ces_90d) and r.ces_90d < r.ces_prior_90d - 0.5
                      else None)),
    Signal("spend_down", "Spend down", lambda f: -_change(f["spend_90d"], f["spend_prior_90d"]),
           lambda r: (f"spend down {_pct_down(r.spend_90d, r.spend_prior_90d)}% on the previous quarter"
                      if _pct_down(r.spend_90d, r.spend_prior_90d) >= 20 else None)),
    Signal("billing_down", "Downgrade", lambda f: -_change(f["last_invoice"].fillna(0), f["invoice_before"].fillna(0)),
           lambda r: (f"latest invoice {_pct_down(r.last_invoice, r.invoice_before)}% below the one before (a downgrade)"
                      if pd.notna(r.last_invoice) and pd.notna(r.invoice_before)
                      and _pct_down(r.last_invoice, r.invoice_before) >= 10 else None)),
    Signal("purchases_down", "Fewer purchases",
           lambda f: (f["n_purchases_prior_90d"] - f["n_purchases_90d"]).clip(lower=0, upper=5).astype(float),
           lambda r: (f"{fmt.plural(int(r.n_purchases_90d), 'purchase')} in the last 90 days, "
                      f"{int(r.n_purchases_prior_90d):,} the quarter before"
                      if r.n_purchases_prior_90d - r.n_purchases_90d >= 2 else None)),
    Signal("failed_payments", "Failed payment", lambda f: f["n_failed_payments_90d"].clip(upper=3).astype(float),
           lambda r: (f"{fmt.plural(int(r.n_failed_payments_90d), 'failed payment')} in the last 90 days"
                      if r.n_failed_payments_90d > 0 else None)),
    Signal("refunds", "Refunds", lambda f: f["n_refunds_90d"].clip(upper=3).astype(float),
           lambda r: f"{fmt.plural(int(r.n_refunds_90d), 'refund')} in the last 90 days" if r.n_refunds_90d > 0 else None),
    Signal("contacts_up", "More contacts",
           lambda f: np.log1p(f["n_contacts_90d"].astype(float)) - np.log1p(f["n_contacts_prior_90d"].astype(float)),
           lambda r: (f"{r.n_contacts_90d:,} contacts in the last 90 days, {r.n_contacts_prior_90d:,} the quarter before"
                      if r.n_contacts_90d >= 2 * max(r.n_contacts_prior_90d, 2) else None)),
    Signal("quiet", "Gone quiet", lambda f: f["days_since_contact"].fillna(0).clip(upper=365).astype(float) / 30,
           lambda r: (f"no contact in {int(r.days_since_contact):,} days"
                      if pd.notna(r.days_since_contact) and r.days_since_contact >= 120 else None)),
    Signal("new_customer", "New customer", lambda f: -np.log1p(f["tenure_days"].clip(lower=0).astype(float)),
           lambda r: f"a customer for only {int(r.tenure_days)} days" if r.tenure_days < 120 else None),
    Signal("value", "Annual value", lambda f: np.log1p(f["annual_value"].fillna(0).clip(lower=0).astype(float)), None),
)
SIGNAL_LABELS = {s.key: s.label for s in SIGNALS if s.reason is not None}
CATEGORIES = ("segment", "plan")  # one-hot inputs: they shift the baseline, never a reason


def matrix(features: pd.DataFrame) -> pd.DataFrame:
    """The model's numeric inputs, one column per signal, plus the categories one-hot."""
    out = pd.DataFrame({s.key: s.value(features).to_numpy(dtype=float) for s in SIGNALS}, index=features.index)
    for column in CATEGORIES:
        values = features[column].fillna("unknown").astype(str)
        for value in sorted(values.unique()):
            out[f"{column}={value}"] = (values == value).astype(float)
    return out


def reasons_for(row: pd.Series, order: list[str]) -> list[tuple[str, str]]:
    """(signal key, words) for the adverse signals of one customer, in the order given."""
    by_key = {s.key: s for s in SIGNALS}
    found = []
    for key in order:
        signal = by_key.get(key)
        if signal is None or signal.reason is None:
            continue
        words = signal.reason(row)
        if words:
            found.append((key, words))
    return found
