"""The global filters every page and query shares, and their round trip through the URL.

A `Filters` value turns into the same bound parameters for every query in sql/
($start, $stop, $segments, $regions, $channels, $departments). URL values are
checked against the values that exist in the data, so nothing a user types into a
link ever reaches SQL; what is dropped is reported back as a notice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Mapping

LIST_FIELDS = ("segments", "regions", "channels", "departments")
COMPARISONS = {"previous": "previous period", "year": "same period last year"}
PRESETS = {
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "quarter": "This quarter",
    "ytd": "Year to date",
    "12m": "Last 12 months",
    "custom": "Custom range",
}
DEFAULT_PRESET = "90d"
# The dates a custom range may use (also the date picker's bounds); a comparison period
# a year or a range-length earlier still stays far from Python's date limits.
MIN_DAY = dt.date(2000, 1, 1)
MAX_DAY = dt.date(2099, 12, 31)
DEFAULT_COMPARISON = "previous"


@dataclass(frozen=True)
class Filters:
    """A date range (both ends inclusive) and the chosen values per dimension (empty = all)."""

    start: dt.date
    end: dt.date
    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict:
        """The bound parameters of every query: $stop is exclusive (the day after end)."""
        return {
            "start": self.start,
            "stop": self.end + dt.timedelta(days=1),
            **{name: list(getattr(self, name)) for name in LIST_FIELDS},
        }

    def comparison(self, kind: str = DEFAULT_COMPARISON) -> "Filters":
        """The same filters over the comparison period: the one just before, or a year earlier."""
        if kind == "year":
            return replace(self, start=_years_back(self.start), end=_years_back(self.end))
        if kind != "previous":
            raise ValueError(f"unknown comparison {kind!r}; use one of {sorted(COMPARISONS)}")
        return replace(self, start=self.start - dt.timedelta(days=self.days),
                       end=self.start - dt.timedelta(days=1))


def _years_back(day: dt.date, years: int = 1) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


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
    raise ValueError(f"unknown preset {preset!r}")


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
        for name in LIST_FIELDS:
            values = getattr(self.filters, name)
            if values:
                out[name[:-1]] = list(values)
        return out


def from_query_params(
    params: Mapping[str, list[str]],
    options: Mapping[str, list[str]],
    today: dt.date,
    earliest: dt.date | None = None,
) -> ViewState:
    """Read a view from URL parameters, keeping only values that are valid for this data.

    `params` maps each key to all its values (as st.query_params.get_all gives them);
    `options` maps each list field to the values that exist; `today` is the newest data
    day that presets end on. Anything invalid is dropped with a notice, never raised.
    """
    notices: list[str] = []

    def one(key: str) -> str | None:
        values = params.get(key) or []
        return values[-1] if values else None

    preset = one("period") or DEFAULT_PRESET
    if preset not in PRESETS:
        notices.append(f"Ignored unknown period {_shown(preset)}; showing {PRESETS[DEFAULT_PRESET].lower()}.")
        preset = DEFAULT_PRESET

    if preset == "custom":
        start, end = _parse_custom(one("from"), one("to"), today, earliest, notices)
        if start is None:
            preset = DEFAULT_PRESET
    if preset != "custom":
        start, end = preset_range(preset, today)

    compare = one("compare") or DEFAULT_COMPARISON
    if compare not in COMPARISONS:
        notices.append(f"Ignored unknown comparison {_shown(compare)}; comparing with the previous period.")
        compare = DEFAULT_COMPARISON

    chosen: dict[str, tuple[str, ...]] = {}
    for name in LIST_FIELDS:
        allowed = set(options.get(name, []))
        values = params.get(name[:-1]) or []
        good = tuple(dict.fromkeys(v for v in values if v in allowed))
        bad = [v for v in values if v not in allowed]
        if bad:
            notices.append(f"Ignored unknown {name[:-1]} {', '.join(_shown(v) for v in bad[:3])}"
                           + (f" and {len(bad) - 3} more" if len(bad) > 3 else "") + ".")
        chosen[name] = good
    return ViewState(Filters(start, end, **chosen), preset, compare, notices)


def _parse_custom(raw_from, raw_to, today, earliest, notices):
    try:
        start = dt.date.fromisoformat(raw_from or "")
        end = dt.date.fromisoformat(raw_to or "")
    except ValueError:
        notices.append(f"Ignored a malformed custom date range ({_shown(raw_from)} to {_shown(raw_to)}); "
                       "dates must look like 2026-01-31.")
        return None, None
    if start > end:
        notices.append(f"Ignored a custom range that ends ({end}) before it starts ({start}).")
        return None, None
    if start < MIN_DAY or end > MAX_DAY:
        notices.append(f"Ignored a custom range ({start} to {end}) outside {MIN_DAY} to {MAX_DAY}.")
        return None, None
    if earliest and end < earliest or start > today:
        notices.append(f"Ignored a custom range ({start} to {end}) outside the data "
                       f"({earliest or '…'} to {today}).")
        return None, None
    return start, end


def _shown(value: str | None, limit: int = 40) -> str:
    """A user-supplied value made safe to echo in a notice: quoted, shortened, one line."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
