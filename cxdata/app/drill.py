"""The shared drill-down widget: a button that opens the rows behind a number in a dialog, with their
count and CSV and Excel downloads, and the download buttons any page uses for what it shows. Every
download is recorded in the audit log when it is clicked."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cxdata import charts, drill, exports
from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.access.scoped import sees_customer_rows
from cxdata.app import audited, frame, links
from cxdata.filters import Filters
from cxdata.i18n import N_, _
from cxdata.metrics import KPIS

_OPEN = "cx_drill_open"   # the key of the button (or chart) whose rows to show on this run
_MEMBER = "cx_drill_member"  # the member a clicked bar stands for


def rows_button(reader, filters: Filters, kpi: str, key: str, scope: str = "", label: str = "",
                icon: str = ":material/table_rows:") -> None:
    """A small button opening the rows behind `kpi` under `filters`; nothing for a KPI without rows.
    `scope` says what the number is of ("Billing, Q1 2026"), `label` is the button's text."""
    if not drill.can_drill(kpi, frame.current_user()):
        return
    name = _(KPIS[kpi].label)
    # The click is remembered in session state by the callback, not read from the button's return value:
    # under st.navigation the trigger is gone by the time the page's script reaches the button.
    st.button(label, key=key, icon=icon, type="tertiary", on_click=_open, args=(key,),
              help=_(drill.ROWS_OF[kpi].help).format(kpi=name))
    if st.session_state.get(_OPEN) == key:
        del st.session_state[_OPEN]
        _dialog(reader, filters, kpi, scope)


def bar_rows(reader, filters: Filters, kpi: str, dimension: str, chart_key: str) -> None:
    """Open the rows behind the bar just clicked on the chart drawn with key `chart_key` and
    `on_select=on_bar(chart_key)`: `kpi`'s rows for the member of `dimension` that bar names."""
    if st.session_state.get(_OPEN) == chart_key and st.session_state.get(_MEMBER):
        member = st.session_state.pop(_MEMBER)
        del st.session_state[_OPEN]
        if not drill.can_drill(kpi, frame.current_user()):
            st.toast(_("The rows behind this number are shown to roles that see single rows."), icon=":material/lock:")
            return
        _dialog(reader, filters.replace(**{dimension: [member]}), kpi, member.replace("_", " "))


def on_bar(chart_key: str):
    """The chart's on_select callback: remember which bar was clicked (a horizontal bar names its
    member on y, a vertical one on x), for bar_rows to open on this run."""
    def clicked() -> None:
        member = bar_member(st.session_state[chart_key]["selection"])
        if member:
            st.session_state[_OPEN], st.session_state[_MEMBER] = chart_key, member
    return clicked


def bar_member(selection) -> str | None:
    """The member a clicked bar stands for: its category (y on a horizontal bar, else x), or None;
    as the data names it (the chart holds it as literal text, see charts.literal)."""
    points = (selection or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    member = point.get("y") if isinstance(point.get("y"), str) else point.get("x")
    return charts.plain(member) if isinstance(member, str) else None


def _open(key: str) -> None:
    st.session_state[_OPEN] = key


def _dialog(reader, filters: Filters, kpi: str, scope: str) -> None:
    """The dialog, titled in the language of this run (st.dialog takes its title when decorating)."""
    st.dialog(_("The rows behind the number"), width="large")(_rows)(reader, filters, kpi, scope)


def _rows(reader, filters: Filters, kpi: str, scope: str) -> None:
    """A dialog is a fragment: a download's click reruns it alone, so it stays open."""
    found = drill.rows(reader, filters, kpi)
    period = f"{_day(filters.start)} – {_day(filters.end)}"
    head = " · ".join([f"**{_(KPIS[kpi].label)}**", *([fmt.md(scope)] if scope else []), period])
    st.markdown(f"{head}: {found.count_line()}")   # untranslated: the parts are translated, joined as a heading
    st.caption(" ".join([_(_WHAT[kpi]) if kpi in _WHAT else "",
                         _("Comments are masked; customers appear by their id only.")]).strip())
    if found.n == 0:
        st.info(_("No rows behind this number under these filters."), icon=":material/search_off:")
        return
    table = drill.shown(found.rows)
    linked = {}
    customer = _(drill.HEADINGS["customer_id"])
    if customer in table and sees_customer_rows(frame.current_user()):   # each id opens the Customer page
        table[customer] = links.customer_urls(table[customer])
        linked = {customer: links.customer_column(customer)}
    st.dataframe(table, hide_index=True, width="stretch", height=min(420, 35 * (len(table) + 1) + 3),
                 column_config=linked)
    if frame.current_user().may("export_rows"):  # no button for a role without row exports: nothing to record
        downloads(found.rows, drill.file_stem(kpi, filters), key=f"drill_{kpi}", sheet=_(KPIS[kpi].label),
                  what={"rows_of": KPIS[kpi].label, "scope": scope or None, "filters": filters_what(filters)},
                  action="export")


def downloads(table: pd.DataFrame, stem: str, key: str, sheet: str = "", what: dict | None = None,
              action: str = "download") -> None:
    """CSV and Excel buttons side by side; each file is built only when its button is pressed, and
    recorded in the audit log as `action` with `what` it holds when it is. `sheet` names the Excel
    sheet (default: "Rows", in the language of this run)."""
    row = st.container(horizontal=True)
    sheet = sheet or _("Rows")
    for label, suffix, build, mime in (
            ("CSV", "csv", lambda: exports.csv_bytes(table), "text/csv"),
            ("Excel", "xlsx", lambda: exports.xlsx_bytes(table, sheet),  # untranslated: a product's name
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        audited.download_button(row, label, build, file_name=f"{stem}.{suffix}", mime=mime, key=f"{key}_{suffix}",
                                icon=":material/download:", action=action,
                                what={"file": f"{stem}.{suffix}", "format": suffix, "rows": len(table), **(what or {})})


def _day(day) -> str:
    """A day as the locale writes it, without a leading zero: 6 Dec 2025, 6 dic 2025, 6 de dez. de 2025."""
    return fmt.date(day).lstrip("0")


# What the rows are and how they make the number, in English (shown as _(text)).
_WHAT = {
    "nps": N_("Every NPS answer in the period: promoters (9–10) minus detractors (0–6), as a share of them all."),
    "csat": N_("Every CSAT answer in the period: the share scoring 4 or 5."),
    "ces": N_("Every effort (CES) answer in the period: their mean on 1–7."),
    "contacts": N_("Every contact opened in the period."),
    "complaint_rate": N_("Every contact opened in the period: the share that are complaints."),
    "sla_compliance": N_("The contacts opened in the period whose promised time has passed: the share resolved on time."),
    "first_contact_resolution": N_("The resolved contacts an agent handled: the share resolved at first contact."),
    "escalation_rate": N_("The contacts due an answer: the share escalated."),
    "first_response_live": N_("The contacts on live channels an answer was due on: the median time to the first "
                              "response (never answered counts as slowest)."),
    "first_response_written": N_("The contacts on written channels an answer was due on: the median time to the "
                                 "first response (never answered counts as slowest)."),
    "churn_rate": N_("The customers active at the period's start, those lost in it first: lost ÷ active at start."),
    "retention_rate": N_("The customers active at the period's start, those lost in it first: kept ÷ active at start."),
    "active_customers": N_("The customers active at the period's end."),
    "annual_value_lost": N_("The customers lost in the period, with their annual value."),
    "revenue": N_("Every transaction in the period, refunds negative: their sum."),
}
