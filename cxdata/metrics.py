"""The CX metrics: what each KPI means, how it is read, and whether a change is real.

Every formula is a DuckDB macro in sql/macros.sql, computed by queries in sql/. This
module describes the KPIs (label, unit, which direction is better), runs the queries
for a set of filters, and judges period-over-period changes with a z-test on the
95% margins the queries return.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass

import pandas as pd

from cxdata.filters import DIMENSIONS, Filters
from cxdata.i18n import N_, _

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
    label: str            # in English, as the catalogs key it: shown as _(label)
    unit: str             # shown after the value: "", "%", "s", "customers", "€"
    higher_is_better: bool | None  # None: neither direction is better (NPS passives, contacts)
    definition: str       # in English: shown as _(definition)
    is_sample: bool = True  # False for counts and sums (a census, no margin of error)
    decimals: int = 1


KPIS: dict[str, Kpi] = {k.key: k for k in [
    Kpi("nps", N_("NPS"), "", True, N_("% promoters (9–10) − % detractors (0–6) of 0–10 answers; −100 to 100"), decimals=0),
    Kpi("nps_promoters", N_("NPS promoters"), "%", True, N_("% of 0–10 answers scoring 9 or 10")),
    Kpi("nps_passives", N_("NPS passives"), "%", None, N_("% of 0–10 answers scoring 7 or 8")),
    Kpi("nps_detractors", N_("NPS detractors"), "%", False, N_("% of 0–10 answers scoring 0 to 6")),
    Kpi("csat", N_("CSAT"), "%", True, N_("% of 1–5 answers scoring 4 or 5")),
    Kpi("ces", N_("CES"), "", True, N_("mean of 1–7 answers; 7 = very easy, so higher means less effort"), decimals=2),
    Kpi("churn_rate", N_("Churn rate"), "%", False, N_("customers lost in the period ÷ customers active at its start")),
    Kpi("retention_rate", N_("Retention"), "%", True, N_("100% − churn rate: customers active at the start still active at the end")),
    Kpi("sla_compliance", N_("SLA compliance"), "%", True,
        N_("% of interactions resolved within their promised time (open ones count once overdue)")),
    Kpi("first_response_live", N_("First response (live)"), "s", False,
        N_("median seconds to the first response on live channels, where a person answers while the customer "
        "waits (phone, chat, video, in person; the administrator sets the list)")),
    Kpi("first_response_written", N_("First response (written)"), "s", False,
        N_("median seconds to the first response on written channels: every channel that is not live "
        "(email, web forms, app, social, ...)")),
    Kpi("contacts", N_("Contacts"), "", None, N_("interactions started in the period, on every channel"),
        is_sample=False, decimals=0),
    Kpi("active_customers", N_("Active customers"), "", True, N_("customers active on the last day of the period"),
        is_sample=False, decimals=0),
    Kpi("revenue", N_("Revenue"), "", True, N_("sum of transaction amounts in the period (refunds negative)"),
        is_sample=False, decimals=0),
    Kpi("net_revenue_retention", N_("Net revenue retention"), "%", True,
        N_("trailing 12 whole months' net revenue of the customers who paid in the 12 months before, "
        "÷ their revenue then (expansion counts, new customers do not)"), is_sample=False),
    Kpi("gross_revenue_retention", N_("Gross revenue retention"), "%", True,
        N_("as net revenue retention, with each customer's revenue capped at what they paid the year "
        "before (contraction and churn count, expansion does not)"), is_sample=False),
    Kpi("resolution_time", N_("Resolution time"), "s", False,
        N_("median seconds from the start of an agent-handled contact (one with a first response or an SLA) "
        "to its resolution, over the resolved ones")),
    Kpi("first_contact_resolution", N_("First-contact resolution"), "%", True,
        N_("% of the resolved agent-handled contacts resolved without escalation")),
    Kpi("revenue_per_active", N_("Revenue per active customer"), "", True,
        N_("revenue in the period ÷ the average of the customers active at its start and at its end"),
        is_sample=False, decimals=0),
    Kpi("clv", N_("Customer lifetime value"), "", True,
        N_("revenue per active customer per year × gross margin ÷ annual churn rate (the period's churn "
        "compounded to a year)"), is_sample=False, decimals=0),
    Kpi("annual_value_lost", N_("Annual value lost to churn"), "", False,
        N_("annual value of the customers lost in the period"), is_sample=False, decimals=0),
    Kpi("annual_value_lost_share", N_("Annual value lost, share"), "%", False,
        N_("annual value of the customers lost in the period ÷ that of the customers active at its start"),
        is_sample=False),
    # Department scorecards and service levels (cxdata/departments.py, cxdata/service.py)
    Kpi("complaint_rate", N_("Complaint rate"), "%", False, N_("% of the contacts that were complaints")),
    Kpi("escalation_rate", N_("Escalation rate"), "%", False,
        N_("% of the agent-handled contacts (an answer was due) escalated to another team")),
    Kpi("bad_experience_churn", N_("Churn after a bad experience"), "%", False,
        N_("% of the customers with a bad experience (an SLA miss, NPS 0–6, CSAT 1–2 or CES 1–3) who "
        "churned in the 90 days after it; customers whose 90 days are not over are left out")),
    Kpi("immediate_share", N_("Answered immediately"), "%", True,
        N_("% of the contacts due an answer that an immediate channel's front office answered within the "
        "immediate threshold, without escalation")),
    Kpi("deferred_on_time", N_("Deferred resolved on time"), "%", True,
        N_("% of the deferred contacts (all the others due an answer) resolved within the deferred promise; "
        "open ones count once the promise has passed")),
    Kpi("unanswered_rate", N_("Never answered"), "%", False,
        N_("% of the contacts due an answer (not self-service) that never had a first response")),
]}

# ---- What each metric needs from the data (docs/loading.md, "What your data provides") -----------
# The columns whose absence a metric cannot survive, in the words a reader is told: without one, the
# metric reads "not in your data: no churn date (customers.churned_on) was loaded", never 0% or 100%.
# The loader records what each load's files provided (provided_columns, sql/provided_columns.sql).
# In English, as the catalogs key them: shown as _(NOT_IN_DATA); Coverage.missing translates its words.
NOT_IN_DATA = N_("not in your data")
COLUMN_WORDS = {
    "customers.customer_id": N_("no customers (customers.customer_id) were loaded"),
    "customers.churned_on": N_("no churn date (customers.churned_on) was loaded"),
    "customers.annual_value": N_("no annual value (customers.annual_value) was loaded"),
    "interactions.interaction_id": N_("no interactions (interactions.interaction_id) were loaded"),
    "interactions.escalated": N_("no escalation flag (interactions.escalated) was loaded"),
    "interactions.first_response_seconds": N_("no first-response time (interactions.first_response_seconds) was loaded"),
    "interactions.sla_seconds": N_("no promised time to resolve (interactions.sla_seconds) was loaded"),
    "interactions.resolved_at": N_("no resolution time (interactions.resolved_at) was loaded"),
    "transactions.amount": N_("no transactions (transactions.amount) were loaded"),
}
_CHURN, _REVENUE = ("customers.customer_id", "customers.churned_on"), ("transactions.amount",)
NEEDS: dict[str, tuple[str, ...]] = {
    "churn_rate": _CHURN, "retention_rate": _CHURN, "bad_experience_churn": _CHURN,
    "active_customers": ("customers.customer_id",),
    "annual_value_lost": (*_CHURN, "customers.annual_value"),
    "annual_value_lost_share": (*_CHURN, "customers.annual_value"),
    "revenue": _REVENUE, "net_revenue_retention": _REVENUE, "gross_revenue_retention": _REVENUE,
    "revenue_per_active": ("customers.customer_id", *_REVENUE), "clv": (*_CHURN, *_REVENUE),
    "contacts": ("interactions.interaction_id",),
    "sla_compliance": ("interactions.interaction_id", "interactions.sla_seconds"),
    "deferred_on_time": ("interactions.interaction_id", "interactions.sla_seconds"),
    "first_response_live": ("interactions.interaction_id", "interactions.first_response_seconds"),
    "first_response_written": ("interactions.interaction_id", "interactions.first_response_seconds"),
    "unanswered_rate": ("interactions.interaction_id", "interactions.first_response_seconds"),
    "immediate_share": ("interactions.interaction_id", "interactions.first_response_seconds"),
    "resolution_time": ("interactions.interaction_id", "interactions.resolved_at"),
    "first_contact_resolution": ("interactions.interaction_id", "interactions.resolved_at", "interactions.escalated"),
    "escalation_rate": ("interactions.interaction_id", "interactions.escalated"),
}


@dataclass(frozen=True)
class Coverage:
    """Which columns the data provides and from which month (None: from the start); a column
    absent from `provided` was never provided."""

    provided: dict[str, dt.date | None]   # "table.column" -> first month

    def missing(self, kpi: str, start: dt.date | None = None) -> str | None:
        """Why `kpi` is not in the data ("no churn date (customers.churned_on) was loaded"), or None
        when the data provides what it needs; with `start`, also for a period that starts before a
        needed column's first month ("... was loaded before Mar 2025"). Shown after NOT_IN_DATA, in
        the language of this run."""
        from cxdata import formatting as fmt   # formatting reads KPIS from here: imported when needed
        for column in NEEDS.get(kpi, ()):
            if column not in self.provided:
                return _(COLUMN_WORDS[column])
            since = self.provided[column]
            if start is not None and since is not None and start < since:
                return _("{reason} before {month}").format(reason=_(COLUMN_WORDS[column]), month=fmt.month(since))
        return None

    def since(self, kpi: str) -> dt.date | None:
        """The first month every column `kpi` needs is provided (None: from the start, or never)."""
        months = [self.provided.get(c) for c in NEEDS.get(kpi, ())]
        return max((m for m in months if m is not None), default=None)


EVERYTHING = Coverage({column: None for column in COLUMN_WORDS})  # for tests and callers without a database


def coverage(reader) -> Coverage:
    """What this database's loads provided (sql/provided_columns.sql)."""
    rows = reader.run("provided_columns")
    rows = rows[rows["is_provided"].astype(bool)]
    return Coverage({f"{t}.{c}": None if pd.isna(m) else pd.Timestamp(m).date()
                     for t, c, m in zip(rows["table_name"], rows["column_name"], rows["from_month"])})


