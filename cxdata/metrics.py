"""The CX metrics: what each KPI means, how it is read, and whether a change is real.

Every formula is a DuckDB macro in sql/macros.sql, computed by queries in sql/. This
module describes the KPIs (label, unit, which direction is better), runs the queries
for a set of filters, and judges period-over-period changes with a z-test on the
95% margins the queries return.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from cxdata.filters import DIMENSIONS, Filters

Z95 = 1.96
DEFAULT_MIN_RESPONSES = 30


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str             # shown after the value: "", "%", "s", "customers", "€"
    higher_is_better: bool
    definition: str
    is_sample: bool = True  # False for counts and sums (a census, no margin of error)
    decimals: int = 1


KPIS: dict[str, Kpi] = {k.key: k for k in [
    Kpi("nps", "NPS", "", True, "% promoters (9–10) − % detractors (0–6) of 0–10 answers; −100 to 100", decimals=0),
    Kpi("csat", "CSAT", "%", True, "% of 1–5 answers scoring 4 or 5"),
    Kpi("ces", "CES", "", True, "mean of 1–7 answers; 7 = very easy, so higher means less effort", decimals=2),
    Kpi("churn_rate", "Churn rate", "%", False, "customers lost in the period ÷ customers active at its start"),
    Kpi("retention_rate", "Retention", "%", True, "100% − churn rate: customers active at the start still active at the end"),
    Kpi("sla_compliance", "SLA compliance", "%", True,
        "% of interactions resolved within their promised time (open ones count once overdue)"),
    Kpi("first_response", "Median first response", "s", False, "median seconds to the first response"),
    Kpi("active_customers", "Active customers", "", True, "customers active on the last day of the period",
        is_sample=False, decimals=0),
    Kpi("revenue", "Revenue", "", True, "sum of transaction amounts in the period (refunds negative)",
        is_sample=False, decimals=0),
    Kpi("net_revenue_retention", "Net revenue retention", "%", True,
        "trailing 12 whole months' net revenue of the customers who paid in the 12 months before, "
        "÷ their revenue then (expansion counts, new customers do not)", is_sample=False),
    Kpi("gross_revenue_retention", "Gross revenue retention", "%", True,
        "as net revenue retention, with each customer's revenue capped at what they paid the year "
        "before (contraction and churn count, expansion does not)", is_sample=False),
    Kpi("annual_value_lost", "Annual value lost to churn", "", False,
        "annual value of the customers lost in the period", is_sample=False, decimals=0),
    Kpi("annual_value_lost_share", "Annual value lost, share", "%", False,
        "annual value of the customers lost in the period ÷ that of the customers active at its start",
        is_sample=False),
]}

# The KPIs each query returns: sql/kpi_summary.sql and sql/revenue_retention.sql.
SUMMARY_KPIS = ("nps", "csat", "ces", "churn_rate", "retention_rate", "sla_compliance", "first_response",
                "active_customers", "revenue")
REVENUE_RETENTION_KPIS = ("net_revenue_retention", "gross_revenue_retention", "annual_value_lost",
                          "annual_value_lost_share")
MONEY_KPIS = ("revenue", "annual_value_lost")
# Why sql/revenue_retention.sql withholds a value (its `reason` column), as a reader is told.
WITHHELD_REASONS = {
    "no_transactions": "no transactions loaded",
    "base_year_not_covered": "the transactions do not cover the whole base year (the 12 months before the trailing year)",
    "trailing_year_not_covered": "the transactions do not reach the end of the trailing year",
    "empty_cohort": "no customer under these filters paid anything in the base year",
    "no_value_at_start": "no annual value among the customers active at the period's start",
}

SURVEY_KPIS = ("nps", "csat", "ces")
# Targets that hold whatever the period's length; a churn target is per quarter, so it is
# compared on the KPI trends page, not against a churn rate over an arbitrary range.
TARGETED_KPIS = ("nps", "csat", "ces", "sla_compliance", "first_response")


@dataclass(frozen=True)
class Change:
    """A period-over-period change and whether the samples support it."""

    delta: float | None
    p_value: float | None     # None when no test applies (a census, or a missing margin)
    is_significant: bool
    is_census: bool = False   # counts and sums: the change is real as it stands

    @property
    def verdict(self) -> str:
        if self.delta is None:
            return "no comparison"
        if self.is_census:
            return "change"
        return "significant change" if self.is_significant else "no significant change"


def significance(value: float | None, moe: float | None, prev_value: float | None,
                 prev_moe: float | None, is_sample: bool = True, alpha: float = 0.05) -> Change:
    """Two-sided z-test of a difference between two independent estimates with 95% margins.

    Counts and sums are a census, not a sample: their change is real as it stands.
    """
    if _missing(value) or _missing(prev_value):
        return Change(None, None, False)
    delta = value - prev_value
    if not is_sample:
        return Change(delta, None, delta != 0, is_census=True)
    if _missing(moe) or _missing(prev_moe):
        return Change(delta, None, False)
    se = math.hypot(moe / Z95, prev_moe / Z95)
    if se == 0:
        return Change(delta, 0.0 if delta else 1.0, delta != 0)
    p_value = math.erfc(abs(delta) / se / math.sqrt(2))
    return Change(delta, p_value, p_value < alpha)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def benjamini_hochberg_cutoff(p_values: list[float], rate: float = 0.05) -> float:
    """The largest p-value still significant when all of these tests are run together (-1: none).

    Benjamini-Hochberg: sort the m p-values; the cutoff is the largest p(k) <= k/m * rate.
    """
    ranked = sorted(p_values)
    m = len(ranked)
    passing = [p for k, p in enumerate(ranked, start=1) if p <= k / m * rate]
    return passing[-1] if passing else -1.0


def period_params(filters: Filters, compare: str) -> dict:
    """The parameters of a two-period query: the filters plus the comparison window."""
    previous = filters.comparison(compare).params()
    return {**filters.params(), "cmp_start": previous["start"], "cmp_stop": previous["stop"]}


def query_name(name: str, reference: bool) -> str:
    """The derived-table query, or with `reference` its raw-row twin (sql/raw_NAME.sql)."""
    return f"raw_{name}" if reference else name


def kpi_summary(reader, filters: Filters, compare: str = "previous",
                min_responses: int = DEFAULT_MIN_RESPONSES, reference: bool = False) -> pd.DataFrame:
    """One row per KPI: value, margin and n now and in the comparison period, the change and its verdict.

    `reader` is anything with `.run(query_name, params)`: a db.Reader or the app's cached reader.
    `reference` computes the same from raw rows instead of the derived tables (for checks and the bench).

    A survey score from fewer than `min_responses` answers is withheld (`is_enough`
    false): too few answers to show a score at all. Other KPIs show with their margins.
    """
    long = reader.run(query_name("kpi_summary", reference), period_params(filters, compare))
    rows = []
    for key in SUMMARY_KPIS:
        kpi = KPIS[key]
        cur = _period_row(long, key, "current")
        prev = _period_row(long, key, "previous")
        minimum = min_responses if key in SURVEY_KPIS else 1
        rows.append(_compared(kpi, cur, prev, enough_now=not kpi.is_sample or cur["n"] >= minimum,
                              enough_before=not kpi.is_sample or prev["n"] >= minimum))
    return pd.DataFrame(rows)


def revenue_retention(reader, filters: Filters, compare: str = "previous", reference: bool = False) -> pd.DataFrame:
    """Net and gross revenue retention as of the period's end, and the annual value lost to churn in it:
    one row per KPI in kpi_summary's shape, plus why a value is withheld (`reason`, `prev_reason`).

    Customer filters only. A withheld value (the data does not cover its windows, or the cohort is
    empty) is None with `is_enough` false, and its change is not judged.
    """
    long = reader.run(query_name("revenue_retention", reference), period_params(filters, compare))
    rows = []
    for key in REVENUE_RETENTION_KPIS:
        cur = _period_row(long, key, "current")
        prev = _period_row(long, key, "previous")
        row = _compared(KPIS[key], cur, prev, enough_now=cur["reason"] is None,
                        enough_before=prev["reason"] is None)
        rows.append({**row, "reason": cur["reason"], "prev_reason": prev["reason"]})
    return pd.DataFrame(rows)


def _compared(kpi: Kpi, cur: dict, prev: dict, enough_now: bool, enough_before: bool) -> dict:
    """One KPI's summary row: its value now and before (each only when there is enough to show it),
    the change and its verdict."""
    change = (significance(cur["value"], cur["moe"], prev["value"], prev["moe"], kpi.is_sample)
              if enough_now and enough_before else Change(None, None, False))
    return {
        "kpi": kpi.key, "label": kpi.label, "unit": kpi.unit,
        "value": cur["value"] if enough_now else None, "moe": cur["moe"] if enough_now else None,
        "n": cur["n"], "is_enough": enough_now,
        "prev_value": prev["value"] if enough_before else None, "prev_n": prev["n"],
        "delta": change.delta, "p_value": change.p_value,
        "is_significant": change.is_significant, "verdict": change.verdict,
        "is_better": _is_better(kpi, change),
    }


def _period_row(long: pd.DataFrame, kpi: str, period: str) -> dict:
    """A KPI's value, margin, n and (for queries that withhold values) the reason, in one period."""
    match = long[(long["kpi"] == kpi) & (long["period"] == period)]
    if match.empty:
        return {"value": None, "moe": None, "n": 0, "reason": None}
    row = match.iloc[0]
    reason = row.get("reason")
    return {"value": _nullable(row["value"]), "moe": _nullable(row["moe"]),
            "n": 0 if pd.isna(row["n"]) else int(row["n"]),
            "reason": None if reason is None or pd.isna(reason) else str(reason)}


