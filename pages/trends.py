"""KPI trends: any customer metric over time, against its target, by any dimension."""
import streamlit as st

from cxdata import charts, drill, drivers, glossary, initiatives, trends
from cxdata import formatting as fmt
from cxdata import filters, metrics
from cxdata.access.audit import filters_what
from cxdata.app import drill as drill_widget
from cxdata.app import explain, frame
from cxdata.i18n import N_, _
from cxdata.overview import comparison_gaps, filters_line, freshness_line, period_line
from cxdata.store import StoreError

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()
# Per grain, so each language agrees its words with the period's noun.
READ_BY = {"week": N_("{kpi} is read week by week: the chart shades the selected period, {span}."),
           "month": N_("{kpi} is read month by month: the chart shades the selected period, {span}."),
           "quarter": N_("{kpi} is read quarter by quarter: the chart shades the selected period, {span}.")}
LAST_PERIODS = {"week": N_("Last {n} weeks"), "month": N_("Last {n} months"), "quarter": N_("Last {n} quarters")}
PER_GRAIN = {"week": N_("{kpi} per week, 95% band; one shared scale"),
             "month": N_("{kpi} per month, 95% band; one shared scale"),
             "quarter": N_("{kpi} per quarter, 95% band; one shared scale")}

st.title(_("KPI trends"))
st.caption(f"**{period_line(view)}** · {fmt.md(filters_line(view.filters))} · {freshness_line(facts)}")
frame.show_notices(view)

pick, grain_col, by_col = st.columns([3, 3, 2], vertical_alignment="bottom")
with pick:
    kpi = frame.page_choice("metric", _("Metric"), {k: _(v) for k, v in trends.METRICS.items()}, trends.DEFAULT_METRIC)
with grain_col:
    grain = frame.page_choice("grain", _("Grain"), {k: _(v) for k, v in trends.GRAINS.items()}, trends.DEFAULT_GRAIN,
                              widget=st.radio, horizontal=True)
with by_col:
    by = frame.page_choice("by", _("Break down by"), {k: _(v) for k, v in trends.BREAKDOWNS.items()},
                           trends.DEFAULT_BREAKDOWN)
versus = trends.versus_for(view.compare)  # the sidebar's comparison, as near as whole periods allow

data = trends.load(reader, view.filters, kpi, grain, by, versus, minimum, facts["oldest_on"],
                   facts["last_complete_on"], compare=view.compare, withhold_counts=bool(comparison_gaps(view, facts)))
kpi_def = metrics.KPIS[kpi]
kpi_label = _(kpi_def.label)
by_label = _(trends.BREAKDOWNS[by]).lower()
if data.missing:
    st.info(_("{kpi}: {not_in_data}: {reason}.").format(kpi=kpi_label, not_in_data=_(metrics.NOT_IN_DATA),
                                                       reason=data.missing), icon=":material/block:")
    st.stop()
if (data.series["value"].notna() | data.series["is_unanswered"]).sum() == 0:
    st.info(_("No {kpi} data matches these filters. Widen the period or clear a filter in the sidebar.").format(
        kpi=kpi_label), icon=":material/search_off:")
    st.stop()

try:  # the initiatives aimed at this KPI, marked where they start and where their checkpoints fall
    markers = trends.initiative_markers(initiatives.plans(reader, facts["newest_on"]), data)
except StoreError as exc:
    markers = None
    st.caption(":material/error: " + _("Initiatives can't be marked on the chart: {problem}.").format(problem=exc))
st.plotly_chart(trends.figure(data, minimum, markers), width="stretch", theme=None, key="trend")
periods = [p for p, n in zip(data.series["period_start"], data.series["n"]) if n > 0][::-1]
drill_col, rows_col, _rest = st.columns([2, 1, 3], vertical_alignment="bottom")
if drill.can_drill(kpi) and periods:  # the rows behind one point of the line
    period = drill_col.selectbox(_("Rows behind"), periods, key="trend_rows_period",
                                 format_func=lambda p: trends.period_name(p, grain))
    with rows_col:
        drill_widget.rows_button(reader, trends.period_filters(view.filters, period, grain), kpi, key="rows_trend",
                                 scope=trends.period_name(period, grain), label=_("See the rows"))
drill_widget.downloads(trends.export_table(data), f"{kpi.replace('_', '-')}-by-{grain}", key="trend_download",
                       sheet=kpi_label, what={"table": f"{kpi_def.label} by {grain}",  # untranslated: the audit log's record, in English
                                                  "filters": filters_what(view.filters), "compare": view.compare})

changes = st.columns(4)
with changes[0]:  # the selected period, as the overview's tile says it
    chosen = data.selected
    if chosen is None:
        st.caption(_(READ_BY[grain]).format(kpi=kpi_label, span=trends.span(data.period)))
    else:
        st.metric(_("Selected period, {span}").format(span=trends.span(data.period)), chosen.text, chosen.change,
                  delta_color=chosen.change_color, delta_arrow="off" if chosen.change_color == "off" else "auto",
                  help=_("As on the executive overview: {kpi} over the sidebar's period, against the {versus}.").format(
                      kpi=kpi_label, versus=_(filters.COMPARISONS[view.compare])))
        drill_widget.rows_button(reader, view.filters, kpi, key="rows_selected", label=_("See the rows"))
