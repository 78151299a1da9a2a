"""What the journey map page shows: touchpoints stage by stage, customers' paths, the moments of truth
and a drill-down, as small frames and plain sentences. The page (pages/journey.py) only lays them out.

Stages are ordered by `journey_stages`; a stage seen in the data but not listed there goes at the end,
flagged, and with no `journey_stages` at all every stage is ordered by its first appearance.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from cxdata import charts, metrics
from cxdata import formatting as fmt
from cxdata.charts import COLOR_WORDS, COLORS
from cxdata.db import Reader
from cxdata.filters import Filters, preset_range
from cxdata.i18n import N_, _, n_
from cxdata.masking import mask

FOLLOW_DAYS = 90          # moments of truth: churn in the 90 days after the experience
# Placeholders for a missing stage or touchpoint, in English (N_): the frames hold them in the
# language of the run (no_stage(), no_touchpoint()), so compare with those.
NO_STAGE = N_("(no stage)")
NO_TOUCHPOINT = N_("(no touchpoint)")
MAX_COMMENTS = 5
COLOR_SERIES, COLOR_WORSE, COLOR_NEUTRAL, COLOR_BETTER = COLORS["series"], COLORS["worse"], COLORS["neutral"], COLORS["better"]
# The map's measures: (column, its n column, higher is better), judged against the whole view.
MEASURES = {"csat": ("n_csat", True), "nps": ("n_nps", True), "ces": ("n_ces", True),
            "complaint_pct": ("n_interactions", False), "sla_breach_pct": ("n_sla_judged", False)}


@dataclass(frozen=True)
class StageOrder:
    stages: list[str]        # every stage, in the journey's order (unknown ones last)
    unknown: list[str]       # seen in the data, not in journey_stages: flagged
    by_appearance: bool      # journey_stages is empty: ordered by first appearance
    descriptions: dict[str, str]

    def note(self) -> str | None:
        """What the page must say about the order, if anything."""
        if self.by_appearance:
            return _("No journey stages are defined (the `journey_stages` table is empty), so the stages are "
                     "ordered by when each first appears in the data.")
        if self.unknown:
            return n_("{stages} is not in `journey_stages`: placed at the end of the journey and flagged ⚑.",
                      "{stages} are not in `journey_stages`: placed at the end of the journey and flagged ⚑.",
                      len(self.unknown)).format(stages=fmt.and_list(f"'{w}'" for w in self.unknown))
        return None


def no_stage() -> str:
    """The placeholder for a missing stage in the language of this run, as the frames hold it."""
    return _(NO_STAGE)


def no_touchpoint() -> str:
    """The placeholder for a missing touchpoint in the language of this run, as the frames hold it."""
    return _(NO_TOUCHPOINT)


def stage_order(reader) -> StageOrder:
    seen = reader.run("journey_stages_seen")
    known = seen[seen["position"].notna()]
    by_appearance = known.empty
    unknown = seen[seen["position"].isna()].sort_values(["first_on", "stage"])
    stages = known["stage"].tolist() + unknown["stage"].tolist()
    return StageOrder(stages, [] if by_appearance else unknown["stage"].tolist(), by_appearance,
                      {r.stage: r.description for r in known.itertuples() if isinstance(r.description, str)})


# ---- The map ------------------------------------------------------------------------------------

def touchpoint_map(reader, filters: Filters, order: StageOrder, min_responses: int) -> pd.DataFrame:
    """One row per touchpoint (and per stage, is_stage; and the whole view, is_total) with each measure,
    a survey score withheld under `min_responses` answers, and a judgement per measure against the
    whole view: 'worse' or 'better' when the touchpoint's 95% interval excludes the view's value."""
    rows = reader.run("journey_map", filters.params())
    for score in ("nps", "csat", "ces"):
        few = rows[f"n_{score}"] < min_responses
        rows.loc[few, [score, f"{score}_moe"]] = float("nan")
    total = rows[rows["is_total"]]
    for measure, (_n_column, better_high) in MEASURES.items():
        company = total[measure].iloc[0] if not total.empty else float("nan")
        moe = rows[measure.replace("_pct", "_moe") if measure.endswith("_pct") else f"{measure}_moe"]
        rows[f"{measure}_vs"] = [_versus(v, m, company, better_high) for v, m in zip(rows[measure], moe)]
    rows["stage"] = rows["journey_stage"].fillna(no_stage())
    rows["touchpoint_name"] = rows["touchpoint"].fillna(no_touchpoint())
    rank = {s: i for i, s in enumerate(order.stages + [no_stage()])}
    rows["stage_rank"] = rows["stage"].map(rank).fillna(len(rank))
    rows["is_flagged"] = rows["stage"].isin(order.unknown + [no_stage()])
    return rows.sort_values(["is_total", "stage_rank", "is_stage", "n_interactions"],
                            ascending=[True, True, False, False], ignore_index=True)


def _versus(value, moe, company, higher_is_better: bool) -> str:
    if any(pd.isna(x) for x in (value, moe, company)):
        return "neutral"
    if value - moe > company:
        return "better" if higher_is_better else "worse"
    if value + moe < company:
        return "worse" if higher_is_better else "better"
    return "neutral"


def stage_columns(cells: pd.DataFrame, order: StageOrder) -> list[str]:
    """The stages the map draws, in order: every known stage (empty ones too), then those in the data."""
    present = cells.loc[~cells["is_total"], "stage"].unique().tolist()
    return order.stages + [s for s in present if s not in order.stages]


def stages_with_data(cells: pd.DataFrame) -> set[str]:
    """The stages with at least one contact or survey answer under the filters."""
    rows = cells[cells["is_stage"] & ~cells["is_total"]]
    volume = rows[["n_interactions", "n_nps", "n_csat", "n_ces"]].fillna(0).sum(axis=1)
    return set(rows.loc[volume > 0, "stage"])


def default_stage(cells: pd.DataFrame, choices: list[str], moments: pd.DataFrame) -> str | None:
    """The stage the drill-down opens on: the top moment of truth's when it is significant, else the
    first stage in the journey's order with data under the filters (an empty one shows five empty
    panels), else the first stage."""
    filled = stages_with_data(cells)
    top = moments.iloc[0]["stage"] if not moments.empty and moments.iloc[0]["is_significant"] else None
    if top in choices and top in filled:
        return top
    return next((s for s in choices if s in filled), choices[0] if choices else None)


def stage_summary(cells: pd.DataFrame, stage: str) -> str:
    """One line for a stage: its contacts and its worst pain against the whole view, if any."""
    row = cells[cells["is_stage"] & (cells["stage"] == stage)]
    if row.empty or not row.iloc[0]["n_interactions"] and not row.iloc[0]["n_csat"] + row.iloc[0]["n_ces"]:
        return _("no data in this period")
    r = row.iloc[0]
    contacts = n_("{n} contact", "{n} contacts", r["n_interactions"]).format(n=fmt.compact(r["n_interactions"]))
    pains = [(m, r[m]) for m in MEASURES if r[f"{m}_vs"] == "worse"]
    if pains:
        measure, value = pains[0]
        # i18n: a stage's line on the map: "1.2 k contacts · effort (CES) 3.1"
        return _("{contacts} · {measure} {value}").format(contacts=contacts, measure=_(_MEASURE_WORDS[measure]),
                                                          value=_measure_value(measure, value))
    return contacts


_MEASURE_WORDS = {"csat": N_("CSAT"), "nps": N_("NPS"), "ces": N_("effort (CES)"), "complaint_pct": N_("complaints"),
                  "sla_breach_pct": N_("SLA missed")}


def _measure_value(measure: str, value) -> str:
    if measure in ("csat", "nps", "ces"):
        return fmt.value(measure, value)
    return fmt.percent(value, 0)


def effort_pain_points(cells: pd.DataFrame) -> pd.DataFrame:
    """Stages by effort, the hardest (lowest CES) first, with n: where customers work hardest."""
    stages = cells[cells["is_stage"] & cells["ces"].notna()]
    return stages.sort_values("ces")[["stage", "ces", "ces_moe", "n_ces", "ces_vs"]].reset_index(drop=True)


# ---- Paths --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Flows:
    """The customers' paths (sql/journey_flows.sql): stage links, every stage's touchpoint links, and the
    moment-of-truth counts when they were asked for the same period (else None)."""
    links: pd.DataFrame              # from_stage, to_stage (None: no later stage), n_customers, n_churned
    touchpoint_links: pd.DataFrame   # journey_stage, from_step, from_touchpoint, to_step, to_touchpoint, went_on, ...
    moment_counts: pd.DataFrame | None


_FLOW_COLUMNS = {
    "stage": ["from_stage", "to_stage", "n_customers", "n_churned"],
    "touchpoint": ["journey_stage", "from_step", "from_touchpoint", "to_step", "to_touchpoint", "went_on",
                   "n_customers", "n_churned"],
    "moment": ["journey_stage", "touchpoint", "n_bad", "n_bad_lost", "churn_bad", "n_good", "n_good_lost",
               "churn_good", "value_bad", "value_bad_lost", "n_censored"],
}
_COUNTS = {"n_customers", "n_churned", "from_step", "n_bad", "n_bad_lost", "n_good", "n_good_lost", "n_censored"}


def _flow_part(rows: pd.DataFrame, part: str) -> pd.DataFrame:
    """One part of the flows query with its own columns, counts as integers again (the union made them nullable)."""
    out = rows.loc[rows["part"] == part, _FLOW_COLUMNS[part]].reset_index(drop=True)
    for column in _COUNTS & set(out.columns):
        out[column] = out[column].astype("int64")
    return out


def flows(reader, filters: Filters, order: StageOrder, window: "MomentsWindow | None" = None,
          reference: bool = False) -> Flows:
    """Paths through the stages and every stage's touchpoints, and, given the moments' window when it is
    the same period, their counts too: one query, because one pass over the customers' rows feeds all three.
    A date preset with no filter is read as refresh stored it (store_presets), unless `reference`."""
    params = _flow_params(filters, order, window)
    rows = reader.run("journey_flows_stored", params) if not reference else pd.DataFrame()
    if rows.empty:
        rows = reader.run(metrics.query_name("journey_flows", reference), params)
    return Flows(_flow_part(rows, "stage"), _flow_part(rows, "touchpoint"),
                 _flow_part(rows, "moment") if params["with_moments"] else None)


def _flow_params(filters: Filters, order: StageOrder, window: "MomentsWindow | None") -> dict:
    """The arguments of the flows query (and of the stored presets, which must match them exactly)."""
    return {**filters.params(), "stage_order": order.stages, "follow_days": FOLLOW_DAYS,
            "newest_on": window.newest_on if window else filters.end,
            "with_moments": window is not None and window.filters == filters}


# The date presets whose paths refresh stores for the company as a whole: the views opened first.
STORED_PRESETS = ("30d", "90d", "quarter", "ytd", "12m")


def store_presets(con) -> None:
    """At refresh, once derived.sql has run: compute the paths (and moments) of every stored preset with
    no filter, as the page would ask for them, into journey_flow_presets. A year at 10 M interactions
    groups 5.9 M customer-day rows, over a second; reading them back takes milliseconds."""
    reader = Reader(con)
    newest = reader.run("data_extent").iloc[0]["newest_on"]
    if pd.isna(newest):  # no activity yet: nothing to store
        return
    newest, order = pd.Timestamp(newest).date(), stage_order(reader)
    for start, end in dict.fromkeys(preset_range(preset, newest) for preset in STORED_PRESETS):  # ytd can be the quarter
        filters = Filters(start, end)
        params = _flow_params(filters, order, moments_window(filters, newest))
        reader.run("journey_flow_presets_write", params)  # binds just the parameters the insert uses


def drop_outs(links: pd.DataFrame, order: StageOrder) -> pd.DataFrame:
    """Per stage: customers who reached it, those who went no further (no later stage in the period),
    their share, and the share of those who have churned since the period began."""
    reached = links.groupby("from_stage")["n_customers"].sum()
    ends = links[links["to_stage"].isna()].set_index("from_stage")
    rows = []
    for stage in [s for s in order.stages if s in reached.index] + [s for s in reached.index if s not in order.stages]:
        n, left = int(reached[stage]), int(ends["n_customers"].get(stage, 0))
        churned = int(ends["n_churned"].get(stage, 0))
        rows.append({"stage": stage, "n_customers": n, "n_no_further": left,
                     "no_further_pct": 100.0 * left / n if n else None,
                     "n_churned": churned, "churned_pct": 100.0 * churned / left if left else None})
    return pd.DataFrame(rows, columns=["stage", "n_customers", "n_no_further", "no_further_pct", "n_churned",
                                       "churned_pct"])


def touchpoint_paths(touchpoint_links: pd.DataFrame, stage: str) -> pd.DataFrame:
    """One stage's touchpoint links, out of `Flows.touchpoint_links` (choosing a stage runs no query)."""
    return touchpoint_links[touchpoint_links["journey_stage"] == stage].drop(columns="journey_stage").reset_index(drop=True)


