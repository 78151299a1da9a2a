"""What is due to send: the overview's "needs attention" list, new high-band churn alerts, overdue
follow-up cases and the weekly board pack, each as an Item with a key that stays the same from one
run to the next (the outbox sends each key once per recipient and channel).

Keys, and so what counts as new (the dataset id first, so a rebuilt demo starts afresh, as churn
alerts do):
- a standing target miss: its KPI, whose it is and the quarter its streak began (a new streak is new);
- a group that moved: its KPI, group, direction and the calendar quarter of the view's end (at most
  one message a quarter for the same move);
- a churn alert: the alert (customer) with the rules firing, while its status is "new" (a closed
  alert reopened by a new rule is new again);
- a follow-up case: the case and its due time;
- the board pack: the ISO week (once a week per recipient).
An item's words are written when it is sent, in the recipient's language (`Item.words`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from cxdata import db, filters, followup, metrics, overview
from cxdata import formatting as fmt
from cxdata.access.roles import User
from cxdata.access.scoped import ScopedReader
from cxdata.churn import alerts
from cxdata.filters import ViewState
from cxdata.i18n import _
from cxdata.notify.recipients import SettingError

CASE_DAYS_ENV = "CX_NOTIFY_CASE_DAYS"
DEFAULT_CASE_DAYS = 14
PAGES = {"attention": "", "churn": "churn", "case": "followup", "pack": "reports"}  # the app's url paths


@dataclass(frozen=True)
class Words:
    """A message in the language of the run that wrote it: a subject, short lines, maybe a file."""

    subject: str
    lines: tuple[str, ...]
    attachment: tuple[str, bytes, str] | None = None   # (file name, content, MIME type)


@dataclass(frozen=True)
class Item:
    """One thing to tell someone. `about` holds the values it is about (department, segment, region,
    plan → value) that a recipient's scope must hold; `owner` names whose it is (an account owner, a
    case owner: a name, an address or a department); `words(user)` writes it for that reader, in
    the language of the run (naming the customer only when `shows_names`)."""

    key: str
    kind: str               # "attention", "churn", "case" or "pack"
    about: dict = field(compare=False)
    owner: str | None
    words: Callable[[User, bool], Words] = field(compare=False, repr=False)


def collect(reader: db.Reader, store, now: dt.datetime, overdue: Callable | None = None,
            rules: alerts.Rules | None = None) -> list[Item]:
    """Everything due now, for the whole company (each recipient then gets what is theirs and in
    their scope). `reader` reads all data (the command runs as the administrator); `overdue` is
    cxdata.followup.overdue unless a caller gives another source of the same frame."""
    from cxdata import data_status, report

    facts = data_status.facts(reader)
    dataset = alerts.dataset_id(reader)
    found: list[Item] = []
    try:
        view = report.view_for(reader, facts, {"period": [filters.DEFAULT_PRESET]})
    except report.UnknownChoice:   # no data yet: nothing to say but the follow-up cases
        view = None
    if view is not None:
        found += attention_items(overview.load(reader, view.filters, view.compare, metrics.min_responses()),
                                 view, dataset)
        found += churn_items(reader.run("churn_alerts", (rules or alerts.Rules.from_env()).params(view.filters)),
                             dataset, store)
    found += case_items((overdue or _followup_overdue)(reader, store, now), now - case_window())
    if view is not None:
        found.append(pack_item(reader, store, dataset, now))
    return found


def _followup_overdue(reader, store, now):
    return followup.overdue(reader, store, now)


# ---- What needs attention --------------------------------------------------------------------------

def attention_items(data: overview.OverviewData, view: ViewState, dataset: str) -> list[Item]:
    """The overview's attention list (standing misses, then movers: overview.attention's order), one
    item each; the words are the overview's own sentence, in the reader's language."""
    quarter = _quarter(view.filters.end)
    keys: list[tuple[str, dict]] = []
    for r in data.misses.itertuples():
        whose = "company" if r.is_company else r.scope
        since = _quarter(pd.Timestamp(r.since).date()) if r.since is not None and not pd.isna(r.since) else quarter
        keys.append((f"attention:{dataset}:miss:{r.kpi}:{whose}:{since}",
                     {} if r.is_company else {"department": r.scope}))
    for r in data.movers.itertuples():
        way = "up" if r.delta > 0 else "down" if r.delta < 0 else "flat"
        keys.append((f"attention:{dataset}:move:{r.kpi}:{r.dimension}:{r.member}:{way}:{quarter}",
                     {r.dimension: r.member}))

    def words_of(index: int) -> Callable[[User, bool], Words]:
        def words(user: User, names: bool) -> Words:
            shown = overview.attention(data, view)[index]   # in the language of this run
            return Words(_("What needs attention: {kpi}").format(kpi=_(metrics.KPIS[shown.kpi].label)),
                         (plain(shown.text),))
        return words

    return [Item(key, "attention", about, about.get("department"), words_of(i))
            for i, (key, about) in enumerate(keys)]


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"  # untranslated: part of a key


_ESCAPED = re.compile(r"\\(.)")


def plain(markdown: str) -> str:
    """An attention sentence's Markdown (bold, escaped data values: fmt.md) as plain text."""
    return _ESCAPED.sub(r"\1", markdown.replace("**", "")).replace("  \n", "\n")


