"""The board pack's sections: each turns the view into slides with the same functions and figures the
pages use, or says that this view has no data for it.

A section is a function `(reader, view, context) -> list[Slide]`, registered in SECTIONS in the
order the deck shows them; adding a page's slide to the pack is one entry there. Sections never
compute a metric themselves: values come from cxdata.overview, trends, journey and voice, and
figures from cxdata.charts through them.
"""
from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from cxdata import charts, churn, departments, initiatives, journey, metrics, overview, service, trends, verdict, voice
from cxdata import formatting as fmt
from cxdata.churn import alerts, checks, model
from cxdata.followup import measures as followup_measures
from cxdata.filters import ViewState
from cxdata.i18n import N_, _, language, n_
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


# "against the previous period" as one phrase per comparison: the article and its preposition agree
# with the noun in Spanish and Portuguese ("frente al periodo", "em relação ao período").
AGAINST = {"previous": N_("against the previous period"),
           "quarter": N_("against the previous quarter to date"),
           "year": N_("against the same period last year")}


def against(view: ViewState) -> str:
    """'against the previous period', in the language of the run."""
    return against_phrase(view.compare)


def against_phrase(compare: str) -> str:
    return _(AGAINST[compare])


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def day(value: dt.date) -> str:
    """A day on a slide: '5 Mar 2026' in English as ever, the locale's short date elsewhere."""
    return f"{value.day} {value:%b %Y}" if language() == "en" else fmt.date(value)  # untranslated: English date pattern


def day_month(value: dt.date) -> str:
    """A day without its year: '31 Jan' in English as ever, the locale's short form elsewhere."""
    return f"{value.day} {value:%b}" if language() == "en" else fmt.day_month(value)  # untranslated: English date pattern


def _label(kpi: str) -> str:
    return _(metrics.KPIS[kpi].label)


# ---- KPI summary ----------------------------------------------------------------------------------

