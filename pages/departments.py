"""Department scorecards: every department on the same customer metrics against its targets, the
alignment matrix and index, and the targets in force (editable when the setting allows)."""
import datetime as dt
import math

import streamlit as st

from cxdata import charts, db, departments, drill, trends, verdict
from cxdata import formatting as fmt
from cxdata import metrics
from cxdata.app import drill as drill_widget
from cxdata.access.scoped import Refused
from cxdata.app import audited, explain, frame
from cxdata.filters import is_complete
from cxdata.followup import measures as followup_measures
from cxdata.i18n import _
from cxdata.overview import filters_line, freshness_line
from cxdata.store import Store, StoreError

view = frame.current_view()
user = frame.current_user()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()
store = Store.beside(db.db_path())

st.title(_("Department scorecards"))
st.caption(_("{filters} · quarters up to {end} · {freshness}").format(
    filters=fmt.md(filters_line(view.filters)), end=fmt.date(view.filters.end), freshness=freshness_line(facts)))
frame.show_notices(view)

# The company over the sidebar's period, as the overview says it; the departments below are judged by quarter.
company = departments.company_row(reader, view.filters, minimum)
whole = _("Company") if user.scope["department"] is None else ", ".join(user.scope["department"])  # their scope
st.markdown(_("**{whole}**, {period}: {figures}").format(
    whole=whole, period=trends.span((view.filters.start, view.filters.end)),
    figures=" · ".join(f"{label} **{value}**" for label, value in company.items())),
    help=_("The selected period, as on the executive overview. Departments are judged by quarter, against the "
           "quarter's targets."))


def quarter_name(q, running: bool = False) -> str:
    name = trends.period_name(q, "quarter")
    return _("{quarter} (to {day})").format(quarter=name, day=fmt.day_month(view.filters.end)) if running else name


try:
    first_pass = departments.scorecards(reader, view.filters, minimum, store=store, newest_on=facts["newest_on"],
                                        last_complete_on=facts["last_complete_on"])
except StoreError as exc:
    st.error(_("The edited targets can't be read: {reason}").format(reason=exc), icon=":material/error:")
    st.stop()
if first_pass.cards.empty:
    st.info(_("No department has interactions or survey answers under these filters. Widen the period or clear a "
              "filter in the sidebar."), icon=":material/search_off:")
    st.stop()

stop_day = view.filters.end
options = {q.isoformat(): quarter_name(q, not is_complete(q, trends._next(q, "quarter"), stop_day + dt.timedelta(days=1),
                                                          facts["last_complete_on"] or stop_day))
           for q in reversed(first_pass.quarters)}
pick, _rest = st.columns([2, 5])
with pick:
    # the quarter holding the period's end, until one is picked; a new period brings it back
    chosen = frame.page_choice("quarter", _("Quarter"), options, next(iter(options)), follows=view.filters.end)
quarter = dt.date.fromisoformat(chosen)
cards = first_pass if quarter == first_pass.quarter else departments.scorecards(
    reader, view.filters, minimum, quarter=quarter, store=store, newest_on=facts["newest_on"],
    last_complete_on=facts["last_complete_on"])
still_running = cards.is_running and quarter == first_pass.quarter

# ---- Alignment ---------------------------------------------------------------------------------------
st.subheader(_("Who is aligned with the customer"))
matrix = departments.alignment(cards)
st.plotly_chart(charts.alignment_matrix(
    matrix, list(departments.METRICS), departments.headline(matrix),
    (_("{quarter} · the quarter is still running · {close} · index: targeted metrics met, weighted by n") if still_running
     else _("{quarter} · {close} · index: targeted metrics met, weighted by n")).format(
        quarter=quarter_name(quarter), close=verdict.close_text())),
    width="stretch", theme=None,
    key="matrix")
cell_department, cell_metric, cell_rows, _rest = st.columns([2, 2, 1, 2], vertical_alignment="bottom")
drillable = [m for m in departments.METRICS if drill.can_drill(m)]
department_of_cell = cell_department.selectbox(_("Rows behind a cell: department"), matrix["department"].tolist(),
                                               key="cell_department")
