"""What the executive overview shows, as plain values: the KPI tiles, the attention list and the
line that says what is on screen. The page (pages/overview.py) only lays them out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cxdata import formatting as fmt
from cxdata import metrics, verdict
from cxdata.filters import COMPARISONS, DIMENSIONS, PRESETS, Filters, ViewState
from cxdata.i18n import N_, _

# Three rows of four on one 1280 x 720 screen: how customers feel, how they are served, what
# they are worth.
TILE_ORDER = ("nps", "csat", "ces", "contacts",
              "sla_compliance", "first_response_live", "first_response_written", "churn_rate",
              "active_customers", "revenue", "net_revenue_retention", "gross_revenue_retention")
TILES_PER_ROW = 4
CUSTOMER_KPIS = ("churn_rate", "retention_rate", "active_customers", "revenue", "net_revenue_retention",
                 "gross_revenue_retention", "annual_value_lost", "annual_value_lost_share")
ATTENTION_SHOWN = 6
# Rates whose size grows with the period's length (lost in the period ÷ active at its start): over a
# period the data covers only in part they read low, so, like counts, their change is withheld then.
PER_PERIOD = ("churn_rate",)


@dataclass(frozen=True)
class OverviewData:
    """Every query result the overview draws from, for one view."""

    summary: pd.DataFrame        # one row per KPI (kpi_summary and revenue retention)
    trends: pd.DataFrame
    targets: dict[str, float]
    movers: pd.DataFrame
    misses: pd.DataFrame
    channels: pd.DataFrame       # contacts per channel now and before (metrics.channel_mix)
    coverage: metrics.Coverage = metrics.EVERYTHING  # which columns the data provides (metrics.coverage)


def load(reader, filters: Filters, compare: str, min_responses: int, reference: bool = False) -> OverviewData:
    """Run the overview's queries: the page, the app's warm-up and the bench all call this, so they
    run the same set. `reference` reads raw rows instead of the derived tables (for the bench)."""
    coverage = metrics.coverage(reader)
    summary = pd.concat([metrics.kpi_summary(reader, filters, compare, min_responses, reference=reference,
                                             coverage=coverage),
                         metrics.revenue_retention(reader, filters, compare, reference=reference, coverage=coverage)],
                        ignore_index=True)
    groups = metrics.group_scores(reader, filters, compare, reference=reference)
    history = metrics.department_quarters(reader, filters, reference=reference)
    targets = metrics.targets(reader, filters)
    return OverviewData(
        summary=summary,
        trends=metrics.kpi_trends(reader, filters, reference=reference),
        targets=targets,
        movers=metrics.movers(groups, summary, min_responses),
        misses=metrics.standing_misses(groups, summary, history, min_responses, targets),
        channels=metrics.channel_mix(reader, filters, compare, reference=reference),
        coverage=coverage,
    )


@dataclass(frozen=True)
class PeriodFigure:
    """One KPI over the view's period, worded as its overview tile words it: other pages that state
    the period's value (KPI trends, department scorecards) read this, so they cannot disagree."""

    kpi: str
    value: float | None       # None: too few answers, or no data
    text: str                 # the tile's value: "37", "89.42%", "Too few answers"
    change: str | None        # the tile's change against the comparison, or None
    change_color: str         # as Tile.delta_color
    n: int
    target: float | None


def period_figures(reader, filters: Filters, compare: str, min_responses: int,
                   kpis: tuple[str, ...] = metrics.SUMMARY_KPIS, withhold_counts: bool = False) -> dict[str, PeriodFigure]:
    """The view's period value of each KPI in `kpis` (those sql/kpi_summary.sql computes), from the
    overview's own query and wording (metrics.kpi_summary, the tile's value and change text);
    `withhold_counts` as for tiles()."""
    coverage = metrics.coverage(reader)
    rows = metrics.kpi_summary(reader, filters, compare, min_responses, coverage=coverage).set_index("kpi")
    targets = metrics.targets(reader, filters)
    out = {}
    for key in kpis:
        if key not in rows.index:
            continue
        row = rows.loc[key]
        absent = coverage.missing(key, filters.start)
        shown = bool(row["is_enough"]) and not pd.isna(row["value"]) and not absent
        out[key] = PeriodFigure(
            kpi=key, value=float(row["value"]) if shown else None,
            text=_(metrics.NOT_IN_DATA).capitalize() if absent else _value(key, row, targets.get(key), min_responses),
            change=None if absent or (withhold_counts and (not metrics.KPIS[key].is_sample or key in PER_PERIOD))
            else _delta_text(key, row), change_color=_delta_color(metrics.KPIS[key], row), n=0 if pd.isna(row["n"]) else int(row["n"]),
            target=targets.get(key))
    return out


