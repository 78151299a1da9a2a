"""Service levels: the promise made to customers, from the first answer to the solution."""
import streamlit as st

from cxdata import charts, metrics, service
from cxdata import formatting as fmt
from cxdata.app import drill as drill_widget
from cxdata.access.scoped import sees_rows
from cxdata.app import explain, frame
from cxdata.filters import PRESETS
from cxdata.overview import filters_line, freshness_line
from cxdata.trends import span

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)

st.title("Service levels")
st.caption(f"**{PRESETS[view.preset]}, {span((view.filters.start, view.filters.end))}** (the backlog: open now) · "
           f"{filters_line(view.filters)} · {freshness_line(facts)}")
frame.show_notices(view)
pending = service.pending_change(reader)
if pending:
    st.caption(f":material/schedule: {pending}")

lv = service.levels(reader, view.filters)
t = lv.total
if not t["n_contacts"]:
    st.info("No contacts match these filters in this period. Widen the period or clear a filter in the sidebar.",
            icon=":material/search_off:")
    st.stop()
imm, dfr = fmt.duration(lv.settings.immediate_seconds), fmt.duration(lv.settings.deferred_seconds)
st.markdown(f"**Immediate**: an immediate channel's front office answered within {imm}, without escalating. "
            f"**Deferred**: every other contact due an answer, promised a resolution within {dfr}. "
            "**SLA compliance** is the separate promise to *resolve* each contact within the time promised for "
            "it. An answer is due only from a contact that opens a conversation: a channel that answers, at a "
            "touchpoint that expects an answer (not self-service, not a delivery, purchase or automatic event); "
            "a contact never answered counts against first response.")


def pct(x, key: str = "") -> str:
    if key in lv.missing:
        return metrics.NOT_IN_DATA.capitalize()
    return "—" if x is None or x != x else f"{x:.1f}%"


def beneath(key: str, text: str) -> str:
    """A tile's caption, or which column its level would need (metrics.Coverage)."""
    return lv.missing.get(key, text)


tiles = st.columns(5)
tiles[0].metric("Answered immediately", pct(t["immediate_share"]), help=f"n = {fmt.count(t['n_due'])} contacts due an answer")
tiles[0].caption(f"of {fmt.count(t['n_due'])} due an answer" + (f" ± {t['immediate_moe']:.1f} pts"
                                                                  if fmt.is_number(t["immediate_moe"]) else ""))
tiles[1].metric(f"Deferred resolved within {fmt.duration_short(lv.settings.deferred_seconds)}",
                pct(t["deferred_on_time"], "deferred_on_time"))
tiles[1].caption(beneath("deferred_on_time", f"of {fmt.count(t['n_deferred_judged'])} deferred judged"))
tiles[2].metric("SLA compliance", pct(t["sla_compliance"], "sla_compliance"))
tiles[2].caption(beneath("sla_compliance", f"of {fmt.count(t['n_sla_judged'])} whose SLA has expired"))
tiles[3].metric("First-contact resolution", pct(t["first_contact_resolution"], "first_contact_resolution"))
tiles[3].caption(beneath("first_contact_resolution", f"of {fmt.count(t['n_resolved'])} resolved"))
for column, key in ((tiles[2], "sla_compliance"), (tiles[3], "first_contact_resolution")):
    if key not in lv.missing:  # the contacts each level judges
        with column:
            drill_widget.rows_button(reader, view.filters, key, key=f"rows_{key}", label="See the contacts")
tiles[4].metric("Never answered", pct(t["unanswered_rate"], "unanswered_rate"))
tiles[4].caption(beneath("unanswered_rate", f"{fmt.count(t['n_unanswered'])} contacts"))

st.subheader("Where the promise is kept")
by = frame.page_choice("by", "Break down by", service.BREAKDOWNS, "department", widget=st.radio, horizontal=True)
rows = lv.by[by]
label = service.BREAKDOWNS[by].lower()
left, right = st.columns(2)
sla_rows = rows[rows["n_sla_judged"] > 0].rename(columns={"sla_compliance": "value", "n_sla_judged": "n"})
left.plotly_chart(charts.ranked_bars(sla_rows, "sla_compliance", service.headline(lv) if by == "department"
                                     else f"SLA compliance by {label}",
                                     f"% resolved within their SLA, {view.filters.start:%d %b} – {view.filters.end:%d %b %Y}",
                                     dimension=service.BREAKDOWNS[by]),
                  width="stretch", theme=None, key="sla_by")
