"""Churn alerts: who is about to leave, why, what revenue is at risk, and who owns the follow-up."""
import pandas as pd
import streamlit as st

from cxdata import charts, churn, metrics
from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.access.scoped import Refused, sees_customer_rows
from cxdata.app import audited, explain, frame
from cxdata.churn import alerts, checks, features, model
from cxdata.overview import filters_line, freshness_line
from cxdata.store import Conflict, Store, StoreError

view = frame.current_view()
user = frame.current_user()
rows_allowed = sees_customer_rows(user)   # the list, the points and the alerts' follow-up name single customers
reader = frame.open_reader()
facts = frame.data_facts(reader)

st.title("Churn alerts")
try:
    rules = alerts.Rules.from_env()
except alerts.AlertSettingError as exc:
    st.error(f"{exc.plain}. Churn alerts show again once the administrator fixes it.", icon=":material/error:")
    st.stop()
info = churn.model_info(reader)
if info is None or pd.isna(info["scored_as_of"]):
    st.info("No risk scores yet: they are computed from customers' activity, and none is loaded.",
            icon=":material/search_off:")
    st.stop()
scored_on = pd.Timestamp(info["scored_as_of"]).date()
st.caption(f"Risk of being lost in the next 90 days, scored as of **{scored_on:%d %b %Y}**, the newest data "
           "(no period applies here) · "
           f"{fmt.md(filters_line(view.filters))} · {freshness_line(facts)}")
if info["kind"] == model.MODEL:
    st.caption(f":material/model_training: Score: {model.KIND_LABEL[model.MODEL]}, trained on "
               f"{info['n_train']:,} customer-quarters with {info['n_churners']:,} leavers; the score is the "
               "probability (%) of leaving within 90 days (How this is computed, below).")
else:
    st.warning(f"Score: {model.KIND_LABEL[model.RULES]}: the history has {info['n_churners']:,} leavers, fewer than "
               f"the {info['min_churners']} a model needs. The rule score is points, not a probability, so revenue "
               "at risk below is indicative.", icon=":material/rule:")
absent = metrics.coverage(reader).missing("churn_rate")
if absent:
    st.warning(f"Churn is {metrics.NOT_IN_DATA}: {absent}. The scores read warning signs only; no departure "
               "can check them.", icon=":material/block:")
if any(view.filters[key] for key in ("channel", "department", "journey_stage")):
    st.caption(":material/info: Risk is per customer: the channel, department and journey-stage filters chosen on "
               "other pages do not apply here (segment, region and plan do).")

store = Store.beside(reader.path)
summary = churn.revenue_at_risk(reader, view.filters, rules)
total = summary[summary["dimension"] == "all"].iloc[0]
if rows_allowed:
    try:
        listed = alerts.for_user(churn.at_risk(reader, view.filters, store, rules), user)
        follow = alerts.follow_up_summary(reader, store, facts["newest_on"])
    except StoreError as exc:
        st.error(f"{exc}. Alert statuses cannot be shown or changed until it is fixed.", icon=":material/error:")
        st.stop()
    open_alerts = listed[~listed["status"].isin(alerts.CLOSED)]

tiles = st.columns(5 if rows_allowed else 2, gap="small")
share = total["value_at_risk"] / total["annual_value"] if total["annual_value"] else None
tiles[0].metric("Revenue at risk", fmt.money(total["value_at_risk"]),
                help="Sum over the customers under the filters of annual value × risk score / 100: the annual "
                     "value expected to be lost in the next 90 days if nothing is done.", border=True)
tiles[0].caption(f"{100 * share:.1f}% of {fmt.money(total['annual_value'])} annual value" if share is not None else "")
n_signal = int(total["n_at_risk"] - total["n_at_score"])
tiles[1].metric("Customers at high risk", f"{int(total['n_at_risk']):,}", border=True,
                help="Customers whose risk score is at or above the alert threshold, or who show a single warning "
                     "sign (" + (", ".join(alerts.RULES[s].lower() for s in rules.signals) or "none switched on")
                     + "). Both are set by the administrator.")