# ---- What is on screen -------------------------------------------------------------------------

def day_text(day: dt.date) -> str:
    """A day as the product's lines write it: '2 Sep 2026' (es '2 sept 2026', pt-BR '2 de set. de 2026')."""
    return fmt.date(day).lstrip("0")


def period_line(view: ViewState) -> str:
    """'Last 90 days, 2 Sep – 30 Nov 2026, against the previous period (4 Jun – 1 Sep 2026)'."""
    f, cmp = view.filters, view.filters.comparison(view.compare)
    return _("{preset}, {start} – {end}, against the {versus} ({compare_start} – {compare_end})").format(
        preset=_(PRESETS[view.preset]), start=day_text(f.start), end=day_text(f.end), versus=_(COMPARISONS[view.compare]),
        compare_start=day_text(cmp.start), compare_end=day_text(cmp.end))


# What a filter on interactions leaves whole for the customer KPIs, in "all channels and departments".
_ALL_OF = {"channel": N_("channels"), "department": N_("departments"), "journey_stage": N_("journey stages")}


def filters_line(filters: Filters) -> str:
    """The filters in force in words, and what they do not narrow, so a room looking at a
    projector knows it is seeing SMB only."""
    if not filters.chosen:
        return _("All customers, channels and departments")
    chosen = " · ".join(_("{dimension}: {values}").format(dimension=_(DIMENSIONS[key].label), values=", ".join(values))
                        for key, values in filters.chosen)
    ignored = [_(_ALL_OF[key]) for key, _values in filters.chosen if not DIMENSIONS[key].of_customer]
    if ignored:
        # i18n: what the customer KPIs are not narrowed by; {dimensions} is "channels and departments"
        chosen += " " + _("(churn, customers and revenue: all {dimensions})").format(dimensions=fmt.and_list(ignored))
    return chosen


def freshness_line(facts: dict) -> str:
    """'Data to 30 Nov 2026, loaded 1 Dec 2026 09:12 UTC'."""
    newest, loaded = facts.get("newest_on"), facts.get("last_loaded_utc")
    if loaded is None:
        return _("Data to {day}").format(day=day_text(newest)) if newest else _("No data yet")
    # a 24-hour clock, as English, Spanish and Portuguese business text write it
    time = loaded.strftime("%H:%M")  # untranslated: a clock time, the same in every language
    if not newest:
        return _("No data yet, loaded {day} {time} UTC").format(day=day_text(loaded.date()), time=time)
    return _("Data to {day}, loaded {loaded} {time} UTC").format(day=day_text(newest), loaded=day_text(loaded.date()), time=time)


def comparison_gaps(view: ViewState, facts: dict) -> list[str]:
    """Why some changes are not shown: a comparison period that starts before the data, or a
    period that ends in a day the data covers only in part. Counts, amounts and churn over such a
    window are short, so their changes are withheld; scores and shares still compare."""
    notes = []
    cmp = view.filters.comparison(view.compare)
    oldest, complete = facts.get("oldest_on"), facts.get("last_complete_on")
    if oldest and cmp.start < oldest:
        notes.append(_("The comparison period starts {start}, before the first record ({oldest}): changes in "
                       "contacts, customers, churn and revenue are not shown.").format(start=day_text(cmp.start),
                                                                                      oldest=day_text(oldest)))
    if complete and view.filters.end > complete:
        notes.append(_("The period ends on {end}, a day the data covers only in part: changes in contacts, "
                       "customers, churn and revenue are not shown.").format(end=day_text(view.filters.end)))
    return notes


# ---- Tiles ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tile:
    kpi: str
    label: str
    value: str               # "32", "78.4%", "Too few answers"
    delta: str | None        # None hides the delta line; starts with an ASCII "-" for a fall
    delta_color: str         # "normal", "inverse" (lower is better) or "off" (no real change)
    status: str | None       # the verdict against target (cxdata.verdict); None for a KPI that takes none
    badge: str               # beside the label: the verdict and target ("close · target 90.0%"), or ""
    detail: str              # margin and n, or why there is no score
    help: str
    trend: pd.DataFrame      # month_start, value, n, is_complete


