"""KPI trends: any customer metric over time, against its target, by any dimension."""
import streamlit as st

from cxdata import charts, drill, drivers, glossary, trends
from cxdata import formatting as fmt
from cxdata import filters, metrics
from cxdata.access.audit import filters_what
from cxdata.app import drill as drill_widget
from cxdata.app import explain, frame
from cxdata.overview import comparison_gaps, filters_line, freshness_line, period_line

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()

st.title("KPI trends")
st.caption(f"**{period_line(view)}** · {fmt.md(filters_line(view.filters))} · {freshness_line(facts)}")
frame.show_notices(view)

pick, grain_col, by_col = st.columns([3, 3, 2], vertical_alignment="bottom")
with pick:
    kpi = frame.page_choice("metric", "Metric", trends.METRICS, trends.DEFAULT_METRIC)
with grain_col:
    grain = frame.page_choice("grain", "Grain", trends.GRAINS, trends.DEFAULT_GRAIN, widget=st.radio, horizontal=True)
with by_col:
    by = frame.page_choice("by", "Break down by", trends.BREAKDOWNS, trends.DEFAULT_BREAKDOWN)
versus = trends.versus_for(view.compare)  # the sidebar's comparison, as near as whole periods allow

data = trends.load(reader, view.filters, kpi, grain, by, versus, minimum, facts["oldest_on"],
                   facts["last_complete_on"], compare=view.compare, withhold_counts=bool(comparison_gaps(view, facts)))
kpi_def = metrics.KPIS[kpi]
if data.missing:
    st.info(f"{kpi_def.label}: {metrics.NOT_IN_DATA}: {data.missing}.", icon=":material/block:")
    st.stop()
if (data.series["value"].notna() | data.series["is_unanswered"]).sum() == 0:
    st.info(f"No {kpi_def.label} data matches these filters. Widen the period or clear a filter in the sidebar.",
            icon=":material/search_off:")
    st.stop()

st.plotly_chart(trends.figure(data, minimum), width="stretch", theme=None, key="trend")
periods = [p for p, n in zip(data.series["period_start"], data.series["n"]) if n > 0][::-1]
drill_col, rows_col, _ = st.columns([2, 1, 3], vertical_alignment="bottom")
if drill.can_drill(kpi) and periods:  # the rows behind one point of the line
    period = drill_col.selectbox("Rows behind", periods, key="trend_rows_period",
                                 format_func=lambda p: trends.period_name(p, grain))
    with rows_col:
        drill_widget.rows_button(reader, trends.period_filters(view.filters, period, grain), kpi, key="rows_trend",
                                 scope=trends.period_name(period, grain), label="See the rows")
drill_widget.downloads(trends.export_table(data), f"{kpi.replace('_', '-')}-by-{grain}", key="trend_download",
                       sheet=kpi_def.label, what={"table": f"{kpi_def.label} by {grain}",
                                                  "filters": filters_what(view.filters), "compare": view.compare})

changes = st.columns(4)
with changes[0]:  # the selected period, as the overview's tile says it
    chosen = data.selected
    if chosen is None:
        st.caption(f"{kpi_def.label} is read {grain} by {grain}: the chart shades the selected period, "
                   f"{trends.span(data.period)}.")
    else:
        st.metric(f"Selected period, {trends.span(data.period)}", chosen.text, chosen.change,
                  delta_color=chosen.change_color, delta_arrow="off" if chosen.change_color == "off" else "auto",
                  help=f"As on the executive overview: {kpi_def.label} over the sidebar's period, against the "
                       f"{filters.COMPARISONS[view.compare]}.")
        drill_widget.rows_button(reader, view.filters, kpi, key="rows_selected", label="See the rows")
for column, v in zip(changes[1:], trends.VERSUS):
    c = data.changes[v]
    column.metric(f"{trends.period_name(c.period, grain)} against the {trends.VERSUS[v]}",
                  fmt.unanswered(c.n) if c.is_unanswered else fmt.value(kpi, c.value),
                  None if c.change.delta is None else
                  fmt.change_judged(kpi, c.change.delta, c.value, c.change.is_significant or c.change.is_census),
                  delta_color="off" if c.is_better is None else "normal" if kpi_def.higher_is_better else "inverse",
                  delta_arrow="off" if c.is_better is None else "auto", help=trends.change_text(c, kpi, grain))