tiles[1].caption(f"{int(total['n_at_score']):,} at score ≥ {rules.threshold:g}"
                 + (f" · {n_signal:,} by a warning sign" if rules.signals else "")
                 + f" · of {int(total['n_customers']):,} active customers scored")
if not rows_allowed:
    st.plotly_chart(charts.revenue_at_risk_bars(
        summary, "segment", alerts.concentration_title(summary, "segment"), f"Annual value × risk score by segment; "
        f"n at high risk"), width="stretch", theme=None, key="risk_by_segment")
    st.info("The at-risk list and the alerts' follow-up name single customers: they are shown to the roles that "
            "work alerts. The figures above are for every customer under the filters.",
            icon=":material/lock:")
    st.stop()
tiles[2].metric("Open alerts", f"{len(open_alerts):,}", border=True,
                help="Every customer at high risk has an alert; it stays open until it is closed as saved or lost.")
tiles[2].caption(" · ".join(f"{alerts.STATUSES[s]} {int((open_alerts['status'] == s).sum()):,}"
                            for s in ("new", "acknowledged", "plan")))
days = follow["avg_days_to_close"]
tiles[3].metric("Average days to close", "—" if days is None else f"{days:.1f}", border=True,
                help="From an alert's first follow-up change to its closing as saved or lost.")
tiles[3].caption(f"{follow['n_closed']:,} closed {'alert' if follow['n_closed'] == 1 else 'alerts'}"
                 if follow["n_closed"] else "no alert closed yet")
checked = follow["n_saved_checked"]
tiles[4].metric("Saved and kept", f"{follow['n_saved_kept']:,} of {checked:,}" if checked else "—",
                border=True, help="Customers whose alert was closed as saved at least 90 days before the newest "
                                  "data, and how many of them had not churned 90 days after.")
tiles[4].caption("still active 90 days after being saved" if checked else "none saved 90+ days ago yet")

by_segment, scatter = st.columns(2)
by_segment.plotly_chart(charts.revenue_at_risk_bars(
    summary, "segment", alerts.concentration_title(summary, "segment"), f"Annual value × risk score by segment; "
    f"n at high risk"),
    width="stretch", theme=None, key="risk_by_segment")
points = churn.risk_points(reader, view.filters, rules)
scatter.plotly_chart(charts.churn_risk_value(
    points, rules.threshold, alerts.flagged_title(summary, rules.threshold),
    f"Customers at medium or high risk, n = {len(points):,}"),
    width="stretch", theme=None, key="risk_value")
with st.expander("Revenue at risk by account owner"):
    st.plotly_chart(charts.revenue_at_risk_bars(summary, "owner", alerts.concentration_title(summary, "owner"),
                                                "Revenue at risk by account owner, customers under the filters"),
                    width="stretch", theme=None, key="risk_by_owner")

explain.how_computed("Risk score", "Revenue at risk", "Churn rate",
                     note=f"A customer is at high risk, with an alert, at a risk score of {rules.threshold:g} or "
                          "more, or with a single warning sign whatever the score: "
                          + (", ".join(alerts.RULES[s].lower() for s in rules.signals) or "none")
                          + ". The warning sign is named first among the reasons. The threshold and the warning "
                            "signs are set by the administrator."
                          + (f"\n\n{checks.method_note(info)}" if info["kind"] == model.MODEL else ""))
held_up = checks.calibration(info)
if held_up is not None:
    st.markdown(f":material/fact_check: {checks.sentence(held_up, info)} {checks.average_gap(held_up)}")
    with st.expander("How well the score has held up, by tenth of customers"):
        top = held_up.iloc[-1]
        st.plotly_chart(charts.churn_calibration(
            held_up, f"The highest tenth: {top['observed']:.0f}% left, the scores said {top['predicted']:.0f}%",
            f"Customers held back from training, on past dates, n = {int(held_up['n'].sum()):,}"),
            width="stretch", theme=None, key="risk_calibration")

