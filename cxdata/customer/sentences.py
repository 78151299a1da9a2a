"""The Customer page's words: the header's lines, the risk chart's title, the timeline's count; each
a whole sentence in the language of this run, from a `Record`."""
from __future__ import annotations

from cxdata import formatting as fmt
from cxdata.churn import alerts
from cxdata.customer.record import Record
from cxdata.i18n import _, n_


def found_label(row, names: bool) -> str:
    """A search match as the picker lists it: "Ana Silva · C0000810 · SMB, Europe, Plus"."""
    about = ", ".join(str(v) for v in (row.segment, row.region, row.plan) if isinstance(v, str) and v)
    who = f"{row.name} · {row.customer_id}" if names and isinstance(row.name, str) and row.name else row.customer_id
    left = _("left on {day}").format(day=fmt.date(row.churned_on)) if _is_day(row.churned_on) else ""
    return " · ".join(p for p in (who, about, left) if p)


def about_line(record: Record) -> str:
    """Segment, region and country, plan, account owner, and whether they are still a customer."""
    where = ", ".join(v for v in (record.region, record.country) if v)
    parts = [v for v in (record.segment, where, record.plan) if v]
    parts.append(_("account owner {owner}").format(owner=record.account_owner or fmt.MISSING))
    if record.churned_on:
        parts.append(_("left on {day}").format(day=fmt.date(record.churned_on)))
    else:
        parts.append(_("active customer"))
    return " · ".join(parts)


def revenue_line(record: Record) -> str:
    if not record.n_transactions:
        return _("no transaction in the data")
    return n_("{amount} paid in all, {n} transaction", "{amount} paid in all, {n} transactions",
              record.n_transactions).format(amount=fmt.money(record.revenue), n=fmt.count(record.n_transactions))


def since_line(record: Record) -> str:
    if record.started_on is None:
        return _("start not in your data")
    return _("customer since {day}").format(day=fmt.date(record.started_on))


def risk_value(record: Record) -> str:
    return fmt.MISSING if record.score is None else fmt.number(record.score, 0)


def risk_caption(record: Record) -> str:
    if record.score is None:
        return _("not scored: no longer a customer") if record.churned_on else _("not scored")
    text = _("{band} risk, of 100").format(band=_band(record.band))
    return text[:1].upper() + text[1:]


def alert_value(record: Record) -> str:
    if record.alert is None:
        return _("No alert")
    return alerts.status_label(record.alert["status"])


def alert_caption(record: Record) -> str:
    """The alert's owner and why it fires now; or that no rule fires for the customer."""
    if record.alert is None:
        return _("no alert rule has fired for this customer")
    owner = record.alert.get("owner") or fmt.MISSING
    if record.alert["rules"]:
        return _("owner {owner} · {rules}").format(owner=owner,
                                                   rules=", ".join(alerts.rule_in_text(r) for r in record.alert["rules"]))
    return _("owner {owner} · no alert rule fires now").format(owner=owner)


def risk_title(record: Record) -> str:
    """The risk chart's finding: where the score went between the first scoring and the newest."""
    risk = record.risk
    if risk.empty:
        return _("No risk score for this customer")
    first, last = risk.iloc[0], risk.iloc[-1]
    now = fmt.number(last["score"], 0)
    if len(risk) == 1:
        return _("Risk of leaving: {score} of 100 on {day}").format(score=now, day=fmt.date(last["scored_on"]))
    then = fmt.number(first["score"], 0)
    if round(last["score"]) > round(first["score"]):
        return _("Risk of leaving rose from {then} to {now} since {day}").format(then=then, now=now,
                                                                               day=fmt.date(first["scored_on"]))
    if round(last["score"]) < round(first["score"]):
        return _("Risk of leaving fell from {then} to {now} since {day}").format(then=then, now=now,
                                                                               day=fmt.date(first["scored_on"]))
    return _("Risk of leaving held at {now} since {day}").format(now=now, day=fmt.date(first["scored_on"]))


def risk_subtitle(record: Record) -> str:
    n = len(record.risk)
    return n_("Churn risk score (0–100), {n} scoring; hover the point for its reasons",
              "Churn risk score (0–100), {n} scorings a quarter apart; hover a point for its reasons", n).format(
        n=fmt.count(n))


def timeline_line(record: Record, n_shown: int) -> str:
    """How many events the table holds, newest first, and whether older ones remain."""
    if record.is_cut:
        return _("{n} events shown, newest first, back to {day}; older ones below.").format(
            n=fmt.count(n_shown), day=fmt.date(record.timeline["at"].min()))
    return n_("{n} event, newest first.", "{n} events, newest first.", n_shown).format(n=fmt.count(n_shown))


def _band(band: str | None) -> str:
    return _(alerts.BANDS[band]) if band in alerts.BANDS else (band or "")


def _is_day(x) -> bool:
    try:
        return x is not None and x == x and str(x) not in ("NaT", "")
    except (TypeError, ValueError):
        return False
