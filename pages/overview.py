"""Executive overview: every headline KPI on one screen, and what needs attention."""
import re
from html import escape

import streamlit as st

from cxdata import charts, metrics, overview, trends, verdict, voice
from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.app import drill as drill_widget
from cxdata.access.scoped import sees_customer_rows
from cxdata.app import explain, frame
from cxdata.churn import alerts as churn_alerts
from cxdata.followup import measures as followup_measures
from cxdata.filters import DIMENSIONS
from cxdata.i18n import _, n_
from cxdata.store import Store, StoreError

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()
FIRST_SCREEN = 3   # attention items summed up above the tiles


def _inline(markdown: str) -> str:
    """An attention line's markdown (bold only, data values escaped by fmt.md) as HTML, for the
    one-line summary: every character escaped, bold marks made <b>, the Markdown escapes undone."""
    return fmt.unmarked(re.sub(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*", r"<b>\1</b>", escape(markdown)))


st.title(_("Executive overview"))
st.caption(f"**{overview.period_line(view)}** · {fmt.md(overview.filters_line(view.filters))} · "
           f"{overview.freshness_line(facts)}")
frame.show_notices(view)
gaps = overview.comparison_gaps(view, facts)
for gap in gaps:
    st.caption(f":material/warning: {gap}")

data = overview.load(reader, view.filters, view.compare, minimum)
if not overview.has_data(data.summary):
    st.info(_("No customers, interactions or survey responses match these filters in this period. "
              "Widen the period or clear a filter in the sidebar."), icon=":material/search_off:")
    st.stop()

items = overview.attention(data, view)
if items:  # the first three, one line each, above the tiles: what an executive reads first (all of them below)
    first = "".join(f"<li>{'▲' if item.is_better else '●'} {_inline(item.text)}</li>" for item in items[:FIRST_SCREEN])
    below = n_("all {n} below", "all {n} below", len(items)).format(n=fmt.count(len(items)))
    more = f"<br><a href='#what-needs-attention' target='_self'>{escape(below)}</a>" if len(items) > 1 else ""
    st.html(f"<div class='cx-first'><div><b>{escape(_('What needs attention'))}</b>{more}</div>"
            f"<ul>{first}</ul></div>")

BADGE = {verdict.MET: "green", verdict.CLOSE: "orange", verdict.MISSED: "red"}  # others grey
tiles = overview.tiles(data, view, minimum, withhold_counts=bool(gaps))
grid = st.container(gap=None, key="tiles")
for row_start in range(0, len(tiles), overview.TILES_PER_ROW):
    row = tiles[row_start:row_start + overview.TILES_PER_ROW]
    for column, tile in zip(grid.columns(overview.TILES_PER_ROW, gap="small"), row):
        with column.container(border=True, gap=None, key=f"tile_{tile.kpi}"):
            # The verdict rides in the label, so every tile keeps to four lines; its word, not an icon,
            # says it (colour alone never does), in as little width as a long label leaves.
            badge = f" :{BADGE.get(tile.status, 'gray')}-badge[{tile.badge}]" if tile.badge else ""
            st.metric(tile.label + badge, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help,
                      delta_arrow="off" if tile.delta_color == "off" else "auto")
            detail, rows, link = st.columns([6, 1, 1], gap=None, vertical_alignment="center")
            detail.caption(tile.detail or "&nbsp;")
            if not data.coverage.missing(tile.kpi, view.filters.start):  # the rows behind the number
                with rows:
                    drill_widget.rows_button(reader, view.filters, tile.kpi, key=f"rows_{tile.kpi}")
            if tile.kpi in trends.METRICS:  # an icon, so the tile keeps to its four lines
                link.page_link("pages/trends.py", label=":material/show_chart:",
                               help=_("{kpi} over time, by any dimension (KPI trends)").format(kpi=tile.label),
                               query_params=frame.page_link_params(view, metric=tile.kpi))
            if tile.trend["value"].notna().any():  # revenue retention is one yearly figure: no line
                st.plotly_chart(charts.sparkline(tile.trend, tile.kpi, minimum, height=28), width="stretch", theme=None,
                                config={"displayModeBar": False}, key=f"spark_{tile.kpi}")

st.subheader(_("What needs attention"), anchor="what-needs-attention")
season = overview.company_moves(data.summary, view)
if season:
    st.markdown(season)
if not items:
    said = overview.targets_clause(tiles)
    st.markdown(":material/check_circle: " + _("{targets}. No department misses a target beyond its margin of error, "
                                               "and no segment, department or journey stage moved differently from "
                                               "the whole view.").format(targets=said[0].upper() + said[1:]))


def show(item: overview.Attention, key: str) -> None:
    # the action column holds "Focus on Enterprise" and "Cuadro de mando": room for Spanish and Portuguese
    text, action, trend = st.columns([5.5, 1.5, 1], vertical_alignment="center")
    icon = (":blue[:material/trending_up:]" if item.is_better else ":orange[:material/error:]"
            if item.status == verdict.CLOSE else ":red[:material/error:]")
    text.markdown(f"{icon} {item.text}", help=item.help)
    if item.dimension:
        action.button(_("Focus on {member}").format(member=fmt.md(item.member)), key=key, on_click=frame.focus,
                      args=(item.dimension, item.member), type="tertiary")
    trend.page_link("pages/trends.py", label=_("Trend"), icon=":material/show_chart:",
                    help=_("{kpi} over time, by {dimension} (KPI trends)").format(
                        kpi=_(metrics.KPIS[item.kpi].label), dimension=_(DIMENSIONS[item.by].label).lower()),
                    query_params=frame.page_link_params(view, metric=item.kpi, by=item.by))
    if item.dimension == "department":  # the department's own scorecard against its targets
        action.page_link("pages/departments.py", label=_("Scorecard"), icon=":material/groups:",
                         query_params={**view.to_query_params(), "card": item.member})
    if item.dimension == "journey_stage":  # a stage's touchpoints, paths and comments: the journey map
        action.page_link("pages/journey.py", label=_("Journey map"), icon=":material/route:",
                         query_params={**view.to_query_params(), "stage": item.member})


for i, item in enumerate(items[:overview.ATTENTION_SHOWN]):
    show(item, f"focus_{i}")
if len(items) > overview.ATTENTION_SHOWN:
    with st.expander(_("and {n} more").format(n=fmt.count(len(items) - overview.ATTENTION_SHOWN))):
        for i, item in enumerate(items[overview.ATTENTION_SHOWN:], start=overview.ATTENTION_SHOWN):
            show(item, f"focus_{i}")

heard = voice.detractor_headline(reader, view.filters, view.compare, minimum)
if heard:  # what detractors write about most, in one of their own (masked) words, and a way to read more
    said, more = st.columns([5, 1], vertical_alignment="center")
    said.markdown(f":material/forum: {heard.text}" + (f" “{fmt.md(heard.verbatim)}”" if heard.verbatim else ""))
    more.page_link("pages/voice.py", label=_("Read comments"), icon=":material/arrow_forward:")

try:  # revenue at risk and open churn alerts, one line linking to the churn page
    at_risk_line = churn_alerts.overview_line(reader, view.filters, Store.beside(reader.path),
                                              churn_alerts.Rules.from_env(),
                                              with_alerts=sees_customer_rows(frame.current_user()))
except churn_alerts.AlertSettingError as exc:
    at_risk_line = _("Churn alerts unavailable: {reason}").format(reason=exc.plain)
except StoreError as exc:
    at_risk_line = _("Churn alerts unavailable: {reason}").format(reason=exc)
if at_risk_line:
    risk, more = st.columns([5, 1], vertical_alignment="center")
    risk.markdown(f":material/person_alert: {at_risk_line}")
    more.page_link("pages/churn.py", label=_("Churn alerts"), icon=":material/arrow_forward:",
                   query_params=frame.page_link_params(view))

followup_line = followup_measures.summary_line(reader, Store.beside(reader.path), view.filters, facts["newest_on"])
if followup_line:  # the follow-up of unhappy customers, one line linking to its page
    loop, more = st.columns([5, 1], vertical_alignment="center")
    loop.markdown(f":material/support_agent: {followup_line}")
    more.page_link("pages/followup.py", label=_("Follow-up"), icon=":material/arrow_forward:",
                   query_params=frame.page_link_params(view))

versus = _(overview.COMPARISONS[view.compare])
mix, channels = st.columns(2)
mix.plotly_chart(charts.nps_composition(data.summary, versus), width="stretch", theme=None, key="nps_mix")
channels.plotly_chart(charts.channel_mix(data.channels, versus), width="stretch", theme=None, key="channel_mix",
                      on_select=drill_widget.on_bar("channel_mix"), selection_mode="points")
drill_widget.bar_rows(reader, view.filters, "contacts", "channel", "channel_mix")  # a bar clicked: its contacts

st.caption(_("Download what this page shows: each number with its margin, n, change and status against target."))
drill_widget.downloads(overview.export_table(data, tiles), f"overview-{view.filters.start}-to-{view.filters.end}",
                       key="overview_download", sheet=_("Overview"),
                       what={"table": "Executive overview", "filters": filters_what(view.filters),  # untranslated: the audit log's record names the table in English
                             "compare": view.compare})

explain.how_computed(  # untranslated: glossary terms are keys; the glossary translates its entries
                     "NPS", "CSAT", "CES", "SLA compliance", "First response (live and written)", "Churn rate",
                     "Net revenue retention", "Gross revenue retention", "Status against target", "Margin of error",
                     "Too few answers", "Significant change", "Moved more than the whole view",
                     "Many comparisons at once", "The newest day")