END_CHURNED = N_("Churned since")       # the two ends of the stage paths: short, as a label left of its node
END_STAYED = N_("Still a customer")     # (the Sankeys name their nodes translated: _(END_CHURNED))
LATER_STAGE = N_("Then a later stage")
NO_LATER_STAGE = N_("No later stage")
_LINK = "rgba(31, 78, 121, 0.25)"
_LINK_END = "rgba(154, 163, 173, 0.35)"
_LINK_CHURNED = "rgba(213, 94, 0, 0.45)"


def stage_sankey(links: pd.DataFrame, order: StageOrder) -> tuple[list[str], list[str], pd.DataFrame]:
    """Nodes, their colours and the links of the stage Sankey: stage to next stage, and each stage's
    customers who went no further split into those who have churned since and those still customers.
    Every customer ends in one of those two nodes, so the links into them add up to the customers."""
    present = set(links["from_stage"]) | set(links["to_stage"].dropna())
    stages = [s for s in order.stages if s in present] + sorted(present - set(order.stages))
    nodes = stages + [_(END_CHURNED), _(END_STAYED)]
    colors = [COLOR_SERIES] * len(stages) + [COLOR_WORSE, COLOR_NEUTRAL]
    index = {name: i for i, name in enumerate(nodes)}
    rows = []
    for r in links.itertuples():
        if pd.notna(r.to_stage):
            rows.append((index[r.from_stage], index[r.to_stage], r.n_customers, _LINK,
                         n_("{n} customer went on from {start} to {end}", "{n} customers went on from {start} to {end}",
                            r.n_customers).format(n=fmt.count(r.n_customers), start=r.from_stage, end=r.to_stage)))
            continue
        if r.n_churned:
            rows.append((index[r.from_stage], index[_(END_CHURNED)], r.n_churned, _LINK_CHURNED,
                         n_("{n} customer reached no stage after {stage}; they have churned since",
                            "{n} customers reached no stage after {stage}; they have churned since",
                            r.n_churned).format(n=fmt.count(r.n_churned), stage=r.from_stage)))
        stayed = r.n_customers - r.n_churned
        if stayed:
            rows.append((index[r.from_stage], index[_(END_STAYED)], stayed, _LINK_END,
                         n_("{n} customer reached no stage after {stage}; still customers",
                            "{n} customers reached no stage after {stage}; still customers",
                            stayed).format(n=fmt.count(stayed), stage=r.from_stage)))
    return nodes, colors, pd.DataFrame(rows, columns=["source", "target", "value", "color", "hover"])


