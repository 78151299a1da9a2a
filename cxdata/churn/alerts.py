"""Churn alerts: revenue at risk, the at-risk list under the alert rules, and the follow-up of
each alert (status, owner, notes) in the store beside the database.

An alert is one customer with the rules that fire for them (the score at or above the threshold,
or single signals such as "detractor with an open complaint"): a customer is listed once, however
many rules fire. Each change records the rules firing then; a closed alert reopens as new only
when a rule fires that was not firing when it was closed, so one reason never alerts twice.
Its store key carries the dataset id (sql/dataset_id.sql): a rebuilt demo that reuses customer
ids starts with fresh alerts instead of inheriting old statuses.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pandas as pd

from cxdata import db, exports
from cxdata.churn import features
from cxdata import formatting as fmt
from cxdata.access.roles import User
from cxdata.access.scoped import Refused, require, sees_customer_rows
from cxdata.filters import Filters
from cxdata.i18n import N_, _, n_
from cxdata.store import Store

KIND = "churn_alert"  # the store's record kind
THRESHOLD_ENV, SIGNALS_ENV = "CX_CHURN_THRESHOLD", "CX_CHURN_SIGNALS"
DEFAULT_THRESHOLD = 30.0
# The rules and statuses in English (N_): translated where shown (rule_label, status_label); the
# store keeps the keys.
RULES = {"score": N_("High risk score"),
         "detractor_open_complaint": N_("Detractor with an open complaint"),
         "cancellation_contact": N_("Asked to cancel"),
         "failed_payment": N_("Failed payment not recovered")}
# The rules as a sentence names them ("… or a single warning sign: asked to cancel").
RULES_IN_TEXT = {"score": N_("high risk score"),
                 "detractor_open_complaint": N_("detractor with an open complaint"),
                 "cancellation_contact": N_("asked to cancel"),
                 "failed_payment": N_("failed payment not recovered")}
DEFAULT_SIGNALS = ("detractor_open_complaint", "cancellation_contact", "failed_payment")
STATUSES = {"new": N_("New"), "acknowledged": N_("Acknowledged"), "plan": N_("Plan in place"),
            "saved": N_("Closed: saved"), "lost": N_("Closed: lost")}
CLOSED = ("saved", "lost")
BANDS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}   # sql/macros.sql churn_band_of
SAVED_CHECK_DAYS = 90   # a "saved" customer counts as kept if still active this long after
POINTS_LIMIT = 3000
# An explicit warning sign's reason, shown first in "Top reasons" when its rule is on (row: the alert's
# row), and the model's reasons it already says (cxdata/churn/features.py SIGNALS keys), left out.
EXPLICIT_REASONS = {
    "cancellation_contact": (lambda row: _("asked to cancel in the last 90 days"), ("cancellation",)),
    "failed_payment": (lambda row: _("a failed payment in the last 90 days, nothing paid since"), ("failed_payments",)),
    "detractor_open_complaint": (
        lambda row: (_("a detractor with a complaint still open") if pd.isna(row.get("nps_last")) else
                     _("a detractor (latest NPS answer {score}) with a complaint still open").format(
                         score=fmt.count(int(row["nps_last"])))),
        ("nps_low", "open_complaint")),
}


def rule_label(rule: str) -> str:
    """An alert rule's name in the language of this run ("High risk score"), the key if unknown."""
    return _(RULES[rule]) if rule in RULES else rule


def status_label(status: str) -> str:
    """An alert status in the language of this run ("Plan in place"); the store keeps the key."""
    return _(STATUSES[status]) if status in STATUSES else status


def rule_in_text(rule: str) -> str:
    """An alert rule as a sentence names it ("asked to cancel"), in the language of this run."""
    return _(RULES_IN_TEXT[rule]) if rule in RULES_IN_TEXT else rule


def signs_text(rules: Rules) -> str:
    """The warning signs switched on, as a sentence lists them ("asked to cancel and failed payment
    not recovered"), "" when none is."""
    return fmt.and_list(rule_in_text(s) for s in rules.signals) if rules.signals else ""


