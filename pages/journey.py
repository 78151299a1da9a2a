"""Journey map: touchpoints stage by stage, customers' paths, the moments of truth that lose customers."""
import streamlit as st

from cxdata import charts, journey, overview
from cxdata import formatting as fmt
from cxdata.app import explain, frame
from cxdata.i18n import _, language, n_

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()

st.title(_("Journey map"))
st.caption(f"**{_(overview.PRESETS[view.preset])}, {journey.span(view.filters)}** · {fmt.md(overview.filters_line(view.filters))} · "
           f"{overview.freshness_line(facts)}")
frame.show_notices(view)

if facts["newest_on"] is None:
    st.info(_("No interactions or survey answers are loaded yet."), icon=":material/search_off:")
    st.stop()
data = journey.load(reader, view.filters, facts["newest_on"], minimum)
if data.cells[~data.cells["is_total"]].empty:
    st.info(_("No interactions or survey answers about a journey stage match these filters in this period. "
              "Widen the period or clear a filter in the sidebar."), icon=":material/search_off:")
    st.stop()
note = data.order.note()
if note:
    st.caption(f":material/flag: {note}")

# ---- 1. Stage x touchpoint map ------------------------------------------------------------------
stages = journey.stage_columns(data.cells, data.order)
st.plotly_chart(journey.map_figure(data), width="stretch", theme=None, config={"displayModeBar": False},
                key="journey_map")

# ---- 2. Customer paths --------------------------------------------------------------------------
st.subheader(_("How customers move through the journey"))
drops = journey.drop_outs(data.links, data.order)
nodes, colors, links = journey.stage_sankey(data.links, data.order)
n_customers = int(drops["n_no_further"].sum())
st.plotly_chart(charts.journey_sankey(
    nodes, colors, links, n_("{n} customer's path through the stages in this period",
                             "{n} customers' paths through the stages in this period", n_customers).format(
        n=fmt.count(n_customers)),
    _("Each customer's stages in the journey's order; at the right, those who reached no later stage, "
      "split by whether they have churned since")), width="stretch", theme=None, key="stage_sankey")


def numbers(table, counts=(), percents=(), points=()):
    """A table's number columns as the language writes them, with their column settings. Streamlit's
    column formats write numbers the English way only, so other languages get the numbers as text
    (fmt), aligned right."""
    if language() == "en":
        return table, {**{c: "%,d" for c in counts}, **{c: "%.1f%%" for c in percents}, **{c: "%.1f" for c in points}}
    shown = table.assign(**{c: table[c].map(fmt.count) for c in counts},
                         **{c: table[c].map(lambda x: fmt.percent(x, 1)) for c in percents},
                         **{c: table[c].map(lambda x: fmt.number(x, 1)) for c in points})
    return shown, {c: None for c in (*counts, *percents, *points)}


def column(label: str, style, **extra):
    return (st.column_config.NumberColumn(label, format=style, **extra) if style else
            st.column_config.TextColumn(label, alignment="right", **extra))


shown_drops, style = numbers(drops, counts=("n_customers", "n_no_further", "n_churned"),
                             percents=("no_further_pct", "churned_pct"))
st.dataframe(shown_drops, hide_index=True, placeholder=fmt.MISSING, width="stretch", column_config={
    "stage": _("Stage"), "n_customers": column(_("Customers"), style["n_customers"]),
    "n_no_further": column(_("Went no further"), style["n_no_further"]),
    "no_further_pct": column(_("Share"), style["no_further_pct"]),
    "n_churned": column(_("Of them churned"), style["n_churned"]),
    "churned_pct": column(_("Churned share"), style["churned_pct"])})

# ---- 3. Moments of truth ------------------------------------------------------------------------
st.subheader(_("Moments of truth: where a bad experience loses customers"))
window = data.window
not_over = int(data.moments["n_censored"].sum()) if not data.moments.empty else 0
span = journey.span(window.filters)
if window.is_shifted:
    st.caption(":material/schedule: " + _(
        "Experiences {span}: every day of this period is less than {days} days before the data's end, so nobody's "
        "{days} days are over yet; the same length just before is shown instead.").format(
        span=span, days=fmt.count(journey.FOLLOW_DAYS)))
st.markdown(journey.moments_sentence(data.moments))
st.caption(n_("A bad experience: an NPS detractor (0–6), CSAT 1–2, CES 1–3 or a missed SLA at that touchpoint; fine: "
              "every experience judged there was not bad. Churn: lost within {days} days of the (first bad) "
              "experience. Experiences {span}; {n} customer-touchpoint whose {days} days are not over by the data's "
              "newest day is left out of both groups.",
              "A bad experience: an NPS detractor (0–6), CSAT 1–2, CES 1–3 or a missed SLA at that touchpoint; fine: "
              "every experience judged there was not bad. Churn: lost within {days} days of the (first bad) "
              "experience. Experiences {span}; {n} customer-touchpoints whose {days} days are not over by the data's "
              "newest day are left out of both groups.", not_over).format(
    days=fmt.count(journey.FOLLOW_DAYS), span=span, n=fmt.count(not_over)))