# The range a target may take, by unit: percentages 0-100, NPS -100..100, CES 1..7, times >= 0.
TARGET_RANGES = {"nps": (-100.0, 100.0), "ces": (1.0, 7.0)}


def target_range(metric: str) -> tuple[float, float | None]:
    """The values a target for `metric` may take (None: no upper bound)."""
    if metric in TARGET_RANGES:
        return TARGET_RANGES[metric]
    unit = KPIS[metric].unit
    return (0.0, 100.0) if unit == "%" else (0.0, None)

# The KPIs each query returns: sql/kpi_summary.sql and sql/revenue_retention.sql.
SUMMARY_KPIS = ("nps", "nps_promoters", "nps_passives", "nps_detractors", "csat", "ces", "churn_rate",
                "retention_rate", "sla_compliance", "first_response_live", "first_response_written", "contacts",
                "active_customers", "revenue")
REVENUE_RETENTION_KPIS = ("net_revenue_retention", "gross_revenue_retention", "annual_value_lost",
                          "annual_value_lost_share")
MONEY_KPIS = ("revenue", "annual_value_lost", "revenue_per_active", "clv")
# Why sql/revenue_retention.sql withholds a value (its `reason` column), as a reader is told.
# In English, as the catalogs key them: shown as _(WITHHELD_REASONS[reason]).
WITHHELD_REASONS = {
    "no_transactions": N_("no transactions loaded"),
    "base_year_not_covered": N_("the transactions do not cover the whole base year (the 12 months before the "
                                "trailing year)"),
    "trailing_year_not_covered": N_("the transactions do not reach the end of the trailing year"),
    "empty_cohort": N_("no customer under these filters paid anything in the base year"),
    "no_value_at_start": N_("no annual value among the customers active at the period's start"),
}