def _plain_threshold(raw: str) -> str:
    return _("The churn alert threshold set by the administrator ({value}) is not a score from 1 to 100").format(
        value=repr(raw))


class AlertSettingError(ValueError):
    """A churn alert setting ($CX_CHURN_...) has a value the app cannot use. The message names the
    setting for whoever runs the app; `plain` says it in words for an executive page or slide."""

    def __init__(self, message: str, plain: str):
        super().__init__(message)
        self.plain = plain


@dataclass(frozen=True)
class Rules:
    """The alert rules in force: the score threshold and the single signals switched on."""
    threshold: float = DEFAULT_THRESHOLD
    signals: tuple[str, ...] = DEFAULT_SIGNALS

    @classmethod
    def from_env(cls) -> Rules:
        """$CX_CHURN_THRESHOLD (0-100, default 30) and $CX_CHURN_SIGNALS (comma-separated rule names, or none)."""
        raw = os.environ.get(THRESHOLD_ENV, "").strip()
        try:
            threshold = float(raw) if raw else DEFAULT_THRESHOLD
        except ValueError:
            raise AlertSettingError(f"{THRESHOLD_ENV}={raw!r} is not a number; use a score from 1 to 100",  # untranslated: names the setting for whoever runs the app
                                    _plain_threshold(raw)) from None
        if not 0 < threshold <= 100:
            raise AlertSettingError(f"{THRESHOLD_ENV}={raw!r} is outside 1-100",  # untranslated: names the setting for whoever runs the app
                                    _plain_threshold(raw))
        listed = os.environ.get(SIGNALS_ENV)
        signals = DEFAULT_SIGNALS if listed is None else tuple(
            s.strip() for s in listed.split(",") if s.strip() and s.strip() != "none")
        unknown = sorted(set(signals) - (set(RULES) - {"score"}))
        if unknown:
            raise AlertSettingError(f"{SIGNALS_ENV} names unknown rule(s) {unknown}; "  # untranslated: names the setting for whoever runs the app
                                    f"use any of {sorted(set(RULES) - {'score'})} or none",  # untranslated: as above
                                    n_("The warning signs set by the administrator to raise a churn alert include "
                                       "{n} the app does not know",
                                       "The warning signs set by the administrator to raise a churn alert include "
                                       "{n} the app does not know", len(unknown)).format(n=fmt.count(len(unknown))))
        return cls(threshold, signals)

    def params(self, filters: Filters) -> dict:
        """The filters, the threshold and, per single sign, whether it is switched on (sql/macros.sql
        has_explicit_signal)."""
        return {**filters.params(), "threshold": self.threshold,
                "signs_on": {sign: sign in self.signals for sign in sorted(set(RULES) - {"score"})}}


def revenue_at_risk(reader: db.Reader, filters: Filters, rules: Rules = Rules()) -> pd.DataFrame:
    """Revenue at risk (sum of annual value x score / 100) and customers at or above the threshold:
    one row `dimension == "all"`, then one per segment and one per account owner."""
    return reader.run("churn_summary", rules.params(filters))


def headline(reader: db.Reader, filters: Filters, rules: Rules = Rules()) -> dict:
    """The board's numbers: value at risk, customers scored, at high risk and at the threshold by their
    score alone, and their annual value."""
    total = revenue_at_risk(reader, filters, rules)
    row = total[total["dimension"] == "all"]
    if row.empty:
        return {"value_at_risk": 0.0, "n_customers": 0, "n_at_risk": 0, "n_at_score": 0, "annual_value": 0.0}
    r = row.iloc[0]
    return {"value_at_risk": float(r["value_at_risk"]), "n_customers": int(r["n_customers"]),
            "n_at_risk": int(r["n_at_risk"]), "n_at_score": int(r["n_at_score"]),
            "annual_value": float(r["annual_value"])}


