"""The board pack's sections: each turns the view into slides with the same functions and figures the
pages use, or says that this view has no data for it.

A section is a function `(reader, view, context) -> list[Slide]`, registered in SECTIONS in the
order the deck shows them; adding a page's slide to the pack is one entry there. Sections never
compute a metric themselves: values come from cxdata.overview, trends, journey and voice, and
figures from cxdata.charts through them.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from cxdata import charts, churn, departments, journey, metrics, overview, service, trends, verdict, voice
from cxdata import formatting as fmt
from cxdata.churn import alerts, checks, model
from cxdata.filters import COMPARISONS, ViewState
from cxdata.report.slides import Slide, Table
from cxdata.store import StoreError

TRENDS_SHOWN = 5            # at most this many "trends that matter", the most urgent first
QUOTES_SHOWN = 2
QUOTE_CHARS = 180
DEFINITIONS_PER_SLIDE = 6
SUMMARY_KPIS = ("nps", "csat", "ces", "sla_compliance", "churn_rate")


@dataclass
class Context:
    """What every section shares for one pack: the data's facts, the answer minimum, the state store
    (so edited targets count as on the pages), and the query results more than one section reads
    (computed once)."""

    facts: dict
    min_responses: int
    store: object = None          # the state store beside the database (edited targets), or None
    memo: dict = field(default_factory=dict)

    def once(self, key: str, compute: Callable):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def overview(self, reader, view: ViewState) -> overview.OverviewData:
        return self.once("overview", lambda: overview.load(reader, view.filters, view.compare, self.min_responses))

    def tiles(self, reader, view: ViewState) -> list[overview.Tile]:
        withhold = bool(overview.comparison_gaps(view, self.facts))
        return self.once("tiles", lambda: overview.tiles(self.overview(reader, view), view, self.min_responses,
                                                         withhold_counts=withhold))


def _versus(view: ViewState) -> str:
    return COMPARISONS[view.compare]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# ---- KPI summary ----------------------------------------------------------------------------------

def kpi_summary(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Every headline tile of the overview as one table: value, change, target and n, as the tiles say them."""
    data = ctx.overview(reader, view)
    sources = ["sql/kpi_summary.sql", "sql/revenue_retention.sql", "sql/kpi_targets.sql", "sql/movers.sql",
               "sql/department_quarters.sql"]
    if not overview.has_data(data.summary):
        return [Slide("kpis", "KPI summary", "No customer activity in this view", sources=sources,
                      empty="No customers, interactions or survey responses match these filters in this period.")]
    tiles = ctx.tiles(reader, view)
    rows = data.summary.set_index("kpi")
    emphasis = []
    for tile in tiles:
        better = rows.loc[tile.kpi, "is_better"]
        judged = tile.delta_color != "off" and better is not None and not pd.isna(better)
        emphasis.append("worse" if tile.status == "missed" or (judged and not better) else
                        "better" if judged else "")
    table = Table(
        columns=["KPI", "This period", f"Change against the {_versus(view)}", "Target", "Margin and sample"],
        rows=[[t.label, t.value, t.delta or "—", t.badge or "—", t.detail] for t in tiles],
        widths=[2.3, 1.6, 2.9, 1.7, 3.8], emphasis=emphasis)
    return [Slide("kpis", "KPI summary", scorecard_title(data.summary, tiles), overview.period_line(view),
                  table=table, sources=sources, findings=kpi_findings(data, tiles, view),
                  headline=kpi_headline(data, tiles, view),
                  notes="Values, changes and targets exactly as the executive overview's tiles and badges show them. "
                        "A change marked 'not significant' is within the samples' margins of error.")]


def scorecard_title(summary: pd.DataFrame, tiles: list[overview.Tile]) -> str:
    """The KPI table's finding: '6 of 12 KPIs worsened significantly, 1 improved; NPS misses its target',
    the targets said as the badges say them (overview.targets_clause)."""
    rows = summary.set_index("kpi")
    moved = [rows.loc[t.kpi, "is_better"] for t in tiles
             if metrics.KPIS[t.kpi].is_sample and rows.loc[t.kpi, "verdict"] == "significant change"]
    worse, better = moved.count(False), moved.count(True)
    parts = [f"{worse} of {len(tiles)} KPIs worsened significantly"] if worse else []
    if better:
        parts.append(f"{better} {'improved' if worse else f'of {len(tiles)} KPIs improved'} significantly")
    if not parts:
        parts.append(f"No KPI of the {len(tiles)} moved significantly")
    return f"{', '.join(parts)}; {overview.targets_clause(tiles)}"


