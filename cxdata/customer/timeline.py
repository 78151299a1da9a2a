"""One customer's events as one timeline, newest first: contacts, survey answers (comments masked),
transactions and changes of segment, plan, value or owner from the database (sql/customer_timeline.sql);
the risk score at each scoring (sql/customer_risk.sql); every change of their churn alert and of their
follow-up cases from the store beside the database, with who made it.

Each event is one row with a short title and a detail in the language of this run; the keys (`event`)
stay in English for the page's filters and tests.
"""
from __future__ import annotations

import pandas as pd

from cxdata import formatting as fmt
from cxdata.churn import alerts, features
from cxdata.i18n import N_, _
from cxdata.load.zones import company_timezone
from cxdata.masking import mask

COLUMNS = ["at", "event", "title", "detail", "by"]
# Each kind of event as the timeline's filter names it (translated where shown: event_label).
EVENTS = {"contact": N_("Contacts"), "answer": N_("Survey answers"), "transaction": N_("Transactions"),
          "change": N_("Changes of plan, segment, value or owner"), "risk": N_("Risk scores"),
          "alert": N_("Churn alert"), "case": N_("Follow-up cases"), "customer": N_("Joined or left")}
SURVEYS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}  # untranslated: the scores' names in every language
SCALES = {"nps": "0-10", "csat": "1-5", "ces": "1-7"}     # untranslated: a scale, as the other pages write it
FIELDS = {"segment": N_("Segment"), "plan": N_("Plan"), "annual_value": N_("Annual value"),
          "account_owner": N_("Account owner")}
ALERT_FIELDS = ("status", "owner", "note")


def event_label(event: str) -> str:
    """A kind of event as the timeline's filter names it, in the language of this run."""
    return _(EVENTS[event]) if event in EVENTS else event


def _text(x) -> str | None:
    """A value of a row as text, None when there is none (NaN, NaT, an empty string)."""
    if x is None or pd.isna(x):
        return None
    x = str(x).strip()
    return x or None


def _joined(*parts) -> str:
    return " · ".join(p for p in parts if p)


# ---- Rows from the database -----------------------------------------------------------------------

def from_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """sql/customer_timeline.sql's rows as timeline events (comments masked)."""
    events = [_event(r) for r in rows.itertuples(index=False)]
    return pd.DataFrame(events, columns=COLUMNS)


def _event(r) -> tuple:
    at = pd.Timestamp(r.at)
    if r.event == "contact":
        return at, "contact", _contact_title(r), _contact_detail(r), None
    if r.event == "answer":
        return at, "answer", _answer_title(r), _answer_detail(r), None
    if r.event == "transaction":
        return at, "transaction", _transaction_title(r), _text(r.item_id), None
    field = _(FIELDS[r.what]) if r.what in FIELDS else r.what
    before, after = _field_value(r.what, r.value_before), _field_value(r.what, r.value_after)
    return at, "change", _("{field} changed from {before} to {after}").format(field=field, before=before,
                                                                             after=after), None, None


def _contact_title(r) -> str:
    kind, channel = _text(r.what), _text(r.channel)
    if kind and channel:
        return _("Contact: {kind} by {channel}").format(kind=kind.replace("_", " "), channel=channel.replace("_", " "))
    if channel:
        return _("Contact by {channel}").format(channel=channel.replace("_", " "))
    return _("Contact: {kind}").format(kind=kind.replace("_", " ")) if kind else _("Contact")


def _contact_detail(r) -> str:
    resolved = pd.Timestamp(r.resolved_at) if _text(r.resolved_at) else None
    if resolved is None:
        state = _("still open")
    else:
        state = _("resolved after {time}").format(time=fmt.duration((resolved - pd.Timestamp(r.at)).total_seconds()))
    escalated = _("escalated") if r.is_escalated is True else None
    return _joined(_text(r.department), _text(r.touchpoint), state, escalated)


def _answer_title(r) -> str:
    survey = SURVEYS.get(r.what, _text(r.what) or "")
    score = fmt.count(r.score) if pd.notna(r.score) else fmt.MISSING
    scale = SCALES.get(r.what)
    if scale:
        return _("{survey} answer: {score} ({scale})").format(survey=survey, score=score, scale=scale)
    return _("{survey} answer: {score}").format(survey=survey, score=score)


def _answer_detail(r) -> str:
    comment = _text(mask(r.comment)) if _text(r.comment) else None
    where = _joined(_text(r.department), _text(r.touchpoint))
    return _joined(f"“{comment}”" if comment else None, where)