def alerts_sentence(n_at_risk: int, n_at_score: int, n_open: int, rules: Rules) -> str:
    """Open alerts, customers at high risk and the threshold in one sentence, from the same counts as the
    tiles: every customer at high risk has an alert (a score at or above the threshold, or a single
    warning sign); an alert stays open until it is closed as saved or lost."""
    n_signal = n_at_risk - n_at_score
    signs = signs_text(rules)
    threshold = fmt.number_text(f"{rules.threshold:g}")
    if n_at_risk == 0:
        if rules.signals:
            return _("No open alert: no customer is at a risk score of {threshold} or more or shows a single "
                     "warning sign ({signs}).").format(threshold=threshold, signs=signs)
        return _("No open alert: no customer is at a risk score of {threshold} or more.").format(threshold=threshold)
    at_score = n_("{n} customer at a risk score of {threshold} or more",
                  "{n} customers at a risk score of {threshold} or more", n_at_score).format(
        n=fmt.count(n_at_score), threshold=threshold)
    if rules.signals:
        # i18n: {at_score} is "12 customers at a risk score of 30 or more"; {signs} names the warning signs.
        parts = n_("{at_score} and {n} raised by a single warning sign ({signs})",
                   "{at_score} and {n} raised by a single warning sign ({signs})", n_signal).format(
            at_score=at_score, n=fmt.count(n_signal), signs=signs)
    else:
        parts = at_score
    closed = n_at_risk - n_open
    if not closed:
        # i18n: {parts} says who the alerts are for ("12 customers at a risk score of 30 or more …").
        return n_("{n} open alert: {parts}.", "{n} open alerts: {parts}.", n_open).format(
            n=fmt.count(n_open), parts=parts)
    customers = n_("{n} customer", "{n} customers", n_at_risk).format(n=fmt.count(n_at_risk))
    return n_("{n} open alert of {customers} at high risk ({parts}); {closed} closed as saved or lost.",
              "{n} open alerts of {customers} at high risk ({parts}); {closed} closed as saved or lost.",
              n_open).format(n=fmt.count(n_open), customers=customers, parts=parts, closed=fmt.count(closed))


def overview_line(reader: db.Reader, filters: Filters, store: Store, rules: Rules = Rules(),
                  with_alerts: bool = True) -> str | None:
    """The overview's one line: revenue at risk and open alerts (None before any score exists); the
    open alerts only `with_alerts` (a user who sees single customers: the count reads their list)."""
    info = model_info(reader)
    if info is None or pd.isna(info["scored_as_of"]):
        return None
    total = headline(reader, filters, rules)
    amount = fmt.money(total["value_at_risk"])
    if not with_alerts:
        return _("**{amount}** of annual value at risk of churning in the next 90 days").format(amount=amount)
    n_open = open_alert_count(reader, filters, store, rules)
    return n_("**{amount}** of annual value at risk of churning in the next 90 days · **{n}** open churn alert",
              "**{amount}** of annual value at risk of churning in the next 90 days · **{n}** open churn alerts",
              n_open).format(amount=amount, n=fmt.count(n_open))


def concentration_title(summary: pd.DataFrame, dimension: str) -> str:
    """A chart title that states the finding: which group holds the most revenue at risk, and its share."""
    rows = summary[summary["dimension"] == dimension]
    total = rows["value_at_risk"].sum()
    if rows.empty or total <= 0:
        return _("No revenue at risk under these filters")
    share = (100 * rows["value_at_risk"] / total).map(lambda v: int(f"{v:.0f}"))
    top = rows[share == share.max()]
    shown = fmt.percent(share.max(), 0)
    if len(top) == 1:
        return _("{name} holds {share} of the revenue at risk").format(name=top["member"].iloc[0], share=shown)
    return _("{names} each hold {share} of the revenue at risk").format(names=fmt.and_list(top["member"]), share=shown)


def flagged_title(summary: pd.DataFrame, threshold: float) -> str:
    """The risk-against-value chart's finding: how much of the revenue at risk the flagged customers carry."""
    total = summary[summary["dimension"] == "all"]
    if total.empty or total.iloc[0]["n_at_risk"] == 0:
        return _("No customer at high risk (a score of {threshold} or more, or a warning sign): call the highest "
                 "value first").format(threshold=fmt.number_text(f"{threshold:g}"))
    row = total.iloc[0]
    n = int(row["n_at_risk"])
    return n_("{n} at high risk carries {amount} at risk", "{n} at high risk carry {amount} at risk", n).format(
        n=fmt.count(n), amount=fmt.money(row["value_at_risk_flagged"]))