st.plotly_chart(journey.moments_figure(data), width="stretch", theme=None, key="moments")
with st.expander(_("Every touchpoint tested")):
    if data.moments.empty:
        st.caption(_("No touchpoint has experiences to test in this window."))
    else:
        table = data.moments[["stage", "touchpoint_name", "n_bad", "churn_bad", "n_good", "churn_good", "difference",
                              "difference_moe", "is_significant", "value_bad", "excess_value", "n_censored"]]
        table, style = numbers(table, counts=("n_bad", "n_good", "n_censored"), percents=("churn_bad", "churn_good"),
                               points=("difference", "difference_moe"))
        st.dataframe(table, hide_index=True, placeholder=fmt.MISSING, width="stretch", column_config={
            "stage": _("Stage"), "touchpoint_name": _("Touchpoint"),
            "n_bad": column(_("Bad: customers"), style["n_bad"]),
            "churn_bad": column(_("Bad: lost"), style["churn_bad"]),
            "n_good": column(_("Fine: customers"), style["n_good"]),
            "churn_good": column(_("Fine: lost"), style["churn_good"]),
            "difference": column(_("Difference (pts)"), style["difference"]),
            "difference_moe": column(_("± (95%)"), style["difference_moe"]),
            "is_significant": _("Beyond chance"),
            "value_bad": st.column_config.NumberColumn(_("Annual value (bad)"), format=fmt.money_column()),
            "excess_value": st.column_config.NumberColumn(_("Excess value lost"), format=fmt.money_column()),
            "n_censored": column(_("Not followed {days} days yet").format(days=fmt.count(journey.FOLLOW_DAYS)),
                                 style["n_censored"])})

# ---- 4. Drill-down ------------------------------------------------------------------------------
st.subheader(_("Drill down"))
choices = [s for s in stages if s != journey.no_stage()]
wanted = st.query_params.get("stage")
if wanted in choices and wanted != st.session_state.get("journey_url_stage"):
    st.session_state["journey_stage"] = wanted          # a link (the overview's movers) chose it
st.session_state["journey_url_stage"] = wanted
left, right = st.columns(2)
first = journey.default_stage(data.cells, choices, data.moments)
stage = left.selectbox(_("Stage"), choices, key="journey_stage",  # the top moment of truth's, else the first with data
                       index=choices.index(first) if first in choices else 0)
touchpoints = data.cells.loc[~data.cells["is_stage"] & ~data.cells["is_total"] & (data.cells["stage"] == stage)
                             & data.cells["touchpoint"].notna(), "touchpoint"].tolist()
touchpoint = right.selectbox(_("Touchpoint"), [None, *touchpoints], key="journey_touchpoint",
                             format_func=lambda t: _("All touchpoints of the stage") if t is None else t)
if st.query_params.get("stage") != stage:
    st.query_params["stage"] = stage
what = f"{stage} · {touchpoint}" if touchpoint else stage

tnodes, tcolors, tlinks = journey.touchpoint_sankey(journey.touchpoint_paths(data.touchpoint_links, stage))
st.plotly_chart(charts.journey_sankey(tnodes, tcolors, tlinks,
                                      _("Touchpoint to touchpoint within {stage}").format(stage=stage),
                                      _("The first three touchpoints each customer came to there, then whether they "
                                        "reached a later stage")), width="stretch", theme=None, key="touchpoint_sankey")

trend = journey.drill_trend(reader, view.filters, stage, touchpoint)
measure = st.segmented_control(_("Trend of"), ["csat", "nps", "ces", "sla_compliance"], default="csat",
                               key="journey_measure", format_func=lambda k: _(overview.metrics.KPIS[k].label))
measure = measure or "csat"
label = _(overview.metrics.KPIS[measure].label)
st.plotly_chart(charts.kpi_trend(journey.trend_of(trend, measure, minimum), measure,
                                 _("{measure} of {what}, month by month").format(measure=label, what=what),
                                 _("The 12 complete months to the period's end; hollow: under the minimum of answers"),
                                 min_n=minimum), width="stretch", theme=None, key="drill_trend")

owners = journey.drill_owners(reader, view.filters, stage, touchpoint)
channels, departments = st.columns(2)
drills = ((channels, "channel", _("Channel mix: {what}").format(what=what), _("Channel")),
          (departments, "department", _("Departments that own it: {what}").format(what=what), _("Department")))
for place, dimension, title, axis in drills:
    rows = owners[owners["dimension"] == dimension].rename(columns={"n_interactions": "n"})
    rows = rows.assign(value=rows["n"], member=rows["member"].fillna(_("(none)")))
    place.plotly_chart(charts.ranked_bars(rows, "contacts", title, _("Contacts in the period"), dimension=axis),
                       width="stretch", theme=None, key=f"drill_{dimension}")

st.markdown(_("**Recent comments about {what}** (e-mail addresses and phone numbers masked)").format(what=what))
comments = journey.recent_comments(reader, view.filters, stage, touchpoint)
if comments.empty:
    st.caption(_("No comments about it in this period."))
for c in comments.itertuples():  # data as text: a comment can carry no HTML, link or image (fmt.md)
    st.markdown(f"> {fmt.md(c.comment)}")
    st.caption(fmt.md(f"{c.survey.upper()} {c.score} · {c.touchpoint or journey.no_touchpoint()} · "
                      f"{c.channel or ''} · {fmt.date(c.submitted_at)}"))

explain.how_computed("Journey stages and touchpoints", "Customer paths", "Moments of truth", "Many comparisons at once",
                     "CSAT", "NPS", "CES", "SLA compliance", "Too few answers")  # untranslated: glossary entries by name; the glossary words them