def touchpoint_sankey(links: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame]:
    """Nodes, colours and links of one stage's touchpoint Sankey: the 1st, 2nd and 3rd touchpoint each
    customer came to there, then whether they reached a later stage of the journey in the period."""
    def node(step, touchpoint) -> str:
        return f"{int(step)}. {touchpoint if isinstance(touchpoint, str) else no_touchpoint()}"

    names = sorted({node(r.from_step, r.from_touchpoint) for r in links.itertuples()}
                   | {node(r.to_step, r.to_touchpoint) for r in links.itertuples() if pd.notna(r.to_step)})
    nodes = names + [_(LATER_STAGE), _(NO_LATER_STAGE)]
    colors = [COLOR_SERIES] * len(names) + [COLOR_BETTER, COLOR_NEUTRAL]
    index = {name: i for i, name in enumerate(nodes)}
    rows = []
    for r in links.itertuples():
        source = node(r.from_step, r.from_touchpoint)
        if pd.notna(r.to_step):
            target, color = node(r.to_step, r.to_touchpoint), _LINK
            words = n_("{n} customer went from {start} to {end}", "{n} customers went from {start} to {end}",
                       r.n_customers).format(n=fmt.count(r.n_customers), start=source[3:], end=target[3:])
        else:
            target = _(LATER_STAGE) if r.went_on else _(NO_LATER_STAGE)
            color = _LINK if r.went_on else _LINK_END
            if r.went_on:
                words = n_("{n} customer, after {touchpoint}: then a later stage",
                           "{n} customers, after {touchpoint}: then a later stage",
                           r.n_customers).format(n=fmt.count(r.n_customers), touchpoint=source[3:])
            else:
                words = n_("{n} customer, after {touchpoint}: no later stage",
                           "{n} customers, after {touchpoint}: no later stage",
                           r.n_customers).format(n=fmt.count(r.n_customers), touchpoint=source[3:])
        rows.append((index[source], index[target], r.n_customers, color, words))
    return nodes, colors, pd.DataFrame(rows, columns=["source", "target", "value", "color", "hover"])


