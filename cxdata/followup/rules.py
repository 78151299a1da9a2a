"""The follow-up rules: which answers and contacts open a case, who owns it, when it is due, how far
back cases are listed; and the fixed lists a case is worked with (statuses, their allowed moves,
root causes).

Every rule is a setting ($CX_FOLLOWUP_...; docs/follow-up.md): a bad value stops the follow-up with
a message that names the setting for whoever runs the app, and `plain` words for a page.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from cxdata import formatting as fmt
from cxdata.filters import Filters
from cxdata.i18n import N_, _, p_

KIND = "followup_case"  # the store's record kind (cxdata/store.py)

SURVEYS_ENV = "CX_FOLLOWUP_SURVEYS"          # survey:highest score that opens a case, comma-separated, or none
COMPLAINTS_ENV = "CX_FOLLOWUP_COMPLAINTS"    # contact kinds that open a case, comma-separated, or none
DUE_ENV = "CX_FOLLOWUP_DUE_HOURS"            # hours from opening to the due time
OWNER_ENV = "CX_FOLLOWUP_OWNER"              # department (then account owner) or account_owner (then department)
DAYS_ENV = "CX_FOLLOWUP_DAYS"                # cases of the last N days ...
SINCE_ENV = "CX_FOLLOWUP_SINCE"              # ... or since this date (wins when set)

# The highest score that is unhappy on each survey's scale (NPS detractors 0-6; CSAT 1-2; CES 1-2 on 1-7).
DEFAULT_SURVEYS = {"nps": 6, "csat": 2, "ces": 2}
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
DEFAULT_COMPLAINTS = ("complaint",)
DEFAULT_DUE_HOURS = 48.0
DEFAULT_DAYS = 180
OWNER_FIRST = ("department", "account_owner")
RECOVERY_DAYS = 90      # still a customer this long after the case opened counts as recovered
MIN_CASES = 10          # fewer cases than this behind a KPI: "too few cases", never a share

STATUSES = ("new", "contacted", "resolved", "unreachable")   # labelled by status_label
CLOSED = ("resolved", "unreachable")
# Where each status may go next: contacted first, then resolved; unreachable from either; a customer
# marked unreachable who is reached later is contacted again. Resolved is final.
TRANSITIONS = {"new": ("contacted", "unreachable"), "contacted": ("resolved", "unreachable"),
               "unreachable": ("contacted",), "resolved": ()}
ROOT_CAUSES = {"product": N_("Product or service fault"), "billing": N_("Billing or payment"),
               "delivery": N_("Delivery or installation"), "wait": N_("Waiting time"),
               "agent": N_("Staff attitude or knowledge"), "policy": N_("Policy or price"),
               "other": N_("Other")}
REASONS = {"nps": N_("NPS detractor"), "csat": N_("Low CSAT"), "ces": N_("High effort (CES)"),
           "complaint": N_("Complaint")}


def status_label(status: str) -> str:
    """A case status in the language of this run ("Contacted"); the store keeps the key. (A case's
    status, not an alert's: "New" agrees with "case" where the language has genders.)"""
    labels = {"new": p_("case status", "New"), "contacted": p_("case status", "Contacted"),
              "resolved": p_("case status", "Resolved"), "unreachable": p_("case status", "Unreachable")}
    return labels.get(status, status)


def root_cause_label(cause) -> str:
    """A root cause in the language of this run; "" for none chosen."""
    if not isinstance(cause, str) or not cause:
        return ""
    return _(ROOT_CAUSES[cause]) if cause in ROOT_CAUSES else cause


def reason_label(reason: str) -> str:
    """Why a case was opened ("Low CSAT"), in the language of this run."""
    return _(REASONS[reason]) if reason in REASONS else reason


class FollowupSettingError(ValueError):
    """A follow-up setting has a value the app cannot use. The message names the setting for whoever
    runs the app; `plain` says it in words for a page."""

    def __init__(self, message: str, plain: str):
        super().__init__(message)
        self.plain = plain


class TransitionError(ValueError):
    """A status change the follow-up does not allow (resolved is final, new cannot jump to resolved)."""


def _bad(setting: str, raw: str, why: str) -> FollowupSettingError:
    return FollowupSettingError(f"{setting}={raw!r}: {why}",  # untranslated: names the setting for whoever runs the app
                                _("A follow-up setting made by the administrator ({value}) cannot be used").format(
                                    value=fmt.md(repr(raw))))


@dataclass(frozen=True)
class Settings:
    """The follow-up rules in force (see the module docstring)."""
    surveys: tuple[tuple[str, int], ...] = tuple(DEFAULT_SURVEYS.items())
    complaint_kinds: tuple[str, ...] = DEFAULT_COMPLAINTS
    due_hours: float = DEFAULT_DUE_HOURS
    owner_first: str = "department"
    days: int = DEFAULT_DAYS
    since: dt.date | None = None

    @classmethod
    def from_env(cls) -> Settings:
        """The settings from the environment; a bad value raises FollowupSettingError."""
        return cls(surveys=_surveys(), complaint_kinds=_kinds(), due_hours=_due_hours(), owner_first=_owner(),
                   days=_days(), since=_since())

    def start(self, today: dt.date) -> dt.date:
        """The first day whose cases are listed: the start date when set, else `days` before today."""
        return self.since if self.since is not None else today - dt.timedelta(days=self.days - 1)

    def params(self, filters: Filters | None, today: dt.date) -> dict:
        """The query's parameters: the window up to the end of `today`, the thresholds, the filters."""
        thresholds = dict(self.surveys)
        return {"filters": (filters or Filters(today, today)).params()["filters"], "since": dt.datetime.combine(self.start(today), dt.time()),
                "until": dt.datetime.combine(today + dt.timedelta(days=1), dt.time()),
                "nps_max": thresholds.get("nps"), "csat_max": thresholds.get("csat"), "ces_max": thresholds.get("ces"),
                "complaint_kinds": list(self.complaint_kinds), "owner_first": self.owner_first}

    def is_unhappy(self, survey: str, score: float) -> bool:
        """Whether an answer opens a case under these rules (the SQL's rule, for a single answer)."""
        limit = dict(self.surveys).get(survey)
        return limit is not None and score <= limit


def _surveys() -> tuple[tuple[str, int], ...]:
    raw = os.environ.get(SURVEYS_ENV)
    if raw is None or not raw.strip():
        return tuple(DEFAULT_SURVEYS.items())
    if raw.strip().lower() == "none":
        return ()
    found: dict[str, int] = {}
    for part in raw.split(","):
        survey, colon, score = part.strip().partition(":")
        survey = survey.strip().lower()
        if survey not in SCALES:
            raise _bad(SURVEYS_ENV, raw, f"{survey!r} is not a survey; use nps, csat or ces")  # untranslated: for whoever runs the app
        if not colon:
            found[survey] = DEFAULT_SURVEYS[survey]
            continue
        low, high = SCALES[survey]
        try:
            limit = int(score.strip())
        except ValueError:
            raise _bad(SURVEYS_ENV, raw, f"{score.strip()!r} is not a whole score") from None  # untranslated: as above
        if not low <= limit < high:
            raise _bad(SURVEYS_ENV, raw, f"{survey} scores run {low}-{high}; the highest unhappy score must be "  # untranslated: as above
                                         f"{low}-{high - 1}")
        found[survey] = limit
    return tuple(found.items())


def _kinds() -> tuple[str, ...]:
    raw = os.environ.get(COMPLAINTS_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_COMPLAINTS
    if raw.strip().lower() == "none":
        return ()
    kinds = tuple(dict.fromkeys(k.strip() for k in raw.split(",") if k.strip()))
    if not kinds:
        raise _bad(COMPLAINTS_ENV, raw, "names no contact kind; list kinds such as complaint, or none")  # untranslated: as above
    return kinds


def _due_hours() -> float:
    raw = os.environ.get(DUE_ENV, "").strip()
    if not raw:
        return DEFAULT_DUE_HOURS
    try:
        hours = float(raw)
    except ValueError:
        raise _bad(DUE_ENV, raw, "is not a number of hours") from None  # untranslated: as above
    if not 0 < hours <= 24 * 90:
        raise _bad(DUE_ENV, raw, "must be more than 0 and at most 2160 hours (90 days)")  # untranslated: as above
    return hours


def _owner() -> str:
    raw = os.environ.get(OWNER_ENV, "").strip()
    if not raw:
        return "department"
    if raw.lower() not in OWNER_FIRST:
        raise _bad(OWNER_ENV, raw, "use department or account_owner")  # untranslated: as above
    return raw.lower()


def _days() -> int:
    raw = os.environ.get(DAYS_ENV, "").strip()
    if not raw:
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise _bad(DAYS_ENV, raw, "is not a whole number of days") from None  # untranslated: as above
    if not 1 <= days <= 3660:
        raise _bad(DAYS_ENV, raw, "must be 1-3660 days")  # untranslated: as above
    return days


def _since() -> dt.date | None:
    raw = os.environ.get(SINCE_ENV, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _bad(SINCE_ENV, raw, "is not a date (YYYY-MM-DD)") from None  # untranslated: as above


def check_transition(old: str, new: str) -> None:
    """Refuse a status change the follow-up does not allow, in words (TransitionError)."""
    if new not in STATUSES:
        raise TransitionError(f"unknown case status {new!r}; use one of {', '.join(STATUSES)}")  # untranslated: a caller's mistake, for developers
    if new == old:
        return
    if new not in TRANSITIONS.get(old, ()):
        allowed = TRANSITIONS.get(old, ())
        if not allowed:
            raise TransitionError(_("A case marked {old} cannot change status.").format(old=status_label(old)))
        raise TransitionError(_("A case marked {old} cannot move to {new}; it can move to: {allowed}.").format(
            old=status_label(old), new=status_label(new), allowed=", ".join(status_label(s) for s in allowed)))
