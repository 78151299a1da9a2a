"""What the executive overview shows: one tile per KPI and the list of significant movers, as text."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxdata import formatting as fmt
from cxdata import metrics
from cxdata.filters import COMPARISONS, DIMENSIONS, Filters, ViewState

TILE_ORDER = ("nps", "csat", "ces", "churn_rate", "retention_rate", "sla_compliance",
              "first_response_live", "first_response_written", "active_customers", "revenue")
CUSTOMER_KPIS = ("churn_rate", "retention_rate", "active_customers", "revenue")


@dataclass(frozen=True)
class OverviewData:
    """Every query result the overview draws from, for one view."""

    summary: pd.DataFrame
    trends: pd.DataFrame
    targets: dict[str, float]
    movers: pd.DataFrame


def load(reader, filters: Filters, compare: str, min_responses: int, reference: bool = False) -> OverviewData:
    """Run the overview's queries: the page, the app's warm-up and the bench all call this, so they
    run the same set. `reference` reads raw rows instead of the derived tables (for the bench)."""
    return OverviewData(
        summary=metrics.kpi_summary(reader, filters, compare, min_responses, reference=reference),
        trends=metrics.kpi_trends(reader, filters, reference=reference),
        targets=metrics.targets(reader, filters),
        movers=metrics.movers(reader, filters, compare, min_responses, reference=reference),
    )


@dataclass(frozen=True)
class Tile:
    kpi: str
    label: str
    value: str               # "32", "78.4%", or "Not enough responses"
    delta: str | None        # None hides the delta line
    delta_color: str         # "normal", "inverse" (lower is better) or "off" (no real change)
    detail: str              # margin, sample size, target
    help: str
    trend: list[float]


def tiles(summary: pd.DataFrame, trends: pd.DataFrame, targets: dict[str, float],
          view: ViewState, min_responses: int) -> list[Tile]:
    by_kpi = summary.set_index("kpi")
    out = []
    for key in TILE_ORDER:
        row = by_kpi.loc[key]
        kpi = metrics.KPIS[key]
        trend = trends.loc[(trends["kpi"] == key) & trends["is_complete"], "value"].dropna().astype(float).tolist()
        out.append(Tile(
            kpi=key, label=kpi.label,
            value=fmt.value(key, row["value"]) if row["is_enough"] else "Not enough responses",
            delta=_delta_text(key, row),
            delta_color=_delta_color(kpi, row),
            detail=_detail(key, row, targets.get(key), min_responses),
            help=_help(kpi, view),
            trend=trend,
        ))
    return out


def _delta_text(key: str, row) -> str | None:
    if row["delta"] is None or pd.isna(row["delta"]):
        return None
    if row["verdict"] == "no significant change":
        return f"{fmt.change(key, row['delta'])}: no significant change"
    return fmt.change(key, row["delta"])


def _delta_color(kpi: metrics.Kpi, row) -> str:
    if row["verdict"] not in ("significant change", "change"):
        return "off"
    return "normal" if kpi.higher_is_better else "inverse"


def _detail(key: str, row, target: float | None, min_responses: int) -> str:
    n = int(row["n"]) if not pd.isna(row["n"]) else 0
    if not row["is_enough"]:
        return f"n = {n:,} (at least {min_responses} needed)"
    parts = []
    if metrics.KPIS[key].is_sample:
        parts.append(fmt.margin(key, row["moe"]))
        parts.append(f"n = {n:,}" + (" customers" if key in ("churn_rate", "retention_rate") else ""))
    elif key == "revenue":
        parts.append(f"{n:,} transactions")
    if target is not None:
        shown, goal = fmt.value(key, row["value"]), fmt.value(key, target)
        # Judged on the value as shown, so "90.0%" never reads as missing a 90.0% target.
        met = shown == goal or metrics.meets_target(key, row["value"], target)
        parts.append(f"target {goal} {'✓ met' if met else '✗ missed'}")
    return " · ".join(p for p in parts if p)


CUSTOMER_FILTERS = ", ".join(d.label.lower() for d in DIMENSIONS.values() if d.of_customer)


def _help(kpi: metrics.Kpi, view: ViewState) -> str:
    scope = (f"only the customer filters apply: {CUSTOMER_FILTERS}" if kpi.key in CUSTOMER_KPIS
             else "all filters apply")
    margin = " Shown with its 95% margin of error." if kpi.is_sample else ""
    return f"{kpi.definition}.{margin} Line: monthly values over the last 12 complete months. ({scope})"


@dataclass(frozen=True)
class Attention:
    text: str
    dimension: str
    member: str
    is_better: bool


def attention(movers: pd.DataFrame, view: ViewState) -> list[Attention]:
    """Each significant mover as one sentence, worst news first."""
    items = []
    for r in movers.sort_values(["is_better", "z"], ascending=[True, False]).itertuples():
        word = "improved" if r.is_better else "worsened"
        items.append(Attention(
            text=(f"**{r.dimension_label} {r.member}**: {r.label} {word} to {fmt.value(r.kpi, r.value)} "
                  f"({fmt.change(r.kpi, r.delta)} vs {COMPARISONS[view.compare]}, {fmt.p_value(r.p_value)}, "
                  f"n = {r.n:,})"),
            dimension=r.dimension, member=r.member, is_better=bool(r.is_better)))
    return items


def has_data(summary: pd.DataFrame) -> bool:
    """False when no survey response and no interaction matches the filters in the period."""
    activity = summary.set_index("kpi").loc[["nps", "csat", "ces", "sla_compliance", "contacts"], "n"]
    return bool(activity.fillna(0).sum() > 0)
