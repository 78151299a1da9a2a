"""What an initiative changed: its measured effect on its KPI, with a 95% interval, and a verdict.

With a comparison group (an initiative scoped to some segments, regions, channels, touchpoints or
departments): a difference-in-differences over matched periods before and after the start, the same
number of whole weeks each side (as many as the data holds after the start, up to the end date and at
most MAX_WEEKS, and no more than it holds before). The effect is (scope after - scope before) -
(comparison after - comparison before), each a mean of per-observation values (kpis.py), and its
standard error the square root of the sum of the four cells' variance / n. Its trust rests on the two
groups moving in parallel before the start: the slope per week of the scope-minus-comparison gap over
the weeks before is given with its interval (parallel when the interval holds 0).

Without one (a company-wide initiative): an interrupted time series, a segmented regression on the
weekly KPI (level, trend, a level change at the start and a trend change after it), the level change
being the effect, with its OLS standard error. Weaker evidence: anything else that changed that week
counts as the initiative's effect. docs/initiatives.md says both in words.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxdata.filters import DIMENSIONS
from cxdata.initiatives.kpis import CUSTOMER_SCOPE, MEASURED, SCOPE_COLUMNS
from cxdata.metrics import Z95, coverage, min_responses

MAX_WEEKS = 26        # each side of the start: half a year, so slow drifts weigh less
MIN_WEEKS_AFTER = 4   # whole weeks after the start before an effect is measured ("too_early" before)
MIN_TREND_WEEKS = 3   # weeks before the start with both groups, for the parallel-trends slope
POWER_FACTOR = 2.8    # (1.96 + 0.84) standard errors: the effect found 80% of the time at the 5% level
VERDICTS = ("moved", "no_effect", "below_detectable", "too_early", "too_few", "not_in_data")
QUERIES = {"answers": "initiative_answers", "contacts": "initiative_contacts", "customers": "initiative_customers"}


@dataclass(frozen=True)
class Effect:
    method: str | None            # "did", "its", or None when nothing was measured
    effect: float | None          # in the KPI's units (points), signed: after minus before
    ci_low: float | None          # the 95% interval ("likely between")
    ci_high: float | None
    mde: float | None             # the smallest effect the data would find 80% of the time
    verdict: str                  # VERDICTS
    n_scope: int = 0              # observations in the scope, both periods
    n_comparison: int = 0         # in the comparison group, both periods (0 for "its")
    periods: pd.DataFrame = field(default_factory=lambda: _periods_frame([]))  # period, group, value, n
    parallel: bool | None = None  # None: not checked (its, or too few weeks before)
    weeks: int = 0                # whole weeks measured on each side of the start
    first_on: dt.date | None = None   # the first day measured (weeks before the start)
    stop_on: dt.date | None = None    # the day after the last measured
    se: float | None = None
    trend_slope: float | None = None  # the pre-period gap's slope, points per week, and its interval
    trend_low: float | None = None
    trend_high: float | None = None
    scope_before: float | None = None     # the four cells' means (for "its": the scope's two periods)
    scope_after: float | None = None
    comparison_before: float | None = None
    comparison_after: float | None = None
    n_after_scope: int = 0        # observations in the scope after the start (contacts per week: payback)
    value_in_scope: float | None = None   # annual value of the scope's customers active at the start (churn)
    minimum: int = 0              # the fewest observations a cell needs

    @property
    def is_measured(self) -> bool:
        return self.effect is not None


def window(start: dt.date, end: dt.date | None, today: dt.date, oldest_on: dt.date | None,
           newest_on: dt.date | None) -> int:
    """Whole weeks on each side of the start: those after it up to the end date, today and the data's
    newest day (all included), capped by those the data holds before it and by MAX_WEEKS."""
    if oldest_on is None or newest_on is None:
        return 0
    last = min(d for d in (end, today, newest_on) if d is not None)
    after = ((last - start).days + 1) // 7
    before = (start - oldest_on).days // 7
    return max(0, min(after, before, MAX_WEEKS))


def weeks_after(start: dt.date, end: dt.date | None, today: dt.date, newest_on: dt.date | None) -> int:
    if newest_on is None:
        return 0
    last = min(d for d in (end, today, newest_on) if d is not None)
    return max(0, ((last - start).days + 1) // 7)


def scope_params(plan, first_on: dt.date, start_on: dt.date, stop_on: dt.date, kpi: str) -> dict:
    """The bound parameters of the measuring queries: the scope as one struct of lists (like $filters)
    and, for the user's own scope, $filters with nothing chosen (the scoped reader narrows it)."""
    scope = {column: list(plan.scope.get(column, ())) for column in SCOPE_COLUMNS.values()}
    return {"first_on": first_on, "start_on": start_on, "stop_on": stop_on, "scope": scope,
            "survey": MEASURED[kpi].survey or "", "filters": {key: [] for key in DIMENSIONS}}


