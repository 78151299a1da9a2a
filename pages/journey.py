"""Journey map: touchpoints stage by stage, customers' paths, the moments of truth that lose customers."""
import streamlit as st

from cxdata import charts, journey, overview
from cxdata import formatting as fmt
from cxdata.app import explain, frame

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()

st.title("Journey map")
st.caption(f"**{overview.PRESETS[view.preset]}, {journey.span(view.filters)}** · {fmt.md(overview.filters_line(view.filters))} · "
           f"{overview.freshness_line(facts)}")
frame.show_notices(view)

if facts["newest_on"] is None:
    st.info("No interactions or survey answers are loaded yet.", icon=":material/search_off:")
    st.stop()
data = journey.load(reader, view.filters, facts["newest_on"], minimum)
if data.cells[~data.cells["is_total"]].empty:
    st.info("No interactions or survey answers about a journey stage match these filters in this period. "
            "Widen the period or clear a filter in the sidebar.", icon=":material/search_off:")
    st.stop()
note = data.order.note()
if note:
    st.caption(f":material/flag: {note}")

# ---- 1. Stage x touchpoint map ------------------------------------------------------------------
stages = journey.stage_columns(data.cells, data.order)
st.plotly_chart(journey.map_figure(data), width="stretch", theme=None, config={"displayModeBar": False},
                key="journey_map")

# ---- 2. Customer paths --------------------------------------------------------------------------
st.subheader("How customers move through the journey")
drops = journey.drop_outs(data.links, data.order)
nodes, colors, links = journey.stage_sankey(data.links, data.order)
n_customers = int(drops["n_no_further"].sum())
st.plotly_chart(charts.journey_sankey(
    nodes, colors, links, f"{n_customers:,} customers' paths through the stages in this period",
    "Each customer's stages in the journey's order; at the right, those who reached no later stage, "
    "split by whether they have churned since"), width="stretch", theme=None, key="stage_sankey")
st.dataframe(drops, hide_index=True, placeholder=fmt.MISSING, width="stretch", column_config={
    "stage": "Stage", "n_customers": st.column_config.NumberColumn("Customers", format="%,d"),
    "n_no_further": st.column_config.NumberColumn("Went no further", format="%,d"),
    "no_further_pct": st.column_config.NumberColumn("Share", format="%.1f%%"),
    "n_churned": st.column_config.NumberColumn("Of them churned", format="%,d"),
    "churned_pct": st.column_config.NumberColumn("Churned share", format="%.1f%%")})

# ---- 3. Moments of truth ------------------------------------------------------------------------
st.subheader("Moments of truth: where a bad experience loses customers")
window = data.window
not_over = int(data.moments["n_censored"].sum()) if not data.moments.empty else 0
span = journey.span(window.filters)
if window.is_shifted:
    st.caption(f":material/schedule: Experiences {span}: every day of this period is less than "
               f"{journey.FOLLOW_DAYS} days before the data's end, so nobody's {journey.FOLLOW_DAYS} days are over "
               "yet; the same length just before is shown instead.")
st.markdown(journey.moments_sentence(data.moments))
st.caption(f"A bad experience: an NPS detractor (0–6), CSAT 1–2, CES 1–3 or a missed SLA at that touchpoint; "
           f"fine: every experience judged there was not bad. Churn: lost within {journey.FOLLOW_DAYS} days of the "
           f"(first bad) experience. Experiences {span}; {not_over:,} customer-touchpoints whose {journey.FOLLOW_DAYS} "
           "days are not over by the data's newest day are left out of both groups.")
st.plotly_chart(journey.moments_figure(data), width="stretch", theme=None, key="moments")
with st.expander("Every touchpoint tested"):
    if data.moments.empty:
        st.caption("No touchpoint has experiences to test in this window.")
    else:
        table = data.moments[["stage", "touchpoint_name", "n_bad", "churn_bad", "n_good", "churn_good", "difference",
                              "difference_moe", "is_significant", "value_bad", "excess_value", "n_censored"]]
        st.dataframe(table, hide_index=True, placeholder=fmt.MISSING, width="stretch", column_config={
            "stage": "Stage", "touchpoint_name": "Touchpoint",
            "n_bad": st.column_config.NumberColumn("Bad: customers", format="%,d"),
            "churn_bad": st.column_config.NumberColumn("Bad: lost", format="%.1f%%"),
            "n_good": st.column_config.NumberColumn("Fine: customers", format="%,d"),
            "churn_good": st.column_config.NumberColumn("Fine: lost", format="%.1f%%"),
            "difference": st.column_config.NumberColumn("Difference (pts)", format="%.1f"),
            "difference_moe": st.column_config.NumberColumn("± (95%)", format="%.1f"),
            "is_significant": "Beyond chance",
            "value_bad": st.column_config.NumberColumn("Annual value (bad)", format=fmt.money_column()),
            "excess_value": st.column_config.NumberColumn("Excess value lost", format=fmt.money_column()),
            "n_censored": st.column_config.NumberColumn(f"Not followed {journey.FOLLOW_DAYS} days yet", format="%,d")})