# ---- Moments of truth ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MomentsWindow:
    filters: Filters         # the experiences looked at: the period, or the latest one whose days are over
    is_shifted: bool         # the period was too recent: an earlier window of the same length is used
    newest_on: dt.date


def moments_window(filters: Filters, newest_on: dt.date) -> MomentsWindow:
    """Experiences whose 90 days are all observed end FOLLOW_DAYS before the data's newest day. A period
    that ends later keeps its earlier days (the later ones are censored in the query); a period wholly
    inside those last days would show nothing, so the same length just before them is used, and said."""
    last_followed = newest_on - dt.timedelta(days=FOLLOW_DAYS)
    if filters.start <= last_followed:
        return MomentsWindow(filters, False, newest_on)
    end = last_followed
    return MomentsWindow(filters.replace(start=end - dt.timedelta(days=filters.days - 1), end=end), True, newest_on)


def moment_counts(reader, window: MomentsWindow, reference: bool = False) -> pd.DataFrame:
    """Per stage x touchpoint: customers after a bad and after fine experiences, and how many were lost."""
    params = {**window.filters.params(), "follow_days": FOLLOW_DAYS, "newest_on": window.newest_on}
    return reader.run(metrics.query_name("journey_moments", reference), params)


def rank_moments(rows: pd.DataFrame, min_customers: int = metrics.DEFAULT_MIN_RESPONSES,
                 false_discovery_rate: float = 0.05) -> pd.DataFrame:
    """Touchpoints ranked by the customers a bad experience there loses: the excess churn within 90 days
    over customers whose experiences there were fine, times the customers who had a bad one (significant
    ones first). With it: churn in both groups, the difference with its 95% interval and a
    two-proportion z-test (Benjamini-Hochberg over the touchpoints tested), customers affected and the
    annual value they carry. Groups under `min_customers` are not tested."""
    tested = []
    for r in rows.itertuples():
        test = two_proportions(r.n_bad_lost, r.n_bad, r.n_good_lost, r.n_good)
        enough = min(r.n_bad, r.n_good) >= min_customers
        tested.append({**r._asdict(), **test, "is_tested": enough})
    out = pd.DataFrame(tested)
    if out.empty:
        return out
    out = out.drop(columns=["Index"])  # untranslated: a column key of itertuples
    out["stage"] = out["journey_stage"].fillna(no_stage())
    out["touchpoint_name"] = out["touchpoint"].fillna(no_touchpoint())
    cutoff = metrics.benjamini_hochberg_cutoff(out.loc[out["is_tested"], "p_value"].dropna().tolist(),
                                              false_discovery_rate)
    out["is_significant"] = out["is_tested"] & (out["p_value"] <= cutoff) & (out["difference"] > 0)
    # what a bad experience there costs beyond a fine one: the excess churn, in customers and value
    out["excess_customers"] = (out["difference"] / 100 * out["n_bad"]).clip(lower=0)
    out["excess_value"] = (out["difference"] / 100 * out["value_bad"]).clip(lower=0)
    return out.sort_values(["is_significant", "is_tested", "excess_customers", "difference"],
                           ascending=[False, False, False, False], ignore_index=True)