def cells(reader, plan, kpi: str, first_on: dt.date, start_on: dt.date, stop_on: dt.date) -> pd.DataFrame:
    """The measuring query's rows (span, week, group, n, sum_y, sum_y2, value_sum)."""
    name = QUERIES[MEASURED[kpi].source]
    if name == "initiative_customers" and any(plan.scope.get(d) for d in SCOPE_COLUMNS.values()
                                              if d not in CUSTOMER_SCOPE):
        name = "initiative_customers_by_contact"   # customers picked by their contacts: read from raw rows
    return reader.run(name, scope_params(plan, first_on, start_on, stop_on, kpi))


def scope_value(reader, plan, kpi: str, first_on: dt.date, stop_on: dt.date) -> float | None:
    """The KPI on the plan's scope over [first_on, stop_on) (a checkpoint's value), or None with too few."""
    rows = cells(reader, plan, kpi, first_on, first_on, stop_on)
    rows = rows[rows["group"] == "scope"]
    rows = rows[rows["span"] == ("after" if MEASURED[kpi].source == "customers" else "week")]
    n = int(rows["n"].sum())
    minimum = min_responses() if MEASURED[kpi].source == "answers" else 1
    return float(rows["sum_y"].sum()) / n if n >= minimum else None


def measure(reader, plan, today: dt.date) -> Effect:
    """The initiative's measured effect on its KPI (see the module docstring), never raising on thin data:
    not_in_data, too_early or too_few say why there is no number."""
    kpi = plan.kpi
    missing = coverage(reader).missing(kpi) if MEASURED[kpi].source != "answers" else None
    extent = reader.run("data_extent")
    oldest = _date(extent["oldest_on"].iloc[0]) if len(extent) else None
    newest = _date(extent["newest_on"].iloc[0]) if len(extent) else None
    if missing or newest is None:
        return Effect(None, None, None, None, None, "not_in_data")
    if plan.start > today or weeks_after(plan.start, plan.end, today, newest) < MIN_WEEKS_AFTER:
        return Effect(None, None, None, None, None, "too_early")
    weeks = window(plan.start, plan.end, today, oldest, newest)
    if weeks < MIN_WEEKS_AFTER:
        return Effect(None, None, None, None, None, "too_few")   # too little history before the start
    first_on = plan.start - dt.timedelta(days=7 * weeks)
    stop_on = plan.start + dt.timedelta(days=7 * weeks)
    rows = cells(reader, plan, kpi, first_on, plan.start, stop_on)
    if not len(rows) or rows["n"].sum() == 0:
        return Effect(None, None, None, None, None, "not_in_data", first_on=first_on, stop_on=stop_on, weeks=weeks)
    minimum = min_responses()   # the same minimum for a cell of answers, contacts or customers
    periods = _periods(rows, plan.start)
    if plan.is_company_wide:
        return _its(rows, plan, periods, weeks, first_on, stop_on, minimum)
    return _did(rows, plan, periods, weeks, first_on, stop_on, minimum)


# ---- Difference in differences ------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One group in one period: n observations, their mean and the variance of the mean."""
    n: int
    mean: float | None
    var_of_mean: float | None

    @classmethod
    def of(cls, n: float, sum_y: float, sum_y2: float) -> "Cell":  # untranslated: a type
        n = int(n)
        if n == 0:
            return cls(0, None, None)
        mean = sum_y / n
        if n < 2:
            return cls(n, mean, None)
        variance = max(0.0, (sum_y2 - n * mean * mean) / (n - 1))   # the sample variance per observation
        return cls(n, mean, variance / n)


def did(scope_before: Cell, scope_after: Cell, comparison_before: Cell, comparison_after: Cell
        ) -> tuple[float, float] | None:
    """The difference in differences and its standard error, or None when a cell is empty."""
    four = (scope_before, scope_after, comparison_before, comparison_after)
    if any(c.mean is None or c.var_of_mean is None for c in four):
        return None
    effect = (scope_after.mean - scope_before.mean) - (comparison_after.mean - comparison_before.mean)
    return effect, math.sqrt(sum(c.var_of_mean for c in four))


def _split(rows: pd.DataFrame, group: str, before: bool) -> Cell:
    """A group's cell in one period: the customers query gives the periods whole (a customer counts
    once per period); the others are sums of their weeks."""
    if (rows["span"] != "week").any():
        part = rows[(rows["span"] == ("before" if before else "after")) & (rows["group"] == group)]
    else:
        part = rows[(rows["group"] == group) & ((rows["week"] < 0) if before else (rows["week"] >= 0))]
    return Cell.of(part["n"].sum(), part["sum_y"].sum(), part["sum_y2"].sum())


def _did(rows, plan, periods, weeks, first_on, stop_on, minimum) -> Effect:
    sb, sa = _split(rows, "scope", True), _split(rows, "scope", False)
    cb, ca = _split(rows, "comparison", True), _split(rows, "comparison", False)
    common = dict(method="did", n_scope=sb.n + sa.n, n_comparison=cb.n + ca.n, periods=periods, weeks=weeks,
                  first_on=first_on, stop_on=stop_on, scope_before=sb.mean, scope_after=sa.mean,
                  comparison_before=cb.mean, comparison_after=ca.mean, n_after_scope=sa.n,
                  value_in_scope=_value_in_scope(rows), minimum=minimum)
    slope = _trend(periods)
    if slope is not None:
        common.update(trend_slope=float(slope[0]), trend_low=float(slope[1]), trend_high=float(slope[2]),
                      parallel=bool(slope[1] <= 0 <= slope[2]))
    if min(sb.n, sa.n, cb.n, ca.n) < max(minimum, 2):
        return Effect(effect=None, ci_low=None, ci_high=None, mde=None, verdict="too_few", **common)
    found = did(sb, sa, cb, ca)
    if found is None:
        return Effect(effect=None, ci_low=None, ci_high=None, mde=None, verdict="too_few", **common)
    effect, se = found
    return _judged(effect, se, plan, common)