def model_info(reader: db.Reader) -> dict | None:
    """Which score is in use (cxdata.churn.model.MODEL or RULES), as of when, trained on how many."""
    info = reader.run("churn_model_info")
    return None if info.empty else info.iloc[0].to_dict()


def dataset_id(reader: db.Reader) -> str:
    found = reader.run("dataset_id")
    return "unnamed" if found.empty else str(found.iloc[0]["dataset_id"])


def alert_key(dataset: str, customer_id: str) -> str:
    return f"{dataset}:{customer_id}"


def at_risk(reader: db.Reader, filters: Filters, store: Store, rules: Rules = Rules()) -> pd.DataFrame:
    """Every customer with an alert under the filters, the high band first by revenue at risk (every
    alert is in it), explicit warning signs as the first reasons, with its follow-up
    state (status, owner, note, last change); an alert nobody has touched is "new", owned by the
    account owner, and a closed one with a rule that was not firing at its close is "new" again."""
    listed = reader.run("churn_alerts", rules.params(filters))
    return with_follow_up(with_explicit_reasons(listed), dataset_id(reader), store)


def with_explicit_reasons(alerts: pd.DataFrame) -> pd.DataFrame:
    """Each alert's explicit warning signs (its rules other than the score) as its first reasons, in
    plain words, then the model's reasons minus those the signs already say, all in the language of
    this run (the scores store the model's reasons as values, features.reason_words)."""
    reasons, keys = [], []
    for row in alerts.to_dict("records"):
        first, covered = [], set()
        for rule in row["rules"]:
            if rule in EXPLICIT_REASONS:
                words, said = EXPLICIT_REASONS[rule]
                first.append(words(row))
                covered.update(said)
        kept = [(k, features.reason_words(k, r)) for k, r in zip(row["reason_keys"], row["reasons"]) if k not in covered]
        reasons.append(first + [r for _k, r in kept])
        keys.append(sorted(covered) + [k for k, _r in kept])
    return alerts.assign(reasons=pd.Series(reasons, index=alerts.index, dtype=object),
                         reason_keys=pd.Series(keys, index=alerts.index, dtype=object))


def open_alert_count(reader: db.Reader, filters: Filters, store: Store, rules: Rules = Rules()) -> int:
    """How many alerts under the filters are not closed (the list's ids and rules only, no reasons)."""
    ids = with_follow_up(reader.run("churn_alert_ids", rules.params(filters)), dataset_id(reader), store)
    return int((~ids["status"].isin(CLOSED)).sum())


def with_follow_up(alerts: pd.DataFrame, dataset: str, store: Store) -> pd.DataFrame:
    """Alerts (customer_id, rules, account_owner when listed) joined to their latest follow-up state."""
    alerts = alerts.assign(alert_key=[alert_key(dataset, c) for c in alerts["customer_id"]],
                           rules=alerts["rules"].map(list))
    merged = alerts.merge(follow_up_state(store), how="left", left_on="alert_key", right_index=True)
    known = merged["rules_then"].map(lambda r: set(r) if isinstance(r, list) else set())
    new_reason = pd.Series([bool(set(now) - then) for now, then in zip(merged["rules"], known)],
                           index=merged.index, dtype=bool)
    merged["is_reopened"] = merged["status"].isin(CLOSED) & new_reason
    merged["status"] = merged["status"].where(~merged["is_reopened"]).fillna("new")
    merged["owner"] = merged["owner"].fillna(merged.get("account_owner", pd.Series(index=merged.index)))
    merged["note"] = merged["note"].fillna("")
    versions = store.versions(KIND)
    merged["version"] = [versions.get(k, 0) for k in merged["alert_key"]]
    return merged.drop(columns=["rules_then"])


