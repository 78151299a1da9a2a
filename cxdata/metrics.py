"""The CX metrics: what each KPI means, how it is read, and whether a change is real.

Every formula is a DuckDB macro in sql/macros.sql, computed by queries in sql/. This
module describes the KPIs (label, unit, which direction is better), runs the queries
for a set of filters, and judges period-over-period changes with a z-test on the
95% margins the queries return.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import pandas as pd

from cxdata.filters import DIMENSIONS, Filters

Z95 = 1.96
DEFAULT_MIN_RESPONSES = 30
# Channels where a person answers while the customer waits; every other channel (email, web
# forms, app, social, ...) is written. First response is a KPI per kind, since a chat answered
# in 45 s and an e-mail in 4 h blend into a median that moves with the channel mix alone.
DEFAULT_LIVE_CHANNELS = ("phone", "ivr", "chat", "in_person", "kiosk", "video", "voice")
LIVE_CHANNELS_ENV = "CX_LIVE_CHANNELS"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str             # shown after the value: "", "%", "s", "customers", "€"
    higher_is_better: bool | None  # None: neither direction is better (NPS passives, contacts)
    definition: str
    is_sample: bool = True  # False for counts and sums (a census, no margin of error)
    decimals: int = 1


KPIS: dict[str, Kpi] = {k.key: k for k in [
    Kpi("nps", "NPS", "", True, "% promoters (9–10) − % detractors (0–6) of 0–10 answers; −100 to 100", decimals=0),
    Kpi("nps_promoters", "NPS promoters", "%", True, "% of 0–10 answers scoring 9 or 10"),
    Kpi("nps_passives", "NPS passives", "%", None, "% of 0–10 answers scoring 7 or 8"),
    Kpi("nps_detractors", "NPS detractors", "%", False, "% of 0–10 answers scoring 0 to 6"),
    Kpi("csat", "CSAT", "%", True, "% of 1–5 answers scoring 4 or 5"),
    Kpi("ces", "CES", "", True, "mean of 1–7 answers; 7 = very easy, so higher means less effort", decimals=2),
    Kpi("churn_rate", "Churn rate", "%", False, "customers lost in the period ÷ customers active at its start"),
    Kpi("retention_rate", "Retention", "%", True, "100% − churn rate: customers active at the start still active at the end"),
    Kpi("sla_compliance", "SLA compliance", "%", True,
        "% of interactions resolved within their promised time (open ones count once overdue)"),
    Kpi("first_response_live", "First response (live)", "s", False,
        "median seconds to the first response on live channels (by default "
        f"{', '.join(DEFAULT_LIVE_CHANNELS)}; ${LIVE_CHANNELS_ENV} sets another list)"),
    Kpi("first_response_written", "First response (written)", "s", False,
        "median seconds to the first response on written channels: every channel that is not live "
        "(email, web forms, app, social, ...)"),
    Kpi("contacts", "Contacts", "", None, "interactions started in the period, on every channel",
        is_sample=False, decimals=0),
    Kpi("active_customers", "Active customers", "", True, "customers active on the last day of the period",
        is_sample=False, decimals=0),
    Kpi("revenue", "Revenue", "", True, "sum of transaction amounts in the period (refunds negative)",
        is_sample=False, decimals=0),
]}

# Read from survey answers: withheld below the minimum number of answers.
SURVEY_KPIS = ("nps", "nps_promoters", "nps_passives", "nps_detractors", "csat", "ces")
# Targets that hold whatever the period's length; a churn target is per quarter, so it is
# compared on the KPI trends page, not against a churn rate over an arbitrary range.
TARGETED_KPIS = ("nps", "csat", "ces", "sla_compliance", "first_response_live", "first_response_written")


def live_channels() -> list[str]:
    """The channels whose first response counts as live: $CX_LIVE_CHANNELS (comma-separated
    channel values) when set, else DEFAULT_LIVE_CHANNELS. Read here only, and bound to the queries
    as $live_channels, so changing it needs no rebuild of the derived tables."""
    chosen = [c.strip() for c in os.environ.get(LIVE_CHANNELS_ENV, "").split(",") if c.strip()]
    return chosen or list(DEFAULT_LIVE_CHANNELS)


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


def view_params(filters: Filters) -> dict:
    """The parameters of a one-period query: the filters plus which channels are live."""
    return {**filters.params(), "live_channels": live_channels()}


def period_params(filters: Filters, compare: str) -> dict:
    """The parameters of a two-period query: view_params plus the comparison window."""
    previous = filters.comparison(compare).params()
    return {**view_params(filters), "cmp_start": previous["start"], "cmp_stop": previous["stop"]}


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
    for key, kpi in KPIS.items():
        cur = _period_row(long, key, "current")
        prev = _period_row(long, key, "previous")
        minimum = min_responses if key in SURVEY_KPIS else 1
        enough_now = not kpi.is_sample or cur["n"] >= minimum
        enough_before = not kpi.is_sample or prev["n"] >= minimum
        change = (significance(cur["value"], cur["moe"], prev["value"], prev["moe"], kpi.is_sample)
                  if enough_now and enough_before else Change(None, None, False))
        rows.append({
            "kpi": key, "label": kpi.label, "unit": kpi.unit,
            "value": cur["value"] if enough_now else None, "moe": cur["moe"] if enough_now else None,
            "n": cur["n"], "is_enough": enough_now,
            "prev_value": prev["value"] if enough_before else None, "prev_n": prev["n"],
            "delta": change.delta, "p_value": change.p_value,
            "is_significant": change.is_significant, "verdict": change.verdict,
            "is_better": _is_better(kpi, change),
        })
    return pd.DataFrame(rows)


def _period_row(long: pd.DataFrame, kpi: str, period: str) -> dict:
    match = long[(long["kpi"] == kpi) & (long["period"] == period)]
    if match.empty:
        return {"value": None, "moe": None, "n": 0}
    row = match.iloc[0]
    return {"value": _nullable(row["value"]), "moe": _nullable(row["moe"]),
            "n": 0 if pd.isna(row["n"]) else int(row["n"])}


def _nullable(x):
    return None if pd.isna(x) else float(x)


def _is_better(kpi: Kpi, change: Change) -> bool | None:
    """Whether the change is good news; None when there is none, or no direction is better."""
    if change.delta is None or change.delta == 0 or kpi.higher_is_better is None:
        return None
    return (change.delta > 0) == kpi.higher_is_better


def kpi_trends(reader, filters: Filters, reference: bool = False) -> pd.DataFrame:
    """Monthly value and n of every KPI over the 12 complete months before the filter's end, plus
    the month it ends in when it ends mid-month (is_complete false)."""
    return reader.run(query_name("kpi_monthly", reference), view_params(filters))


def channel_mix(reader, filters: Filters, compare: str = "previous", reference: bool = False) -> pd.DataFrame:
    """Interactions per channel now and in the comparison period, busiest channel first.

    Columns: channel, is_live (see live_channels), n, share (% of the period's interactions),
    prev_n, prev_share; a channel used in only one of the periods has 0 in the other.
    """
    long = reader.run(query_name("channel_mix", reference), period_params(filters, compare))
    wide = (long.pivot_table(index=["channel", "is_live"], columns="period", values="n", aggfunc="sum")
            .reindex(columns=["current", "previous"]).fillna(0).astype("int64")
            .rename(columns={"current": "n", "previous": "prev_n"}).reset_index())
    wide.columns.name = None
    wide["share"] = _shares(wide["n"])
    wide["prev_share"] = _shares(wide["prev_n"])
    wide = wide.sort_values(["n", "prev_n", "channel"], ascending=[False, False, True], ignore_index=True)
    return wide[["channel", "is_live", "n", "share", "prev_n", "prev_share"]]


def _shares(counts: pd.Series) -> pd.Series:
    total = counts.sum()
    return 100.0 * counts / total if total else counts * 0.0


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
    if (value is None or target is None or (isinstance(value, float) and math.isnan(value))
            or KPIS[kpi].higher_is_better is None):
        return None
    return value >= target if KPIS[kpi].higher_is_better else value <= target