def _judged(effect: float, se: float, plan, common: dict) -> Effect:
    low, high = effect - Z95 * se, effect + Z95 * se
    mde = POWER_FACTOR * se
    return Effect(effect=effect, ci_low=low, ci_high=high, mde=mde, se=se,
                  verdict=verdict_of(low, high, mde, plan.expected_change), **common)


def verdict_of(low: float, high: float, mde: float, expected: float | None) -> str:
    """moved when the interval excludes 0; else below_detectable when the change the initiative aimed
    for is smaller than the data could see, else no_effect."""
    if low > 0 or high < 0:
        return "moved"
    if expected is not None and abs(expected) < mde:
        return "below_detectable"
    return "no_effect"


def _trend(periods: pd.DataFrame) -> tuple[float, float, float] | None:
    """The slope per week of the scope-minus-comparison gap over the weeks before the start, with its
    95% interval (OLS); None with fewer than MIN_TREND_WEEKS weeks where both groups have answers."""
    before = periods[periods["week"] < 0].pivot_table(index="week", columns="group", values="value")
    if not {"scope", "comparison"} <= set(before.columns):
        return None
    gap = (before["scope"] - before["comparison"]).dropna()
    if len(gap) < MIN_TREND_WEEKS:
        return None
    x = gap.index.to_numpy(dtype=float)
    design = np.column_stack([np.ones_like(x), x])
    coef, se = ols(design, gap.to_numpy(dtype=float))
    if se is None:
        return None
    return coef[1], coef[1] - Z95 * se[1], coef[1] + Z95 * se[1]


# ---- Interrupted time series -----------------------------------------------------------------------

def ols(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Least squares: the coefficients and their standard errors (None without residual degrees of freedom)."""
    coef, *_rest = np.linalg.lstsq(design, y, rcond=None)
    dof = len(y) - design.shape[1]
    if dof <= 0:
        return coef, None
    residual = y - design @ coef
    sigma2 = float(residual @ residual) / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    return coef, np.sqrt(np.clip(np.diag(cov), 0, None))


def its(weeks: np.ndarray, values: np.ndarray) -> tuple[float, float] | None:
    """The level change at week 0 of a segmented regression y = a + b t + c [t >= 0] + d t [t >= 0],
    and its standard error; None without enough weeks."""
    t = weeks.astype(float)
    after = (t >= 0).astype(float)
    design = np.column_stack([np.ones_like(t), t, after, t * after])
    if after.sum() < 2 or (1 - after).sum() < 2:
        return None
    coef, se = ols(design, values.astype(float))
    if se is None:
        return None
    return float(coef[2]), float(se[2])


def _its(rows, plan, periods, weeks, first_on, stop_on, minimum) -> Effect:
    sb, sa = _split(rows, "scope", True), _split(rows, "scope", False)
    common = dict(method="its", n_scope=sb.n + sa.n, n_comparison=0, periods=periods, weeks=weeks,
                  first_on=first_on, stop_on=stop_on, scope_before=sb.mean, scope_after=sa.mean,
                  n_after_scope=sa.n, value_in_scope=_value_in_scope(rows), minimum=minimum)
    if min(sb.n, sa.n) < max(minimum, 2):
        return Effect(effect=None, ci_low=None, ci_high=None, mde=None, verdict="too_few", **common)
    weekly = periods[periods["group"] == "scope"].dropna(subset=["value"])
    found = its(weekly["week"].to_numpy(), weekly["value"].to_numpy())
    if found is None:
        return Effect(effect=None, ci_low=None, ci_high=None, mde=None, verdict="too_few", **common)
    return _judged(found[0], found[1], plan, common)


# ---- Shapes -------------------------------------------------------------------------------------------

def _periods(rows: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """The weekly value and n of each group, for the chart: period = the week's first day."""
    weekly = rows[rows["span"] == "week"]
    out = [{"period": start + dt.timedelta(days=7 * int(r.week)), "week": int(r.week), "group": r.group,
            "value": (r.sum_y / r.n) if r.n else None, "n": int(r.n)}
           for r in weekly.itertuples(index=False)]
    return _periods_frame(out)


def _periods_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=["period", "week", "group", "value", "n"])
    return frame.sort_values(["period", "group"]).reset_index(drop=True) if len(frame) else frame


def _value_in_scope(rows: pd.DataFrame) -> float | None:
    after = rows[(rows["span"] == "after") & (rows["group"] == "scope")]
    if not len(after) or after["value_sum"].isna().all():
        return None
    return float(after["value_sum"].sum())


def _date(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()
