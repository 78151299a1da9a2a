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
from cxdata.overview import filters_line, freshness_line
from cxdata.store import Store, StoreError

view = frame.current_view()
user = frame.current_user()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()
store = Store.beside(db.db_path())

st.title("Department scorecards")
st.caption(f"{fmt.md(filters_line(view.filters))} · quarters up to {view.filters.end:%d %b %Y} · {freshness_line(facts)}")
frame.show_notices(view)

# The company over the sidebar's period, as the overview says it; the departments below are judged by quarter.
company = departments.company_row(reader, view.filters, minimum)
whole = "Company" if user.scope["department"] is None else ", ".join(user.scope["department"])  # their scope
st.markdown(f"**{whole}**, {trends.span((view.filters.start, view.filters.end))}: "
            + " · ".join(f"{label} **{value}**" for label, value in company.items()),
            help="The selected period, as on the executive overview. Departments are judged by quarter, "
                 "against the quarter's targets.")


def quarter_name(q, running: bool = False) -> str:
    return trends.period_name(q, "quarter") + (f" (to {view.filters.end:%d %b})" if running else "")


try:
    first_pass = departments.scorecards(reader, view.filters, minimum, store=store, newest_on=facts["newest_on"],
                                        last_complete_on=facts["last_complete_on"])
except StoreError as exc:
    st.error(f"The edited targets can't be read: {exc}", icon=":material/error:")
    st.stop()
if first_pass.cards.empty:
    st.info("No department has interactions or survey answers under these filters. Widen the period or clear a "
            "filter in the sidebar.", icon=":material/search_off:")
    st.stop()

stop_day = view.filters.end
options = {q.isoformat(): quarter_name(q, not is_complete(q, trends._next(q, "quarter"), stop_day + dt.timedelta(days=1),
                                                          facts["last_complete_on"] or stop_day))
           for q in reversed(first_pass.quarters)}
pick, _ = st.columns([2, 5])
with pick:
    # the quarter holding the period's end, until one is picked; a new period brings it back
    chosen = frame.page_choice("quarter", "Quarter", options, next(iter(options)), follows=view.filters.end)
quarter = dt.date.fromisoformat(chosen)
cards = first_pass if quarter == first_pass.quarter else departments.scorecards(
    reader, view.filters, minimum, quarter=quarter, store=store, newest_on=facts["newest_on"],
    last_complete_on=facts["last_complete_on"])
running = " · the quarter is still running" if cards.is_running and quarter == first_pass.quarter else ""

# ---- Alignment ---------------------------------------------------------------------------------------
st.subheader("Who is aligned with the customer")
matrix = departments.alignment(cards)
st.plotly_chart(charts.alignment_matrix(
    matrix, list(departments.METRICS), departments.headline(matrix),
    f"{quarter_name(quarter)}{running} · {verdict.close_text()} · index: targeted metrics met, weighted by n"),
    width="stretch", theme=None,
    key="matrix")
cell_department, cell_metric, cell_rows, _ = st.columns([2, 2, 1, 2], vertical_alignment="bottom")
drillable = [m for m in departments.METRICS if drill.can_drill(m)]
department_of_cell = cell_department.selectbox("Rows behind a cell: department", matrix["department"].tolist(),
                                               key="cell_department")
metric_of_cell = cell_metric.selectbox("Metric", drillable, key="cell_metric",
                                       format_func=lambda k: metrics.KPIS[k].label)
with cell_rows:
    drill_widget.rows_button(reader, drill.cell_filters(view.filters, department_of_cell, quarter), metric_of_cell,
                             key="rows_cell", scope=f"{department_of_cell}, {quarter_name(quarter)}",
                             label="See the rows")
ranked = matrix.dropna(subset=["service_index"]).sort_values("service_index")
if len(ranked) > 1:
    last = ranked.iloc[0]
    st.markdown(f":material/info: On the **service metrics** alone, **{fmt.md(last['department'])}** ranks last at "
                f"{last['service_index']:.0f} of 100 in {quarter_name(quarter)}.")
shown = matrix["department"].tolist()
st.plotly_chart(charts.alignment_trend(
    cards.index, shown, "Alignment index by quarter",
    f"0–100, {quarter_name(cards.quarters[0])} – {quarter_name(cards.quarters[-1])}; the last quarter may be running"),
    width="stretch", theme=None, key="index_trend")

# ---- One department's scorecard -------------------------------------------------------------------------
st.subheader("Scorecard")
names = {d: d for d in sorted(cards.cards["department"].unique())}
pick, _ = st.columns([2, 5])
with pick:
    department = frame.page_choice("card", "Department", names, next(iter(names)))
