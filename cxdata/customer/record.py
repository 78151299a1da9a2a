"""One customer's whole record for the Customer page: who they are and what they are worth (the
header), their risk now and over time, their churn alert, and one timeline of everything that happened.

Every read goes through the reader it is given (the app's is narrowed to the user's scope), so a
customer outside the user's scope reads exactly as one that does not exist: `record` gives None.
"""
from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxdata import followup
from cxdata import formatting as fmt
from cxdata.churn import alerts
from cxdata.customer import timeline
from cxdata.customer.search import EVERY_CUSTOMER
from cxdata.filters import Filters
from cxdata.followup import rules as followup_rules
from cxdata.i18n import _, n_
from cxdata.store import Store

TIMELINE_LIMIT = 200   # database events shown at first, newest first; "show more" asks for more
MORE = 200             # how many more each "show more" adds


@dataclass(frozen=True)
class Record:
    customer_id: str
    name: str | None
    segment: str | None
    region: str | None
    country: str | None
    plan: str | None
    account_owner: str | None
    started_on: dt.date | None       # customer_started: the signup date, else their first activity
    churned_on: dt.date | None
    annual_value: float | None
    revenue: float | None            # every transaction's amount, refunds negative
    n_transactions: int
    tenure_days: int | None          # to `today`, or to the day they left
    score: float | None              # the risk score now (None: not scored, e.g. no longer a customer)
    band: str | None
    reasons: list[str]               # the score's reasons now, in words
    alert: dict | None               # the churn alert: status, owner, note (None: never alerted)
    risk: pd.DataFrame               # scored_on, score, band, reasons (text): oldest first
    timeline: pd.DataFrame           # timeline.COLUMNS, newest first
    n_database_events: int           # contacts, answers, transactions, changes in all
    n_database_shown: int            # of which the timeline holds this many (the newest)
    cases: pd.DataFrame              # the follow-up cases (cxdata.followup.cases' columns)

    @property
    def is_cut(self) -> bool:
        """Whether older events remain to be shown ("show more")."""
        return self.n_database_events > self.n_database_shown

    @property
    def title(self) -> str:
        return f"{self.name} · {self.customer_id}" if self.name else self.customer_id

    def tenure_text(self) -> str:
        return tenure_text(self.tenure_days)


