"""Service levels: the promise made to customers, from the first answer to the solution."""
import streamlit as st

from cxdata import charts, metrics, service
from cxdata import formatting as fmt
from cxdata.app import drill as drill_widget
from cxdata.access.scoped import sees_rows
from cxdata.app import explain, frame
from cxdata.filters import PRESETS
from cxdata.i18n import N_, _, n_
from cxdata.overview import filters_line, freshness_line
from cxdata.trends import span

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)

st.title(_("Service levels"))
st.caption(_("**{preset}, {period}** (the backlog: open now) · {filters} · {freshness}").format(
    preset=_(PRESETS[view.preset]), period=span((view.filters.start, view.filters.end)),
    filters=fmt.md(filters_line(view.filters)), freshness=freshness_line(facts)))
frame.show_notices(view)
pending = service.pending_change(reader)
if pending:
    st.caption(f":material/schedule: {pending}")

lv = service.levels(reader, view.filters)
t = lv.total
if not t["n_contacts"]:
    st.info(_("No contacts match these filters in this period. Widen the period or clear a filter in the sidebar."),
            icon=":material/search_off:")
    st.stop()
imm, dfr = fmt.duration(lv.settings.immediate_seconds), fmt.duration(lv.settings.deferred_seconds)
st.markdown(_("**Immediate**: an immediate channel's front office answered within {immediate}, without escalating. "
              "**Deferred**: every other contact due an answer, promised a resolution within {deferred}. "
              "**SLA compliance** is the separate promise to *resolve* each contact within the time promised for "
              "it. An answer is due only from a contact that opens a conversation: a channel that answers, at a "
              "touchpoint that expects an answer (not self-service, not a delivery, purchase or automatic event); "
              "a contact never answered counts against first response.").format(immediate=imm, deferred=dfr))


def pct(x, key: str = "") -> str:
    if key in lv.missing:
        return _(metrics.NOT_IN_DATA).capitalize()
    return fmt.percent(x)


def beneath(key: str, text: str) -> str:
    """A tile's caption, or which column its level would need (metrics.Coverage)."""
    return lv.missing.get(key, text)


tiles = st.columns(5)
due = fmt.count(t["n_due"])
tiles[0].metric(_("Answered immediately"), pct(t["immediate_share"]),
                help=_("n = {n} contacts due an answer").format(n=due))
tiles[0].caption(_("of {n} due an answer ± {margin}").format(n=due, margin=fmt.margin("sla_compliance", t["immediate_moe"]).lstrip("±"))
                 if fmt.is_number(t["immediate_moe"]) else _("of {n} due an answer").format(n=due))
deferred_short = fmt.duration_short(lv.settings.deferred_seconds)
tiles[1].metric(_("Deferred resolved within {time}").format(time=deferred_short),
                pct(t["deferred_on_time"], "deferred_on_time"))
tiles[1].caption(beneath("deferred_on_time", _("of {n} deferred judged").format(n=fmt.count(t["n_deferred_judged"]))))
tiles[2].metric(_("SLA compliance"), pct(t["sla_compliance"], "sla_compliance"))
tiles[2].caption(beneath("sla_compliance", _("of {n} whose SLA has expired").format(n=fmt.count(t["n_sla_judged"]))))
tiles[3].metric(_("First-contact resolution"), pct(t["first_contact_resolution"], "first_contact_resolution"))
tiles[3].caption(beneath("first_contact_resolution", _("of {n} resolved").format(n=fmt.count(t["n_resolved"]))))
for column, key in ((tiles[2], "sla_compliance"), (tiles[3], "first_contact_resolution")):
    if key not in lv.missing:  # the contacts each level judges
        with column:
            drill_widget.rows_button(reader, view.filters, key, key=f"rows_{key}", label=_("See the contacts"))
tiles[4].metric(_("Never answered"), pct(t["unanswered_rate"], "unanswered_rate"))
tiles[4].caption(beneath("unanswered_rate", _("{n} contacts").format(n=fmt.count(t["n_unanswered"]))))

st.subheader(_("Where the promise is kept"))
by = frame.page_choice("by", _("Break down by"), {k: _(v) for k, v in service.BREAKDOWNS.items()}, "department",
                       widget=st.radio, horizontal=True)
rows = lv.by[by]
dimension = _(service.BREAKDOWNS[by])
label = dimension.lower()
left, right = st.columns(2)
sla_rows = rows[rows["n_sla_judged"] > 0].rename(columns={"sla_compliance": "value", "n_sla_judged": "n"})
left.plotly_chart(charts.ranked_bars(sla_rows, "sla_compliance", service.headline(lv) if by == "department"
                                     else _("SLA compliance by {dimension}").format(dimension=label),
                                     _("% resolved within their SLA, {period}").format(
                                         period=span((view.filters.start, view.filters.end))),
                                     dimension=dimension),
                  width="stretch", theme=None, key="sla_by")