def _nullable(x):
    return None if pd.isna(x) else float(x)


def _is_better(kpi: Kpi, change: Change) -> bool | None:
    if change.delta is None or change.delta == 0:
        return None
    return (change.delta > 0) == kpi.higher_is_better


def kpi_trends(reader, filters: Filters, reference: bool = False) -> pd.DataFrame:
    """Monthly value and n of every KPI over the 12 months ending with the filter's end."""
    return reader.run(query_name("kpi_monthly", reference), filters.params())


def movers(reader, filters: Filters, compare: str = "previous",
           min_responses: int = DEFAULT_MIN_RESPONSES, limit: int = 8, per_kpi: int = 2,
           false_discovery_rate: float = 0.05, reference: bool = False) -> pd.DataFrame:
    """The segments, departments and journey stages whose scores moved significantly, biggest first.

    Both periods need at least `min_responses` observations. Dozens of groups are tested at
    once, so significance is judged with the Benjamini-Hochberg procedure at
    `false_discovery_rate`, not p < 0.05 each (which would list a few chance movers in any
    quiet month). "Biggest" is the largest change in standard errors.
    """
    long = reader.run(query_name("movers", reference), period_params(filters, compare))
    keys = ["dimension", "member", "kpi"]
    cur = long[long["period"] == "current"].set_index(keys)
    prev = long[long["period"] == "previous"].set_index(keys)
    both = cur.join(prev.add_suffix("_prev"), how="inner")
    tested = []
    for (dimension, member, key), r in both.iterrows():
        if min(r["n"], r["n_prev"]) < min_responses:
            continue
        change = significance(r["value"], r["moe"], r["value_prev"], r["moe_prev"])
        if change.p_value is None:
            continue
        se = math.hypot(r["moe"] / Z95, r["moe_prev"] / Z95)
        tested.append({
            "dimension": dimension, "dimension_label": DIMENSIONS[dimension].label, "member": member,
            "kpi": key, "label": KPIS[key].label, "unit": KPIS[key].unit,
            "value": r["value"], "prev_value": r["value_prev"], "delta": change.delta,
            "p_value": change.p_value, "n": int(r["n"]), "prev_n": int(r["n_prev"]),
            "z": abs(change.delta) / se if se else math.inf, "is_better": _is_better(KPIS[key], change),
        })
    cutoff = benjamini_hochberg_cutoff([row["p_value"] for row in tested], false_discovery_rate)
    rows = [row for row in tested if row["p_value"] <= cutoff]
    columns = ["dimension", "dimension_label", "member", "kpi", "label", "unit", "value", "prev_value",
               "delta", "p_value", "n", "prev_n", "z", "is_better"]
    out = pd.DataFrame(rows, columns=columns).sort_values("z", ascending=False)
    # At most `per_kpi` per KPI: SLA samples are so large that they would otherwise fill the list.
    return out.groupby("kpi", sort=False).head(per_kpi).head(limit).reset_index(drop=True)


def targets(reader, filters: Filters) -> dict[str, float]:
    """The target per KPI for this view: a filtered department's own target, else the company's."""
    rows = reader.run("kpi_targets", filters.params())
    department = filters["department"][0] if len(filters["department"]) == 1 else None
    out: dict[str, float] = {}
    for kpi in TARGETED_KPIS:
        mine = rows[rows["metric"] == kpi]
        own = mine[mine["department"] == department] if department else mine.iloc[0:0]
        company = mine[mine["department"].isna()]
        chosen = own if not own.empty else company
        if not chosen.empty:
            out[kpi] = float(chosen.iloc[0]["target"])
    return out


def meets_target(kpi: str, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value >= target if KPIS[kpi].higher_is_better else value <= target