def tiles(data: OverviewData, view: ViewState, min_responses: int, withhold_counts: bool = False) -> list[Tile]:
    """One tile per headline KPI. `withhold_counts` hides the changes of counts and amounts
    (see comparison_gaps)."""
    by_kpi = data.summary.set_index("kpi")
    out = []
    for key in TILE_ORDER:
        row = by_kpi.loc[key]
        kpi = metrics.KPIS[key]
        absent = data.coverage.missing(key, view.filters.start)
        trend = _provided_months(data.trends.loc[data.trends["kpi"] == key, ["month_start", "value", "n", "is_complete"]],
                                 data.coverage, key)
        if absent:
            out.append(_absent_tile(key, absent, view, trend))
            continue
        target = data.targets.get(key)
        status = verdict_of(key, row, target, min_responses) if key in metrics.TARGETED_KPIS else None
        withheld = withhold_counts and (not kpi.is_sample or key in PER_PERIOD)
        out.append(Tile(
            kpi=key, label=_(kpi.label),
            value=_value(key, row, target, min_responses),
            delta=None if withheld else _delta_text(key, row),
            delta_color=_delta_color(kpi, row),
            status=status,
            badge="" if status is None else verdict.badge(key, status, target),
            detail=_detail(key, row, by_kpi, min_responses, data.channels, view.filters.end),
            help=_help(kpi, view),
            trend=trend,
        ))
    return out


def _provided_months(trend: pd.DataFrame, coverage: metrics.Coverage, key: str) -> pd.DataFrame:
    """A tile's line without the months the data does not provide its metric in (none at all when
    it never does): a month before a column was loaded is not in the data, not 0."""
    if coverage.missing(key):
        return trend.iloc[0:0]
    since = coverage.since(key)
    return trend if since is None else trend[pd.to_datetime(trend["month_start"]).dt.date >= since]


def _absent_tile(key: str, reason: str, view: ViewState, trend: pd.DataFrame) -> Tile:
    """A tile whose metric the data does not provide in this period (metrics.Coverage): no number,
    no change, no target status."""
    return Tile(kpi=key, label=_(metrics.KPIS[key].label), value=_(metrics.NOT_IN_DATA).capitalize(), delta=None,
                delta_color="off", status=None, badge="", detail=reason, help=_help(metrics.KPIS[key], view),
                trend=trend)


def targets_clause(tiles: list[Tile]) -> str:
    """What the tiles' badges say about targets, as one clause (cxdata.verdict.targets_clause): the
    overview and the board pack's titles say it in these words."""
    return verdict.targets_clause([(t.label, t.status) for t in tiles if t.status])


def verdict_of(key: str, row, target: float | None, min_responses: int) -> str:
    """A summary row's verdict against its target: what the tile's badge, the attention list and the
    board pack say of it."""
    minimum = min_responses if key in metrics.SURVEY_KPIS else 1
    return verdict.status(key, row["value"], target, row["moe"], row["n"], minimum)


def _value(key: str, row, target: float | None, min_responses: int) -> str:
    if _withheld(row):
        return _("Not shown")
    if row.get("is_unanswered"):
        return _(fmt.UNANSWERED).capitalize()
    if not row["is_enough"] and key in metrics.SURVEY_KPIS:
        return _("Too few answers")
    return fmt.value_beside(key, row["value"], target)


def _delta_text(key: str, row) -> str | None:
    if row["delta"] is None or pd.isna(row["delta"]):
        return None
    return fmt.change_judged(key, row["delta"], row["value"], row["verdict"] != "no significant change")


def _delta_color(kpi: metrics.Kpi, row) -> str:
    if row["verdict"] not in ("significant change", "change") or kpi.higher_is_better is None:
        return "off"
    if _delta_text(kpi.key, row) == _(fmt.NO_CHANGE):  # no arrow for a change that rounds to nothing
        return "off"
    return "normal" if kpi.higher_is_better else "inverse"


def _retention_year_end(end: dt.date) -> dt.date:
    """The last month of revenue retention's trailing year, which ends at the first day of the
    month holding the period's stop (the day after its end): whole months only (docs/metrics.md)."""
    as_of = (end + dt.timedelta(days=1)).replace(day=1)
    return as_of - dt.timedelta(days=1)


def _withheld(row) -> str | None:
    """Why revenue retention is not shown (its queries say), or None."""
    reason = row.get("reason")
    return None if reason is None or pd.isna(reason) else _(metrics.WITHHELD_REASONS[reason])