def follow_up_state(store: Store) -> pd.DataFrame:
    """The latest status, owner and note per alert key, with when and by whom it last changed."""
    current = store.current(KIND)
    fields = ["status", "owner", "note", "rules"]
    if current.empty:
        return pd.DataFrame(columns=[*fields, "changed_at", "changed_by"]).rename_axis("alert_key").rename(
            columns={"rules": "rules_then"})
    values = current.pivot(index="key", columns="field", values="value")
    last = current.sort_values("changed_at").groupby("key").last()[["changed_at", "changed_by"]]
    state = values.reindex(columns=fields).join(last).rename(columns={"rules": "rules_then"})
    return state.rename_axis("alert_key")


EDITABLE = ("status", "owner", "note")


def may_change(user: User, alert) -> bool:
    """Who works an alert: executives and the administrator, cx managers whose scope holds the
    customer, and the alert's owner (named by their e-mail address)."""
    if user.role in ("admin", "executive"):
        return True
    if user.role == "cx_manager" and sees_customer_rows(user):
        return all(user.scope[key] is None or alert.get(key) in user.scope[key] for key in ("segment", "region", "plan"))
    owner = alert.get("owner")
    return isinstance(owner, str) and owner.strip().lower() == user.email.lower()


def change(store: Store, key: str, user: User, rules: list[str], status: str | None = None,
           owner: str | None = None, note: str | None = None, *, alert, seen: int | None = None) -> None:
    """Record a follow-up change by `user` (their e-mail in the history) of the fields given, with the
    rules firing now, after checking they may work `alert` (its row in the list: segment, region,
    plan, owner). With `seen`, the alert's version the person's page showed (its `version` column),
    a field changed by someone else since refuses the change (store.Conflict): an outdated page
    never overwrites."""
    if not may_change(user, alert):
        raise Refused(_("{email} may not change this alert: it is worked by its owner, cx managers of its segment "
                        "and region, and executives").format(email=user.email))
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown alert status {status!r}; use one of {', '.join(STATUSES)}")  # untranslated: a caller's mistake, for developers
    fields = {name: value for name, value in (("status", status), ("owner", owner), ("note", note))
              if value is not None}
    fields["rules"] = sorted(rules)
    store.change(KIND, key, fields, user.email, seen=seen, checked=EDITABLE)


def edited(shown: dict[str, object], now: dict[str, object]) -> dict[str, object]:
    """The fields the person changed: those whose value differs from what their page showed, so a
    save never writes back a field they left alone (someone else may have changed it since)."""
    return {field: now[field] for field in EDITABLE if field in now and now[field] != shown.get(field)}


def follow_up_summary(reader: db.Reader, store: Store, newest_on: dt.date | None) -> dict:
    """This dataset's alerts by status, the average days from first action to close, and how many
    customers marked saved were still active SAVED_CHECK_DAYS after (of those that long ago)."""
    prefix = dataset_id(reader) + ":"
    history = store.history(KIND)
    history = history[history["key"].str.startswith(prefix)]
    by_status = {s: 0 for s in STATUSES}
    result = {"by_status": by_status, "avg_days_to_close": None, "n_closed": 0,
              "n_saved_checked": 0, "n_saved_kept": 0}
    if history.empty:
        return result
    history = history.assign(changed_on=pd.to_datetime(history["changed_at"], utc=True, format="ISO8601"))
    statuses = history[history["field"] == "status"]
    latest = statuses.groupby("key").last()
    for status in latest["value"]:
        by_status[status] = by_status.get(status, 0) + 1
    first = history.groupby("key")["changed_on"].min()
    closed = latest[latest["value"].isin(CLOSED)]
    if not closed.empty:
        days = (closed["changed_on"] - first.reindex(closed.index)).dt.total_seconds() / 86400
        result["avg_days_to_close"], result["n_closed"] = float(days.mean()), len(closed)
    saved = closed[closed["value"] == "saved"]
    if newest_on is not None and not saved.empty:
        due = saved[saved["changed_on"].dt.date + dt.timedelta(days=SAVED_CHECK_DAYS) <= newest_on]
        if not due.empty:
            ids = [key.split(":", 1)[1] for key in due.index]
            churned = reader.run("churn_customer_status", {"customer_ids": ids}).set_index("customer_id")["churned_on"]
            kept = 0
            for customer_id, closed_on in zip(ids, due["changed_on"].dt.date):
                left = churned.get(customer_id)
                kept += pd.isna(left) or pd.Timestamp(left).date() > closed_on + dt.timedelta(days=SAVED_CHECK_DAYS)
            result["n_saved_checked"], result["n_saved_kept"] = len(due), int(kept)
    return result