def _transaction_title(r) -> str:
    kind = _text(r.what)
    amount = fmt.money(float(r.amount)) if pd.notna(r.amount) else fmt.MISSING
    if kind:
        return _("{kind}: {amount}").format(kind=kind.replace("_", " ").capitalize(), amount=amount)
    return _("Transaction: {amount}").format(amount=amount)


def _field_value(field: str, value) -> str:
    text = _text(value)
    if text is None:
        return fmt.MISSING
    if field == "annual_value":
        try:
            return fmt.money(float(text))
        except ValueError:
            return text
    return text


# ---- The risk score over time -----------------------------------------------------------------------

def reason_texts(keys, stored) -> list[str]:
    """A scoring's stored reasons in words in the language of this run (features.reason_words)."""
    if keys is None or stored is None:
        return []
    return [features.reason_words(k, r) for k, r in zip(list(keys), list(stored))]


def from_risk(risk: pd.DataFrame) -> pd.DataFrame:
    """Each scoring as an event: the score, its band and its reasons."""
    events = []
    for r in risk.itertuples(index=False):
        band = _(alerts.BANDS[r.band]) if r.band in alerts.BANDS else r.band
        title = _("Risk score {score} ({band} risk)").format(score=fmt.number(r.score, 0), band=band)
        events.append((pd.Timestamp(r.scored_on), "risk", title, "; ".join(reason_texts(r.reason_keys, r.reasons)) or None,
                       None))
    return pd.DataFrame(events, columns=COLUMNS)


# ---- The store: the churn alert's history and the follow-up cases' ------------------------------------

def from_changes(history: pd.DataFrame, event: str, name: str, status_label, cause_label=str) -> pd.DataFrame:
    """A store record's changes (Store.history of one key, oldest first) as events, one per save (the
    fields written together at one time by one person): "{name}: Plan in place", the owner and note
    in the detail, who saved it in `by`."""
    if history.empty:
        return pd.DataFrame(columns=COLUMNS)
    events = []
    for (at, by), saved in history.groupby(["changed_at", "changed_by"], sort=False):
        fields = dict(zip(saved["field"], saved["value"]))
        status = fields.get("status")
        title = (_("{name}: {status}").format(name=name, status=status_label(status)) if status
                 else _("{name} updated").format(name=name))
        parts = []
        if fields.get("owner"):
            parts.append(_("owner {owner}").format(owner=fields["owner"]))
        if fields.get("root_cause"):
            parts.append(_("root cause: {cause}").format(cause=cause_label(fields["root_cause"])))
        if fields.get("note"):
            parts.append(f"“{mask(str(fields['note']))}”")
        events.append((_store_time(at), event, title, _joined(*parts) or None, by))
    return pd.DataFrame(events, columns=COLUMNS)


def _store_time(at) -> pd.Timestamp:
    """A store's change time (ISO text in UTC) on the company's clock, as the database's times are kept."""
    return company_clock(pd.Timestamp(at))


def company_clock(at: pd.Timestamp) -> pd.Timestamp:
    """A time with a zone (the store's, in UTC) as a naive time on the company's clock ($CX_TIMEZONE),
    as the data's own times are; a naive time is taken to be UTC."""
    stamp = at if at.tzinfo else at.tz_localize("UTC")
    return stamp.tz_convert(company_timezone()).tz_localize(None)


def alert_events(history: pd.DataFrame) -> pd.DataFrame:
    """The churn alert's changes (store kind churn_alert) as events."""
    return from_changes(history, "alert", _("Churn alert"), alerts.status_label)


def joined_and_left(started_on, churned_on) -> pd.DataFrame:
    """The customer's start and, if they left, the day they left, as events."""
    events = []
    if started_on is not None and not pd.isna(started_on):
        events.append((pd.Timestamp(started_on), "customer", _("Became a customer"), None, None))
    if churned_on is not None and not pd.isna(churned_on):
        events.append((pd.Timestamp(churned_on), "customer", _("Left"), None, None))
    return pd.DataFrame(events, columns=COLUMNS)


def merged(parts: list[pd.DataFrame], oldest: pd.Timestamp | None) -> pd.DataFrame:
    """Every event of the parts, newest first; with `oldest` (the database rows were cut there), those
    before it are left for "show more", so no gap opens between what is shown and what is not."""
    kept = [p for p in parts if not p.empty]
    if not kept:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(kept, ignore_index=True)
    out["at"] = pd.to_datetime(out["at"])
    if oldest is not None:
        out = out[out["at"] >= oldest]
    order = {event: i for i, event in enumerate(EVENTS)}
    out = out.assign(_order=out["event"].map(order)).sort_values(["at", "_order"], ascending=[False, True], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)