# Read from survey answers: withheld below the minimum number of answers.
SURVEY_KPIS = ("nps", "nps_promoters", "nps_passives", "nps_detractors", "csat", "ces")
# Targets that hold whatever the period's length; a churn target is per quarter, so it is
# compared on the KPI trends page, not against a churn rate over an arbitrary range.
TARGETED_KPIS = ("nps", "csat", "ces", "sla_compliance", "first_response_live", "first_response_written")


def min_responses() -> int:
    """Fewest answers a survey score needs to be shown ($CX_MIN_RESPONSES, default 30): the app and
    the board pack read the same setting."""
    try:
        return max(1, int(os.environ.get("CX_MIN_RESPONSES", str(DEFAULT_MIN_RESPONSES))))
    except ValueError:
        return DEFAULT_MIN_RESPONSES


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
        """A key callers compare ("significant change"), never shown as it is."""
        if self.delta is None:
            return "no comparison"   # untranslated: a key callers compare
        if self.is_census:
            return "change"
        return "significant change" if self.is_significant else "no significant change"   # untranslated: keys


def significance(value: float | None, moe: float | None, prev_value: float | None,
                 prev_moe: float | None, is_sample: bool = True, alpha: float = 0.05) -> Change:
    """Two-sided z-test of a difference between two independent estimates with 95% margins.

    Counts and sums are a census, not a sample: their change is real as it stands.
    """
    if _missing(value) or _missing(prev_value) or math.isinf(value) or math.isinf(prev_value):
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
                min_responses: int = DEFAULT_MIN_RESPONSES, reference: bool = False,
                coverage: Coverage = EVERYTHING) -> pd.DataFrame:
    """One row per KPI: value, margin and n now and in the comparison period, the change and its verdict.

    `reader` is anything with `.run(query_name, params)`: a db.Reader or the app's cached reader.
    `reference` computes the same from raw rows instead of the derived tables (for checks and the bench).

    A survey score from fewer than `min_responses` answers is withheld (`is_enough`
    false): too few answers to show a score at all. Other KPIs show with their margins. A KPI whose
    columns the data does not provide in a period (`coverage`) has no value there either.
    """
    long = reader.run(query_name("kpi_summary", reference), period_params(filters, compare))
    earlier = filters.comparison(compare).start
    rows = []
    for key in SUMMARY_KPIS:
        kpi = KPIS[key]
        cur = _period_row(long, key, "current")
        prev = _period_row(long, key, "previous")
        minimum = min_responses if key in SURVEY_KPIS else 1
        rows.append(_compared(kpi, cur, prev,
                              enough_now=(not kpi.is_sample or cur["n"] >= minimum)
                              and not coverage.missing(key, filters.start) and not cur["is_unanswered"],
                              enough_before=(not kpi.is_sample or prev["n"] >= minimum)
                              and not coverage.missing(key, earlier) and not prev["is_unanswered"]))
    return pd.DataFrame(rows)