def _detail(key: str, row, by_kpi: pd.DataFrame, min_responses: int, channels: pd.DataFrame,
            end: dt.date) -> str:
    n = 0 if pd.isna(row["n"]) else int(row["n"])
    kpi = metrics.KPIS[key]
    if _withheld(row):
        return _withheld(row)
    if key in ("net_revenue_retention", "gross_revenue_retention"):
        return _("the 12 months to {month} · {n} customers").format(month=fmt.month(_retention_year_end(end)),
                                                                    n=fmt.count(n))
    if kpi.is_sample and n == 0:
        return _("nothing to measure in this period")
    if row.get("is_unanswered"):
        return _("n = {n} contacts due an answer: no median time to show").format(n=fmt.count(n))
    if not row["is_enough"]:
        return _("n = {n}: a score needs at least {minimum} answers").format(n=fmt.count(n),
                                                                              minimum=fmt.count(min_responses))
    if key == "churn_rate":
        return _("{margin} · n = {n} customers").format(margin=fmt.margin(key, row["moe"]), n=fmt.count(n))
    if kpi.is_sample:
        return "{margin} · n = {n}".format(margin=fmt.margin(key, row["moe"], row["value"]), n=fmt.count(n))
    if key == "revenue":
        return _("{n} transactions").format(n=fmt.count(n))
    if key == "active_customers":
        lost = by_kpi.loc["annual_value_lost"]
        if pd.isna(lost["value"]) or not lost["n"]:
            return _("nobody left in this period")
        return _("{n} left, taking {amount} a year").format(n=fmt.count(lost["n"]),
                                                            amount=fmt.value("annual_value_lost", lost["value"]))
    if key == "contacts" and n:
        live = channels.loc[channels["is_live"], "n"].sum() / n * 100
        return _("live {live} · written {written}").format(live=fmt.percent(live, 0), written=fmt.percent(100 - live, 0))
    return ""


def _help(kpi: metrics.Kpi, view: ViewState) -> str:
    if kpi.key in CUSTOMER_KPIS:
        customer = ", ".join(_(d.label).lower() for d in DIMENSIONS.values() if d.of_customer)
        scope = _("Only the customer filters ({filters}) apply: a customer has no single channel or "
                  "department.").format(filters=customer)
    else:
        scope = _("Every filter applies.")
    parts = [_("{definition}.").format(definition=_(kpi.definition))]
    if kpi.is_sample:
        parts.append(_("Shown with its 95% margin of error; a change is called significant at the 95% level."))
    if kpi.key in metrics.TARGETED_KPIS:
        parts.append(_("The badge: this period's value against its target ({rule}).").format(rule=verdict.rule_text()))
    parts.append(_("The line: the last 12 complete months (hover for each month); the numbers at its right are "
                   "the axis ends."))
    parts.append(scope)
    return " ".join(parts)


# ---- What needs attention ------------------------------------------------------------------------

@dataclass(frozen=True)
class Attention:
    text: str               # plain words, markdown
    help: str               # the statistics behind it
    dimension: str | None   # the filter a Focus button narrows to (None: no button)
    member: str | None
    is_better: bool
    kpi: str                # the KPI it speaks of, for the link to its trend
    by: str                 # the dimension that trend is broken down by
    status: str | None = None  # a target's verdict (cxdata.verdict) for a standing miss; None for a mover


# What a standing miss is about, with whose it is ({owner}), as the subject of its sentence: one
# message per KPI, so each language places the owner and the article ("El NPS de **Ventas**").
_MISS_SUBJECT = {"sla_compliance": N_("{owner} SLA compliance"), "nps": N_("{owner} NPS"),
                 "csat": N_("{owner} CSAT"), "ces": N_("{owner} effort score (CES)"),
                 "first_response_live": N_("{owner} first response on live channels"),
                 "first_response_written": N_("{owner} first response on written channels")}


def attention(data: OverviewData, view: ViewState) -> list[Attention]:
    """Standing target misses first (who, by how much, for how long), then the groups that moved
    beyond the company's own change, worst news first."""
    whole = "company" if not view.filters.chosen else "view"  # under a filter, not the company
    period = _("{start} – {end}").format(start=day_text(view.filters.start), end=day_text(view.filters.end))
    items = [_miss_item(r, whole, period) for r in data.misses.itertuples()]
    versus = _(COMPARISONS[view.compare])
    items += [_mover_item(r, versus) for r in data.movers.itertuples()]
    return items