metric_of_cell = cell_metric.selectbox(_("Metric"), drillable, key="cell_metric",
                                       format_func=lambda k: _(metrics.KPIS[k].label))
with cell_rows:
    drill_widget.rows_button(reader, drill.cell_filters(view.filters, department_of_cell, quarter), metric_of_cell,
                             key="rows_cell", scope=f"{department_of_cell}, {quarter_name(quarter)}",
                             label=_("See the rows"))
ranked = matrix.dropna(subset=["service_index"]).sort_values("service_index")
if len(ranked) > 1:
    last = ranked.iloc[0]
    st.markdown(":material/info: " + _("On the **service metrics** alone, **{department}** ranks last at {index} of "
                                       "100 in {quarter}.").format(department=fmt.md(last["department"]),
                                                                  index=fmt.number(last["service_index"], 0),
                                                                  quarter=quarter_name(quarter)))
shown = matrix["department"].tolist()
st.plotly_chart(charts.alignment_trend(
    cards.index, shown, _("Alignment index by quarter"),
    _("0–100, {first} – {last}; the last quarter may be running").format(first=quarter_name(cards.quarters[0]),
                                                                         last=quarter_name(cards.quarters[-1]))),
    width="stretch", theme=None, key="index_trend")

# ---- One department's scorecard -------------------------------------------------------------------------
st.subheader(_("Scorecard"))
names = {d: d for d in sorted(cards.cards["department"].unique())}
pick, _rest = st.columns([2, 5])
with pick:
    department = frame.page_choice("card", _("Department"), names, next(iter(names)))
table = departments.card_table(cards.cards, department)
row = matrix.set_index("department").loc[department]
if math.isnan(row["index"]):
    st.markdown(_("**{department}**, {quarter}: no targeted metric to judge").format(
        department=fmt.md(department), quarter=quarter_name(quarter)))
else:
    st.markdown(_("**{department}**, {quarter}: alignment index {index} of 100").format(
        department=fmt.md(department), quarter=quarter_name(quarter), index=fmt.number(row["index"], 0)))
own = cards.cards[cards.cards["department"] == department]
few = own[own["status"] == "too_few"]["label"].tolist()
if few:
    st.caption(":material/warning: " + _("Too few answers (under {minimum}) to judge {metrics} for {department}.").format(
        minimum=fmt.count(minimum), metrics=fmt.and_list(few), department=fmt.md(department)))
st.dataframe(table, hide_index=True, placeholder=fmt.MISSING,
             width="stretch", height=36 * (len(table) + 1) + 4, column_config={
    _("Trend"): st.column_config.LineChartColumn(_("Last {n} quarters").format(n=fmt.count(len(cards.quarters))),
                                                 width="medium"),   # "Últimos 8 trimestres" whole
    "n": st.column_config.TextColumn("n", help=_("Answers (surveys), contacts (service) or customers followed (churn)")),
    _("Change"): st.column_config.TextColumn(_("Change vs previous quarter"),
                                             help=_("Significant only when larger than the two quarters' margins of "
                                                    "error can explain; 'not significant' is no change")),
})
censored = own[own["kpi"] == "bad_experience_churn"]["n_censored"].dropna()
if not censored.empty and censored.iloc[0]:
    st.caption(_("Churn after a bad experience follows each customer {days} days; {n} customers of this quarter are "
                 "not followed that long yet and are left out.").format(days=fmt.count(departments.FOLLOW_DAYS),
                                                                        n=fmt.count(censored.iloc[0])))
followup_line = followup_measures.summary_line(reader, store, view.filters.replace(department=[department]),
                                               facts["newest_on"])
if followup_line:  # this department's follow-up of unhappy customers (its cases)
    st.markdown(f":material/support_agent: {followup_line}")