st.subheader("At-risk list")
st.markdown(alerts.alerts_sentence(int(total["n_at_risk"]), int(total["n_at_score"]), len(open_alerts), rules))
if listed.empty:
    st.info(f"No customer under these filters has a score of {rules.threshold:g} or more or a single warning "
            "signal. Clear a filter in the sidebar, or ask the administrator to lower the alert threshold.",
            icon=":material/check_circle:")
    st.stop()
pick_rule, pick_owner, pick_reason, pick_status = st.columns(4)
raised_by = pick_rule.multiselect("Raised by", ["score", *rules.signals], format_func=alerts.RULES.get,
                                  placeholder="All")
owners = pick_owner.multiselect("Owner", sorted(listed["owner"].dropna().unique()), placeholder="All")
reason_keys = sorted({k for keys in listed["reason_keys"] for k in keys}, key=lambda k: features.SIGNAL_LABELS[k])
reasons = pick_reason.multiselect("Reason", reason_keys, format_func=features.SIGNAL_LABELS.get, placeholder="All")
statuses = pick_status.multiselect("Status", list(alerts.STATUSES), format_func=alerts.STATUSES.get,
                                   default=["new", "acknowledged", "plan"])
shown = alerts.narrow(listed, raised_by, owners, reasons, statuses)
st.caption(f"{len(shown):,} of {len(listed):,} alerts, all at high risk, by revenue at risk · Alert rules: score ≥ "
           f"{rules.threshold:g}" + "".join(f", {alerts.RULES[s].lower()}" for s in rules.signals))
table = alerts.export_frame(shown).drop(columns=["Customer id", "Region", "Plan"]).round(
    {"Revenue at risk": 0, "Annual value": 0})
st.dataframe(table, hide_index=True, placeholder=fmt.MISSING,
             width="stretch", height=min(38 + 35 * len(table), 460), column_config={
    "Risk score (0-100)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f"),
    "Annual value": st.column_config.NumberColumn(format=fmt.money_column()),
    "Revenue at risk": st.column_config.NumberColumn(format=fmt.money_column()),
    "Top reasons": st.column_config.TextColumn(width="large"),
})
if user.may("export_rows"):  # no buttons for a role without row exports: nothing to record
    csv_col, xlsx_col, _ = st.columns([1, 1, 4])
    exported = {"list": "At-risk customers", "rows": len(shown), "filters": filters_what(view.filters),
                "raised_by": raised_by, "owner": owners, "reason": reasons, "status": statuses}
    audited.download_button(csv_col, "Download CSV", alerts.to_csv(shown, user), file_name=f"at-risk-{scored_on}.csv",
                            mime="text/csv", icon=":material/download:", key="export_csv", action="export",
                            what={"file": f"at-risk-{scored_on}.csv", "format": "csv", **exported})
    audited.download_button(xlsx_col, "Download Excel", alerts.to_excel(shown, user),
                            file_name=f"at-risk-{scored_on}.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            icon=":material/download:", key="export_xlsx", action="export",
                            what={"file": f"at-risk-{scored_on}.xlsx", "format": "xlsx", **exported})

st.subheader("Follow up an alert")
if shown.empty:
    st.caption("No alert matches the list's filters.")
    st.stop()
choices = dict(zip(shown["alert_key"], shown["name"].fillna(shown["customer_id"]) + " · score "
                   + shown["score"].round().astype(int).astype(str) + " · " + shown["status"].map(alerts.STATUSES)))
key = st.selectbox("Alert", list(choices)[:500], format_func=choices.get, key="churn_alert_pick")
alert = shown.set_index("alert_key").loc[key]