def two_proportions(x1: int, n1: int, x2: int, n2: int) -> dict:
    """Two-sided two-proportion z-test (pooled) of x1/n1 against x2/n2, in percentage points, with
    the unpooled 95% interval of the difference."""
    if not n1 or not n2:
        return {"difference": None, "difference_moe": None, "z": None, "p_value": None}
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se if se else 0.0
    moe = metrics.Z95 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return {"difference": 100 * (p1 - p2), "difference_moe": 100 * moe, "z": z,
            "p_value": math.erfc(abs(z) / math.sqrt(2)) if se else 1.0}


def moments_sentence(ranked: pd.DataFrame) -> str:
    """The top moment of truth in words, or why there is none."""
    if ranked.empty or not ranked["is_tested"].any():
        return _("Too few customers with a followed-up experience to compare any touchpoint.")
    top = ranked.iloc[0]
    if not top["is_significant"]:
        return _("No touchpoint separates the customers who left from those who stayed beyond chance: after a bad "
                 "experience anywhere, churn in the next 90 days is not significantly higher than after a fine one.")
    times = top["churn_bad"] / top["churn_good"] if top["churn_good"] else None
    fields = {"stage": fmt.md(top["stage"].capitalize()), "touchpoint": fmt.md(top["touchpoint_name"]),
              "n_bad": fmt.count(top["n_bad"]), "churn_bad": fmt.percent(top["churn_bad"], 1),
              "days": fmt.count(FOLLOW_DAYS), "churn_good": fmt.percent(top["churn_good"], 1),
              "n_good": fmt.count(top["n_good"]), "value": fmt.money(top["value_bad"]),
              "excess": fmt.number(top["excess_customers"], 0), "excess_value": fmt.money(top["excess_value"])}
    if times:
        return _("**{stage} · {touchpoint}** is the moment of truth that loses most: of the {n_bad} customers who "
                 "had a bad experience there, {churn_bad} left within {days} days, against {churn_good} of the "
                 "{n_good} whose experiences there were fine, {times} times as often. Those {n_bad} customers carry "
                 "{value} a year; had they left only as often as the others, about {excess} customers and "
                 "{excess_value} a year would have stayed.").format(times=fmt.number(times, 1), **fields)
    return _("**{stage} · {touchpoint}** is the moment of truth that loses most: of the {n_bad} customers who "
             "had a bad experience there, {churn_bad} left within {days} days, against {churn_good} of the "
             "{n_good} whose experiences there were fine. Those {n_bad} customers carry {value} a year; had they "
             "left only as often as the others, about {excess} customers and {excess_value} a year would have "
             "stayed.").format(**fields)