def revenue_retention(reader, filters: Filters, compare: str = "previous", reference: bool = False,
                      coverage: Coverage = EVERYTHING) -> pd.DataFrame:
    """Net and gross revenue retention as of the period's end, and the annual value lost to churn in it:
    one row per KPI in kpi_summary's shape, plus why a value is withheld (`reason`, `prev_reason`).

    Customer filters only. A withheld value (the data does not cover its windows, or the cohort is
    empty) is None with `is_enough` false, and its change is not judged.
    """
    long = reader.run(query_name("revenue_retention", reference), period_params(filters, compare))
    earlier = filters.comparison(compare).start
    rows = []
    for key in REVENUE_RETENTION_KPIS:
        cur = _period_row(long, key, "current")
        prev = _period_row(long, key, "previous")
        row = _compared(KPIS[key], cur, prev, enough_now=cur["reason"] is None and not coverage.missing(key, filters.start),
                        enough_before=prev["reason"] is None and not coverage.missing(key, earlier))
        rows.append({**row, "reason": cur["reason"], "prev_reason": prev["reason"]})
    return pd.DataFrame(rows)


def _compared(kpi: Kpi, cur: dict, prev: dict, enough_now: bool, enough_before: bool) -> dict:
    """One KPI's summary row: its value now and before (each only when there is enough to show it),
    the change and its verdict."""
    change = (significance(cur["value"], cur["moe"], prev["value"], prev["moe"], kpi.is_sample)
              if enough_now and enough_before else Change(None, None, False))
    return {
        "kpi": kpi.key, "label": _(kpi.label), "unit": kpi.unit,
        "value": cur["value"] if enough_now else None, "moe": cur["moe"] if enough_now else None,
        "n": cur["n"], "is_enough": enough_now,
        "prev_value": prev["value"] if enough_before else None,
        "prev_moe": prev["moe"] if enough_before else None, "prev_n": prev["n"],
        "delta": change.delta, "p_value": change.p_value,
        "is_significant": change.is_significant, "verdict": change.verdict,
        "is_better": _is_better(kpi, change),
        "is_unanswered": cur.get("is_unanswered", False), "prev_is_unanswered": prev.get("is_unanswered", False),
    }