def _quarter(day) -> str:
    return fmt.quarter(pd.Timestamp(day))


def _owner(scope: str) -> str:
    """Whose number a standing miss speaks of, as the start of its sentence: "**The company**'s",
    "**This view**'s", "**Sales**'" (es "de **la empresa**", "de **Ventas**": the translation places it)."""
    if scope == "company":
        # i18n: whose number it is; the sentence puts it where the language wants it ("El NPS de la empresa")
        return _("**The company**'s")
    if scope == "view":
        return _("**This view**'s")
    text = _("**{department}**'s").format(department=fmt.md(scope))  # a department named in the data: text
    return text[:-1] if text.endswith("s**'s") else text   # English: "Sales'", not "Sales's"


def _miss_sentence(status: str, subject: str, value: str, target: str, period: str) -> str:
    """The first clause of a standing miss: one whole sentence per verdict, so each language words it."""
    fields = dict(subject=subject, value=value, target=target, period=period)
    if status == verdict.MET:
        return _("{subject} is {value} and meets its {target} target over {period}").format(**fields)
    if status == verdict.CLOSE:
        return _("{subject} is {value} and is close to its {target} target over {period}").format(**fields)
    if status == verdict.MISSED:
        return _("{subject} is {value} and misses its {target} target over {period}").format(**fields)
    if status == verdict.TOO_FEW:
        return _("{subject} is {value} and has too few answers to judge against its {target} target "
                 "over {period}").format(**fields)
    if status == verdict.NO_DATA:
        return _("{subject} is {value} and has no data to judge against its {target} target "
                 "over {period}").format(**fields)
    return _("{subject} is {value} and has no target over {period}").format(**fields)


def _miss_item(r, whole: str = "company", period: str | None = None) -> Attention:
    """A standing miss in the tile's words: this period's verdict (cxdata.verdict, as the tile's badge
    says it when the scope is the whole view), then the quarters below target, each period named.
    `whole` is "company" or "view" (the scope when the row is the whole view)."""
    period = _("this period") if period is None else period
    status = verdict.status(r.kpi, r.value, r.target, r.moe, r.n)
    subject = _(_MISS_SUBJECT[r.kpi]).format(owner=_owner(whole if r.is_company else r.scope))
    text = _miss_sentence(status, subject,
                          fmt.value(r.kpi, r.value), fmt.value(r.kpi, r.target), period)
    since = _quarter(r.since)
    if r.quarters_missed > 1 and r.quarters_missed == r.quarters_seen:
        text = _("{finding}; below target in every quarter since {quarter}.").format(finding=text, quarter=since)
    elif r.quarters_missed > 1:
        text = _("{finding}; below target in each of the last {n} quarters, since {quarter}.").format(
            finding=text, n=fmt.count(r.quarters_missed), quarter=since)
    elif r.quarters_missed == 1:
        text = _("{finding}; below target in {quarter}.").format(finding=text, quarter=since)
    else:
        text = _("{finding}.").format(finding=text)
    help_text = _("{kpi} {value} {margin} (n = {n}) over {period}, short of its {target} target by more than its "
                  "margin of error; {rule}. Quarters are counted back from the one this period ends in, on their "
                  "values.").format(kpi=_(r.label), value=fmt.value(r.kpi, r.value), margin=fmt.margin(r.kpi, r.moe),
                                    n=fmt.count(r.n), period=period, target=fmt.value(r.kpi, r.target),
                                    rule=verdict.rule_text())
    return Attention(text, help_text, None if r.is_company else "department",
                     None if r.is_company else r.scope, is_better=False, kpi=r.kpi, by="department", status=status)


def _company_clause(r) -> str:
    """How the whole view moved beside a group: a clause that ends the mover's sentence."""
    size = fmt.change(r.kpi, abs(r.company_delta), r.value).lstrip("+±")
    if not r.company_is_significant:
        return _("while the whole view did not change significantly")
    rise = r.company_delta > 0
    if (r.delta > 0) == rise:
        more = abs(r.delta) > abs(r.company_delta)
        if rise:
            return (_("more than the whole view's {size} rise") if more
                    else _("less than the whole view's {size} rise")).format(size=size)
        return (_("more than the whole view's {size} fall") if more
                else _("less than the whole view's {size} fall")).format(size=size)
    return (_("against a {size} rise of the whole view") if rise
            else _("against a {size} fall of the whole view")).format(size=size)