for column, v in zip(changes[1:], trends.VERSUS):
    c = data.changes[v]
    column.metric(_("{period} against the {versus}").format(period=trends.period_name(c.period, grain),
                                                            versus=_(trends.VERSUS[v])),
                  fmt.unanswered(c.n) if c.is_unanswered else fmt.value(kpi, c.value),
                  None if c.change.delta is None else
                  fmt.change_judged(kpi, c.change.delta, c.value, c.change.is_significant or c.change.is_census),
                  delta_color="off" if c.is_better is None else "normal" if kpi_def.higher_is_better else "inverse",
                  delta_arrow="off" if c.is_better is None else "auto", help=trends.change_text(c, kpi, grain))
flagged = trends.anomaly_sentences(data.series, kpi, grain)
with changes[3]:
    st.markdown("**" + _("Breaks from recent history") + "**", help=_("A whole period far outside what the periods "
                                                                     "before it predict (How this is computed, below)."))
    st.markdown("\n".join(f"- {s}" for s in flagged) if flagged else _("No break in this window."))

if kpi == "clv":
    st.subheader(_("Lifetime value by segment"))
    period = data.changes["previous"].period
    st.caption(_("{period}: revenue per active customer, annualised, × gross margin {margin} ÷ the period's churn "
                 "compounded to a year. It assumes today's revenue and churn hold for a customer's whole life; a "
                 "segment with few churners gives a wide, unstable figure.").format(
        period=trends.period_name(period, grain), margin=fmt.percent(trends.gross_margin() * 100, 0)))
    clv = trends.clv_by_segment(reader, view.filters, grain, period)
    clv["annual_churn"] = clv["annual_churn"].map(fmt.percent)   # the locale's percent: 12,3 %
    st.dataframe(clv, hide_index=True,
                 placeholder=fmt.MISSING, column_config={
        "segment": _("Segment"), "customers": st.column_config.NumberColumn(_("Customers at start"), format="localized"),
        "revenue_per_year": st.column_config.NumberColumn(_("Revenue per customer a year"), format=fmt.money_column()),
        "annual_churn": st.column_config.TextColumn(_("Annual churn")),
        "clv": st.column_config.NumberColumn(_("Lifetime value"), format=fmt.money_column())})

if by != "none":
    st.subheader(_("{kpi} by {dimension}").format(kpi=kpi_label, dimension=by_label))
    if not trends.applies(kpi, by):
        st.info(_("{kpi} is a customer KPI: a customer has no single {dimension}. Break it down by segment, region "
                  "or plan.").format(kpi=kpi_label, dimension=by_label), icon=":material/info:")
    elif data.members.empty:
        st.info(_("No member of this dimension has data in the latest whole period."), icon=":material/search_off:")
    else:
        whole = data.changes[versus]
        exact = kpi in trends.WEIGHTED_MEANS + trends.SUMS
        periods = dict(period=trends.period_name(whole.period, grain), other=trends.period_name(whole.other, grain))
        st.caption(_("{period} against {other}; sorted by each member's part of the whole view's change ({change}); "
                     "the parts add up to it.").format(change=fmt.change(kpi, whole.change.delta, whole.value), **periods)
                   if exact else _("{period} against {other}; a median has no exact split into parts: sorted by the "
                                   "size of each change.").format(**periods))
        st.dataframe(trends.breakdown_table(data.members, kpi), hide_index=True, placeholder=fmt.MISSING,
                     column_config={
            _("Trend"): st.column_config.LineChartColumn(_(LAST_PERIODS[grain]).format(n=fmt.count(trends.SPARK_PERIODS)),
                                                         width="medium"),
            _("Part of the change"): st.column_config.TextColumn(help=_("How much of the whole view's change this "
                                                                     "member explains (How this is computed, below)"))})
        top = trends.top_movers(data.members)
        st.plotly_chart(charts.small_multiples(
            trends.multiples(data), kpi, top, _("The members that moved the view most") if len(top) > 1 else top[0] if top else "",
            _(PER_GRAIN[grain]).format(kpi=kpi_label), grain=grain, min_n=minimum),
            width="stretch", theme=None, key="multiples")

if kpi == "nps":
    st.subheader(_("What drives NPS"))
    found = drivers.nps_drivers(reader, view.filters, minimum)
    st.markdown(fmt.md(drivers.drivers_sentence(found)))
    dimension = st.radio(_("Drivers by"), drivers.DIMENSIONS, horizontal=True, key="drivers_by",
                         format_func=lambda d: _(drivers.DIMENSION_LABELS[d]))
    st.plotly_chart(charts.nps_drivers(found, dimension, drivers.drivers_headline(found[found["dimension"] == dimension]),
                                       _("NPS gap between customers with a good and a bad experience there, against "
                                         "CSAT there, {period}").format(
                                           period=fmt.date_range(view.filters.start, view.filters.end))),
                    width="stretch", theme=None, key="drivers")
    st.caption(_("An association, not a cause: customers who had a bad experience somewhere may differ in other "
                 "ways (How this is computed, below)."))

st.caption(_("{kpi}: {definition}. Every filter applies").format(kpi=kpi_label, definition=_(kpi_def.definition))
           if kpi not in trends.CUSTOMER_METRICS else
           _("{kpi}: {definition}. Only the customer filters (segment, region, plan) apply.").format(
               kpi=kpi_label, definition=_(kpi_def.definition)))

explain.how_computed(  # untranslated: glossary terms are keys; the glossary translates its entries
                     glossary.kpi_term(kpi_def.label), "Margin of error", "Significant change", "Break from recent history", "Part of the change",
                     "Incomplete period", *(["Drivers of NPS"] if kpi == "nps" else []),
                     *(["Customer lifetime value"] if kpi == "clv" else []))