def save(key: str, rules: list[str], fallback_owner: str, alert) -> None:
    """The Save button's callback: runs before the rerun, so the page redraws with the new state.
    Only the fields the person changed are written, checked against the version their page showed."""
    shown = st.session_state.pop(f"churn_shown_{key}")   # taken again from the store on the next run
    status, owner, note = (st.session_state[f"churn_{field}_{key}"] for field in alerts.EDITABLE)
    changes = alerts.edited(shown, {"status": status, "owner": owner.strip() or fallback_owner, "note": note})
    if not changes:
        st.toast("Nothing to save: no field was changed.", icon=":material/info:")
        return
    try:
        alerts.change(store, key, user, rules, **changes, alert=alert, seen=shown["version"])
    except Conflict as exc:  # an outdated view: the alert is drawn again with the current values
        for field in alerts.EDITABLE:
            st.session_state.pop(f"churn_{field}_{key}", None)
        st.session_state["churn_save_error"] = f"{exc}. Nothing was changed; the alert now shows the current values."
    except (StoreError, Refused) as exc:
        st.session_state["churn_save_error"] = f"{exc}. Nothing was changed."
    else:
        audited.record_later("alert_change", {"alert": key, **changes, "rules": sorted(rules)})  # what was changed
        said = {"status": lambda v: f"status {alerts.STATUSES[v]}", "owner": lambda v: f"owner {v}",
                "note": lambda v: "the note"}
        st.toast(fmt.md("Saved: " + fmt.and_list(said[f](v) for f, v in changes.items())), icon=":material/check:")


if f"churn_status_{key}" not in st.session_state or f"churn_shown_{key}" not in st.session_state:
    # what the fields show when first drawn, and the alert's version then: a save compares against them
    st.session_state[f"churn_shown_{key}"] = {"status": alert["status"], "owner": alert["owner"],
                                              "note": alert["note"], "version": int(alert["version"])}
    for field in alerts.EDITABLE:
        st.session_state[f"churn_{field}_{key}"] = alert[field]
with st.container(border=True):
    st.markdown(f"**{fmt.md(alert['name'])}** ({fmt.md(alert['customer_id'])}) · {fmt.md(alert['segment'])} · "
                f"score {alert['score']:.0f} · "
                f"annual value {fmt.money(alert['annual_value'])} · alerts: "
                + "; ".join(alerts.RULES[r].lower() for r in alert["rules"])
                + (" · :orange-badge[reopened: a new reason]" if alert["is_reopened"] else "")
                + "  \n" + fmt.md("; ".join(alert["reasons"])))
    if alerts.may_change(user, alert):
        status_col, owner_col = st.columns(2)
        status_col.selectbox("Status", list(alerts.STATUSES), format_func=alerts.STATUSES.get, key=f"churn_status_{key}")
        owner_col.text_input("Owner", max_chars=80, key=f"churn_owner_{key}")
        st.text_area("Notes", max_chars=2000, key=f"churn_note_{key}")
        st.button("Save", type="primary", icon=":material/save:", key="churn_save", on_click=save,
                  args=(key, list(alert["rules"]), alert["account_owner"], alert.to_dict()))
        st.caption(f"Changes are recorded as made by {fmt.md(user.email)}.")
    else:
        st.caption(f":material/lock: Status {alerts.STATUSES[alert['status']]}, owner {fmt.md(alert['owner'])}. This "
                   "alert is changed by its owner, the cx managers of its segment and region, and executives.")
    if "churn_save_error" in st.session_state:
        st.error(st.session_state.pop("churn_save_error"), icon=":material/error:")
history = store.history(alerts.KIND, key)
if not history.empty:
    with st.expander(f"History of this alert ({len(history):,} changes)"):
        st.dataframe(history.rename(columns={"changed_at": "When (UTC)", "changed_by": "Who", "field": "Field",
                                             "value": "Value"})[["When (UTC)", "Who", "Field", "Value"]],
                     hide_index=True, placeholder=fmt.MISSING, width="stretch")