def _mover_item(r, versus: str) -> Attention:
    fields = dict(dimension=_(r.dimension_label), member=fmt.md(r.member), kpi=_(r.label),
                  size=fmt.change(r.kpi, abs(r.delta), r.value).lstrip("+±"), value=fmt.value(r.kpi, r.value),
                  versus=versus, company=_company_clause(r))
    if r.delta > 0:
        text = _("**{dimension} {member}**: {kpi} rose {size} to {value} against the {versus}, {company}.")
    elif r.delta < 0:
        text = _("**{dimension} {member}**: {kpi} fell {size} to {value} against the {versus}, {company}.")
    else:
        text = _("**{dimension} {member}**: {kpi} held at {value} against the {versus}, {company}.")
    help_text = _("{kpi} {before} → {after} (n = {n_before} → {n_after}); the company's change {company}. The "
                  "group's change beyond the company's: {excess}, larger than chance explains, even allowing for "
                  "the many groups checked at once.").format(
        kpi=_(r.label), before=fmt.value(r.kpi, r.prev_value), after=fmt.value(r.kpi, r.value),
        n_before=fmt.count(r.prev_n), n_after=fmt.count(r.n), company=fmt.change(r.kpi, r.company_delta, r.value),
        excess=fmt.change(r.kpi, r.excess, r.value))
    return Attention(text.format(**fields), help_text, r.dimension, r.member, is_better=bool(r.is_better), kpi=r.kpi,
                     by=r.dimension)


def company_moves(summary: pd.DataFrame, view: ViewState) -> str | None:
    """One sentence on the survey and service KPIs that changed significantly across the whole
    view, so a season that moves everyone reads as one finding, not as every group moving."""
    moved = summary[(summary["verdict"] == "significant change") & summary["kpi"].isin(
        ["nps", "csat", "ces", "sla_compliance", "first_response_live", "first_response_written"])]
    if moved.empty:
        return None
    worse = [_(label) for label in moved.loc[moved["is_better"] == False, "label"]]  # noqa: E712 (a column)
    better = [_(label) for label in moved.loc[moved["is_better"] == True, "label"]]  # noqa: E712
    fields = dict(worse=fmt.and_list(worse) if worse else "", better=fmt.and_list(better) if better else "",
                  versus=_(COMPARISONS[view.compare]))
    if worse and better:
        said = _("Across the whole view, {worse} worsened and {better} improved significantly against the {versus}.")
    elif worse:
        said = _("Across the whole view, {worse} worsened significantly against the {versus}.")
    else:
        said = _("Across the whole view, {better} improved significantly against the {versus}.")
    return said.format(**fields) + " " + _("Groups are listed below only where they moved beyond that.")


def has_data(summary: pd.DataFrame) -> bool:
    """False when no survey response and no interaction matches the filters in the period."""
    activity = summary.set_index("kpi").loc[["nps", "csat", "ces", "sla_compliance", "contacts"], "n"]
    return bool(activity.fillna(0).sum() > 0)


# ---- Download ------------------------------------------------------------------------------------

def export_table(data: OverviewData, tiles: list[Tile]) -> pd.DataFrame:
    """What the tiles show, one row each, as numbers a spreadsheet can use: the value, its margin and
    n, the comparison period's value, the change and whether it is significant, the target and the
    status against it. A number not shown on the tile (too few answers, not in the data) is blank."""
    by_kpi = data.summary.set_index("kpi")
    rows = []
    for tile in tiles:
        row = by_kpi.loc[tile.kpi]
        shown = bool(row["is_enough"]) and not pd.isna(row["value"])
        rows.append({
            _("Metric"): tile.label, _("Shown as"): tile.value,
            _("Value"): row["value"] if shown else None, _("Margin (±, 95%)"): row["moe"] if shown else None,
            "n": None if pd.isna(row["n"]) else int(row["n"]),
            _("Comparison value"): row["prev_value"], _("Change"): row["delta"] if tile.delta else None,
            _("Change verdict"): _(row["verdict"]) if tile.delta else None,
            _("Target"): data.targets.get(tile.kpi),
            _("Status"): _(verdict.LABELS[tile.status or verdict.NO_TARGET]),   # as the badge words it
            _("Detail"): tile.detail,
        })
    return pd.DataFrame(rows)
