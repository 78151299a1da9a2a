"""Risk features as of a date: the SQL's columns (sql/churn_features.sql), turned into the
model's numeric inputs, and each input's reason in plain words.

Every input is oriented so that a larger value means "more like a leaver" where that is its
plain reading (a drop, a count of bad events), which keeps the model's signs readable.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from cxdata import db
from cxdata import formatting as fmt
from cxdata.i18n import N_, _, n_

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
    """One model input: how it is computed, its short label, and its reason for one customer.

    A reason is kept as its values (`reason`: the numbers that make it, stored with the scores) and
    put in words only when shown (`words`), so the list reads in the language of whoever opens it."""
    key: str
    label: str                                        # the reason filter's choice: "Complaints" (N_)
    value: Callable[[pd.DataFrame], pd.Series]        # features frame -> input
    reason: Callable[[pd.Series], tuple | None] | None = None  # a row -> its values, None if not adverse
    words: Callable[..., str] | None = None           # those values -> the reason in words


def _pct_down(recent: float, prior: float) -> int:
    return round(100 * (prior - recent) / prior) if prior > 0 else 0


def _mean(x: float) -> float:
    """An average score as the reason shows it (one decimal), rounded once before it is stored."""
    return round(float(x), 1)


def _n(value) -> str:
    return fmt.count(int(value))


def _one(value) -> str:
    return fmt.number(float(value), 1)


SIGNALS: tuple[Signal, ...] = (
    Signal("complaints", N_("Complaints"), lambda f: f["n_complaints_90d"].clip(upper=6).astype(float),
           lambda r: (int(r.n_complaints_90d),) if r.n_complaints_90d > 0 else None,
           lambda n: n_("{n} complaint in the last 90 days", "{n} complaints in the last 90 days", n).format(n=_n(n))),
    Signal("escalations", N_("Escalations"), lambda f: f["n_escalations_90d"].clip(upper=4).astype(float),
           lambda r: (int(r.n_escalations_90d),) if r.n_escalations_90d > 0 else None,
           lambda n: n_("{n} escalation in the last 90 days", "{n} escalations in the last 90 days",
                        n).format(n=_n(n))),
    Signal("cancellation", N_("Cancellation contact"), lambda f: (f["n_cancellation_contacts_90d"] > 0).astype(float),
           lambda r: () if r.n_cancellation_contacts_90d > 0 else None,
           lambda: _("asked to cancel in the last 90 days")),
    Signal("open_complaint", N_("Open complaint"), lambda f: (f["n_open_complaints"] > 0).astype(float),
           lambda r: () if r.n_open_complaints > 0 else None,
           lambda: _("a complaint still open")),
    Signal("open_requests", N_("Open requests"), lambda f: f["n_open_requests"].clip(upper=4).astype(float),
           lambda r: (int(r.n_open_requests),) if r.n_open_requests > 0 else None,
           lambda n: n_("{n} request still open", "{n} requests still open", n).format(n=_n(n))),
    Signal("sla_breaches", N_("SLA breaches"), lambda f: f["n_sla_breaches_90d"].clip(upper=5).astype(float),
           lambda r: (int(r.n_sla_breaches_90d),) if r.n_sla_breaches_90d > 0 else None,
           lambda n: n_("{n} missed SLA in the last 90 days", "{n} missed SLAs in the last 90 days",
                        n).format(n=_n(n))),
    Signal("nps_fell", N_("NPS fell"), lambda f: _drop(f["nps_before"], f["nps_last"]),
           lambda r: ((int(r.nps_before), int(r.nps_last))
                      if pd.notna(r.nps_before) and pd.notna(r.nps_last) and r.nps_last < r.nps_before else None),
           lambda before, last: _("NPS fell from {before} to {last}").format(before=_n(before), last=_n(last))),
    Signal("nps_low", N_("Detractor"), lambda f: (10 - f["nps_last"].astype(float)).fillna(10 - 8.0),
           lambda r: (int(r.nps_last),) if pd.notna(r.nps_last) and r.nps_last <= 6 else None,
           lambda score: _("latest NPS answer {score} (detractor)").format(score=_n(score))),
    Signal("nps_year", N_("Unhappy all year"), lambda f: (10 - f["nps_mean_365d"].astype(float)).fillna(10 - 8.0),
           lambda r: (_mean(r.nps_mean_365d),) if pd.notna(r.nps_mean_365d) and r.nps_mean_365d <= 6 else None,
           lambda mean: _("NPS answers averaged {mean} over the past year").format(mean=_one(mean))),
    Signal("csat_low", N_("Low CSAT"), lambda f: (5 - f["csat_90d"].astype(float)).fillna(5 - 4.2),
           lambda r: (_mean(r.csat_90d),) if pd.notna(r.csat_90d) and r.csat_90d < 3 else None,
           lambda mean: _("CSAT averaged {mean} (1-5) in the last 90 days").format(mean=_one(mean))),
    Signal("ces_low", N_("High effort"), lambda f: (7 - f["ces_90d"].astype(float)).fillna(7 - 5.5),
           lambda r: (_mean(r.ces_90d),) if pd.notna(r.ces_90d) and r.ces_90d < 4 else None,
           lambda mean: _("effort score averaged {mean} (1-7, 7 = easiest) in the last 90 days").format(mean=_one(mean))),
    Signal("csat_fell", N_("CSAT fell"), lambda f: _drop(f["csat_prior_90d"], f["csat_90d"]),
           lambda r: ((_mean(r.csat_prior_90d), _mean(r.csat_90d))
                      if pd.notna(r.csat_prior_90d) and pd.notna(r.csat_90d) and r.csat_90d < r.csat_prior_90d - 0.5
                      else None),
           lambda before, now: _("CSAT down from {before} to {now} (1-5) on the previous quarter").format(
               before=_one(before), now=_one(now))),
    Signal("ces_fell", N_("More effort"), lambda f: _drop(f["ces_prior_90d"], f["ces_90d"]),
           lambda r: ((_mean(r.ces_prior_90d), _mean(r.ces_90d))
                      if pd.notna(r.ces_prior_90d) and pd.notna(r.ces_90d) and r.ces_90d < r.ces_prior_90d - 0.5
                      else None),
           lambda before, now: _("effort score down from {before} to {now} (1-7, 7 = easiest)").format(
               before=_one(before), now=_one(now))),
    Signal("spend_down", N_("Spend down"), lambda f: -_change(f["spend_90d"], f["spend_prior_90d"]),
           lambda r: ((_pct_down(r.spend_90d, r.spend_prior_90d),)
                      if _pct_down(r.spend_90d, r.spend_prior_90d) >= 20 else None),
           lambda pct: _("spend down {share} on the previous quarter").format(share=fmt.percent(pct, 0))),
    Signal("billing_down", N_("Downgrade"),
           lambda f: -_change(f["last_invoice"].fillna(0), f["invoice_before"].fillna(0)),
           lambda r: ((_pct_down(r.last_invoice, r.invoice_before),)
                      if pd.notna(r.last_invoice) and pd.notna(r.invoice_before)
                      and _pct_down(r.last_invoice, r.invoice_before) >= 10 else None),
           lambda pct: _("latest invoice {share} below the one before (a downgrade)").format(share=fmt.percent(pct, 0))),
    Signal("purchases_down", N_("Fewer purchases"),
           lambda f: (f["n_purchases_prior_90d"] - f["n_purchases_90d"]).clip(lower=0, upper=5).astype(float),
           lambda r: ((int(r.n_purchases_90d), int(r.n_purchases_prior_90d))
                      if r.n_purchases_prior_90d - r.n_purchases_90d >= 2 else None),
           lambda n, before: n_("{n} purchase in the last 90 days, {before} the quarter before",
                                "{n} purchases in the last 90 days, {before} the quarter before", n).format(
               n=_n(n), before=_n(before))),
    Signal("failed_payments", N_("Failed payment"), lambda f: f["n_failed_payments_90d"].clip(upper=3).astype(float),
           lambda r: (int(r.n_failed_payments_90d),) if r.n_failed_payments_90d > 0 else None,
           lambda n: n_("{n} failed payment in the last 90 days", "{n} failed payments in the last 90 days",
                        n).format(n=_n(n))),
    Signal("refunds", N_("Refunds"), lambda f: f["n_refunds_90d"].clip(upper=3).astype(float),
           lambda r: (int(r.n_refunds_90d),) if r.n_refunds_90d > 0 else None,
           lambda n: n_("{n} refund in the last 90 days", "{n} refunds in the last 90 days", n).format(n=_n(n))),
    Signal("contacts_up", N_("More contacts"),
           lambda f: np.log1p(f["n_contacts_90d"].astype(float)) - np.log1p(f["n_contacts_prior_90d"].astype(float)),
           lambda r: ((int(r.n_contacts_90d), int(r.n_contacts_prior_90d))
                      if r.n_contacts_90d >= 2 * max(r.n_contacts_prior_90d, 2) else None),
           lambda n, before: _("{n} contacts in the last 90 days, {before} the quarter before").format(
               n=_n(n), before=_n(before))),
    Signal("quiet", N_("Gone quiet"), lambda f: f["days_since_contact"].fillna(0).clip(upper=365).astype(float) / 30,
           lambda r: ((int(r.days_since_contact),)
                      if pd.notna(r.days_since_contact) and r.days_since_contact >= 120 else None),
           lambda days: _("no contact in {days} days").format(days=_n(days))),
    Signal("new_customer", N_("New customer"), lambda f: -np.log1p(f["tenure_days"].clip(lower=0).astype(float)),
           lambda r: (int(r.tenure_days),) if r.tenure_days < 120 else None,
           lambda days: n_("a customer for only {days} day", "a customer for only {days} days", days).format(
               days=_n(days))),
    Signal("value", N_("Annual value"),
           lambda f: np.log1p(f["annual_value"].fillna(0).clip(lower=0).astype(float))),
)
SIGNAL_LABELS = {s.key: s.label for s in SIGNALS if s.reason is not None}   # English: translate where shown
_BY_KEY = {s.key: s for s in SIGNALS}
CATEGORIES = ("segment", "plan")  # one-hot inputs: they shift the baseline, never a reason


def matrix(features: pd.DataFrame) -> pd.DataFrame:
    """The model's numeric inputs, one column per signal, plus the categories one-hot."""
    out = pd.DataFrame({s.key: s.value(features).to_numpy(dtype=float) for s in SIGNALS}, index=features.index)
    for column in CATEGORIES:
        values = features[column].fillna("unknown").astype(str)
        for value in sorted(values.unique()):
            out[f"{column}={value}"] = (values == value).astype(float)
    return out


def reason_values(row: pd.Series, order: list[str]) -> list[tuple[str, str]]:
    """(signal key, its values as stored) for the adverse signals of one customer, in the order given."""
    found = []
    for key in order:
        signal = _BY_KEY.get(key)
        if signal is None or signal.reason is None:
            continue
        values = signal.reason(row)
        if values is not None:
            found.append((key, json.dumps(list(values))))
    return found


def reason_words(key: str, stored: str) -> str:
    """A stored reason (its signal's values, as reason_values keeps them) in words in the language of
    this run; text stored in words already (an older database, an alert rule's reason) stays as it is."""
    signal = _BY_KEY.get(key)
    try:
        values = json.loads(stored)
    except (TypeError, ValueError):
        return stored
    if signal is None or signal.words is None or not isinstance(values, list):
        return stored
    return signal.words(*values)


def reasons_for(row: pd.Series, order: list[str]) -> list[tuple[str, str]]:
    """(signal key, words) for the adverse signals of one customer, in the order given."""
    return [(key, reason_words(key, stored)) for key, stored in reason_values(row, order)]