def _period_row(long: pd.DataFrame, kpi: str, period: str) -> dict:
    """A KPI's value, margin, n and (for queries that withhold values) the reason, in one period. A
    first-response median of +infinity (over half never answered) has no value, and says so."""
    match = long[(long["kpi"] == kpi) & (long["period"] == period)]
    if match.empty:
        return {"value": None, "moe": None, "n": 0, "reason": None, "is_unanswered": False}
    row = match.iloc[0]
    reason = row.get("reason")
    return {"value": _nullable(row["value"]), "moe": _nullable(row["moe"]),
            "n": 0 if pd.isna(row["n"]) else int(row["n"]),
            "reason": None if reason is None or pd.isna(reason) else str(reason),
            "is_unanswered": is_unanswered_median(row["value"])}


def _nullable(x):
    """A finite number, else None: an infinite margin (an interval whose upper end is "never
    answered") is no margin to show or test with."""
    return None if pd.isna(x) or not math.isfinite(x) else float(x)


def is_unanswered_median(x) -> bool:
    """Whether a first-response median is +infinity: over half of the contacts due an answer were
    never answered (counted_response_seconds in sql/macros.sql), so there is no time to show."""
    return x is not None and not pd.isna(x) and math.isinf(x) and x > 0


def without_unanswered_medians(df: pd.DataFrame) -> pd.DataFrame:
    """A query's rows with an infinite median turned into no value and `is_unanswered` true, and any
    infinite margin into none: downstream code (changes, charts, text) only ever sees numbers."""
    out = df.copy()
    out["is_unanswered"] = out["value"].map(is_unanswered_median).astype(bool)
    for column in ("value", "moe"):
        if column in out:
            values = pd.to_numeric(out[column], errors="coerce")
            out[column] = values.where(values.map(lambda x: pd.notna(x) and math.isfinite(x)))
    return out


def _is_better(kpi: Kpi, change: Change) -> bool | None:
    """Whether the change is good news; None when there is none, or no direction is better."""
    if change.delta is None or change.delta == 0 or kpi.higher_is_better is None:
        return None
    return (change.delta > 0) == kpi.higher_is_better


def kpi_trends(reader, filters: Filters, reference: bool = False) -> pd.DataFrame:
    """Monthly value and n of every KPI over the 12 complete months before the filter's end, plus
    the month it ends in when it ends mid-month (is_complete false); a first-response month over half
    never answered has no value and `is_unanswered` true."""
    return without_unanswered_medians(reader.run(query_name("kpi_monthly", reference), view_params(filters)))


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