# ---- Churn alerts ---------------------------------------------------------------------------------

def churn_items(listed: pd.DataFrame, dataset: str, store) -> list[Item]:
    """New alerts in the high band (sql/churn_alerts.sql rows): those nobody has worked yet, or
    reopened by a rule that was not firing at their close."""
    if listed.empty:
        return []
    state = alerts.with_follow_up(listed, dataset, store)
    due = state[(state["band"] == "high") & (state["status"] == "new")]
    items = []
    for row in due.to_dict("records"):
        key = f"churn:{row['alert_key']}:{'+'.join(sorted(row['rules']))}"
        about = {d: row.get(d) for d in ("segment", "region", "plan")}
        items.append(Item(key, "churn", about, row.get("owner"), _churn_words(row)))
    return items


def _churn_words(row: dict) -> Callable[[User, bool], Words]:
    def words(user: User, names: bool) -> Words:
        customer = row["name"] if names and isinstance(row.get("name"), str) else row["customer_id"]
        reasons = alerts.with_explicit_reasons(pd.DataFrame([row]))["reasons"].iloc[0]
        lines = [_("{customer} is on the list of customers at high risk of churning: {rules}.").format(
                     customer=customer, rules=fmt.and_list(alerts.rule_in_text(r) for r in row["rules"])),
                 _("Risk score {score} out of 100; {amount} of annual value at risk in the next 90 days.").format(
                     score=fmt.count(int(round(row["score"]))), amount=fmt.money(row["value_at_risk"]))]
        if reasons:
            lines.append(_("Why: {reasons}.").format(reasons="; ".join(reasons[:3])))
        return Words(_("Churn alert: {customer}").format(customer=customer), tuple(lines))
    return words


# ---- Follow-up cases ------------------------------------------------------------------------------

def case_window() -> dt.timedelta:
    """$CX_NOTIFY_CASE_DAYS (default 14): a case overdue for longer than this when notify first sees it
    is not sent (the backlog of a first run, or of data loaded late: the Follow-up page lists it)."""
    raw = os.environ.get(CASE_DAYS_ENV, "").strip()
    if not raw:
        return dt.timedelta(days=DEFAULT_CASE_DAYS)
    if not raw.isdigit() or int(raw) < 1:
        raise SettingError(_("{setting}={value} is not a whole number of days of 1 or more").format(
            setting=CASE_DAYS_ENV, value=repr(raw)))
    return dt.timedelta(days=int(raw))