# ---- Drill-down ---------------------------------------------------------------------------------

def _selection(filters: Filters, stage: str, touchpoint: str | None) -> dict:
    return {**filters.params(), "stage": stage, "touchpoint": touchpoint}


def drill_trend(reader, filters: Filters, stage: str, touchpoint: str | None) -> pd.DataFrame:
    return reader.run("journey_trend", _selection(filters, stage, touchpoint))


def trend_of(trend: pd.DataFrame, measure: str, min_responses: int) -> pd.DataFrame:
    """One measure of the drill-down trend in the shape charts.kpi_trend draws."""
    n_column = {"csat": "n_csat", "nps": "n_nps", "ces": "n_ces", "sla_compliance": "n_sla_judged"}[measure]
    out = pd.DataFrame({"period_start": trend["month_start"], "n": trend[n_column],
                        "is_complete": trend["is_complete"]})
    if measure == "sla_compliance":
        out["value"], out["moe"] = 100 - trend["sla_breach_pct"], trend["sla_breach_moe"]
        out["is_enough"] = out["n"] > 0
    else:
        out["value"], out["moe"] = trend[measure], trend[f"{measure}_moe"]
        out["is_enough"] = out["n"] >= min_responses
    return out


def drill_owners(reader, filters: Filters, stage: str, touchpoint: str | None) -> pd.DataFrame:
    return reader.run("journey_owners", _selection(filters, stage, touchpoint))