def group_scores(reader, filters: Filters, compare: str = "previous", reference: bool = False) -> pd.DataFrame:
    """Survey scores and SLA compliance by segment, department and journey stage, in both periods
    (long: dimension, member, kpi, period, value, moe, n)."""
    return reader.run(query_name("movers", reference), period_params(filters, compare))


def movers(groups: pd.DataFrame, summary: pd.DataFrame, min_responses: int = DEFAULT_MIN_RESPONSES,
           false_discovery_rate: float = 0.05) -> pd.DataFrame:
    """The segments, departments and journey stages that moved differently from the whole view.

    A group is judged against the view's own change (the `summary` row of the same KPI), not
    against zero: in a season that moves everyone, a group is a mover only when it moved more
    or less than the company did. The test is a z-test of (group change - company change) with
    both changes' variances added; the group is part of the company, so their changes covary
    positively and adding the variances overstates the spread: the test errs on the quiet side.
    Both periods need at least `min_responses` observations. Dozens of groups are tested at
    once, so significance is judged with the Benjamini-Hochberg procedure at
    `false_discovery_rate`. All significant movers are returned, the largest (in standard
    errors) first; the page decides how many to show.
    """
    keys = ["dimension", "member", "kpi"]
    cur = groups[groups["period"] == "current"].set_index(keys)
    prev = groups[groups["period"] == "previous"].set_index(keys)
    both = cur.join(prev.add_suffix("_prev"), how="inner")
    company = summary.set_index("kpi")
    tested = []
    for (dimension, member, key), r in both.iterrows():
        if min(r["n"], r["n_prev"]) < min_responses:
            continue
        change = significance(r["value"], r["moe"], r["value_prev"], r["moe_prev"])
        base = company.loc[key] if key in company.index else None
        if change.p_value is None or base is None or _missing(base["delta"]) or _missing(base["prev_moe"]):
            continue
        se_group = math.hypot(r["moe"] / Z95, r["moe_prev"] / Z95)
        se_company = math.hypot(base["moe"] / Z95, base["prev_moe"] / Z95)
        excess = change.delta - base["delta"]
        se = math.hypot(se_group, se_company)
        z = abs(excess) / se if se else math.inf
        tested.append({
            "dimension": dimension, "dimension_label": _(DIMENSIONS[dimension].label), "member": member,
            "kpi": key, "label": _(KPIS[key].label), "unit": KPIS[key].unit,
            "value": r["value"], "moe": r["moe"], "prev_value": r["value_prev"], "delta": change.delta,
            "company_delta": base["delta"], "company_is_significant": bool(base["is_significant"]),
            "excess": excess, "p_value": math.erfc(z / math.sqrt(2)), "n": int(r["n"]), "prev_n": int(r["n_prev"]),
            "z": z, "is_better": _is_better(KPIS[key], Change(excess, None, True)),
        })
    cutoff = benjamini_hochberg_cutoff([row["p_value"] for row in tested], false_discovery_rate)
    columns = ["dimension", "dimension_label", "member", "kpi", "label", "unit", "value", "moe", "prev_value",
               "delta", "company_delta", "company_is_significant", "excess", "p_value", "n", "prev_n", "z",
               "is_better"]
    out = pd.DataFrame([row for row in tested if row["p_value"] <= cutoff], columns=columns)
    return out.sort_values(["is_better", "z"], ascending=[True, False]).reset_index(drop=True)


def department_quarters(reader, filters: Filters, reference: bool = False) -> pd.DataFrame:
    """NPS, CSAT, CES and SLA compliance of the company and each department per quarter over the
    last 8 quarters to the period's end, each beside its target for that quarter."""
    return reader.run(query_name("department_quarters", reference), filters.params())