def kpi_headline(data: overview.OverviewData, tiles: list[overview.Tile], view: ViewState) -> str:
    """The KPI slide's finding: the sampled KPIs that moved significantly, the targets (as the badges
    say them), and the department with standing misses, short enough for two lines."""
    rows = data.summary.set_index("kpi")
    moved = [t for t in tiles if metrics.KPIS[t.kpi].is_sample and rows.loc[t.kpi, "verdict"] == "significant change"]
    worse = [t.label for t in moved if rows.loc[t.kpi, "is_better"] is False]
    better = [t.label for t in moved if rows.loc[t.kpi, "is_better"] is True]
    parts = [f"{verdict.few(worse)} worsened significantly"] if worse else []
    if better:
        parts.append(f"{verdict.few(better)} improved significantly")
    if not worse and not better:
        parts.append(f"no KPI changed significantly against the {_versus(view)}")
    parts.append(overview.targets_clause(tiles))
    departments = data.misses[~data.misses["is_company"]]
    if not departments.empty:
        scope = departments["scope"].iloc[0]
        own = departments[departments["scope"] == scope]
        for status in (verdict.MISSED, verdict.CLOSE):
            labels = [r.label for r in own.itertuples()
                      if verdict.status(r.kpi, r.value, r.target, r.moe, r.n) == status]
            if labels:
                parts.append(f"{scope} {verdict.verb(status)} its {_and(labels)} target{'s' if len(labels) > 1 else ''}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def kpi_findings(data: overview.OverviewData, tiles: list[overview.Tile], view: ViewState) -> list[str]:
    """The summary's sentences on the headline KPIs and standing target misses: a change is called a
    rise or a fall only when it is significant; the others are named together as holding."""
    by_kpi = {t.kpi: t for t in tiles}
    rows = data.summary.set_index("kpi")
    moved, held = [], []
    for key in SUMMARY_KPIS:
        row, tile = rows.loc[key], by_kpi[key]
        if not row["is_enough"] or pd.isna(row["value"]):
            continue
        label = metrics.KPIS[key].label if key != "churn_rate" else "churn"
        if row["verdict"] == "significant change" and tile.delta is not None:   # a withheld change is not told
            moved.append(f"{label} {'rose' if row['delta'] > 0 else 'fell'} "
                         f"{fmt.change(key, abs(row['delta']), row['value']).lstrip('+±')} to {tile.value} "
                         f"(n = {int(row['n']):,})")
        else:
            held.append(f"{label} ({tile.value})")
    sentences = []
    if moved:
        sentences.append(f"Against the {_versus(view)}, {_and(moved)}: "
                         + ("significant." if len(moved) == 1 else "each significant."))
    if held:
        text = f"{_and(held)} {'shows' if len(held) == 1 else 'show'} no significant change against the {_versus(view)}."
        sentences.append(text[0].upper() + text[1:])
    unanswered = [f"{metrics.KPIS[key].label}: {fmt.unanswered(rows.loc[key, 'n'])}"
                  for key in ("first_response_live", "first_response_written") if rows.loc[key, "is_unanswered"]]
    if unanswered:  # no time to quote: most contacts due an answer never got one
        sentences.append(f"{_and(unanswered)}.")
    items = overview.attention(data, view)
    sentences += [fmt.unmarked(item.text) for item in items[:len(data.misses)][:2]]
    return sentences


# ---- Trends that matter ---------------------------------------------------------------------------

def trends_that_matter(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """The headline KPIs that missed their target, changed significantly or broke from their own
    history in this period, each as its KPI trends chart (monthly), the most urgent first."""
    data = ctx.overview(reader, view)
    if not overview.has_data(data.summary):
        return [Slide("trends", "Trends that matter", "No trends to show in this view",
                      empty="No customers, interactions or survey responses match these filters in this period.")]
    rows = data.summary.set_index("kpi")
    first_month = trends.period_start(view.filters.start, "month")
    found = []
    # the period's values as the trends page states them (the overview's), computed once for every chart
    figures = overview.period_figures(reader, view.filters, view.compare, ctx.min_responses,
                                      withhold_counts=bool(overview.comparison_gaps(view, ctx.facts)))
    for tile in ctx.tiles(reader, view):
        if tile.kpi not in trends.METRICS:
            continue
        k, row = metrics.KPIS[tile.kpi], rows.loc[tile.kpi]
        series = trends.load(reader, view.filters, tile.kpi, "month", "none", "previous",
                             ctx.min_responses, ctx.facts["oldest_on"], ctx.facts["last_complete_on"], figures=figures)
        recent = series.series[series.series["is_anomaly"] & (series.series["period_start"] >= first_month)]
        reasons, rank, title = [], None, []
        if k.is_sample and row["verdict"] == "significant change":
            reasons.append(f"Changed significantly against the {_versus(view)}: {tile.delta} ({tile.detail}).")
            rank = 1 if row["is_better"] is False else 3
            title.append(f"{k.label} {'rose' if row['delta'] > 0 else 'fell'} "
                         f"{fmt.change(tile.kpi, abs(row['delta']), row['value']).lstrip('+±')} to {tile.value} "
                         f"against the {_versus(view)}")
        if tile.status == verdict.MISSED:
            said = verdict.fragment(tile.kpi, tile.status, data.targets[tile.kpi])
            reasons.insert(0, f"{k.label} is {tile.value} and {said}.")
            rank = 0
            title.append(said if title else f"{k.label} is {tile.value} and {said}")
        if not recent.empty:
            sentences = trends.anomaly_sentences(recent, tile.kpi, "month")
            reasons += sentences
            rank = 2 if rank is None else rank
            if not title:
                title.append(sentences[-1].rstrip("."))
        if rank is None:
            continue
        reasons += [f"Month on month: {trends.change_text(series.changes['previous'], tile.kpi, 'month')}.",
                    f"Year on year: {trends.change_text(series.changes['year'], tile.kpi, 'month')}."]
        found.append((rank, len(found), Slide(
            f"trend_{tile.kpi}", "Trends that matter", " and ".join(title), trends.subtitle(series),
            bullets=reasons, figures=[trends.figure(series, ctx.min_responses)],
            sources=[f"sql/{trends.QUERY[tile.kpi]}.sql", "sql/trend_targets.sql"],
            notes=f"{k.label}: {k.definition}.")))
    if not found:  # no KPI missed its target; what the targets say is said as the badges say it
        return [Slide("trends", "Trends that matter", "No KPI moved significantly or broke from its history; "
                      + overview.targets_clause(ctx.tiles(reader, view)),
                      empty="No headline KPI misses its target, and each is within its margins and in line with "
                      "its own recent months in this period.", sources=["sql/trend_surveys.sql"])]
    return [slide for _, _, slide in sorted(found, key=lambda f: f[:2])][:TRENDS_SHOWN]


# ---- Journey ----------------------------------------------------------------------------------------

def journey_slides(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Where the journey hurts (the stage x touchpoint map) and the moments of truth that lose customers."""
    sources = ["sql/journey_map.sql", "sql/journey_stages_seen.sql", "sql/journey_moments.sql"]
    if ctx.facts["newest_on"] is None:
        return [_no_journey(sources)]
    data = journey.load(reader, view.filters, ctx.facts["newest_on"], ctx.min_responses)
    if data.cells[~data.cells["is_total"]].empty:
        return [_no_journey(sources)]
    pains = journey.effort_pain_points(data.cells)
    worst = pains[pains["ces_vs"] == "worse"]
    pain = Slide("journey_map", "Journey: pain points", journey.map_title(data.cells),
                 f"{journey.MAP_SUBTITLE} · {journey.span(view.filters)}", figures=[journey.map_figure(data)],
                 sources=sources[:2], findings=[f"{journey.map_title(data.cells)}, harder than the whole view."]
                 if not worst.empty else [])
    moments = data.moments
    top = moments.iloc[0] if not moments.empty and moments.iloc[0]["is_significant"] else None
    truth = Slide("journey_moments", "Journey: moments of truth", journey.moments_title(moments),
                  f"Experiences {journey.span(data.window.filters)}; churn within {journey.FOLLOW_DAYS} days",
                  bullets=[fmt.unmarked(journey.moments_sentence(moments))], figures=[journey.moments_figure(data)],
                  sources=sources[2:], findings=[] if top is None else [
                      f"A bad experience at {top['stage']} · {top['touchpoint_name']} is followed by "
                      f"{top['churn_bad']:.1f}% churn within {journey.FOLLOW_DAYS} days, against "
                      f"{top['churn_good']:.1f}% after fine ones."])
    return [pain, truth]


def _no_journey(sources: list[str]) -> Slide:
    return Slide("journey", "Journey", "No journey data in this view", sources=sources,
                 empty="No interactions or survey answers about a journey stage match these filters in this period.")


# ---- Churn risk ----------------------------------------------------------------------------------------

def churn_risk(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Revenue at risk of churning in the next 90 days and where it sits, as the churn alerts page shows it."""
    sources = ["sql/churn_summary.sql", "sql/churn_model_info.sql"]
    info = churn.model_info(reader)
    if info is None or pd.isna(info["scored_as_of"]):
        return [Slide("churn", "Churn risk", "No churn risk scores yet", sources=sources,
                      empty="No risk scores: they are computed from customers' activity, and none is loaded.")]
    try:
        rules = alerts.Rules.from_env()
    except alerts.AlertSettingError as exc:
        return [Slide("churn", "Churn risk", "Churn risk cannot be shown", sources=sources,
                      empty=f"{exc.plain}.")]
    summary = churn.revenue_at_risk(reader, view.filters, rules)
    total = summary[summary["dimension"] == "all"]
    if total.empty or not int(total.iloc[0]["n_customers"]):
        return [Slide("churn", "Churn risk", "No scored customer in this view", sources=sources,
                      empty="No active customer under these filters has a risk score.")]
    t = total.iloc[0]
    at_risk, threshold = fmt.money(t["value_at_risk"]), f"{rules.threshold:g}"
    title = (f"{at_risk} of annual value is at risk of churning in the next 90 days; "
             f"{int(t['n_at_risk']):,} customers are at high risk")
    scored_on = pd.Timestamp(info["scored_as_of"]).date()
    share = t["value_at_risk"] / t["annual_value"] * 100 if t["annual_value"] else None
    bullets = [f"Revenue at risk: {at_risk}" + (
                   f", {share:.1f}% of the {fmt.money(t['annual_value'])} annual value of "
                   f"{int(t['n_customers']):,} customers scored." if share is not None else "."),
               f"By segment: {alerts.concentration_title(summary, 'segment')}. By account owner: "
               f"{alerts.concentration_title(summary, 'owner')}.",
               f"Scored as of {scored_on.day} {scored_on:%b %Y} with the {model.KIND_LABEL[info['kind']]}"
               + ("" if info["kind"] == model.MODEL else ": points, not a probability, so the amount is indicative")
               + ". Only the customer filters (segment, region, plan) apply; the period does not."]
    held_up = checks.calibration(info)
    if held_up is not None:
        bullets.append(f"How the score has held up: {checks.sentence(held_up, info, markdown=False)}")
    figure = charts.revenue_at_risk_bars(summary, "segment", alerts.concentration_title(summary, "segment"),
                                         f"Annual value × risk score by segment; n at high risk")
    return [Slide("churn", "Churn risk", title,
                  f"Risk of being lost in the next 90 days · {overview.filters_line(view.filters)}",
                  bullets=bullets, figures=[figure], sources=sources,
                  findings=[f"Revenue at risk is {at_risk} of annual value; the {int(t['n_at_risk']):,} customers at "
                            f"high risk ({int(t['n_at_score']):,} at a risk score of {threshold} or more, the rest "
                            f"with a single warning sign) carry {fmt.money(t['value_at_risk_flagged'])} of it."],
                  notes="Revenue at risk = the sum over customers of annual value × risk score / 100 (the app's "
                        "Definitions page explains the risk score).")]


# ---- Departments and service levels -------------------------------------------------------------------

def department_alignment(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """The alignment matrix of the department scorecards: every department on the same customer metrics
    against its targets (edited ones included) in the quarter the period ends in."""
    sources = sorted({f"sql/{q}.sql" for q in departments.QUERY.values()} | {"sql/kpi_targets.sql"})
    try:
        cards = departments.scorecards(reader, view.filters, ctx.min_responses, store=ctx.store,
                                       newest_on=ctx.facts["newest_on"], last_complete_on=ctx.facts["last_complete_on"])
    except StoreError as exc:
        return [Slide("departments", "Departments", "Department alignment cannot be shown", sources=sources,
                      empty=f"The edited targets can't be read: {exc}")]
    if cards.cards.empty:
        return [Slide("departments", "Departments", "No department data in this view", sources=sources,
                      empty="No department has interactions or survey answers under these filters.")]
    matrix = departments.alignment(cards)
    quarter = trends.period_name(cards.quarter, "quarter") + (f" (to {view.filters.end.day} {view.filters.end:%b})"
                                                              if cards.is_running else "")
    title = departments.headline(matrix)
    subtitle = f"{quarter} · {verdict.close_text()}"
    ranked = matrix.dropna(subset=["service_index"]).sort_values("service_index")
    findings = [f"{title} in {quarter}."]
    if len(ranked) > 1:
        last = ranked.iloc[0]
        findings.append(f"On the service metrics alone, {last['department']} ranks last at "
                        f"{last['service_index']:.0f} of 100.")
    figure = charts.alignment_matrix(matrix, list(departments.METRICS), title, subtitle)
    return [Slide("departments", "Departments: alignment", title, subtitle, figures=[figure], sources=sources,
                  findings=findings[:1], notes=" ".join(findings[1:]) + " The index: the share of a department's "
                  "targeted metrics met (close counts half), weighted by n. Targets: an edited one, else the "
                  "department's own, else the company's.")]


def service_levels(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """SLA compliance by department and the view's service promise, as the service levels page shows them."""
    sources = ["sql/service_levels.sql", "sql/service_settings.sql"]
    lv = service.levels(reader, view.filters)
    t = lv.total
    if t["n_contacts"] is None or pd.isna(t["n_contacts"]) or not t["n_contacts"]:
        return [Slide("service", "Service levels", "No contacts in this view", sources=sources,
                      empty="No contacts match these filters in this period.")]
    title = service.headline(lv)
    rows = lv.by["department"]
    judged = rows[rows["n_sla_judged"] > 0].rename(columns={"sla_compliance": "value", "n_sla_judged": "n"})
    figure = charts.ranked_bars(judged, "sla_compliance", title, "% of contacts resolved within their SLA",
                                dimension="Department")

    def pct(key: str) -> str:
        if key in lv.missing:
            return f"{metrics.NOT_IN_DATA} ({lv.missing[key]})"
        return "—" if t[key] is None or pd.isna(t[key]) else f"{t[key]:.1f}%"

    deferred = fmt.duration(lv.settings.deferred_seconds)
    bullets = [f"SLA compliance: {pct('sla_compliance')} of {fmt.count(t['n_sla_judged'])} contacts whose SLA has "
               "expired.",
               f"Answered immediately: {pct('immediate_share')} of {fmt.count(t['n_due'])} contacts due an answer "
               f"(within {fmt.duration(lv.settings.immediate_seconds)} at the front office).",
               f"Deferred contacts resolved within {deferred}: {pct('deferred_on_time')}.",
               f"First-contact resolution: {pct('first_contact_resolution')}; never answered: "
               f"{pct('unanswered_rate')} ({fmt.count(t['n_unanswered'])} contacts)."]
    return [Slide("service", "Service levels", title, f"{overview.filters_line(view.filters)} · "
                  f"{journey.span(view.filters)}", bullets=bullets, figures=[figure], sources=sources,
                  findings=[f"Service levels: {title.replace(': ', ' resolves ', 1)}." if ": " in title else f"{title}."])]


# ---- Voice of the customer --------------------------------------------------------------------------

def voice_slides(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """The themes that set detractors apart, in customers' own (masked) words."""
    sources = ["sql/voice_summary.sql", "sql/voice_themes.sql", "sql/voice_quotes.sql"]
    data = voice.load(reader, view.filters, view.compare)
    if not voice.has_comments(data):
        return [Slide("voice", "Voice of the customer", "No customer comments in this view", sources=sources,
                      empty="No survey comments match these filters in this period.")]
    driving = voice.drivers(data, ctx.min_responses)
    top = voice.top_driver(driving) if not driving.empty else None
    bullets, findings = [], []
    negative = voice.negative_share(data, ctx.min_responses)
    if negative.value is not None:
        change = ("" if negative.change.delta is None else
                  f"; {fmt.change('nps_detractors', negative.change.delta)} against the {_versus(view)}"
                  + (", significant" if negative.change.is_significant else ", not significant"))
        bullets.append(f"Negative comments: {negative.value:.1f}% ± {negative.moe:.1f} pts of {negative.n:,} "
                       f"whose sentiment could be read{change}.")
    heard = voice.detractor_headline(reader, view.filters, view.compare, ctx.min_responses)
    if heard is not None and top is not None:
        findings.append(fmt.unmarked(heard.text))
        bullets.append(fmt.unmarked(heard.text))
        quotes = voice.quotes(reader, view.filters, theme=top["theme"], nps_group="detractor",
                              sentiment="negative", limit=QUOTES_SHOWN)
        shortened = [textwrap.shorten(q, QUOTE_CHARS, placeholder="…") for q in quotes]
        bullets += [f"“{q}”" for q in dict.fromkeys(shortened)]   # two texts cut to one wording: quoted once
    title = voice.drivers_title(driving)
    figure = charts.detractor_drivers(driving, title, "Share of detractor (0–6) and promoter (9–10) comments naming "
                                      "each theme · pale: gap not significant")
    return [Slide("voice", "Voice of the customer", title,
                  f"Survey comments {journey.span(view.filters)}; e-mails, phone, card and id numbers masked",
                  bullets=bullets, figures=[figure], sources=sources, findings=findings)]


# ---- Appendix -----------------------------------------------------------------------------------------

def appendix(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Every headline metric's definition, and the samples behind this pack's scores."""
    keys = list(overview.TILE_ORDER)
    slides = []
    for start in range(0, len(keys), DEFINITIONS_PER_SLIDE):
        part = keys[start:start + DEFINITIONS_PER_SLIDE]
        slides.append(Slide(
            f"definitions_{start // DEFINITIONS_PER_SLIDE + 1}", "Appendix", "Metric definitions"
            + (" (continued)" if start else ""), "One definition per metric, the same on every page and slide",
            table=Table(["Metric", "Definition"], [[metrics.KPIS[k].label, _sentence(metrics.KPIS[k].definition)]
                                                   for k in part], widths=[2.6, 9.6]),
            sources=["sql/macros.sql"]))
    data = ctx.overview(reader, view)
    rows = data.summary.set_index("kpi")
    sample = [[metrics.KPIS[k].label, _n(_sample(k, rows.loc[k], "")), _n(_sample(k, rows.loc[k], "prev_")),
               _unit_of_n(k), _margin(k, rows.loc[k])] for k in keys]
    cmp = view.filters.comparison(view.compare)
    slides.append(Slide(
        "samples", "Appendix", "Sample sizes behind every figure", overview.period_line(view),
        bullets=[f"Survey scores need at least {ctx.min_responses} answers to be shown; a change is called "
                 "significant only when it is larger than both periods' margins of error can explain (95% "
                 "confidence). Counts and amounts are complete counts: they have no margin."],
        table=Table(["Metric", f"n, {journey.span(view.filters)}", f"n, {journey.span(cmp)}", "Counted in",
                     "Margin (95%)"], sample, widths=[3.0, 2.5, 2.5, 2.4, 1.8]),
        sources=["sql/kpi_summary.sql", "sql/revenue_retention.sql"]))
    return slides


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _n(n) -> str:
    """A sample size; none (a count over the period, or a withheld value) as a dash."""
    return fmt.count(n) if fmt.count(n) not in ("", "0") else "—"


def _sample(kpi: str, row, period: str):
    """What a figure rests on in a period (`period` "" or "prev_"): its n; for active customers, a
    count on the period's last day with no n of its own, the count itself."""
    return row[f"{period}value"] if kpi == "active_customers" else row[f"{period}n"]


def _unit_of_n(kpi: str) -> str:
    if kpi in metrics.SURVEY_KPIS:
        return "answers"
    return {"sla_compliance": "interactions", "first_response_live": "interactions",
            "first_response_written": "interactions", "contacts": "interactions", "revenue": "transactions",
            "active_customers": "customers on the last day"}.get(kpi, "customers")


def _margin(kpi: str, row) -> str:
    return fmt.margin(kpi, row["moe"], row["value"]) or ("none: a full count" if not metrics.KPIS[kpi].is_sample else "—")


# ---- The registry ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    key: str
    label: str
    build: Callable[..., list[Slide]]


SECTIONS: list[Section] = [
    Section("kpis", "KPI summary", kpi_summary),
    Section("trends", "Trends that matter", trends_that_matter),
    Section("journey", "Journey pain points and moments of truth", journey_slides),
    Section("churn", "Churn risk and revenue at risk", churn_risk),
    Section("departments", "Department alignment matrix", department_alignment),
    Section("service", "Service levels", service_levels),
    Section("voice", "Top themes in customers' words", voice_slides),
    Section("appendix", "Appendix: definitions and sample sizes", appendix),
]