right.plotly_chart(charts.immediate_split(rows, _("Answered immediately or deferred, by {dimension}").format(dimension=label),
                                          _("% of the contacts due an answer; immediate = answered within {immediate} at "
                                            "the front office").format(immediate=imm)),
                   width="stretch", theme=None, key="split_by")
# The table's percentages as the locale writes them (82,6 in es and pt-BR): text, since a column's
# number format cannot take the locale's separators.
SHARES = {"immediate_share": N_("Immediate %"), "deferred_on_time": N_("Deferred within {time} %"),
          "sla_compliance": N_("SLA %"), "first_contact_resolution": N_("FCR %"),
          "unanswered_rate": N_("Never answered %"), "escalation_rate": N_("Escalated %")}
table = rows[["member", "n_contacts", "n_due", *SHARES]].copy()
for column in SHARES:
    table[column] = table[column].map(lambda x: fmt.number(x, 1) or None)
for column in ("n_contacts", "n_due"):
    table[column] = table[column].map(lambda x: fmt.count(x) or None)
st.dataframe(table.rename(columns={"member": dimension, "n_contacts": _("Contacts"), "n_due": _("Due an answer"),
                                   **{c: _(t).format(time=deferred_short) for c, t in SHARES.items()}}),
             hide_index=True, placeholder=fmt.MISSING, width="stretch")

st.subheader(_("How long resolutions take"))
hist = service.resolution_histogram(reader, view.filters)
within = service.share_within(hist[hist["response_mode"] == "deferred"], lv.settings.deferred_seconds)
title = (_("Resolution times") if within is None else
         _("{share} of contacts on deferred channels are resolved within {time}").format(
             share=fmt.percent(within, 0), time=fmt.duration(lv.settings.deferred_seconds)))
st.plotly_chart(charts.resolution_histogram(hist, lv.settings.deferred_seconds, title,
                                            _("Resolved agent-handled contacts by time to resolution, n = {n}").format(
                                                n=fmt.count(hist["n"].sum()))),
                width="stretch", theme=None, key="resolution")

st.subheader(_("Backlog about to breach, open now"))
hours = frame.page_choice("hours", _("SLA expires within"),
                          {str(h): n_("{n} hour", "{n} hours", h).format(n=fmt.count(h)) for h in service.BACKLOG_HOURS},
                          "24", widget=st.radio, horizontal=True)
backlog = service.backlog(reader, view.filters, int(hours), rows=sees_rows(frame.current_user()))
st.markdown(_("**{n}** open contacts breach their SLA within {hours} hours (**{n_4h}** within 4 hours); **{overdue}** "
              "are already overdue. Open now, as of the data's latest event: the selected period does not apply, the "
              "other filters do.").format(n=fmt.count(backlog.n_due_soon), hours=fmt.count(int(hours)),
                                          n_4h=fmt.count(backlog.n_due_4h), overdue=fmt.count(backlog.n_overdue)))
if not backlog.rows.empty:
    listed = backlog.rows[["interaction_id", "department", "channel", "kind", "office", "started_at", "due_at",
                           "hours_left", "age_hours", "is_answered", "escalated"]].copy()
    listed["hours_left"] = listed["hours_left"].map(lambda x: fmt.number(x, 1) or None)   # the locale's decimal mark
    listed["age_hours"] = listed["age_hours"].map(lambda x: fmt.number(x, 0) or None)
    st.dataframe(listed.rename(columns={
        "interaction_id": _("Contact"), "department": _("Owner department"), "channel": _("Channel"), "kind": _("Kind"),
        "office": _("Office"), "started_at": _("Opened"), "due_at": _("SLA expires"), "hours_left": _("Hours left"),
        "age_hours": _("Age (h)"), "is_answered": _("Answered"), "escalated": _("Escalated")}),
        hide_index=True, placeholder=fmt.MISSING, width="stretch")
    if backlog.n_due_soon > len(backlog.rows):
        st.caption(_("The {n} oldest of {total} shown.").format(n=fmt.count(len(backlog.rows)),
                                                                total=fmt.count(backlog.n_due_soon)))

explain.how_computed(  # untranslated: glossary terms are keys; the glossary translates its entries
                     "Answered immediately", "Deferred resolved on time", "SLA compliance", "First-contact resolution",
                     "Never answered", "Escalation rate", "Resolution time", "Margin of error",
                     note=_("In force here: immediate means answered within {immediate} at the front office; the "
                            "deferred promise is a resolution within {deferred}. The administrator sets both time "
                            "limits.").format(immediate=imm, deferred=dfr))