def recent_comments(reader, filters: Filters, stage: str, touchpoint: str | None,
                    limit: int = MAX_COMMENTS) -> pd.DataFrame:
    """The newest comments about the selection, e-mail addresses and phone numbers masked."""
    rows = reader.run("journey_comments_recent", {**_selection(filters, stage, touchpoint), "limit": limit})
    rows["comment"] = rows["comment"].map(mask)
    return rows


@dataclass(frozen=True)
class JourneyData:
    order: StageOrder
    cells: pd.DataFrame
    links: pd.DataFrame
    touchpoint_links: pd.DataFrame
    window: MomentsWindow
    moments: pd.DataFrame


def load(reader, filters: Filters, newest_on: dt.date, min_responses: int) -> JourneyData:
    """The page's queries before the drill-down: the page and the bench call this, so they run the same set.
    The moments of truth come with the paths unless their window had to move (a period too recent)."""
    order = stage_order(reader)
    window = moments_window(filters, newest_on)
    paths = flows(reader, filters, order, window)
    counts = paths.moment_counts if paths.moment_counts is not None else moment_counts(reader, window)
    return JourneyData(order, touchpoint_map(reader, filters, order, min_responses), paths.links,
                       paths.touchpoint_links, window, rank_moments(counts, min_responses))


def span(filters: Filters) -> str:
    """The period's days, as the locale writes them: '04 Jun 2026 – 01 Sep 2026'."""
    return fmt.date_range(filters.start, filters.end)


# ---- The page's two headline charts (the board pack shows them too) ------------------------------

def map_title(cells: pd.DataFrame) -> str:
    """The map's finding: the stage that takes the most effort, when it is worse than the whole view."""
    pains = effort_pain_points(cells)
    hardest = pains.iloc[0] if not pains.empty and pains.iloc[0]["ces_vs"] == "worse" else None
    if hardest is None:
        return _("Where customers struggle along the journey")
    return _("{stage} takes the most effort: CES {ces} (n = {n})").format(
        stage=hardest["stage"].capitalize(), ces=fmt.value("ces", hardest["ces"]), n=fmt.count(int(hardest["n_ces"])))


def map_subtitle() -> str:
    """How to read the map, in the language of this run."""
    # i18n: {worse} and {better} are the colours of the map's cells ("orange", "blue").
    return _("CSAT: % 4–5 · CES: 1–7, 7 = easy · {worse}: worse than the whole view beyond its 95% margin, "
             "{better}: better").format(worse=_(COLOR_WORDS["worse"]), better=_(COLOR_WORDS["better"]))



def map_figure(data: JourneyData):
    """The stage x touchpoint map as the page and the board pack draw it."""
    stages = stage_columns(data.cells, data.order)
    return charts.journey_map(data.cells, stages, {s: stage_summary(data.cells, s) for s in stages},
                              set(data.order.unknown) | {no_stage()}, map_title(data.cells), map_subtitle())


def moments_title(ranked: pd.DataFrame) -> str:
    """The moments chart's finding: the top significant moment of truth, in its two churn rates."""
    best = ranked.iloc[0] if not ranked.empty and ranked.iloc[0]["is_significant"] else None
    if best is None:
        return _("Customers lost within 90 days of an experience")
    return _("{stage} · {touchpoint}: {bad} lost within 90 days after a bad experience, {fine} after fine ones").format(
        stage=best["stage"].capitalize(), touchpoint=best["touchpoint_name"], bad=fmt.percent(best["churn_bad"], 0),
        fine=fmt.percent(best["churn_good"], 0))


def moments_figure(data: JourneyData):
    """The moments of truth as the page and the board pack draw them."""
    return charts.moments_of_truth(data.moments, moments_title(data.moments),
                                   _("After a bad experience against after fine ones; hollow: not significant · "
                                     "{span}").format(span=span(data.window.filters)))