def kpi_summary(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Every headline tile of the overview as one table: value, change, target and n, as the tiles say them."""
    data = ctx.overview(reader, view)
    sources = ["sql/kpi_summary.sql", "sql/revenue_retention.sql", "sql/kpi_targets.sql", "sql/movers.sql",
               "sql/department_quarters.sql"]
    if not overview.has_data(data.summary):
        return [Slide("kpis", _("KPI summary"), _("No customer activity in this view"), sources=sources,
                      empty=_("No customers, interactions or survey responses match these filters in this period."))]
    tiles = ctx.tiles(reader, view)
    rows = data.summary.set_index("kpi")
    emphasis = []
    for tile in tiles:
        better = rows.loc[tile.kpi, "is_better"]
        judged = tile.delta_color != "off" and better is not None and not pd.isna(better)
        emphasis.append("worse" if tile.status == "missed" or (judged and not better) else
                        "better" if judged else "")
    table = Table(
        columns=[_("KPI"), _("This period"), _("Change {against}").format(against=against(view)), _("Target"),
                 _("Margin and sample")],
        rows=[[t.label, t.value, t.delta or "—", t.badge or "—", t.detail] for t in tiles],
        widths=[2.3, 1.6, 2.9, 1.7, 3.8], emphasis=emphasis)
    return [Slide("kpis", _("KPI summary"), scorecard_title(data.summary, tiles), overview.period_line(view),
                  table=table, sources=sources, findings=kpi_findings(data, tiles, view),
                  headline=kpi_headline(data, tiles, view),
                  notes=_("Values, changes and targets exactly as the executive overview's tiles and badges show "
                          "them. A change marked 'not significant' is within the samples' margins of error."))]


def scorecard_title(summary: pd.DataFrame, tiles: list[overview.Tile]) -> str:
    """The KPI table's finding: '6 of 12 KPIs worsened significantly, 1 improved; NPS misses its target',
    the targets said as the badges say them (overview.targets_clause)."""
    rows = summary.set_index("kpi")
    moved = [rows.loc[t.kpi, "is_better"] for t in tiles
             if metrics.KPIS[t.kpi].is_sample and rows.loc[t.kpi, "verdict"] == "significant change"]
    worse, better, total = moved.count(False), moved.count(True), fmt.count(len(tiles))
    if worse:
        moves = n_("{worse} of {total} KPIs worsened significantly", "{worse} of {total} KPIs worsened significantly",
                   worse).format(worse=fmt.count(worse), total=total)
        if better:
            moves = n_("{worsened}, {better} improved significantly", "{worsened}, {better} improved significantly",
                       better).format(worsened=moves, better=fmt.count(better))
    elif better:
        moves = n_("{better} of {total} KPIs improved significantly", "{better} of {total} KPIs improved significantly",
                   better).format(better=fmt.count(better), total=total)
    else:
        moves = _("No KPI of the {total} moved significantly").format(total=total)
    # i18n: a finding about the KPIs' changes, then what their targets say
    return _("{moves}; {targets}").format(moves=moves, targets=overview.targets_clause(tiles))


def kpi_headline(data: overview.OverviewData, tiles: list[overview.Tile], view: ViewState) -> str:
    """The KPI slide's finding: the sampled KPIs that moved significantly, the targets (as the badges
    say them), and the department with standing misses, short enough for two lines."""
    rows = data.summary.set_index("kpi")
    moved = [t for t in tiles if metrics.KPIS[t.kpi].is_sample and rows.loc[t.kpi, "verdict"] == "significant change"]
    worse = [t.label for t in moved if rows.loc[t.kpi, "is_better"] is False]
    better = [t.label for t in moved if rows.loc[t.kpi, "is_better"] is True]
    parts = [n_("{kpis} worsened significantly", "{kpis} worsened significantly", len(worse))
             .format(kpis=verdict.few(worse))] if worse else []
    if better:
        parts.append(n_("{kpis} improved significantly", "{kpis} improved significantly", len(better))
                     .format(kpis=verdict.few(better)))
    if not worse and not better:
        parts.append(_("no KPI changed significantly {against}").format(against=against(view)))
    parts.append(overview.targets_clause(tiles))
    departments = data.misses[~data.misses["is_company"]]
    if not departments.empty:
        scope = departments["scope"].iloc[0]
        own = departments[departments["scope"] == scope]
        for status in (verdict.MISSED, verdict.CLOSE):
            labels = [r.label for r in own.itertuples()
                      if verdict.status(r.kpi, r.value, r.target, r.moe, r.n) == status]
            if labels:
                parts.append(_department_targets(scope, status, labels))
    return capitalized("; ".join(parts))


def _department_targets(department: str, status: str, labels: list[str]) -> str:
    """'Billing misses its NPS and CSAT targets', 'Billing is close to its CES target'."""
    kpis = fmt.and_list(labels)
    if status == verdict.MISSED:
        text = n_("{department} misses its {kpis} target", "{department} misses its {kpis} targets", len(labels))
    else:
        text = n_("{department} is close to its {kpis} target", "{department} is close to its {kpis} targets",
                  len(labels))
    return text.format(department=department, kpis=kpis)


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
        label = _label(key) if key != "churn_rate" else _("churn")
        if row["verdict"] == "significant change" and tile.delta is not None:   # a withheld change is not told
            change = fmt.change(key, abs(row["delta"]), row["value"]).lstrip("+±")
            text = (_("{kpi} rose {change} to {value} (n = {n})") if row["delta"] > 0 else
                    _("{kpi} fell {change} to {value} (n = {n})"))
            moved.append(text.format(kpi=label, change=change, value=tile.value, n=fmt.count(row["n"])))
        else:
            held.append(f"{label} ({tile.value})")
    sentences = []
    if moved:
        sentences.append(capitalized(n_("{against}, {changes}: significant.", "{against}, {changes}: each significant.",
                                        len(moved)).format(against=against(view), changes=fmt.and_list(moved))))
    if held:
        sentences.append(capitalized(n_("{kpis} shows no significant change {against}.",
                                        "{kpis} show no significant change {against}.", len(held))
                                     .format(kpis=fmt.and_list(held), against=against(view))))
    unanswered = [f"{_label(key)}: {fmt.unanswered(rows.loc[key, 'n'])}"
                  for key in ("first_response_live", "first_response_written") if rows.loc[key, "is_unanswered"]]
    if unanswered:  # no time to quote: most contacts due an answer never got one
        sentences.append(f"{fmt.and_list(unanswered)}.")
    items = overview.attention(data, view)
    sentences += [fmt.unmarked(item.text) for item in items[:len(data.misses)][:2]]
    return sentences


# ---- Trends that matter ---------------------------------------------------------------------------

def trends_that_matter(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """The headline KPIs that missed their target, changed significantly or broke from their own
    history in this period, each as its KPI trends chart (monthly), the most urgent first."""
    data = ctx.overview(reader, view)
    if not overview.has_data(data.summary):
        return [Slide("trends", _("Trends that matter"), _("No trends to show in this view"),
                      empty=_("No customers, interactions or survey responses match these filters in this period."))]
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
        label = _label(tile.kpi)
        if k.is_sample and row["verdict"] == "significant change":
            reasons.append(_("Changed significantly {against}: {change} ({detail}).")
                           .format(against=against(view), change=tile.delta, detail=tile.detail))
            rank = 1 if row["is_better"] is False else 3
            change = fmt.change(tile.kpi, abs(row["delta"]), row["value"]).lstrip("+±")
            moved = (_("{kpi} rose {change} to {value} {against}") if row["delta"] > 0 else
                     _("{kpi} fell {change} to {value} {against}"))
            title.append(moved.format(kpi=label, change=change, value=tile.value, against=against(view)))
        if tile.status == verdict.MISSED:
            said = verdict.fragment(tile.kpi, tile.status, data.targets[tile.kpi])
            # i18n: {verdict} is how the KPI stands against its target: "misses its 90.0% target"
            stands = _("{kpi} is {value} and {verdict}").format(kpi=label, value=tile.value, verdict=said)
            reasons.insert(0, f"{stands}.")
            rank = 0
            title.append(said if title else stands)
        if not recent.empty:
            sentences = trends.anomaly_sentences(recent, tile.kpi, "month")
            reasons += sentences
            rank = 2 if rank is None else rank
            if not title:
                title.append(sentences[-1].rstrip("."))
        if rank is None:
            continue
        reasons += [_("Month on month: {change}.").format(
                        change=trends.change_text(series.changes["previous"], tile.kpi, "month")),
                    _("Year on year: {change}.").format(
                        change=trends.change_text(series.changes["year"], tile.kpi, "month"))]
        found.append((rank, len(found), Slide(
            f"trend_{tile.kpi}", _("Trends that matter"), fmt.and_list(title), trends.subtitle(series),
            bullets=reasons, figures=[trends.figure(series, ctx.min_responses)],
            sources=[f"sql/{trends.QUERY[tile.kpi]}.sql", "sql/trend_targets.sql"],
            notes=f"{label}: {_(k.definition)}.")))
    if not found:  # no KPI missed its target; what the targets say is said as the badges say it
        return [Slide("trends", _("Trends that matter"),
                      _("No KPI moved significantly or broke from its history; {targets}")
                      .format(targets=overview.targets_clause(ctx.tiles(reader, view))),
                      empty=_("No headline KPI misses its target, and each is within its margins and in line with "
                              "its own recent months in this period."), sources=["sql/trend_surveys.sql"])]
    return [slide for _rank, _order, slide in sorted(found, key=lambda f: f[:2])][:TRENDS_SHOWN]


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
    pain = Slide("journey_map", _("Journey: pain points"), journey.map_title(data.cells),
                 f"{journey.map_subtitle()} · {journey.span(view.filters)}", figures=[journey.map_figure(data)],
                 sources=sources[:2], findings=[_("{finding}, harder than the whole view.").format(
                     finding=journey.map_title(data.cells))] if not worst.empty else [])
    moments = data.moments
    top = moments.iloc[0] if not moments.empty and moments.iloc[0]["is_significant"] else None
    truth = Slide("journey_moments", _("Journey: moments of truth"), journey.moments_title(moments),
                  _("Experiences {span}; churn within {days} days").format(
                      span=journey.span(data.window.filters), days=fmt.count(journey.FOLLOW_DAYS)),
                  bullets=[fmt.unmarked(journey.moments_sentence(moments))], figures=[journey.moments_figure(data)],
                  sources=sources[2:], findings=[] if top is None else [
                      _("A bad experience at {stage} · {touchpoint} is followed by {bad} churn within {days} days, "
                        "against {good} after fine ones.").format(
                          stage=top["stage"], touchpoint=top["touchpoint_name"], bad=fmt.percent(top["churn_bad"]),
                          days=fmt.count(journey.FOLLOW_DAYS), good=fmt.percent(top["churn_good"]))])
    return [pain, truth]


def _no_journey(sources: list[str]) -> Slide:
    return Slide("journey", _("Journey"), _("No journey data in this view"), sources=sources,
                 empty=_("No interactions or survey answers about a journey stage match these filters in this "
                         "period."))


# ---- Churn risk ----------------------------------------------------------------------------------------

def churn_risk(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Revenue at risk of churning in the next 90 days and where it sits, as the churn alerts page shows it."""
    sources = ["sql/churn_summary.sql", "sql/churn_model_info.sql"]
    info = churn.model_info(reader)
    if info is None or pd.isna(info["scored_as_of"]):
        return [Slide("churn", _("Churn risk"), _("No churn risk scores yet"), sources=sources,
                      empty=_("No risk scores: they are computed from customers' activity, and none is loaded."))]
    try:
        rules = alerts.Rules.from_env()
    except alerts.AlertSettingError as exc:
        return [Slide("churn", _("Churn risk"), _("Churn risk cannot be shown"), sources=sources,
                      empty=f"{exc.plain}.")]
    summary = churn.revenue_at_risk(reader, view.filters, rules)
    total = summary[summary["dimension"] == "all"]
    if total.empty or not int(total.iloc[0]["n_customers"]):
        return [Slide("churn", _("Churn risk"), _("No scored customer in this view"), sources=sources,
                      empty=_("No active customer under these filters has a risk score."))]
    t = total.iloc[0]
    at_risk = fmt.money(t["value_at_risk"])
    threshold = fmt.number_text(f"{rules.threshold:g}")  # untranslated: a number, then in the locale's separators
    n_at_risk = int(t["n_at_risk"])
    title = n_("{amount} of annual value is at risk of churning in the next 90 days; {n} customer is at high risk",
               "{amount} of annual value is at risk of churning in the next 90 days; {n} customers are at high risk",
               n_at_risk).format(amount=at_risk, n=fmt.count(n_at_risk))
    scored_on = pd.Timestamp(info["scored_as_of"]).date()
    share = t["value_at_risk"] / t["annual_value"] * 100 if t["annual_value"] else None
    if share is None:
        revenue = _("Revenue at risk: {amount}.").format(amount=at_risk)
    else:
        revenue = n_("Revenue at risk: {amount}, {share} of the {annual} annual value of {n} customer scored.",
                     "Revenue at risk: {amount}, {share} of the {annual} annual value of {n} customers scored.",
                     int(t["n_customers"])).format(amount=at_risk, share=fmt.percent(share),
                                                   annual=fmt.money(t["annual_value"]), n=fmt.count(t["n_customers"]))
    kind = _(model.KIND_LABEL[info["kind"]])
    scored = (_("Scored as of {date} with the {kind}. Only the customer filters (segment, region, plan) apply; the "
                "period does not.") if info["kind"] == model.MODEL else
              _("Scored as of {date} with the {kind}: points, not a probability, so the amount is indicative. Only "
                "the customer filters (segment, region, plan) apply; the period does not."))
    bullets = [revenue,
               _("By segment: {segment}. By account owner: {owner}.").format(
                   segment=alerts.concentration_title(summary, "segment"),
                   owner=alerts.concentration_title(summary, "owner")),
               scored.format(date=day(scored_on), kind=kind)]
    held_up = checks.calibration(info)
    if held_up is not None:
        bullets.append(_("How the score has held up: {sentence}").format(
            sentence=checks.sentence(held_up, info, markdown=False)))
    followed = (followup_measures.summary_line(reader, ctx.store, view.filters, ctx.facts.get("newest_on"))
                if ctx.store is not None else None)
    if followed:  # the follow-up of unhappy customers, as the overview's line says it
        bullets.append(fmt.unmarked(followed))
        sources.append("sql/followup_cases.sql")
    figure = charts.revenue_at_risk_bars(summary, "segment", alerts.concentration_title(summary, "segment"),
                                         _("Annual value × risk score by segment; n at high risk"))
    finding = n_("Revenue at risk is {amount} of annual value; the {n} customer at high risk ({n_score} at a risk "
                 "score of {threshold} or more, the rest with a single warning sign) carries {flagged} of it.",
                 "Revenue at risk is {amount} of annual value; the {n} customers at high risk ({n_score} at a risk "
                 "score of {threshold} or more, the rest with a single warning sign) carry {flagged} of it.",
                 n_at_risk).format(amount=at_risk, n=fmt.count(n_at_risk), n_score=fmt.count(t["n_at_score"]),
                                   threshold=threshold, flagged=fmt.money(t["value_at_risk_flagged"]))
    return [Slide("churn", _("Churn risk"), title,
                  _("Risk of being lost in the next 90 days · {filters}").format(
                      filters=overview.filters_line(view.filters)),
                  bullets=bullets, figures=[figure], sources=sources, findings=[finding],
                  notes=_("Revenue at risk = the sum over customers of annual value × risk score / 100 (the app's "
                          "Definitions page explains the risk score)."))]