right.plotly_chart(charts.immediate_split(rows, f"Answered immediately or deferred, by {label}",
                                          f"% of the contacts due an answer; immediate = answered within {imm} at the front office"),
                   width="stretch", theme=None, key="split_by")
st.dataframe(rows[["member", "n_contacts", "n_due", "immediate_share", "deferred_on_time", "sla_compliance",
                   "first_contact_resolution", "unanswered_rate", "escalation_rate"]].rename(columns={
    "member": service.BREAKDOWNS[by], "n_contacts": "Contacts", "n_due": "Due an answer",
    "immediate_share": "Immediate %", "deferred_on_time": f"Deferred within {fmt.duration_short(lv.settings.deferred_seconds)} %",
    "sla_compliance": "SLA %", "first_contact_resolution": "FCR %", "unanswered_rate": "Never answered %",
    "escalation_rate": "Escalated %"}), hide_index=True, placeholder=fmt.MISSING, width="stretch",
    column_config={"Contacts": st.column_config.NumberColumn(format="%,d"),
                   "Due an answer": st.column_config.NumberColumn(format="%,d")}
    | {c: st.column_config.NumberColumn(format="%.1f") for c in (
        "Immediate %", f"Deferred within {fmt.duration_short(lv.settings.deferred_seconds)} %", "SLA %", "FCR %",
        "Never answered %", "Escalated %")})

st.subheader("How long resolutions take")
hist = service.resolution_histogram(reader, view.filters)
within = service.share_within(hist[hist["response_mode"] == "deferred"], lv.settings.deferred_seconds)
title = ("Resolution times" if within is None else
         f"{within:.0f}% of contacts on deferred channels are resolved within {fmt.duration(lv.settings.deferred_seconds)}")
st.plotly_chart(charts.resolution_histogram(hist, lv.settings.deferred_seconds, title,
                                            f"Resolved agent-handled contacts by time to resolution, n = {fmt.count(hist['n'].sum())}"),
                width="stretch", theme=None, key="resolution")

st.subheader("Backlog about to breach, open now")
hours = frame.page_choice("hours", "SLA expires within", {str(h): f"{h} hours" for h in service.BACKLOG_HOURS}, "24",
                          widget=st.radio, horizontal=True)
backlog = service.backlog(reader, view.filters, int(hours), rows=sees_rows(frame.current_user()))
st.markdown(f"**{fmt.count(backlog.n_due_soon)}** open contacts breach their SLA within {hours} hours "
            f"(**{fmt.count(backlog.n_due_4h)}** within 4 hours); **{fmt.count(backlog.n_overdue)}** are already overdue. "
            "Open now, as of the data's latest event: the selected period does not apply, the other filters do.")
if not backlog.rows.empty:
    st.dataframe(backlog.rows[["interaction_id", "department", "channel", "kind", "office", "started_at", "due_at",
                               "hours_left", "age_hours", "is_answered", "escalated"]].rename(columns={
        "interaction_id": "Contact", "department": "Owner department", "channel": "Channel", "kind": "Kind",
        "office": "Office", "started_at": "Opened", "due_at": "SLA expires", "hours_left": "Hours left",
        "age_hours": "Age (h)", "is_answered": "Answered", "escalated": "Escalated"}),
        hide_index=True, placeholder=fmt.MISSING, width="stretch",
        column_config={"Hours left": st.column_config.NumberColumn(format="%,.1f"),
                       "Age (h)": st.column_config.NumberColumn(format="%,.0f")})
    if backlog.n_due_soon > len(backlog.rows):
        st.caption(f"The {len(backlog.rows)} oldest of {fmt.count(backlog.n_due_soon)} shown.")

explain.how_computed("Answered immediately", "Deferred resolved on time", "SLA compliance", "First-contact resolution",
                     "Never answered", "Escalation rate", "Resolution time", "Margin of error",
                     note=f"In force here: immediate means answered within {imm} at the front office; the deferred "
                          f"promise is a resolution within {dfr}. The administrator sets both time limits.")
