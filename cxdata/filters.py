"""The global filters every page and query shares, and their round trip through the URL.

A `Filters` value turns into the same bound parameters for every query in sql/: $start,
$stop and one struct, $filters, with a list of chosen values per dimension. Adding a filter
dimension is one entry in DIMENSIONS here, one column in sql/derived.sql and one predicate in
the filter macros of sql/macros.sql. URL values are checked against the values that exist in
the data, so nothing a user types into a link ever reaches SQL; what is dropped is reported
back as a notice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from cxdata.i18n import N_, _, n_


@dataclass(frozen=True)
class Dimension:
    key: str            # the URL parameter, the column, and the field of $filters: "segment"
    label: str          # "Segment", in English: shown as _(label)
    of_customer: bool   # a customer attribute: it also narrows churn, retention and revenue


DIMENSIONS: dict[str, Dimension] = {d.key: d for d in [
    Dimension("segment", N_("Segment"), of_customer=True),
    Dimension("region", N_("Region"), of_customer=True),
    Dimension("plan", N_("Plan"), of_customer=True),
    Dimension("channel", N_("Channel"), of_customer=False),
    Dimension("department", N_("Department"), of_customer=False),
    Dimension("journey_stage", N_("Journey stage"), of_customer=False),
]}
# Labels in English, shown in the language of the run: preset_label(), comparison_label().
COMPARISONS = {"previous": N_("previous period"), "quarter": N_("previous quarter to date"),
               "year": N_("same period last year")}
PRESETS = {
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "quarter": N_("This quarter"),
    "ytd": N_("Year to date"),
    "12m": N_("Last 12 months"),
    "custom": N_("Custom range"),
}
DEFAULT_PRESET = "90d"
# The dates a custom range may use (also the date picker's bounds); a comparison period
# a year or a range-length earlier still stays far from Python's date limits.
MIN_DAY = dt.date(2000, 1, 1)
MAX_DAY = dt.date(2099, 12, 31)
DEFAULT_COMPARISON = "previous"
# A preset's natural comparison: this quarter against the previous quarter to date, the year to
# date against the same days last year; others against the period just before.
PRESET_COMPARISON = {"quarter": "quarter", "ytd": "year"}


def preset_label(preset: str) -> str:
    """A period preset as the sidebar names it, in the language of this run: "Last 90 days"."""
    return _(PRESETS[preset])


def comparison_label(compare: str) -> str:
    """A comparison as the sidebar names it, in the language of this run: "previous period"."""
    return _(COMPARISONS[compare])


def default_comparison(preset: str) -> str:
    return PRESET_COMPARISON.get(preset, DEFAULT_COMPARISON)


def last_complete_day(newest_on: dt.date, taken_at: dt.datetime | None) -> dt.date:
    """The newest day whose data is whole: the newest data day, unless the data was taken (loaded)
    during that same day, which then holds only its first hours and would compare as a short day."""
    if taken_at is not None and taken_at.date() <= newest_on:
        return newest_on - dt.timedelta(days=1)
    return newest_on


def is_complete(period_start: dt.date, period_stop: dt.date, stop: dt.date,
                last_complete_on: dt.date | None, oldest_on: dt.date | None = None) -> bool:
    """Whether the period [period_start, period_stop) is whole: inside the view's range (ends by
    `stop`, exclusive) and inside the data's own extent (starts on or after its oldest day, ends by
    the day after its last complete day, see last_complete_day). A period the data covers only in
    part is drawn dotted and never compared. The same rule as is_complete in sql/derived.sql."""
    if last_complete_on is None:
        return False
    return (period_stop <= min(stop, last_complete_on + dt.timedelta(days=1))
            and (oldest_on is None or period_start >= oldest_on))


@dataclass(frozen=True, init=False)
class Filters:
    """A date range (both ends inclusive) and the chosen values per dimension (none chosen = all).

    `Filters(start, end, segment=["SMB"], channel=["chat", "email"])`; `filters["segment"]`
    reads a dimension's choice back as a tuple (empty when all).
    """

    start: dt.date
    end: dt.date
    chosen: tuple[tuple[str, tuple[str, ...]], ...]  # (dimension, values), DIMENSIONS order, none empty

    def __init__(self, start: dt.date, end: dt.date, **chosen: Iterable[str]):
        unknown = sorted(set(chosen) - set(DIMENSIONS))
        if unknown:
            raise ValueError(f"unknown filter dimension(s) {unknown}; use {sorted(DIMENSIONS)}")  # untranslated: a programming error
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "chosen", tuple(
            (key, tuple(dict.fromkeys(chosen[key]))) for key in DIMENSIONS if chosen.get(key)))

    def __getitem__(self, key: str) -> tuple[str, ...]:
        if key not in DIMENSIONS:
            raise KeyError(key)
        return dict(self.chosen).get(key, ())

    def replace(self, start: dt.date | None = None, end: dt.date | None = None,
                **chosen: Iterable[str]) -> Filters:
        """A copy with another range and/or other choices for the dimensions named."""
        return Filters(start or self.start, end or self.end, **{**dict(self.chosen), **chosen})

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict:
        """The bound parameters of every query: $stop is exclusive (the day after end)."""
        return {
            "start": self.start,
            "stop": self.end + dt.timedelta(days=1),
            "filters": {key: list(self[key]) for key in DIMENSIONS},
        }

    def comparison(self, kind: str = DEFAULT_COMPARISON) -> Filters:
        """The same filters over the comparison period: the one just before, the same days a
        quarter earlier (this quarter to date against the previous quarter to date), or a year earlier."""
        if kind == "year":
            return self.replace(start=_years_back(self.start), end=_years_back(self.end))
        if kind == "quarter":
            return self.replace(start=_months_back(self.start, 3), end=_months_back(self.end, 3))
        if kind != "previous":
            raise ValueError(f"unknown comparison {kind!r}; use one of {sorted(COMPARISONS)}")  # untranslated: a programming error
        return self.replace(start=self.start - dt.timedelta(days=self.days),
                            end=self.start - dt.timedelta(days=1))


def _years_back(day: dt.date, years: int = 1) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _months_back(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` earlier, or that month's last day (31 May -> 28 Feb)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    first_of_next = dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1)
    return min(day.replace(year=y, month=m + 1, day=1) + dt.timedelta(days=day.day - 1),
               first_of_next - dt.timedelta(days=1))


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The inclusive date range a preset names, ending on `today` (the newest data day)."""
    if preset == "30d":
        return today - dt.timedelta(days=29), today
    if preset == "90d":
        return today - dt.timedelta(days=89), today
    if preset == "quarter":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if preset == "ytd":
        return dt.date(today.year, 1, 1), today
    if preset == "12m":
        return _years_back(today) + dt.timedelta(days=1), today
    raise ValueError(f"unknown preset {preset!r}")  # untranslated: a programming error