# ---- Departments and service levels -------------------------------------------------------------------

def department_alignment(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """The alignment matrix of the department scorecards: every department on the same customer metrics
    against its targets (edited ones included) in the quarter the period ends in."""
    sources = sorted({f"sql/{q}.sql" for q in departments.QUERY.values()} | {"sql/kpi_targets.sql"})
    try:
        cards = departments.scorecards(reader, view.filters, ctx.min_responses, store=ctx.store,
                                       newest_on=ctx.facts["newest_on"], last_complete_on=ctx.facts["last_complete_on"])
    except StoreError as exc:
        return [Slide("departments", _("Departments"), _("Department alignment cannot be shown"), sources=sources,
                      empty=_("The edited targets can't be read: {reason}").format(reason=exc))]
    if cards.cards.empty:
        return [Slide("departments", _("Departments"), _("No department data in this view"), sources=sources,
                      empty=_("No department has interactions or survey answers under these filters."))]
    matrix = departments.alignment(cards)
    quarter = trends.period_name(cards.quarter, "quarter")
    if cards.is_running:
        quarter = _("{quarter} (to {day})").format(quarter=quarter, day=day_month(view.filters.end))
    title = departments.headline(matrix)
    subtitle = f"{quarter} · {verdict.close_text()}"
    ranked = matrix.dropna(subset=["service_index"]).sort_values("service_index")
    findings = [_("{finding} in {quarter}.").format(finding=title, quarter=quarter)]
    if len(ranked) > 1:
        last = ranked.iloc[0]
        findings.append(_("On the service metrics alone, {department} ranks last at {index} of 100.").format(
            department=last["department"], index=fmt.number(last["service_index"])))
    figure = charts.alignment_matrix(matrix, list(departments.METRICS), title, subtitle)
    return [Slide("departments", _("Departments: alignment"), title, subtitle, figures=[figure], sources=sources,
                  findings=findings[:1], notes=" ".join([*findings[1:], _(
                      "The index: the share of a department's targeted metrics met (close counts half), weighted "
                      "by n. Targets: an edited one, else the department's own, else the company's.")]))]


def service_levels(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """SLA compliance by department and the view's service promise, as the service levels page shows them."""
    sources = ["sql/service_levels.sql", "sql/service_settings.sql"]
    lv = service.levels(reader, view.filters)
    t = lv.total
    if t["n_contacts"] is None or pd.isna(t["n_contacts"]) or not t["n_contacts"]:
        return [Slide("service", _("Service levels"), _("No contacts in this view"), sources=sources,
                      empty=_("No contacts match these filters in this period."))]
    title = service.headline(lv)
    rows = lv.by["department"]
    judged = rows[rows["n_sla_judged"] > 0].rename(columns={"sla_compliance": "value", "n_sla_judged": "n"})
    figure = charts.ranked_bars(judged, "sla_compliance", title, _("% of contacts resolved within their SLA"),
                                dimension=_("Department"))

    def pct(key: str) -> str:
        if key in lv.missing:
            return f"{_(metrics.NOT_IN_DATA)} ({lv.missing[key]})"
        return fmt.percent(t[key])

    bullets = [n_("SLA compliance: {share} of {n} contact whose SLA has expired.",
                  "SLA compliance: {share} of {n} contacts whose SLA has expired.", _whole(t["n_sla_judged"]))
               .format(share=pct("sla_compliance"), n=fmt.count(t["n_sla_judged"])),
               n_("Answered immediately: {share} of {n} contact due an answer (within {time} at the front office).",
                  "Answered immediately: {share} of {n} contacts due an answer (within {time} at the front office).",
                  _whole(t["n_due"])).format(share=pct("immediate_share"), n=fmt.count(t["n_due"]),
                                             time=fmt.duration(lv.settings.immediate_seconds)),
               _("Deferred contacts resolved within {time}: {share}.").format(
                   time=fmt.duration(lv.settings.deferred_seconds), share=pct("deferred_on_time")),
               n_("First-contact resolution: {resolved}; never answered: {unanswered} ({n} contact).",
                  "First-contact resolution: {resolved}; never answered: {unanswered} ({n} contacts).",
                  _whole(t["n_unanswered"])).format(resolved=pct("first_contact_resolution"),
                                                    unanswered=pct("unanswered_rate"), n=fmt.count(t["n_unanswered"]))]
    if ": " in title:   # "Billing: 62% within SLA (all: 80%)": the department that resolves the least
        department, share = title.split(": ", 1)
        finding = _("Service levels: {department} resolves {share}.").format(department=department, share=share)
    else:
        finding = f"{title}."
    return [Slide("service", _("Service levels"), title, f"{overview.filters_line(view.filters)} · "
                  f"{journey.span(view.filters)}", bullets=bullets, figures=[figure], sources=sources,
                  findings=[finding])]


def _whole(n) -> int:
    """A count for choosing a plural form; none counts as many."""
    return 0 if n is None or pd.isna(n) else int(n)


# ---- Voice of the customer --------------------------------------------------------------------------

def voice_slides(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """The themes that set detractors apart, in customers' own (masked) words."""
    sources = ["sql/voice_summary.sql", "sql/voice_themes.sql", "sql/voice_quotes.sql"]
    data = voice.load(reader, view.filters, view.compare)
    if not voice.has_comments(data):
        return [Slide("voice", _("Voice of the customer"), _("No customer comments in this view"), sources=sources,
                      empty=_("No survey comments match these filters in this period."))]
    driving = voice.drivers(data, ctx.min_responses)
    top = voice.top_driver(driving) if not driving.empty else None
    bullets, findings = [], []
    negative = voice.negative_share(data, ctx.min_responses)
    if negative.value is not None:
        fields = dict(share=fmt.percent(negative.value), moe=fmt.number(negative.moe, 1), n=fmt.count(negative.n),
                      against=against(view))
        if negative.change.delta is None:
            text = _("Negative comments: {share} ± {moe} pts of {n} whose sentiment could be read.")
        elif negative.change.is_significant:
            text = _("Negative comments: {share} ± {moe} pts of {n} whose sentiment could be read; {change} "
                     "{against}, significant.")
        else:
            text = _("Negative comments: {share} ± {moe} pts of {n} whose sentiment could be read; {change} "
                     "{against}, not significant.")
        change = None if negative.change.delta is None else fmt.change("nps_detractors", negative.change.delta)
        bullets.append(text.format(change=change, **fields))
    heard = voice.detractor_headline(reader, view.filters, view.compare, ctx.min_responses)
    if heard is not None and top is not None:
        findings.append(fmt.unmarked(heard.text))
        bullets.append(fmt.unmarked(heard.text))
        quotes = voice.quotes(reader, view.filters, theme=top["theme"], nps_group="detractor",
                              sentiment="negative", limit=QUOTES_SHOWN)
        shortened = [textwrap.shorten(q, QUOTE_CHARS, placeholder="…") for q in quotes]
        bullets += [f"“{q}”" for q in dict.fromkeys(shortened)]   # two texts cut to one wording: quoted once
    title = voice.drivers_title(driving)
    figure = charts.detractor_drivers(driving, title, _("Share of detractor (0–6) and promoter (9–10) comments "
                                                        "naming each theme · pale: gap not significant"))
    return [Slide("voice", _("Voice of the customer"), title,
                  _("Survey comments {span}; e-mails, phone, card and id numbers masked").format(
                      span=journey.span(view.filters)),
                  bullets=bullets, figures=[figure], sources=sources, findings=findings)]


# ---- Initiatives: what moved -------------------------------------------------------------------------

def initiatives_slide(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Every initiative's measured effect on its KPI, in words, its verdict and its return, as the
    Initiatives page states them (each measured on its own scope and dates, whatever the view's filters)."""
    sources = ["sql/initiative_list.sql", "sql/initiative_checkpoint_list.sql", "sql/initiative_answers.sql",
               "sql/initiative_contacts.sql", "sql/initiative_customers.sql"]
    today = ctx.facts["newest_on"]
    section = _("Initiatives: what moved")
    if today is None:
        return [Slide("initiatives", section, _("No initiatives to measure"), sources=sources,
                      empty=_("No data is loaded yet: an initiative is measured on the answers, contacts and "
                              "customers in it."))]
    try:
        plans = initiatives.plans(reader, today, ctx.store)
    except StoreError as exc:
        return [Slide("initiatives", section, _("Initiatives cannot be shown"), sources=sources,
                      empty=_("The initiatives' edits can't be read: {reason}").format(reason=exc))]
    if not plans:
        return [Slide("initiatives", section, _("No initiatives yet"), sources=sources,
                      empty=_("No initiative is loaded or added in the app."))]
    rows, emphasis, moved, measured = [], [], [], 0
    for plan in plans:
        effect = initiatives.measure(reader, plan, today)
        ret = initiatives.payback(reader, plan, effect)
        kpi = initiatives.kpi_label(plan.kpi)
        if effect.is_measured:
            measured += 1
            said = _("{kpi} {effect}, likely between {low} and {high}").format(
                kpi=kpi, effect=fmt.change(plan.kpi, effect.effect), low=fmt.change(plan.kpi, effect.ci_low),
                high=fmt.change(plan.kpi, effect.ci_high))
        else:
            said = _("{kpi}: not measured").format(kpi=kpi)
        if plan.status == "planned":
            verdict_text = _("planned: starts {date}").format(date=day(plan.start))
        else:
            verdict_text = initiatives.verdict_label(effect.verdict)
        if ret.is_estimated:
            worth = (_("{value}, likely between {low} and {high}, for a cost of {cost}") if ret.cost is not None else
                     _("{value}, likely between {low} and {high}")).format(
                value=fmt.money(ret.value), low=fmt.money(ret.low), high=fmt.money(ret.high),
                cost=fmt.money(ret.cost))
        else:
            worth = (_("not estimated; cost {cost}").format(cost=fmt.money(ret.cost)) if ret.cost is not None
                     else _("not estimated"))
        if plan.status == "running":
            when = _("{name} (running since {date})").format(name=plan.name, date=day(plan.start))
        elif plan.status == "done":
            when = _("{name} (done: {start} – {end})").format(name=plan.name, start=day(plan.start), end=day(plan.end))
        else:
            when = plan.name
        rows.append([when, said, verdict_text, worth])
        better = metrics.KPIS[plan.kpi].higher_is_better == (effect.effect is not None and effect.effect > 0)
        emphasis.append(("better" if better else "worse") if effect.verdict == "moved" else "")
        if effect.verdict == "moved":
            moved.append((plan, effect))
    if moved:
        plan, effect = moved[0]
        title = n_("{moved} of {measured} initiative measured moved its KPI; {name}: {kpi} {effect}",
                   "{moved} of {measured} initiatives measured moved their KPI; {name}: {kpi} {effect}",
                   measured).format(moved=fmt.count(len(moved)), measured=fmt.count(measured), name=plan.name,
                                    kpi=initiatives.kpi_label(plan.kpi), effect=fmt.change(plan.kpi, effect.effect))
    elif measured:
        title = n_("No initiative moved its KPI detectably ({measured} measured)",
                   "No initiative moved its KPI detectably ({measured} measured)", measured).format(
            measured=fmt.count(measured))
    else:
        title = _("No initiative can be measured yet")
    table = Table([_("Initiative"), _("Effect on its KPI"), _("Verdict"), _("Return")], rows,
                  widths=[3.2, 4.0, 2.4, 3.4], emphasis=emphasis)
    return [Slide("initiatives", section, title, _("As of {day}; each initiative measured on its own scope and "
                                                   "dates").format(day=day(today)),
                  table=table, sources=sources,
                  notes=_("Each effect is the change in its KPI in the weeks after the start against as many weeks "
                          "before, in the initiative's scope less the same change outside it (for a company-wide "
                          "initiative: against the KPI's own history, weaker evidence). 'Likely between' is a 95% "
                          "interval. A return is the effect turned into money on the stated assumption; the "
                          "initiative's cost is given beside it."))]


# ---- Appendix -----------------------------------------------------------------------------------------

def appendix(reader, view: ViewState, ctx: Context) -> list[Slide]:
    """Every headline metric's definition, and the samples behind this pack's scores."""
    keys = list(overview.TILE_ORDER)
    slides = []
    for start in range(0, len(keys), DEFINITIONS_PER_SLIDE):
        part = keys[start:start + DEFINITIONS_PER_SLIDE]
        slides.append(Slide(
            f"definitions_{start // DEFINITIONS_PER_SLIDE + 1}", _("Appendix"),
            _("Metric definitions (continued)") if start else _("Metric definitions"),
            _("One definition per metric, the same on every page and slide"),
            table=Table([_("Metric"), _("Definition")], [[_label(k), _sentence(_(metrics.KPIS[k].definition))]
                                                         for k in part], widths=[2.6, 9.6]),
            sources=["sql/macros.sql"]))
    data = ctx.overview(reader, view)
    rows = data.summary.set_index("kpi")
    sample = [[_label(k), _n(_sample(k, rows.loc[k], "")), _n(_sample(k, rows.loc[k], "prev_")),
               _unit_of_n(k), _margin(k, rows.loc[k])] for k in keys]
    cmp = view.filters.comparison(view.compare)
    slides.append(Slide(
        "samples", _("Appendix"), _("Sample sizes behind every figure"), overview.period_line(view),
        bullets=[n_("Survey scores need at least {n} answer to be shown; a change is called significant only when "
                    "it is larger than both periods' margins of error can explain (95% confidence). Counts and "
                    "amounts are complete counts: they have no margin.",
                    "Survey scores need at least {n} answers to be shown; a change is called significant only when "
                    "it is larger than both periods' margins of error can explain (95% confidence). Counts and "
                    "amounts are complete counts: they have no margin.", ctx.min_responses)
                 .format(n=fmt.count(ctx.min_responses))],
        table=Table([_("Metric"), _("n, {span}").format(span=journey.span(view.filters)),
                     _("n, {span}").format(span=journey.span(cmp)), _("Counted in"), _("Margin (95%)")],
                    sample, widths=[3.0, 2.5, 2.5, 2.4, 1.8]),
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


# What a KPI's n counts, for the appendix's samples (survey scores count answers; the rest customers).
UNIT_OF_N = {"sla_compliance": N_("interactions"), "first_response_live": N_("interactions"),
             "first_response_written": N_("interactions"), "contacts": N_("interactions"),
             "revenue": N_("transactions"), "active_customers": N_("customers on the last day")}
OTHER_UNIT = N_("customers")


def _unit_of_n(kpi: str) -> str:
    if kpi in metrics.SURVEY_KPIS:
        return _("answers")
    return _(UNIT_OF_N.get(kpi, OTHER_UNIT))


def _margin(kpi: str, row) -> str:
    return fmt.margin(kpi, row["moe"], row["value"]) or (_("none: a full count") if not metrics.KPIS[kpi].is_sample
                                                         else "—")


# ---- The registry ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    key: str
    label: str          # English, marked for the catalogs: shown as _(section.label)
    build: Callable[..., list[Slide]]


SECTIONS: list[Section] = [
    Section("kpis", N_("KPI summary"), kpi_summary),
    Section("trends", N_("Trends that matter"), trends_that_matter),
    Section("journey", N_("Journey pain points and moments of truth"), journey_slides),
    Section("churn", N_("Churn risk and revenue at risk"), churn_risk),
    Section("departments", N_("Department alignment matrix"), department_alignment),
    Section("service", N_("Service levels"), service_levels),
    Section("voice", N_("Top themes in customers' words"), voice_slides),
    Section("initiatives", N_("Initiatives: what moved"), initiatives_slide),
    Section("appendix", N_("Appendix: definitions and sample sizes"), appendix),
]
