"""The follow-up's three KPIs (docs/follow-up.md), each with the number of cases behind it:

- on time: of the cases whose due time has passed or that were contacted, the share first contacted
  by their due time;
- time to first contact: the median hours from opening to the first status change away from "new";
- recovery: of the cases that can be judged (a later answer from the customer, or opened 90+ days
  ago), the share whose customer's next answer was not unhappy, or who was still a customer 90 days
  after the case opened.

Fewer than MIN_CASES behind a KPI reads "too few cases"; no answers or contacts at all, "not in your
data"; never 0 % or 100 % from nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from cxdata import db
from cxdata import formatting as fmt
from cxdata.filters import Filters
from cxdata.followup import case_list
from cxdata.followup.rules import MIN_CASES, RECOVERY_DAYS, FollowupSettingError, Settings
from cxdata.i18n import _
from cxdata.metrics import NOT_IN_DATA
from cxdata.store import Store, StoreError


@dataclass(frozen=True)
class FollowupKpis:
    n_cases: int                          # every case in the window
    n_open: int                           # not resolved or unreachable
    n_overdue: int                        # still new after their due time
    on_time_share: float | None           # % contacted by the due time; None with too few
    n_on_time_base: int                   # cases due by now or contacted: the share's base
    median_hours_to_contact: float | None
    n_contacted: int                      # cases with a first contact: the median's base
    recovery_share: float | None          # % recovered; None with too few
    n_recovery: int                       # cases that can be judged: the share's base
    in_data: bool = True                  # False: no answers or contacts under the view at all
    since: dt.date | None = None          # the first day of the cases counted

    @property
    def has_cases(self) -> bool:
        return self.n_cases > 0


def compute(listed: pd.DataFrame, today: dt.date, now: dt.datetime, min_cases: int = MIN_CASES) -> FollowupKpis:
    """The KPIs of a case list with its state (cases.cases), at `now`; recovery judged as of `today`;
    a KPI with fewer than `min_cases` behind it has no value."""
    now = pd.Timestamp(now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc))
    listed = listed[["opened_at", "due_at", "first_contact_at", "next_answer_at", "is_next_unhappy", "churned_on",
                     "status", "overdue"]]   # the columns measured: no text column is copied below
    contacted = listed["first_contact_at"].notna()
    due_passed = listed["due_at"] <= now
    base = listed[due_passed | contacted]
    on_time = base["first_contact_at"].notna() & (base["first_contact_at"] <= base["due_at"])
    hours = (listed.loc[contacted, "first_contact_at"] - listed.loc[contacted, "opened_at"]).dt.total_seconds() / 3600
    judged_on = pd.Timestamp(today + dt.timedelta(days=1), tz="UTC")
    old_enough = listed["opened_at"] + pd.Timedelta(days=RECOVERY_DAYS) <= judged_on
    answered = listed["next_answer_at"].notna() & (listed["next_answer_at"] < judged_on)
    judged = listed[old_enough | answered]
    horizon = (judged["opened_at"] + pd.Timedelta(days=RECOVERY_DAYS)).dt.tz_localize(None).dt.normalize()
    churned = pd.to_datetime(judged["churned_on"])
    stayed = old_enough[judged.index] & (churned.isna() | (churned > horizon))
    happy_next = answered[judged.index] & ~judged["is_next_unhappy"].astype(bool)
    recovered = happy_next | stayed
    open_ = ~listed["status"].isin(("resolved", "unreachable"))
    return FollowupKpis(
        n_cases=len(listed), n_open=int(open_.sum()), n_overdue=int(listed["overdue"].sum()),
        on_time_share=_share(int(on_time.sum()), len(base), min_cases), n_on_time_base=len(base),
        median_hours_to_contact=float(hours.median()) if len(hours) >= max(min_cases, 1) else None,
        n_contacted=int(contacted.sum()),
        recovery_share=_share(int(recovered.sum()), len(judged), min_cases), n_recovery=len(judged))


def _share(n: int, of: int, min_cases: int) -> float | None:
    return 100.0 * n / of if of >= max(min_cases, 1) else None


def kpis(reader: db.Reader, store: Store, filters: Filters | None, today: dt.date,
         settings: Settings | None = None, now: dt.datetime | None = None, min_cases: int = MIN_CASES) -> FollowupKpis:
    """The follow-up KPIs under the filters (the reader's scope applies), for cases opened from the
    settings' start to `today`; no customer names are read, so every role may ask. Counted inside the
    database (sql/followup_kpis.sql) with the store's worked cases bound: no case row is read out."""
    return summary(reader, store, filters, today, settings, now, min_cases)[0]


def summary(reader: db.Reader, store: Store, filters: Filters | None, today: dt.date,
            settings: Settings | None = None, now: dt.datetime | None = None,
            min_cases: int = MIN_CASES) -> tuple[FollowupKpis, list[str], list[str]]:
    """`kpis`, and the owners and departments of the cases (the Follow-up page's pickers), in one query."""
    settings = settings or Settings.from_env()
    now = now or dt.datetime.now(dt.timezone.utc)
    row = reader.run("followup_kpis", case_list.sql_params(reader, store, filters, today, settings, now)).iloc[0]
    count = {name: int(row[name] or 0) for name in ("n_cases", "n_open", "n_overdue", "n_on_time_base", "n_on_time",
                                                     "n_contacted", "n_recovery", "n_recovered")}
    late, due = case_list.passed_within_hour(row["due_within_hour"], now)   # since the hour began
    count["n_overdue"] += late
    count["n_on_time_base"] += due
    median = row["median_hours_to_contact"]
    found = FollowupKpis(
        n_cases=count["n_cases"], n_open=count["n_open"], n_overdue=count["n_overdue"],
        on_time_share=_share(count["n_on_time"], count["n_on_time_base"], min_cases),
        n_on_time_base=count["n_on_time_base"],
        median_hours_to_contact=(float(median) if count["n_contacted"] >= max(min_cases, 1) and not pd.isna(median)
                                 else None),
        n_contacted=count["n_contacted"],
        recovery_share=_share(count["n_recovered"], count["n_recovery"], min_cases), n_recovery=count["n_recovery"],
        since=settings.start(today))
    if not found.has_cases and not _has_activity(reader):
        found = replace(found, in_data=False)
    return found, _names(row["owners"]), _names(row["departments"])


def _names(values) -> list[str]:
    return [] if values is None or (not hasattr(values, "__len__") and pd.isna(values)) else [str(v) for v in values]


def of_cases(reader: db.Reader, listed: pd.DataFrame, today: dt.date, now: dt.datetime, since: dt.date,
             min_cases: int = MIN_CASES) -> FollowupKpis:
    """`kpis` of a case list already read (the page's, cases.cases), so the cases are read once."""
    found = replace(compute(listed, today, now, min_cases), since=since)
    if not found.has_cases and not _has_activity(reader):
        return replace(found, in_data=False)
    return found


def _has_activity(reader: db.Reader) -> bool:
    """Whether the database holds any answer or contact at all (else the KPIs are not in the data)."""
    extent = reader.run("data_extent")
    if extent.empty:
        return False
    row = extent.iloc[0]
    return bool((row.get("n_feedback") or 0) + (row.get("n_interactions") or 0))


def on_time_text(k: FollowupKpis) -> str:
    if not k.in_data:
        return _(NOT_IN_DATA)
    if k.on_time_share is None:
        return _("too few cases")
    return fmt.percent(k.on_time_share, 0)


def hours_text(k: FollowupKpis) -> str:
    if not k.in_data:
        return _(NOT_IN_DATA)
    if k.median_hours_to_contact is None:
        return _("too few cases")
    return fmt.duration(k.median_hours_to_contact * 3600)


def recovery_text(k: FollowupKpis) -> str:
    if not k.in_data:
        return _(NOT_IN_DATA)
    if k.recovery_share is None:
        return _("too few cases")
    return fmt.percent(k.recovery_share, 0)


def line(k: FollowupKpis) -> str:
    """The KPIs in one Markdown line, with the cases behind each (the overview, a department's card,
    the board pack): "Follow-up of unhappy customers since …: 82 % contacted on time (n = 140) · …"."""
    if not k.in_data:
        return _("Follow-up of unhappy customers: {not_in_data}.").format(not_in_data=_(NOT_IN_DATA))
    if not k.has_cases:
        return _("Follow-up of unhappy customers: no case opened since {day}.").format(day=fmt.date(k.since))
    return _("Follow-up of unhappy customers since {day}: **{on_time}** contacted on time (n = {n_on_time}) · "
             "median first contact **{hours}** (n = {n_contacted}) · **{recovery}** recovered (n = {n_recovery}) · "
             "{overdue} overdue").format(
        day=fmt.date(k.since), on_time=on_time_text(k), n_on_time=fmt.count(k.n_on_time_base), hours=hours_text(k),
        n_contacted=fmt.count(k.n_contacted), recovery=recovery_text(k), n_recovery=fmt.count(k.n_recovery),
        overdue=fmt.count(k.n_overdue))


def summary_line(reader: db.Reader, store: Store, filters: Filters | None, today: dt.date | None) -> str | None:
    """`line` for the overview, a department's card and the board pack, computed the same way for all
    three; None before any data; a bad setting or an unreadable store said in words, not raised."""
    if today is None:
        return None
    try:
        return line(kpis(reader, store, filters, today))
    except FollowupSettingError as exc:
        return _("Follow-up of unhappy customers unavailable: {reason}.").format(reason=exc.plain)
    except StoreError as exc:
        return _("Follow-up of unhappy customers unavailable: {reason}.").format(reason=exc)