def tenure_text(days: int | None) -> str:
    """How long someone has been a customer, as a person says it: 20 days, 7 months, 2.5 years."""
    if days is None:
        return fmt.MISSING
    if days < 60:
        return n_("{n} day", "{n} days", days).format(n=fmt.count(days))
    if days < 730:
        months = int(days // 30.44)
        return n_("{n} month", "{n} months", months).format(n=fmt.count(months))
    years = round(days / 365.25, 1)
    whole = years == int(years)
    return n_("{n} year", "{n} years", int(years) if whole else 2).format(n=fmt.number(years, 0 if whole else 1))


def record(reader, store: Store, customer_id: str, today: dt.date, limit: int = TIMELINE_LIMIT,
           rules: alerts.Rules = alerts.Rules()) -> Record | None:
    """Customer `customer_id`'s record as of `today` (the data's newest day), with the newest `limit`
    events of the database in its timeline; None when the reader's user has no such customer in scope."""
    customer_id = str(customer_id).strip()
    # the alert rules' $threshold and $signs_on, and every customer the reader's scope holds
    params = {**rules.params(Filters(today, today)), "customer_id": customer_id, "filters": EVERY_CUSTOMER}
    head = reader.run("customer_header", params)
    if head.empty:
        return None
    h = head.iloc[0]
    started, churned = _day(h["started_on"]), _day(h["churned_on"])
    end = min(today, churned) if churned else today
    tenure = (end - started).days if started else None

    rows = reader.run("customer_timeline", {**params, "limit": limit})
    n_events = int(rows["n_rows"].iloc[0]) if not rows.empty else 0
    oldest = pd.Timestamp(rows["at"].min()) if n_events > len(rows) else None
    risk = reader.run("customer_risk", params)
    history = store.history(alerts.KIND, alerts.alert_key(alerts.dataset_id(reader), customer_id))
    cases, case_events = follow_up_cases(reader, store, customer_id, today,
                                         {key: _text(h[key]) for key in ("segment", "region", "plan")})
    events = timeline.merged([timeline.from_rows(rows), timeline.from_risk(risk), timeline.alert_events(history),
                              timeline.joined_and_left(started, churned), case_events], oldest)
    return Record(
        customer_id=customer_id, name=_text(h["name"]), segment=_text(h["segment"]), region=_text(h["region"]),
        country=_text(h["country"]), plan=_text(h["plan"]), account_owner=_text(h["account_owner"]),
        started_on=started, churned_on=churned, annual_value=_number(h["annual_value"]),
        revenue=_number(h["revenue"]), n_transactions=int(h["n_transactions"]), tenure_days=tenure,
        score=_number(h["score"]), band=_text(h["band"]),
        reasons=timeline.reason_texts(_listed(h["reason_keys"]), _listed(h["reasons"])),
        alert=alert_state(reader, store, customer_id, h, history),
        risk=risk.assign(reasons=[timeline.reason_texts(k, r) for k, r in zip(risk["reason_keys"], risk["reasons"])]
                         if not risk.empty else [])[["scored_on", "score", "band", "reasons"]],
        timeline=events, n_database_events=n_events, n_database_shown=len(rows),
        cases=cases)


def alert_state(reader, store: Store, customer_id: str, head, history: pd.DataFrame) -> dict | None:
    """The churn alert as the churn page shows it: status, owner and note, an untouched alert "new"
    and owned by the account owner, a closed one reopened by a new rule (alerts.with_follow_up);
    a closed alert no rule fires for any more keeps its last status. None: never alerted."""
    rules = _listed(head["rules"])
    if not rules and history.empty:
        return None
    if rules:
        listed = pd.DataFrame({"customer_id": [customer_id], "rules": [rules],
                               "account_owner": [head["account_owner"]]})
        row = alerts.with_follow_up(listed, alerts.dataset_id(reader), store).iloc[0]
        return {"status": row["status"], "owner": _text(row["owner"]), "note": _text(row["note"]), "rules": rules}
    latest = history.groupby("field")["value"].last()
    return {"status": latest.get("status", "new"), "owner": _text(latest.get("owner")),
            "note": _text(latest.get("note")), "rules": []}


def follow_up_cases(reader, store: Store, customer_id: str, today: dt.date,
                    about: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The customer's follow-up cases (cxdata.followup), and each one's opening and every change
    (status, root cause, note, with who) as timeline events. `about`: the customer's segment, region
    and plan, which narrow the cases read to customers like them when cases() cannot take one customer."""
    if "customer_id" in inspect.signature(followup.cases).parameters:   # one customer's rows alone
        mine = followup.cases(reader, store, today, names=False, customer_id=customer_id)
    else:
        alike = Filters(today, today, **{key: [value] for key, value in about.items() if value})
        listed = followup.cases(reader, store, today, alike, names=False)
        mine = listed[listed["customer_id"] == customer_id]
    parts = []
    for case in mine.itertuples(index=False):
        opened = _("Follow-up case opened: {reason}").format(reason=followup_rules.reason_label(case.reason))
        owner = (_("owner {owner}").format(owner=case.owner)
                 if _text(case.owner) and case.owner != case.department else None)   # a department owning its own case
        parts.append(pd.DataFrame([(timeline.company_clock(pd.Timestamp(case.opened_at)), "case", opened,
                                    _joined(case.department, owner), None)], columns=timeline.COLUMNS))
        parts.append(timeline.from_changes(followup.history(store, case.case_id), "case", _("Follow-up case"),
                                           followup_rules.status_label, followup_rules.root_cause_label))
    return mine.reset_index(drop=True), timeline.merged(parts, None)


def _joined(*parts) -> str:
    return " · ".join(str(p) for p in parts if _text(p))


def _listed(x) -> list:
    """A list column's value as a list: [] for none (a customer not scored has no rules)."""
    return list(x) if isinstance(x, (list, tuple, np.ndarray)) else []


def _text(x) -> str | None:
    if x is None or isinstance(x, (list, tuple, np.ndarray)) or pd.isna(x):
        return None
    return str(x)


def _number(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _day(x) -> dt.date | None:
    return None if x is None or pd.isna(x) else pd.Timestamp(x).date()
