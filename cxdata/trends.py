"""What the KPI trends page shows: any KPI per week, month or quarter under the global filters,
with its band, targets, changes, anomalies and a breakdown that says who moved it.

Every value comes from the sql/trend_*.sql queries (the metric macros on the derived tables);
this module picks the query for a KPI, judges changes with metrics.significance, flags
anomalies and splits a change into the members' contributions. docs/metrics.md ("KPI trends")
defines each step.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass

import pandas as pd

from cxdata import charts, initiatives, metrics, overview
from cxdata import formatting as fmt
from cxdata.filters import DIMENSIONS, Filters, is_complete
from cxdata.i18n import N_, _, n_

# The KPIs the page offers, in the picker's order, and the query that reads each.
QUERY = {
    "nps": "trend_surveys", "csat": "trend_surveys", "ces": "trend_surveys",
    "churn_rate": "trend_customers", "retention_rate": "trend_customers",
    "sla_compliance": "trend_service", "first_contact_resolution": "trend_service",
    "first_response_live": "trend_times", "first_response_written": "trend_times", "resolution_time": "trend_times",
    "contacts": "trend_service", "active_customers": "trend_customers", "revenue": "trend_customers",
    "revenue_per_active": "trend_customers", "clv": "trend_customers",
}
METRICS = {key: metrics.KPIS[key].label for key in QUERY}
DEFAULT_METRIC = "nps"
CUSTOMER_METRICS = tuple(k for k, q in QUERY.items() if q == "trend_customers")
GRAINS = {"week": N_("Week"), "month": N_("Month"), "quarter": N_("Quarter")}
DEFAULT_GRAIN = "month"
VERSUS = {"previous": N_("previous period"), "year": N_("same period last year")}
DEFAULT_VERSUS = "previous"


def versus_for(compare: str) -> str:
    """What the breakdown compares the latest whole period with, following the sidebar's comparison:
    the same period last year for "same period last year", else the period before."""
    return "year" if compare == "year" else "previous"

BREAKDOWNS = {"none": N_("No breakdown"), **{key: d.label for key, d in DIMENSIONS.items()}}
DEFAULT_BREAKDOWN = "segment"

# The least number of periods a trend shows (it reaches back before the filter's start for them),
# and how many earlier periods an anomaly's baseline reads (at least MIN_HISTORY of them).
MIN_PERIODS = {"week": 26, "month": 24, "quarter": 8}
BASELINE = {"week": 13, "month": 12, "quarter": 4}
MIN_HISTORY = {"week": 8, "month": 6, "quarter": 4}
SEASON = {"week": 52, "month": 12, "quarter": 4}  # periods in a year
ANOMALY_Z = 3.0
SPARK_PERIODS = 24  # a member's sparkline: its last periods, never hundreds of weeks
MULTIPLE_PERIODS = 52  # a small multiple's panel: at most a year of weeks
# KPIs whose whole-view value is a weighted mean of its members' (weights: n), so a change splits
# exactly into the members' contributions; sums split as they are.
WEIGHTED_MEANS = ("nps", "csat", "ces", "churn_rate", "retention_rate", "sla_compliance", "first_contact_resolution")
SUMS = ("contacts", "active_customers", "revenue")
SHARE_TOLERANCE = 1e-9  # a part this close to zero pulls neither way (floating-point dust of the split)
GROSS_MARGIN_ENV = "CX_GROSS_MARGIN"


def gross_margin() -> float:
    """The gross margin lifetime value is scaled by: $CX_GROSS_MARGIN (0 < m <= 1), default 1.0."""
    try:
        margin = float(os.environ.get(GROSS_MARGIN_ENV, "1"))
    except ValueError:
        return 1.0
    return margin if 0 < margin <= 1 else 1.0


def _minimum(kpi: str, min_responses: int) -> int:
    return min_responses if kpi in metrics.SURVEY_KPIS else 1


def _step_back(day: dt.date, grain: str, periods: int) -> dt.date:
    """The start of the period `periods` before the one starting on `day` (negative: after)."""
    if grain == "week":
        return day - dt.timedelta(weeks=periods)
    months = periods * (3 if grain == "quarter" else 1)
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, 1)


def period_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the week (Monday), month or quarter holding `day`, as period_of in SQL."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def window_start(filters: Filters, grain: str) -> dt.date:
    """The first period shown: the one holding the filter's start, or earlier, so at least
    MIN_PERIODS[grain] periods are drawn."""
    last = period_start(filters.end, grain)
    return min(period_start(filters.start, grain), _step_back(last, grain, MIN_PERIODS[grain] - 1))


def history_start(filters: Filters, grain: str) -> dt.date:
    """Where the series is read from: early enough for the first shown period's baseline and two
    seasons before it (anomalies), and for its change against the same period a year before."""
    return _step_back(window_start(filters, grain), grain, 2 * SEASON[grain] + BASELINE[grain])


def _params(filters: Filters, kpi: str, grain: str, by: str, first: dt.date) -> dict:
    return {**metrics.view_params(filters), "first": first, "grain": grain, "by": by, "kpi": kpi,
            "gross_margin": gross_margin()}


def series(reader, filters: Filters, kpi: str, grain: str, min_responses: int,
           oldest_on: dt.date | None = None, by: str = "none", first: dt.date | None = None,
           last_complete_on: dt.date | None = None, coverage: metrics.Coverage = metrics.EVERYTHING) -> pd.DataFrame:
    """One KPI per period (and per member when `by` names a dimension): period_start, member,
    value, moe, n, is_enough (n reaches the minimum), is_complete (filters.is_complete: the period
    lies whole inside the data, from `oldest_on` to `last_complete_on`, and the filter's range; no
    last complete day given: the filter's end), is_unanswered (a first-response median over half never
    answered: no value). Periods with no data, and periods before the data provides the KPI's columns
    (`coverage`), are rows with no value."""
    first = first or history_start(filters, grain)
    if oldest_on:
        first = max(first, period_start(oldest_on, grain))
    rows = reader.run(QUERY[kpi], _params(filters, kpi, grain, by, first))
    rows = metrics.without_unanswered_medians(rows[rows["kpi"] == kpi].drop(columns="kpi"))
    starts = _periods(first, filters.end, grain)
    members = sorted(rows["member"].dropna().unique()) if by != "none" else [None]
    grid = pd.DataFrame([(p, m) for m in members for p in starts], columns=["period_start", "member"])
    rows = rows.assign(period_start=pd.to_datetime(rows["period_start"]).dt.date)
    out = grid.merge(rows, on=["period_start", "member"], how="left") if by != "none" else \
        grid.drop(columns="member").merge(rows.drop(columns="member"), on="period_start", how="left").assign(member=None)
    stop = filters.end + dt.timedelta(days=1)
    complete_to = last_complete_on or filters.end
    out["is_complete"] = out["period_start"].map(
        lambda p: is_complete(p, _next(p, grain), stop, complete_to, oldest_on))
    absent = out["period_start"].map(lambda p: coverage.missing(kpi, p) is not None)
    out.loc[absent, ["value", "moe", "n"]] = math.nan
    out["is_enough"] = out["n"].fillna(0) >= _minimum(kpi, min_responses)
    out.loc[~out["is_enough"] & metrics.KPIS[kpi].is_sample, "moe"] = math.nan
    out["is_unanswered"] = out["is_unanswered"].fillna(False).astype(bool)
    return out[["period_start", "member", "value", "moe", "n", "is_enough", "is_complete",
                "is_unanswered"]].reset_index(drop=True)


def _periods(first: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    out, p = [], period_start(first, grain)
    while p <= end:
        out.append(p)
        p = _next(p, grain)
    return out


def targets(reader, filters: Filters, kpi: str, grain: str, first: dt.date) -> pd.Series:
    """The target per period start (a filtered department's own, else the company's), or an empty
    Series. Churn targets are per quarter, so churn and retention (100 - the churn target) are
    compared at quarter grain only."""
    if kpi in ("churn_rate", "retention_rate") and grain != "quarter":
        return pd.Series(dtype=float)
    metric = "churn_rate" if kpi == "retention_rate" else kpi
    rows = reader.run("trend_targets", _params(filters, kpi, grain, "none", first))
    rows = rows[rows["metric"] == metric]
    department = filters["department"][0] if len(filters["department"]) == 1 else None
    own = rows[rows["department"] == department] if department else rows.iloc[0:0]
    company = rows[rows["department"].isna()]
    chosen = pd.concat([own, company[~company["period_start"].isin(own["period_start"])]])
    out = chosen.set_index(pd.to_datetime(chosen["period_start"]).dt.date)["target"].astype(float).sort_index()
    return 100.0 - out if kpi == "retention_rate" else out


# ---- Changes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodChange:
    versus: str               # "previous" or "year"
    period: dt.date | None    # the latest whole period
    other: dt.date | None     # the one it is compared with
    value: float | None
    other_value: float | None
    change: metrics.Change
    is_better: bool | None
    is_unanswered: bool = False   # the period's median: over half never answered (no value)
    n: int | None = None          # the period's sample


def latest_whole(df: pd.DataFrame) -> dt.date | None:
    whole = df[df["is_complete"] & (df["value"].notna() | df["is_unanswered"])]
    return whole["period_start"].max() if not whole.empty else None


def compared_with(period: dt.date, grain: str, versus: str) -> dt.date:
    """The period a change is measured against: the one before, or the same one a year before."""
    return _step_back(period, grain, 1 if versus == "previous" else SEASON[grain])


def change(df: pd.DataFrame, kpi: str, grain: str, versus: str, period: dt.date | None = None) -> PeriodChange:
    """The latest whole period (or `period`) against the one before or a year before, judged as
    the overview judges: a z-test on the 95% margins, only when both have enough answers."""
    period = period or latest_whole(df)
    if period is None:
        return PeriodChange(versus, None, None, None, None, metrics.Change(None, None, False), None)
    other = compared_with(period, grain, versus)
    by_period = df.set_index("period_start")
    now = by_period.loc[period] if period in by_period.index else None
    then = by_period.loc[other] if other in by_period.index else None
    k = metrics.KPIS[kpi]
    usable = now is not None and then is not None and bool(now["is_enough"]) and bool(then["is_enough"])
    result = (metrics.significance(now["value"], now["moe"], then["value"], then["moe"], k.is_sample)
              if usable else metrics.Change(None, None, False))
    better = None if result.delta in (None, 0) or k.higher_is_better is None or not (
        result.is_significant or result.is_census) else (result.delta > 0) == k.higher_is_better
    value = None if now is None or not now["is_enough"] or pd.isna(now["value"]) else now["value"]
    other_value = None if then is None or not then["is_enough"] or pd.isna(then["value"]) else then["value"]
    return PeriodChange(versus, period, other, value, other_value, result, better,
                        is_unanswered=now is not None and bool(now["is_unanswered"]),
                        n=None if now is None or pd.isna(now["n"]) else int(now["n"]))


def period_name(day: dt.date | None, grain: str) -> str:
    """'week of 2 Nov 2026', 'Q4 2026', 'November 2026', as the locale writes them."""
    if day is None:
        return "—"
    if grain == "week":
        return _("week of {day}").format(day=overview.day_text(day))
    if grain == "quarter":
        return fmt.quarter(day)
    return fmt.month_name(day)


def change_text(c: PeriodChange, kpi: str, grain: str) -> str:
    """'+4.1 pts against October 2026 (36.4), significant' or why there is no change to show."""
    if c.is_unanswered:
        return _("no comparison: {unanswered} in {period}").format(unanswered=fmt.unanswered(c.n),
                                                                     period=period_name(c.period, grain))
    if c.change.delta is None:
        return _("no comparison with {period}: too few answers or no data there").format(
            period=period_name(c.other, grain))
    fields = dict(change=fmt.change(kpi, c.change.delta, c.value), period=period_name(c.other, grain),
                  value=fmt.value(kpi, c.other_value))
    if c.change.is_census:
        return _("{change} against {period} ({value})").format(**fields)
    if c.change.is_significant:
        return _("{change} against {period} ({value}), significant").format(**fields)
    return _("{change} against {period} ({value}), not significant").format(**fields)


# ---- Anomalies -------------------------------------------------------------------------------------

def anomalies(df: pd.DataFrame, grain: str, threshold: float = ANOMALY_Z) -> pd.DataFrame:
    """Each whole period judged against what recent history predicts (docs/metrics.md, "Anomalies").

    Expected = the median of the previous BASELINE[grain] whole periods with enough answers (at
    least MIN_HISTORY), plus a seasonal offset once the same period has been seen in two earlier
    years (the median of its offsets from their own baselines). Spread = 1.4826 x the baseline's
    median absolute deviation (the history's own swings, sampling noise included), but never less
    than the period's own standard error (a period with fewer answers than its history), widened
    by the baseline's own uncertainty (a median of k values: 1.2533 x spread / sqrt(k)), and never
    under 1% of the expected value. A period is an anomaly when it lies `threshold` spreads or more away.
    Adds expected, deviation (in spreads; NaN when not judged) and is_anomaly.
    """
    out = df.sort_values("period_start").reset_index(drop=True).copy()
    usable = out["is_complete"] & out["is_enough"] & out["value"].notna()
    values = out["value"].where(usable)

    def baseline(i: int) -> tuple[float, float, int] | None:
        history = values.iloc[max(0, i - BASELINE[grain]):i].dropna()
        if len(history) < MIN_HISTORY[grain]:
            return None
        level = float(history.median())
        return level, 1.4826 * float((history - level).abs().median()), len(history)

    expected, deviation = [math.nan] * len(out), [math.nan] * len(out)
    for i in out.index[usable]:
        base = baseline(i)
        if base is None:
            continue
        level, spread, k = base
        offsets = []
        for years in (1, 2, 3):
            j = i - years * SEASON[grain]
            earlier = baseline(j) if j >= 0 and not pd.isna(values.iloc[j]) else None
            if earlier:
                offsets.append(float(values.iloc[j]) - earlier[0])
        if len(offsets) >= 2:
            level += float(pd.Series(offsets).median())
        se = 0.0 if pd.isna(out.at[i, "moe"]) else float(out.at[i, "moe"]) / metrics.Z95
        # the baseline is itself an estimate: a median of k values has a standard error of about
        # 1.2533 x spread / sqrt(k), added to the period's own spread
        scale = max(math.hypot(max(spread, se), 1.2533 * spread / math.sqrt(k)), 0.01 * abs(level), 1e-9)
        expected[i] = level
        deviation[i] = (float(values.iloc[i]) - level) / scale
    out["expected"] = expected
    out["deviation"] = deviation
    out["is_anomaly"] = out["deviation"].abs() >= threshold
    return out


def anomaly_sentences(flagged: pd.DataFrame, kpi: str, grain: str) -> list[str]:
    """'SLA compliance in January 2026, 79.6%, is below the 89.0% its recent history predicts, by 3.1 times
    its usual variation.' (the deviation in robust standard deviations, said in plain words)"""
    out = []
    for r in flagged[flagged["is_anomaly"]].itertuples():
        fields = dict(kpi=_(metrics.KPIS[kpi].label), period=period_name(r.period_start, grain),
                      value=fmt.value(kpi, r.value), expected=fmt.value(kpi, r.expected),
                      times=fmt.number(abs(r.deviation), 1))
        if r.deviation > 0:
            out.append(_("{kpi} in {period}, {value}, is above the {expected} its recent history predicts, by "
                         "{times} times its usual variation.").format(**fields))
        else:
            out.append(_("{kpi} in {period}, {value}, is below the {expected} its recent history predicts, by "
                         "{times} times its usual variation.").format(**fields))
    return out


# ---- Breakdown -------------------------------------------------------------------------------------

def applies(kpi: str, by: str) -> bool:
    """Customer KPIs split only by customer attributes: a customer has no single channel,
    department or journey stage."""
    return by == "none" or kpi not in CUSTOMER_METRICS or DIMENSIONS[by].of_customer


def contributions(members: pd.DataFrame, kpi: str) -> pd.Series:
    """Each member's part of the whole view's change, adding up to it exactly.

    `members` has value, n (the weight), prev_value and prev_n. For a weighted mean V = sum w_i v_i
    (w_i = n_i / N), member i's part is w'_i v'_i - w_i v_i - (w'_i - w_i) x the mean of V and V':
    the parts add up to V' - V, since the shares' changes add up to 0; a member growing in share at
    the average value moves nothing. For a sum, the part is the member's own change. Other KPIs (a
    median, a ratio of ratios) have no exact split: NaN.
    """
    if kpi in SUMS:
        return members["value"].fillna(0) - members["prev_value"].fillna(0)
    if kpi not in WEIGHTED_MEANS:
        return pd.Series(math.nan, index=members.index)
    w_now = members["n"].fillna(0) / members["n"].fillna(0).sum()
    w_then = members["prev_n"].fillna(0) / members["prev_n"].fillna(0).sum()
    v_now = (members["value"].fillna(0) * w_now).sum()
    v_then = (members["prev_value"].fillna(0) * w_then).sum()
    mean = (v_now + v_then) / 2
    return members["value"].fillna(0) * w_now - members["prev_value"].fillna(0) * w_then - (w_now - w_then) * mean


def shares(parts: pd.Series, total: float | None) -> pd.Series:
    """Each part as a % of the whole change, only where that reads as a share: every part on the
    total's side of zero (so none exceeds it and they add up to 100%). Parts that pull both ways
    (+3.6 and -2.2 pts of a +0.6 pts change) would read as 578% and -354%: NaN, the points say it."""
    if not total or parts.isna().all():
        return pd.Series(math.nan, index=parts.index)
    against = parts * math.copysign(1, total) < -SHARE_TOLERANCE
    if against.any():
        return pd.Series(math.nan, index=parts.index)
    return 100 * parts / total


def breakdown(per_member: pd.DataFrame, whole: PeriodChange, kpi: str, grain: str, versus: str) -> pd.DataFrame:
    """One row per member for the latest whole period against the comparison: value, n, prev_value,
    prev_n, delta, verdict, is_better, contribution (its part of the whole view's change), share
    (% of that change) and spark (its values in the last SPARK_PERIODS whole periods with enough answers),
    sorted by the size of the contribution (by the size of the change where no exact split exists)."""
    if whole.period is None or per_member.empty:
        return pd.DataFrame(columns=["member", "value", "n", "prev_value", "prev_n", "delta", "verdict",
                                     "is_better", "is_unanswered", "contribution", "share", "spark"])
    rows = []
    for member, df in per_member.groupby("member", sort=True):
        c = change(df, kpi, grain, versus, whole.period)
        by_period = df.set_index("period_start")
        now = by_period.loc[whole.period] if whole.period in by_period.index else None
        then = by_period.loc[whole.other] if whole.other in by_period.index else None
        recent = df[df["is_complete"] & (df["period_start"] <= whole.period)].tail(SPARK_PERIODS)
        rows.append({
            "member": member, "value": None if now is None or not now["is_enough"] else now["value"],
            "raw_value": None if now is None else now["value"], "n": None if now is None else now["n"],
            "prev_value": None if then is None or not then["is_enough"] else then["value"],
            "raw_prev": None if then is None else then["value"], "prev_n": None if then is None else then["n"],
            "delta": c.change.delta, "verdict": c.change.verdict, "is_better": c.is_better,
            "is_unanswered": c.is_unanswered,
            # periods under the minimum are left out: a sparkline cell draws numbers only
            "spark": [float(v) for v, e in zip(recent["value"], recent["is_enough"]) if e and pd.notna(v)],
        })
    out = pd.DataFrame(rows)
    for column in ("value", "n", "prev_value", "prev_n", "delta"):   # None (no value) as NaN
        out[column] = pd.to_numeric(out[column], errors="coerce")
    # The split uses every member's value, shown or not, so the parts add up to the whole change.
    out["contribution"] = contributions(out.assign(value=out["raw_value"], prev_value=out["raw_prev"]), kpi)
    out["share"] = shares(out["contribution"], whole.change.delta)
    key = out["contribution"].abs() if out["contribution"].notna().any() else out["delta"].abs()
    out = out.assign(_key=key.fillna(-1)).sort_values(["_key", "member"], ascending=[False, True])
    return out.drop(columns=["_key", "raw_value", "raw_prev"]).reset_index(drop=True)


# ---- The page's data ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendData:
    kpi: str
    grain: str
    by: str
    versus: str
    series: pd.DataFrame          # the shown periods, with expected, deviation, is_anomaly
    targets: pd.Series            # period_start -> target
    changes: dict[str, PeriodChange]
    per_member: pd.DataFrame      # the breakdown's series (empty when none or not applicable)
    members: pd.DataFrame         # the breakdown table
    missing: str | None = None    # why the data has no value of the KPI at all (metrics.Coverage), or None
    period: tuple[dt.date, dt.date] | None = None   # the view's period (first and last day), marked on the chart
    selected: overview.PeriodFigure | None = None  # the KPI over that period, as the overview's tile says it


def load(reader, filters: Filters, kpi: str, grain: str, by: str, versus: str, min_responses: int,
         oldest_on: dt.date | None, last_complete_on: dt.date | None = None, compare: str | None = None,
         withhold_counts: bool = False, figures: dict[str, overview.PeriodFigure] | None = None) -> TrendData:
    """Run the page's queries for one view: the page, the bench and the tests call this. The data's
    extent (`oldest_on`, `last_complete_on`: data_status.facts) says which periods are whole. With the
    sidebar's `compare`, the KPI's value over the view's period comes too, from the overview's own
    function (overview.period_figures; `withhold_counts` as there), for the KPIs the overview shows;
    a caller that already has those `figures` (the board pack, for every KPI at once) passes them."""
    coverage = metrics.coverage(reader)
    history = series(reader, filters, kpi, grain, min_responses, oldest_on, last_complete_on=last_complete_on,
                     coverage=coverage)
    judged = anomalies(history, grain)
    first = window_start(filters, grain)
    shown = judged[judged["period_start"] >= first].reset_index(drop=True)
    changes = {v: change(history, kpi, grain, v) for v in VERSUS}
    per_member = pd.DataFrame()
    if by != "none" and applies(kpi, by):
        start = min(first, compared_with(changes[versus].period or first, grain, "year"))
        per_member = series(reader, filters, kpi, grain, min_responses, oldest_on, by=by, first=start,
                            last_complete_on=last_complete_on, coverage=coverage)
    selected = None if figures is None else figures.get(kpi)
    if figures is None and compare is not None and kpi in metrics.SUMMARY_KPIS:
        selected = overview.period_figures(reader, filters, compare, min_responses, (kpi,), withhold_counts)[kpi]
    return TrendData(kpi, grain, by, versus, shown, targets(reader, filters, kpi, grain, first), changes,
                     per_member, breakdown(per_member, changes[versus], kpi, grain, versus), coverage.missing(kpi),
                     (filters.start, filters.end), selected)


def span(period: tuple[dt.date, dt.date]) -> str:
    """'2 Sep – 30 Nov 2026' (the year once when both days share it)."""
    start, end = period
    first = fmt.day_month(start).lstrip("0") if start.year == end.year else overview.day_text(start)
    return _("{start} – {end}").format(start=first, end=overview.day_text(end))


# "No whole <period> with data": one sentence per grain, so each language agrees it with its noun.
_NO_WHOLE = {"week": N_("no whole week with data in this view"), "month": N_("no whole month with data in this view"),
             "quarter": N_("no whole quarter with data in this view")}


def _finding(subject_is_kpi: bool, kind: str, **fields) -> str:
    """The latest whole period's finding, one whole sentence per shape: with the KPI as its subject
    ('NPS rose 4 pts to 40 in November 2026'), or after the period's lead ('it rose ...')."""
    if subject_is_kpi:
        said = {"rose": _("{kpi} rose {size} to {value} in {when}"), "fell": _("{kpi} fell {size} to {value} in {when}"),
                "is": _("{kpi} is {value} in {when}"),
                "steady": _("{kpi} is {value} in {when}, no significant change")}[kind]
    else:
        said = {"rose": _("it rose {size} to {value} in {when}"), "fell": _("it fell {size} to {value} in {when}"),
                "is": _("it is {value} in {when}"), "steady": _("it is {value} in {when}, no significant change")}[kind]
    return said.format(**fields)


def headline(data: TrendData) -> str:
    """The chart's title: the KPI over the view's period when it has one ('NPS is 37 over 2 Sep –
    30 Nov 2026'), then the latest whole period's finding ('it rose 4 points to 40 in November 2026')."""
    c = data.changes["previous"]
    label = _(metrics.KPIS[data.kpi].label)
    if data.missing:
        return _("{kpi}: {not_in_data}: {reason}").format(kpi=label, not_in_data=_(metrics.NOT_IN_DATA),
                                                          reason=data.missing)
    lead = None
    if data.selected is not None and data.selected.value is not None and data.period is not None:
        lead = _("{kpi} is {value} over {span}").format(kpi=label, value=data.selected.text, span=span(data.period))

    def after_lead(clause: str) -> str:
        return _("{kpi}: {finding}").format(kpi=label, finding=clause) if lead is None else \
            _("{lead}; {finding}").format(lead=lead, finding=clause)

    if c.period is None:
        return after_lead(_(_NO_WHOLE[data.grain]))
    when = period_name(c.period, data.grain)
    flagged = data.series[data.series["is_anomaly"]]
    if c.is_unanswered:
        return _("{kpi}: {unanswered} in {when}").format(kpi=label, unanswered=fmt.unanswered(c.n), when=when)
    if c.value is None:
        return after_lead(_("too few answers in {when} to show a score").format(when=when))
    fields = dict(kpi=label, value=fmt.value(data.kpi, c.value), when=when)
    if c.change.delta is not None and (c.change.is_significant or (c.change.is_census and c.change.delta)):
        kind = "rose" if c.change.delta > 0 else "fell"
        fields["size"] = fmt.change(data.kpi, abs(c.change.delta), c.value).lstrip("+±")
    else:
        kind = "steady" if c.change.delta is not None and not c.change.is_census else "is"
    text = _finding(lead is None, kind, **fields)
    if lead is not None:
        text = _("{lead}; {finding}").format(lead=lead, finding=text)
    if not flagged.empty:
        text += " · " + n_("{n} anomaly flagged", "{n} anomalies flagged", len(flagged)).format(n=fmt.count(len(flagged)))
    return text


def clv_by_segment(reader, filters: Filters, grain: str, period: dt.date) -> pd.DataFrame:
    """Lifetime value and what it is made of, per segment, in one whole period: customers active at
    its start, revenue per active customer per year, the annual churn rate it assumes, and CLV
    (docs/metrics.md, "Lifetime value")."""
    rows = reader.run("trend_customers", _params(filters, "clv", grain, "segment", period))
    rows = rows[pd.to_datetime(rows["period_start"]).dt.date == period]
    wide = rows.pivot_table(index="member", columns="kpi", values="value", aggfunc="first")
    n = rows[rows["kpi"] == "churn_rate"].set_index("member")["n"]
    out = pd.DataFrame({"segment": wide.index, "customers": n.reindex(wide.index).to_numpy(),
                        "revenue_per_year": wide.get("revenue_per_active_per_year"),
                        "annual_churn": wide.get("annual_churn_rate"), "clv": wide.get("clv")})
    return out.sort_values("clv", ascending=False, na_position="last").reset_index(drop=True)


def _next(period: dt.date, grain: str) -> dt.date:
    return _step_back(period, grain, -1)


def breakdown_table(members: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """The breakdown as the page shows it: formatted values, n, the change and its verdict, the part
    of the whole change and a sparkline list per member."""
    def verdict(r) -> str:
        if r.verdict == "no comparison":
            return _("too few answers to compare")
        if r.verdict == "significant change":
            return _("better") if r.is_better else _("worse") if r.is_better is False else _("significant")
        return _("not significant") if r.verdict == "no significant change" else _("changed")

    def part(c, s, v) -> str:
        if pd.isna(c):
            return "—"
        shown = fmt.change(kpi, c, v)
        return shown if pd.isna(s) else _("{change} ({share})").format(change=shown, share=fmt.percent(s, 0))

    return pd.DataFrame({
        _("Member"): members["member"],
        _("Value"): [fmt.unanswered(n) if u else fmt.value(kpi, v) if pd.notna(v) else _("too few answers")
                     for v, n, u in zip(members["value"], members["n"], members["is_unanswered"])],
        "n": [fmt.count(n) for n in members["n"]],
        _("Change"): [fmt.change(kpi, d, v) if pd.notna(d) else "—" for d, v in zip(members["delta"], members["value"])],
        _("Verdict"): [verdict(r) for r in members.itertuples()],
        _("Part of the change"): [part(c, s, v) for c, s, v in zip(members["contribution"], members["share"],
                                                                    members["value"])],
        _("Trend"): members["spark"],
    })


def top_movers(members: pd.DataFrame, count: int = 4) -> list[str]:
    """The members the small multiples draw: the first in the breakdown's order that have a value."""
    shown = members[members["value"].notna() & (members["member"] != "(not set)")]
    return shown["member"].head(count).tolist()


def multiples(data: TrendData) -> pd.DataFrame:
    """The top members' series for the small multiples: the shown window, at most its last
    MULTIPLE_PERIODS periods (five years of weeks would be hundreds of points a panel)."""
    starts = sorted(data.series["period_start"])[-MULTIPLE_PERIODS:]
    return data.per_member[data.per_member["period_start"] >= starts[0]] if starts else data.per_member


_PER = {"week": N_("{kpi} per week with its 95% band, {window}; hollow: under the minimum sample"),
        "month": N_("{kpi} per month with its 95% band, {window}; hollow: under the minimum sample"),
        "quarter": N_("{kpi} per quarter with its 95% band, {window}; hollow: under the minimum sample")}


def subtitle(data: TrendData) -> str:
    """The trend chart's subtitle: the metric, its grain and window, and how to read it."""
    shown = data.series["period_start"]
    window = _("{start} – {end}").format(start=period_name(shown.min(), data.grain),
                                         end=period_name(shown.max(), data.grain))
    parts = [_(_PER[data.grain]).format(kpi=_(metrics.KPIS[data.kpi].label), window=window)]
    if data.period is not None:
        parts.append(_("shaded: the selected period, {span}").format(span=span(data.period)))
    if data.kpi in ("churn_rate", "retention_rate") and data.grain != "quarter":
        parts.append(_("churn targets are per quarter: choose the quarter grain to compare"))
    return "; ".join(parts)


def figure(data: TrendData, min_responses: int, markers: pd.DataFrame | None = None):
    """The trend chart as the page and the board pack draw it: the finding as its title; `markers`
    (initiative_markers) put the initiatives aimed at this KPI on it."""
    shown = data.selected is not None and data.selected.value is not None
    marked = None if data.period is None else (
        period_start(data.period[0], data.grain), data.period[1],
        _("Selected period: {value}").format(value=data.selected.text) if shown else _("Selected period"))
    said = subtitle(data)
    if markers is not None and not markers.empty:
        said = _("{subtitle}; dotted line: an initiative's start, ◆: its checkpoints").format(subtitle=said)
    return charts.kpi_trend(data.series, data.kpi, headline(data), said, min_n=min_responses,
                            grain=data.grain, targets=data.targets, period=marked, markers=markers)


MARKER_COLUMNS = ["on", "kind", "name", "text", "state"]   # untranslated: column keys


def initiative_markers(plans, data: TrendData) -> pd.DataFrame:
    """The starts and checkpoints, inside the chart's window, of the initiatives aimed at its KPI
    (`plans`: cxdata.initiatives.plans): one row each (on, kind "start" | "checkpoint", name, text
    for the hover, state) for charts.kpi_trend."""
    shown = data.series["period_start"]
    if shown.empty:
        return pd.DataFrame(columns=MARKER_COLUMNS)
    first = pd.Timestamp(shown.min())
    last = pd.Timestamp(_next(pd.Timestamp(shown.max()).date(), data.grain)) - pd.Timedelta(days=1)
    rows = []
    for plan in plans:
        if plan.kpi != data.kpi:
            continue
        if first <= pd.Timestamp(plan.start) <= last:
            rows.append({"on": plan.start, "kind": "start", "name": plan.name, "state": plan.status,
                         "text": _("{name}: the initiative started on {date}").format(
                             name=plan.name, date=fmt.date(plan.start))})
        for point in plan.checkpoints:
            if first <= pd.Timestamp(point.due) <= last:
                rows.append({"on": point.due, "kind": "checkpoint", "name": plan.name, "state": point.state,
                             "text": _("{name}, checkpoint of {date}: {what} ({state})").format(
                                 name=plan.name, date=fmt.date(point.due), what=point.what,
                                 state=initiatives.checkpoint_label(point.state))})
    return pd.DataFrame(rows, columns=MARKER_COLUMNS)


# ---- The rows behind a period, and the download ----------------------------------------------------------

def period_filters(filters: Filters, period: dt.date, grain: str) -> Filters:
    """The filters behind one period of the line: its days, cut at the view's end (as the series reads it)."""
    return filters.replace(start=period, end=min(filters.end, _next(period, grain) - dt.timedelta(days=1)))


def export_table(data: TrendData) -> pd.DataFrame:
    """The series the chart draws, one row per period, as numbers a spreadsheet can use: value, margin
    and n (blank where too few answers), whether the period is whole, its target and whether it is an
    anomaly."""
    s = data.series
    enough = s["is_enough"] & s["value"].notna()
    return pd.DataFrame({
        _("Period"): [period_name(p, data.grain) for p in s["period_start"]],
        _("Starts on"): s["period_start"],
        _(metrics.KPIS[data.kpi].label): s["value"].where(enough),
        _("Margin (±, 95%)"): s["moe"].where(enough),
        "n": s["n"],
        _("Whole period"): s["is_complete"],
        _("Target"): s["period_start"].map(data.targets) if not data.targets.empty else None,
        _("Anomaly"): s["is_anomaly"] if "is_anomaly" in s else False,
        _("Over half never answered"): s["is_unanswered"],   # a response median with no value to show
    })