@dataclass
class ViewState:
    """Everything a shared link carries: the filters, how they were chosen, and the comparison."""

    filters: Filters
    preset: str = DEFAULT_PRESET
    compare: str = DEFAULT_COMPARISON
    notices: list[str] = field(default_factory=list)

    def to_query_params(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {"period": self.preset, "compare": self.compare}
        if self.preset == "custom":
            out["from"] = self.filters.start.isoformat()
            out["to"] = self.filters.end.isoformat()
        for key, values in self.filters.chosen:
            out[key] = list(values)
        return out


def from_query_params(
    params: Mapping[str, list[str]],
    options: Mapping[str, list[str]],
    today: dt.date,
    earliest: dt.date | None = None,
) -> ViewState:
    """Read a view from URL parameters, keeping only values that are valid for this data.

    `params` maps each key to all its values (as st.query_params.get_all gives them);
    `options` maps each dimension to the values that exist; `today` is the newest data
    day that presets end on. Anything invalid is dropped with a notice, never raised.
    """
    notices: list[str] = []

    def one(key: str) -> str | None:
        values = params.get(key) or []
        return values[-1] if values else None

    preset = one("period") or DEFAULT_PRESET
    if preset not in PRESETS:
        notices.append(_("Ignored unknown period {value}; showing {default}.").format(
            value=shown(preset), default=preset_label(DEFAULT_PRESET).lower()))
        preset = DEFAULT_PRESET

    if preset == "custom":
        start, end = _parse_custom(one("from"), one("to"), today, earliest, notices)
        if start is None:
            preset = DEFAULT_PRESET
    if preset != "custom":
        start, end = preset_range(preset, today)

    compare = one("compare") or default_comparison(preset)
    if compare not in COMPARISONS:
        compare = default_comparison(preset)
        notices.append(_("Ignored unknown comparison {value}; comparing with the {comparison}.").format(
            value=shown(one("compare")), comparison=comparison_label(compare)))

    chosen: dict[str, tuple[str, ...]] = {}
    for key, dimension in DIMENSIONS.items():
        allowed = set(options.get(key, []))
        values = params.get(key) or []
        bad = [v for v in values if v not in allowed]
        if bad:
            listed = ", ".join(shown(v) for v in bad[:3])
            what = _(dimension.label).lower()
            if len(bad) > 3:
                notices.append(n_("Ignored unknown {dimension} {values} and {n} more.",
                                  "Ignored unknown {dimension} {values} and {n} more.", len(bad) - 3).format(
                    dimension=what, values=listed, n=len(bad) - 3))
            else:
                notices.append(_("Ignored unknown {dimension} {values}.").format(dimension=what, values=listed))
        chosen[key] = [v for v in values if v in allowed]
    return ViewState(Filters(start, end, **chosen), preset, compare, notices)


def _parse_custom(raw_from, raw_to, today, earliest, notices):
    try:
        start = dt.date.fromisoformat(raw_from or "")
        end = dt.date.fromisoformat(raw_to or "")
    except ValueError:
        notices.append(_("Ignored a malformed custom date range ({start} to {end}); "
                         "dates must look like 2026-01-31.").format(start=shown(raw_from), end=shown(raw_to)))
        return None, None
    if start > end:
        notices.append(_("Ignored a custom range that ends ({end}) before it starts ({start}).").format(
            end=end, start=start))
        return None, None
    if start < MIN_DAY or end > MAX_DAY:
        notices.append(_("Ignored a custom range ({start} to {end}) outside {first} to {last}.").format(
            start=start, end=end, first=MIN_DAY, last=MAX_DAY))
        return None, None
    if earliest and end < earliest or start > today:
        notices.append(_("Ignored a custom range ({start} to {end}) outside the data ({first} to {last}).").format(
            start=start, end=end, first=earliest or "…", last=today))
        return None, None
    return start, end


def shown(value: str | None, limit: int = 40) -> str:
    """A user-supplied value made safe to echo in a notice: quoted, shortened, one line."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