table = departments.card_table(cards.cards, department)
row = matrix.set_index("department").loc[department]
index_text = "no targeted metric to judge" if math.isnan(row["index"]) else f"alignment index {row['index']:.0f} of 100"
st.markdown(f"**{fmt.md(department)}**, {quarter_name(quarter)}: {index_text}")
own = cards.cards[cards.cards["department"] == department]
few = own[own["status"] == "too_few"]["label"].tolist()
if few:
    st.caption(f":material/warning: Too few answers (under {minimum}) to judge {', '.join(few)} for {fmt.md(department)}.")
st.dataframe(table, hide_index=True, placeholder=fmt.MISSING,
             width="stretch", height=36 * (len(table) + 1) + 4, column_config={
    "Trend": st.column_config.LineChartColumn(f"Last {len(cards.quarters)} quarters", width="small"),
    "n": st.column_config.TextColumn("n", help="Answers (surveys), contacts (service) or customers followed (churn)"),
    "Change": st.column_config.TextColumn("Change vs previous quarter",
                                          help="Significant only when larger than the two quarters' margins of "
                                               "error can explain; 'not significant' is no change"),
})
censored = own[own["kpi"] == "bad_experience_churn"]["n_censored"].dropna()
if not censored.empty and censored.iloc[0]:
    st.caption(f"Churn after a bad experience follows each customer {departments.FOLLOW_DAYS} days; "
               f"{fmt.count(censored.iloc[0])} customers of this quarter are not followed that long yet and are left out.")

# ---- Targets -----------------------------------------------------------------------------------------------
st.subheader("Targets")
in_force = departments.targets_in_force(reader, view.filters, store, [department])
quarter_targets = in_force[(in_force["period_start"] == quarter) & (in_force["department"] == department)]
st.caption(f"In force for {fmt.md(department)} in {quarter_name(quarter)}: "
           + (", ".join(f"{metrics.KPIS[m].label} {departments.value_text(m, t)}"
                        + {"edited": " (edited)", "company": " (company)"}.get(s, "")
                        for m, t, s in zip(quarter_targets["metric"], quarter_targets["target"], quarter_targets["source"])
                        if m in metrics.KPIS) or "none"))


def save_target(department: str, quarter) -> None:
    """The save button's callback: runs before the page is drawn again, so the card shows the new target."""
    metric, value = st.session_state["target_metric"], st.session_state["target_value"]
    try:
        if value is None:
            raise departments.TargetError("Type a target first.")
        departments.set_target(store, metric, department, quarter, float(value), user)
        audited.record_later("target_edit", {"metric": metric, "department": department, "quarter": quarter,
                                             "target": float(value)})
        st.session_state["target_message"] = ("ok", f"{metrics.KPIS[metric].label} target for {fmt.md(department)} in "
                                                    f"{quarter_name(quarter)} set to {departments.value_text(metric, value)}.")
    except (departments.TargetError, StoreError) as exc:
        st.session_state["target_message"] = ("error", fmt.md(exc))
    except Refused as exc:
        st.session_state["target_message"] = ("error", fmt.md(f"Not saved: {exc}."))


if departments.editing_enabled(user):
    with st.container(border=True):
        st.markdown(f"Change a target of **{fmt.md(department)}** for **{quarter_name(quarter)}**")
        metric_col, value_col, save_col = st.columns([2, 1, 1], vertical_alignment="bottom")
        metric = metric_col.selectbox("Metric", list(departments.METRICS), format_func=lambda k: metrics.KPIS[k].label,
                                      key="target_metric")
        value = value_col.number_input("Target", value=None, step=1.0, key="target_value",
                                       help="Percentages 0–100, NPS −100 to 100, CES 1–7, times in seconds")
        save_col.button("Save target", type="primary", key="target_save", on_click=save_target,
                        args=(department, quarter))
        if "target_message" in st.session_state:
            kind, text = st.session_state.pop("target_message")
            (st.success if kind == "ok" else st.error)(text, icon=":material/check:" if kind == "ok" else ":material/block:")
else:
    st.caption(":material/lock: Targets are changed by executives and the administrator; they can also be "
               "loaded from a file on the Data & loads page.")
history = departments.target_history(store)
if user.scope["department"] is not None:
    history = history[history["department"].isin(user.scope["department"])]
with st.expander(f"History of edited targets ({len(history)})"):
    if history.empty:
        st.caption("No target has been edited on this page yet.")
    else:
        st.dataframe(history.rename(columns={"changed_at": "When (UTC)", "changed_by": "Who", "department": "Department",
                                             "metric": "Metric", "quarter": "Quarter", "target": "Target"}),
                     hide_index=True, placeholder=fmt.MISSING, width="stretch")

explain.how_computed("Alignment index", "Status against target", "Targets", "Churn after a bad experience",
                     "Margin of error", "Significant change", "Too few answers",
                     note=f"Here, close (amber) means short of the target by at most {verdict.tolerance():g}% "
                          "of it, or by less than the margin of error.")