def standing_misses(groups: pd.DataFrame, summary: pd.DataFrame, history: pd.DataFrame,
                    min_responses: int = DEFAULT_MIN_RESPONSES, targets: dict[str, float] | None = None
                    ) -> pd.DataFrame:
    """The company's and each department's targets missed in this period beyond the margin of
    error, with for how many quarters in a row (up to this one) the score has been below target,
    out of how many quarters the history holds.

    A miss is listed only when even the favourable end of the 95% interval misses the target,
    so sampling noise around a target is never reported as a miss. The quarters are counted on
    the point estimate, from quarters with at least `min_responses` observations. `targets`
    (metrics.targets, the overview tiles' own) is the whole view's target in this period, so the
    list judges the number a tile shows against the target that tile shows; with it, the whole
    view's targeted KPIs that have no quarterly history (first response) are listed too, for this
    period alone (no quarters counted), so no tile that falls short goes unmentioned.
    """
    now = groups[(groups["period"] == "current") & (groups["dimension"] == "department")]
    company = summary.set_index("kpi")
    rows = []
    for (is_company, department, key), quarters in history.groupby(["is_company", "department", "kpi"],
                                                                    dropna=False, sort=False):
        quarters = quarters.sort_values("quarter_start")
        target = quarters.iloc[-1]["target"]
        if is_company and targets is not None:
            target = targets.get(key)
        if _missing(target):
            continue
        if is_company:
            if key not in company.index or not company.loc[key, "is_enough"]:
                continue
            value, moe, n = company.loc[key, "value"], company.loc[key, "moe"], company.loc[key, "n"]
        else:
            mine = now[(now["member"] == department) & (now["kpi"] == key)]
            if mine.empty:
                continue
            value, moe, n = mine.iloc[0]["value"], mine.iloc[0]["moe"], mine.iloc[0]["n"]
        if n < min_responses or not _short_beyond_margin(key, value, moe, target):
            continue
        streak = 0
        for q in reversed(list(quarters.itertuples())):
            if q.n < min_responses or _missing(q.target) or meets_target(key, q.value, q.target):
                break
            streak += 1
        rows.append({"scope": _("Company") if is_company else department, "is_company": bool(is_company),
                     "kpi": key, "label": _(KPIS[key].label), "value": value, "moe": moe, "n": int(n),
                     "target": target, "shortfall": abs(value - target), "quarters_missed": streak,
                     "quarters_seen": len(quarters),
                     "since": quarters.iloc[len(quarters) - streak]["quarter_start"] if streak else None})
    for key in [k for k in TARGETED_KPIS if targets and k not in set(history["kpi"]) and k in company.index]:
        row, target = company.loc[key], targets.get(key)
        if (_missing(target) or not row["is_enough"] or row["n"] < min_responses
                or not _short_beyond_margin(key, row["value"], row["moe"], target)):
            continue
        rows.append({"scope": _("Company"), "is_company": True, "kpi": key, "label": _(KPIS[key].label),
                     "value": row["value"], "moe": row["moe"], "n": int(row["n"]), "target": target,
                     "shortfall": abs(row["value"] - target), "quarters_missed": 0, "quarters_seen": 0,
                     "since": None})
    columns = ["scope", "is_company", "kpi", "label", "value", "moe", "n", "target", "shortfall",
               "quarters_missed", "quarters_seen", "since"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["is_company", "quarters_missed", "shortfall"], ascending=[False, False, False],
                           ignore_index=True)


def _short_beyond_margin(kpi: str, value, moe, target) -> bool:
    """Even the favourable end of the value's 95% interval falls short of the target."""
    if _missing(value) or _missing(moe):
        return False
    favourable = value + moe if KPIS[kpi].higher_is_better else value - moe
    met = meets_target(kpi, favourable, target)
    return met is not None and not met


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
    """Whether a value reaches its target in the KPI's better direction (None: nothing to judge).
    How close a miss is, and the words for it, are cxdata.verdict's."""
    if (value is None or target is None or (isinstance(value, float) and math.isnan(value))
            or KPIS[kpi].higher_is_better is None):
        return None
    return value >= target if KPIS[kpi].higher_is_better else value <= target