def case_items(cases: pd.DataFrame, since: dt.datetime | None = None) -> list[Item]:
    """Overdue follow-up cases (cxdata.followup.overdue's frame) that fell due after `since`, one item
    each, whatever their owner. A case carries its department and channel and the customer's segment,
    region and plan, when the frame has them (a recipient scoped on one it lacks never receives it)."""
    if cases is None or cases.empty:
        return []
    items = []
    for row in cases.to_dict("records"):
        if "overdue" in row and not bool(row["overdue"]):
            continue
        due = pd.Timestamp(row["due_at"])
        if since is not None and _utc(due) < pd.Timestamp(since):
            continue
        key = f"case:{row['case_id']}:{due.isoformat()}"
        about = {d: row.get(d) for d in ("department", "channel", "segment", "region", "plan") if _given(row.get(d))}
        items.append(Item(key, "case", about, row.get("owner") if _given(row.get("owner")) else None, _case_words(row)))
    return items


def _utc(moment: pd.Timestamp) -> pd.Timestamp:
    """A due time as UTC (cxdata.followup gives the company's clock, $CX_TIMEZONE, or naive UTC)."""
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and str(value).strip() != ""


def _case_words(row: dict) -> Callable[[User, bool], Words]:
    def words(user: User, names: bool) -> Words:
        due = pd.Timestamp(row["due_at"])
        due = _utc(due)
        number = row.get("source_id") if _given(row.get("source_id")) else row["case_id"]   # the answer or contact
        fields = dict(case=number, due=_("{day} {time} UTC").format(day=overview.day_text(due.date()),
                                                                           time=f"{due:%H:%M}"))
        customer = row.get("customer_name") if names and _given(row.get("customer_name")) else None
        if customer:
            subject = _("Follow-up overdue: {customer}").format(customer=customer)
            first = _("Case {case} for {customer} was due on {due} and the customer has not been contacted "
                      "yet.").format(customer=customer, **fields)
        else:
            subject = _("Follow-up case {case} is overdue").format(case=number)
            first = _("Case {case} was due on {due} and the customer has not been contacted yet.").format(**fields)
        lines = [first]
        if _given(row.get("reason")):
            lines.append(_("Why it was opened: {reason}.").format(reason=followup.rules.reason_label(row["reason"])))
        if _given(row.get("department")):
            lines.append(_("Department: {department}.").format(department=row["department"]))
        return Words(subject, tuple(lines))
    return words


# ---- The board pack -------------------------------------------------------------------------------

def week_of(now: dt.datetime) -> str:
    year, week, _day = now.isocalendar()
    return f"{year}-W{week:02d}"  # untranslated: part of a key


def pack_item(reader: db.Reader, store, dataset: str, now: dt.datetime) -> Item:
    """This week's board pack: built for each reader's scope and language when first sent to them
    (one build per scope and language in a run, however many receive it)."""
    built: dict[tuple, Words] = {}

    def words(user: User, names: bool) -> Words:
        from cxdata import i18n

        key = (user.may("see_rows"), user.may("see_names"), user.scope, i18n.language())
        if key not in built:
            built[key] = _pack_words(ScopedReader(reader, user), store, user, now)
        return built[key]

    return Item(f"pack:{dataset}:{week_of(now)}", "pack", {}, None, words)


def _pack_words(reader, store, user: User, now: dt.datetime) -> Words:
    """The board pack as `python -m cxdata report` builds it for this user: the default period,
    narrowed to their scope, as a PDF."""
    from cxdata import data_status, report
    from cxdata.report import output

    facts = data_status.facts(reader)
    view = report.view_for(reader, facts, {"period": [filters.DEFAULT_PRESET]})
    view = dataclasses.replace(view, filters=user.scope.narrow(view.filters))
    pack = report.build(reader, view, facts, metrics.min_responses(), store=store)
    pdf = output.to_bytes(pack, ".pdf")
    line = _("This week's board pack is attached: {n} slides for {period} · {filters}.").format(
        n=fmt.count(len(pack.slides)), period=pack.period, filters=pack.filters)
    return Words(_("Board pack, week of {day}").format(day=overview.day_text(now.date())), (line,),
                 (f"board-pack-{week_of(now)}.pdf", pdf, "application/pdf"))