# ---- Targets -----------------------------------------------------------------------------------------------
st.subheader(_("Targets"))
in_force = departments.targets_in_force(reader, view.filters, store, [department])
quarter_targets = in_force[(in_force["period_start"] == quarter) & (in_force["department"] == department)]
in_force_text = ", ".join(_("{kpi} {target}").format(kpi=_(metrics.KPIS[m].label),
                                                      target=departments.target_text(m, t, s))
                          for m, t, s in zip(quarter_targets["metric"], quarter_targets["target"],
                                             quarter_targets["source"]) if m in metrics.KPIS)
st.caption(_("In force for {department} in {quarter}: {targets}").format(
    department=fmt.md(department), quarter=quarter_name(quarter), targets=in_force_text or _("none")))


def save_target(department: str, quarter) -> None:
    """The save button's callback: runs before the page is drawn again, so the card shows the new target."""
    metric, value = st.session_state["target_metric"], st.session_state["target_value"]
    try:
        if value is None:
            raise departments.TargetError(_("Type a target first."))
        departments.set_target(store, metric, department, quarter, float(value), user)
        audited.record_later("target_edit", {"metric": metric, "department": department, "quarter": quarter,
                                             "target": float(value)})
        st.session_state["target_message"] = ("ok", _("{kpi} target for {department} in {quarter} set to {target}.").format(
            kpi=_(metrics.KPIS[metric].label), department=fmt.md(department), quarter=quarter_name(quarter),
            target=departments.value_text(metric, value)))
    except (departments.TargetError, StoreError) as exc:
        st.session_state["target_message"] = ("error", fmt.md(exc))
    except Refused as exc:
        st.session_state["target_message"] = ("error", fmt.md(_("Not saved: {reason}.").format(reason=exc)))


if departments.editing_enabled(user):
    with st.container(border=True):
        st.markdown(_("Change a target of **{department}** for **{quarter}**").format(
            department=fmt.md(department), quarter=quarter_name(quarter)))
        metric_col, value_col, save_col = st.columns([2, 1, 1], vertical_alignment="bottom")
        metric = metric_col.selectbox(_("Metric"), list(departments.METRICS), format_func=lambda k: _(metrics.KPIS[k].label),
                                      key="target_metric")
        value = value_col.number_input(_("Target"), value=None, step=1.0, key="target_value",
                                       help=_("Percentages 0–100, NPS −100 to 100, CES 1–7, times in seconds"))
        save_col.button(_("Save target"), type="primary", key="target_save", on_click=save_target,
                        args=(department, quarter))
        if "target_message" in st.session_state:
            kind, text = st.session_state.pop("target_message")
            (st.success if kind == "ok" else st.error)(text, icon=":material/check:" if kind == "ok" else ":material/block:")
else:
    st.caption(":material/lock: " + _("Targets are changed by executives and the administrator; they can also be "
                                      "loaded from a file on the Data & loads page."))
history = departments.target_history(store)
if user.scope["department"] is not None:
    history = history[history["department"].isin(user.scope["department"])]
with st.expander(_("History of edited targets ({n})").format(n=fmt.count(len(history)))):
    if history.empty:
        st.caption(_("No target has been edited on this page yet."))
    else:
        st.dataframe(history.rename(columns={"changed_at": _("When (UTC)"), "changed_by": _("Who"),
                                             "department": _("Department"), "metric": _("Metric"),
                                             "quarter": _("Quarter"), "target": _("Target")}),
                     hide_index=True, placeholder=fmt.MISSING, width="stretch")

explain.how_computed(  # untranslated: glossary terms are keys; the glossary translates its entries
                     "Alignment index", "Status against target", "Targets", "Churn after a bad experience",
                     "Margin of error", "Significant change", "Too few answers",
                     note=_("Here, close (amber) means short of the target by at most {tolerance} of it, or by less "
                            "than the margin of error.").format(
                         tolerance=fmt.percent_sign(fmt.number_text(format(verdict.tolerance(), "g")))))