flagged = trends.anomaly_sentences(data.series, kpi, grain)
with changes[3]:
    st.markdown("**Breaks from recent history**", help="A whole period far outside what the periods before it "
                "predict (How this is computed, below).")
    st.markdown("\n".join(f"- {s}" for s in flagged) if flagged else "No break in this window.")

if kpi == "clv":
    st.subheader("Lifetime value by segment")
    period = data.changes["previous"].period
    st.caption(f"{trends.period_name(period, grain)}: revenue per active customer, annualised, × gross margin "
               f"{trends.gross_margin():.0%} ÷ the period's churn compounded to a year. "
               "It assumes today's revenue and churn hold for a customer's whole life; a segment with few "
               "churners gives a wide, unstable figure.")
    st.dataframe(trends.clv_by_segment(reader, view.filters, grain, period), hide_index=True,
                 placeholder=fmt.MISSING, column_config={
        "segment": "Segment", "customers": st.column_config.NumberColumn("Customers at start", format="localized"),
        "revenue_per_year": st.column_config.NumberColumn("Revenue per customer a year", format=fmt.money_column()),
        "annual_churn": st.column_config.NumberColumn("Annual churn", format="%.1f%%"),
        "clv": st.column_config.NumberColumn("Lifetime value", format=fmt.money_column())})

if by != "none":
    st.subheader(f"{kpi_def.label} by {trends.BREAKDOWNS[by].lower()}")
    if not trends.applies(kpi, by):
        st.info(f"{kpi_def.label} is a customer KPI: a customer has no single {trends.BREAKDOWNS[by].lower()}. "
                "Break it down by segment, region or plan.", icon=":material/info:")
    elif data.members.empty:
        st.info("No member of this dimension has data in the latest whole period.", icon=":material/search_off:")
    else:
        whole = data.changes[versus]
        exact = kpi in trends.WEIGHTED_MEANS + trends.SUMS
        st.caption(f"{trends.period_name(whole.period, grain)} against {trends.period_name(whole.other, grain)}; "
                   + ("sorted by each member's part of the whole view's change "
                      f"({fmt.change(kpi, whole.change.delta, whole.value)}); the parts add up to it."
                      if exact else "a median has no exact split into parts: sorted by the size of each change."))
        st.dataframe(trends.breakdown_table(data.members, kpi), hide_index=True, placeholder=fmt.MISSING,
                     column_config={
            "Trend": st.column_config.LineChartColumn(f"Last {trends.SPARK_PERIODS} {grain}s", width="medium"),
            "Part of the change": st.column_config.TextColumn(help="How much of the whole view's change this "
                                                              "member explains (How this is computed, below)")})
        top = trends.top_movers(data.members)
        st.plotly_chart(charts.small_multiples(trends.multiples(data), kpi, top, "The members that moved the view most" if len(top) > 1 else top[0] if top else "",
            f"{kpi_def.label} per {grain}, 95% band; one shared scale", grain=grain, min_n=minimum),
            width="stretch", theme=None, key="multiples")

if kpi == "nps":
    st.subheader("What drives NPS")
    found = drivers.nps_drivers(reader, view.filters, minimum)
    st.markdown(fmt.md(drivers.drivers_sentence(found)))
    dimension = st.radio("Drivers by", drivers.DIMENSIONS, horizontal=True, key="drivers_by",
                         format_func=lambda d: d.replace("_", " ").capitalize())
    st.plotly_chart(charts.nps_drivers(found, dimension, drivers.drivers_headline(found[found["dimension"] == dimension]),
                                       "NPS gap between customers with a good and a bad experience there, against "
                                       f"CSAT there, {view.filters.start:%d %b %Y} – {view.filters.end:%d %b %Y}"),
                    width="stretch", theme=None, key="drivers")
    st.caption("An association, not a cause: customers who had a bad experience somewhere may differ in other "
               "ways (How this is computed, below).")

st.caption(f"{kpi_def.label}: {kpi_def.definition}. Every filter applies" if kpi not in trends.CUSTOMER_METRICS else
           f"{kpi_def.label}: {kpi_def.definition}. Only the customer filters (segment, region, plan) apply.")

explain.how_computed(glossary.kpi_term(kpi_def.label), "Margin of error", "Significant change", "Break from recent history", "Part of the change",
                     "Incomplete period", *(["Drivers of NPS"] if kpi == "nps" else []),
                     *(["Customer lifetime value"] if kpi == "clv" else []))
