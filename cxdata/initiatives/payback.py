"""What an initiative's effect is worth: its measured effect turned into money, on stated assumptions.

- churn_rate: the churn points avoided (minus the effect) x the annual value of the customers in scope
  active at the start: the value kept over the weeks measured, each kept customer counted at one year
  of their annual value.
- complaint_rate: the complaints avoided per year (minus the effect x the scope's contacts per week
  after the start x 52) x the cost of handling a complaint, $CX_COST_PER_COMPLAINT (no default: without
  it the return is not estimated).
- NPS, CSAT, CES: not estimated. No conversion of a score into money is documented for this data; a
  made-up one would look precise and be wrong.
The interval of the value comes from the effect's interval; roi = (value - cost) / cost.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

from cxdata.i18n import N_

COST_PER_COMPLAINT_ENV = "CX_COST_PER_COMPLAINT"
WEEKS_PER_YEAR = 52

# Why a return is not estimated (Return.reason), in English as the catalogs key them: shown as _(...).
REASONS = {
    "score": N_("a score does not convert into money without a documented link to revenue"),
    "no_effect": N_("the effect was not measured"),
    "no_value": N_("no annual value of the customers in scope was loaded"),
    "no_cost_per_complaint": N_("no cost per complaint is set"),
}
ASSUMPTIONS = {
    "churn_rate": N_("churn points avoided × the annual value of the customers in scope (one year of each kept "
                     "customer's value)"),
    "complaint_rate": N_("complaints avoided per year × the cost of handling one complaint"),
}


@dataclass(frozen=True)
class Return:
    value: float | None        # money the effect is worth (None: not estimated)
    low: float | None          # from the effect's interval
    high: float | None
    cost: float | None
    roi: float | None          # (value - cost) / cost; None without a value or a cost
    assumption: str | None     # ASSUMPTIONS' English (shown as _()), None when not estimated
    reason: str | None = None  # REASONS' key when not estimated

    @property
    def is_estimated(self) -> bool:
        return self.value is not None


def cost_per_complaint() -> float | None:
    """$CX_COST_PER_COMPLAINT: what handling one complaint costs the company; None when unset or not a
    positive number."""
    try:
        value = float(os.environ.get(COST_PER_COMPLAINT_ENV, ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def payback(reader, plan, effect) -> Return:
    """The effect in money (see the module docstring); never 0 for "not estimated"."""
    cost = plan.cost
    if plan.kpi in ("nps", "csat", "ces"):
        return Return(None, None, None, cost, None, None, "score")
    if not effect.is_measured:
        return Return(None, None, None, cost, None, None, "no_effect")
    if plan.kpi == "churn_rate":
        if not effect.value_in_scope:
            return Return(None, None, None, cost, None, None, "no_value")
        per_point = effect.value_in_scope / 100.0
    else:
        unit = cost_per_complaint()
        if unit is None:
            return Return(None, None, None, cost, None, None, "no_cost_per_complaint")
        per_week = effect.n_after_scope / effect.weeks if effect.weeks else 0.0
        per_point = per_week * WEEKS_PER_YEAR / 100.0 * unit
    # lower is better for both: a negative effect is money saved
    value = -effect.effect * per_point
    low, high = sorted((-effect.ci_high * per_point, -effect.ci_low * per_point))
    return Return(value, low, high, cost, roi(value, cost), ASSUMPTIONS[plan.kpi])


def roi(value: float | None, cost: float | None) -> float | None:
    """(value - cost) / cost; None without a value or a positive cost."""
    if value is None or cost is None or cost <= 0:
        return None
    return (value - cost) / cost
