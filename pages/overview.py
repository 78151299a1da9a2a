"""Executive overview: the CCO's one-screen summary of every KPI and what needs attention."""
import streamlit as st

from cxdata import overview
from cxdata.app import frame
from cxdata.filters import COMPARISONS

view = frame.current_view()
reader = frame.open_reader()
minimum = frame.min_responses()

st.title("Executive overview")
compared = view.filters.comparison(view.compare)
st.caption(f"{view.filters.start:%d %b %Y} – {view.filters.end:%d %b %Y} ({view.filters.days} days), "
           f"compared with {COMPARISONS[view.compare]} ({compared.start:%d %b %Y} – {compared.end:%d %b %Y}). "
           "Changes the samples cannot support are marked “no significant change” (95% level).")
frame.show_notices(view)

data = overview.load(reader, view.filters, view.compare, minimum)
if not overview.has_data(data.summary):
    st.info("No customers, interactions or survey responses match these filters in this period. "
            "Widen the period or clear a filter in the sidebar.", icon="🔎")
    st.stop()

tiles = overview.tiles(data.summary, data.trends, data.targets, view, minimum)
for row_start in range(0, len(tiles), 3):
    for column, tile in zip(st.columns(3), tiles[row_start:row_start + 3]):
        with column.container(border=True):
            st.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help,
                      chart_data=tile.trend or None, chart_type="line",
                      delta_arrow="off" if tile.delta_color == "off" else "auto")
            st.caption(tile.detail)

st.subheader("What needs attention")
st.caption("Segments, departments and journey stages whose NPS, CSAT, CES or SLA compliance changed "
           f"significantly (at least {minimum} responses in both periods; many groups are tested at once, "
           "so the Benjamini–Hochberg procedure keeps false alarms under 5% of this list).")
items = overview.attention(data.movers, view)
if not items:
    st.success("No segment, department or journey stage moved significantly against "
               f"{COMPARISONS[view.compare]}.", icon="✅")
for item in items:
    text, link = st.columns([5, 1], vertical_alignment="center")
    text.markdown((":green[:material/trending_up:] " if item.is_better else ":red[:material/trending_down:] ")
                  + item.text)
    if item.dimension in ("segment", "department"):
        link.page_link("pages/overview.py", label=f"Focus on {item.member}",
                       query_params=frame.link_params(view, **{item.dimension: item.member}))