def narrow(alerts: pd.DataFrame, rules=(), owners=(), reasons=(), statuses=()) -> pd.DataFrame:
    """The list's own filters (none chosen = all): any of the alert rules that raised it, alert owner,
    any of the reasons, status. (Every alert is in the high band, so the band chooses nothing.)"""
    keep = pd.Series(True, index=alerts.index)
    for column, chosen in (("owner", owners), ("status", statuses)):
        if chosen:
            keep &= alerts[column].isin(chosen)
    if rules:
        keep &= alerts["rules"].map(lambda fired: bool(set(fired) & set(rules)))
    if reasons:
        keep &= alerts["reason_keys"].map(lambda keys: bool(set(keys) & set(reasons)))
    return alerts[keep]


def risk_points(reader: db.Reader, filters: Filters, rules: Rules = Rules(), limit: int = POINTS_LIMIT) -> pd.DataFrame:
    """The customers drawn in the risk-against-value chart (the most revenue at risk first)."""
    return reader.run("churn_risk_points", {**rules.params(filters), "limit": limit})


# The list's columns as account owners read them (N_): translated by export_frame; column_name(key) names one.
EXPORT_COLUMNS = {"customer_id": N_("Customer id"), "name": N_("Customer"), "segment": N_("Segment"),
                  "region": N_("Region"), "plan": N_("Plan"), "band": N_("Risk band"),
                  "score": N_("Risk score (0-100)"), "value_at_risk": N_("Revenue at risk"),
                  "reasons": N_("Top reasons"), "rules": N_("Alerts"), "annual_value": N_("Annual value"),
                  "next_renewal_on": N_("Next renewal"), "expected_purchase_on": N_("Expected purchase"),
                  "account_owner": N_("Account owner"), "owner": N_("Alert owner"), "status": N_("Status"),
                  "note": N_("Notes")}


def column_name(key: str) -> str:
    """An exported column's name in the language of this run ("Top reasons")."""
    return _(EXPORT_COLUMNS[key])


def for_user(alerts: pd.DataFrame, user: User) -> pd.DataFrame:
    """The list as `user` may see it: for a role without names, each customer by their id only (the id
    lets someone who may see names look them up, and says nothing about the person)."""
    if user.may("see_names"):
        return alerts
    return alerts.assign(name=alerts["customer_id"])


def export_frame(alerts: pd.DataFrame) -> pd.DataFrame:
    """The at-risk list as account owners read it: plain column names, reasons as one text."""
    out = alerts.reindex(columns=list(EXPORT_COLUMNS)).copy()
    out["reasons"] = out["reasons"].map(lambda r: "; ".join(r) if r is not None else "")
    out["rules"] = out["rules"].map(lambda r: "; ".join(rule_label(x) for x in r) if r is not None else "")
    out["status"] = out["status"].map(status_label)
    out["band"] = out["band"].map(lambda band: _(BANDS[band]) if band in BANDS else band)
    for column in ("next_renewal_on", "expected_purchase_on"):
        out[column] = pd.to_datetime(out[column]).dt.date
    return out.rename(columns={key: column_name(key) for key in EXPORT_COLUMNS})


def to_csv(alerts: pd.DataFrame, user: User) -> bytes:
    """The list as a CSV for a user who may export rows (names masked for a role without them)."""
    require(user, "export_rows")
    return exports.csv_bytes(export_frame(for_user(alerts, user)))


def to_excel(alerts: pd.DataFrame, user: User) -> bytes:
    require(user, "export_rows")
    return exports.xlsx_bytes(export_frame(for_user(alerts, user)), _("At risk"))