# ---- 4. Drill-down ------------------------------------------------------------------------------
st.subheader("Drill down")
choices = [s for s in stages if s != journey.NO_STAGE]
wanted = st.query_params.get("stage")
if wanted in choices and wanted != st.session_state.get("journey_url_stage"):
    st.session_state["journey_stage"] = wanted          # a link (the overview's movers) chose it
st.session_state["journey_url_stage"] = wanted
left, right = st.columns(2)
first = journey.default_stage(data.cells, choices, data.moments)
stage = left.selectbox("Stage", choices, key="journey_stage",  # the top moment of truth's, else the first with data
                       index=choices.index(first) if first in choices else 0)
touchpoints = data.cells.loc[~data.cells["is_stage"] & ~data.cells["is_total"] & (data.cells["stage"] == stage)
                             & data.cells["touchpoint"].notna(), "touchpoint"].tolist()
touchpoint = right.selectbox("Touchpoint", [None, *touchpoints], key="journey_touchpoint",
                             format_func=lambda t: "All touchpoints of the stage" if t is None else t)
if st.query_params.get("stage") != stage:
    st.query_params["stage"] = stage
what = f"{stage} · {touchpoint}" if touchpoint else stage

tnodes, tcolors, tlinks = journey.touchpoint_sankey(journey.touchpoint_paths(data.touchpoint_links, stage))
st.plotly_chart(charts.journey_sankey(tnodes, tcolors, tlinks, f"Touchpoint to touchpoint within {stage}",
                                      "The first three touchpoints each customer came to there, then whether they "
                                      "reached a later stage"), width="stretch", theme=None, key="touchpoint_sankey")

trend = journey.drill_trend(reader, view.filters, stage, touchpoint)
measure = st.segmented_control("Trend of", ["csat", "nps", "ces", "sla_compliance"], default="csat",
                               key="journey_measure", format_func=lambda k: overview.metrics.KPIS[k].label)
measure = measure or "csat"
label = overview.metrics.KPIS[measure].label
st.plotly_chart(charts.kpi_trend(journey.trend_of(trend, measure, minimum), measure, f"{label} of {what}, month by month",
                                 "The 12 complete months to the period's end; hollow: under the minimum of answers",
                                 min_n=minimum), width="stretch", theme=None, key="drill_trend")

owners = journey.drill_owners(reader, view.filters, stage, touchpoint)
channels, departments = st.columns(2)
for column, dimension, heading in ((channels, "channel", "Channel mix"), (departments, "department", "Departments that own it")):
    rows = owners[owners["dimension"] == dimension].rename(columns={"n_interactions": "n"})
    rows = rows.assign(value=rows["n"], member=rows["member"].fillna("(none)"))
    column.plotly_chart(charts.ranked_bars(rows, "contacts", f"{heading}: {what}", "Contacts in the period",
                                           dimension=dimension.capitalize()),
                        width="stretch", theme=None, key=f"drill_{dimension}")

st.markdown(f"**Recent comments about {what}** (e-mail addresses and phone numbers masked)")
comments = journey.recent_comments(reader, view.filters, stage, touchpoint)
if comments.empty:
    st.caption("No comments about it in this period.")
for c in comments.itertuples():  # data as text: a comment can carry no HTML, link or image (fmt.md)
    st.markdown(f"> {fmt.md(c.comment)}")
    st.caption(fmt.md(f"{c.survey.upper()} {c.score} · {c.touchpoint or journey.NO_TOUCHPOINT} · "
                      f"{c.channel or ''} · {c.submitted_at:%d %b %Y}"))

explain.how_computed("Journey stages and touchpoints", "Customer paths", "Moments of truth", "Many comparisons at once",
                     "CSAT", "NPS", "CES", "SLA compliance", "Too few answers")
