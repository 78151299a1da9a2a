"""Churn alerts: who is about to leave, why, what revenue is at risk, and who owns the follow-up."""
import pandas as pd
import streamlit as st

from cxdata import charts, churn, metrics
from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.access.scoped import Refused, sees_customer_rows
from cxdata.app import audited, explain, frame, links
from cxdata.churn import alerts, checks, features, model
from cxdata.i18n import _, n_, p_
from cxdata.overview import filters_line, freshness_line
from cxdata.store import Conflict, Store, StoreError

view = frame.current_view()
user = frame.current_user()
rows_allowed = sees_customer_rows(user)   # the list, the points and the alerts' follow-up name single customers
reader = frame.open_reader()
facts = frame.data_facts(reader)

st.title(_("Churn alerts"))
try:
    rules = alerts.Rules.from_env()
except alerts.AlertSettingError as exc:
    st.error(_("{problem}. Churn alerts show again once the administrator fixes it.").format(problem=exc.plain),
             icon=":material/error:")
    st.stop()
info = churn.model_info(reader)
if info is None or pd.isna(info["scored_as_of"]):
    st.info(_("No risk scores yet: they are computed from customers' activity, and none is loaded."),
            icon=":material/search_off:")
    st.stop()
scored_on = pd.Timestamp(info["scored_as_of"]).date()
if facts["newest_on"] is None or scored_on >= pd.Timestamp(facts["newest_on"]).date():
    st.caption(_("Risk of being lost in the next 90 days, scored as of **{day}**, the newest data (no period applies "
                 "here) · {filters} · {freshness}").format(day=fmt.date(scored_on),
                                                           filters=fmt.md(filters_line(view.filters)),
                                                           freshness=freshness_line(facts)))
else:  # loads since the last scoring: the scores follow at the next scheduled scoring (docs/churn-model.md)
    st.caption(_("Risk of being lost in the next 90 days, scored as of **{day}**; the data now reaches {newest}, and "
                 "the scores catch up at the next scheduled scoring (no period applies here) · {filters} · "
                 "{freshness}").format(day=fmt.date(scored_on), newest=fmt.date(pd.Timestamp(facts["newest_on"]).date()),
                                       filters=fmt.md(filters_line(view.filters)), freshness=freshness_line(facts)))
if info["kind"] == model.MODEL:
    st.caption(":material/model_training: " + n_(
        "Score: {kind}, trained on {n} customer-quarters with {churners} leaver; the score is the probability (%) "
        "of leaving within 90 days (How this is computed, below).",
        "Score: {kind}, trained on {n} customer-quarters with {churners} leavers; the score is the probability (%) "
        "of leaving within 90 days (How this is computed, below).", int(info["n_churners"])).format(
        kind=_(model.KIND_LABEL[model.MODEL]), n=fmt.count(info["n_train"]), churners=fmt.count(info["n_churners"])))
else:
    st.warning(n_("Score: {kind}: the history has {n} leaver, fewer than the {needed} a model needs. The rule score "
                  "is points, not a probability, so revenue at risk below is indicative.",
                  "Score: {kind}: the history has {n} leavers, fewer than the {needed} a model needs. The rule score "
                  "is points, not a probability, so revenue at risk below is indicative.", int(info["n_churners"])).format(
        kind=_(model.KIND_LABEL[model.RULES]), n=fmt.count(info["n_churners"]), needed=fmt.count(info["min_churners"])),
        icon=":material/rule:")
absent = metrics.coverage(reader).missing("churn_rate")
if absent:
    st.warning(_("Churn is {not_in_data}: {why}. The scores read warning signs only; no departure can check "
                 "them.").format(not_in_data=_(metrics.NOT_IN_DATA), why=_(absent)), icon=":material/block:")
if any(view.filters[key] for key in ("channel", "department", "journey_stage")):
    st.caption(":material/info: " + _("Risk is per customer: the channel, department and journey-stage filters "
                                      "chosen on other pages do not apply here (segment, region and plan do)."))

store = Store.beside(reader.path)
summary = churn.revenue_at_risk(reader, view.filters, rules)
total = summary[summary["dimension"] == "all"].iloc[0]
if rows_allowed:
    try:
        listed = alerts.for_user(churn.at_risk(reader, view.filters, store, rules), user)
        follow = alerts.follow_up_summary(reader, store, facts["newest_on"])
    except StoreError as exc:
        st.error(_("{problem}. Alert statuses cannot be shown or changed until it is fixed.").format(problem=exc),
                 icon=":material/error:")
        st.stop()
    open_alerts = listed[~listed["status"].isin(alerts.CLOSED)]

tiles = st.columns(5 if rows_allowed else 2, gap="small")
share = total["value_at_risk"] / total["annual_value"] if total["annual_value"] else None
threshold = fmt.number_text(f"{rules.threshold:g}")
signs = ", ".join(alerts.rule_in_text(s) for s in rules.signals)
tiles[0].metric(_("Revenue at risk"), fmt.money(total["value_at_risk"]),
                help=_("Sum over the customers under the filters of annual value × risk score / 100: the annual "
                       "value expected to be lost in the next 90 days if nothing is done."), border=True)
tiles[0].caption(_("{share} of {amount} annual value").format(share=fmt.percent(100 * share, 1),
                                                              amount=fmt.money(total["annual_value"]))
                 if share is not None else "")
n_signal = int(total["n_at_risk"] - total["n_at_score"])
tiles[1].metric(_("Customers at high risk"), fmt.count(int(total["n_at_risk"])), border=True,
                help=_("Customers whose risk score is at or above the alert threshold, or who show a single warning "
                       "sign ({signs}). Both are set by the administrator.").format(signs=signs or _("none switched on")))
if rules.signals:
    tiles[1].caption(_("{n} at score ≥ {threshold} · {signal} by a warning sign · of {total} active customers "
                       "scored").format(n=fmt.count(int(total["n_at_score"])), threshold=threshold,
                                        signal=fmt.count(n_signal), total=fmt.count(int(total["n_customers"]))))
else:
    tiles[1].caption(_("{n} at score ≥ {threshold} · of {total} active customers scored").format(
        n=fmt.count(int(total["n_at_score"])), threshold=threshold, total=fmt.count(int(total["n_customers"]))))
by_segment_note = _("Annual value × risk score by segment; n at high risk")
if not rows_allowed:
    st.plotly_chart(charts.revenue_at_risk_bars(
        summary, "segment", alerts.concentration_title(summary, "segment"), by_segment_note),
        width="stretch", theme=None, key="risk_by_segment")
    st.info(_("The at-risk list and the alerts' follow-up name single customers: they are shown to the roles that "
              "work alerts. The figures above are for every customer under the filters."),
            icon=":material/lock:")
    st.stop()
tiles[2].metric(_("Open alerts"), fmt.count(len(open_alerts)), border=True,
                help=_("Every customer at high risk has an alert; it stays open until it is closed as saved or lost."))
tiles[2].caption(" · ".join(f"{alerts.status_label(s)} {fmt.count(int((open_alerts['status'] == s).sum()))}"
                            for s in ("new", "acknowledged", "plan")))
days = follow["avg_days_to_close"]
tiles[3].metric(_("Average days to close"), fmt.MISSING if days is None else fmt.number(days, 1), border=True,
                help=_("From an alert's first follow-up change to its closing as saved or lost."))
tiles[3].caption(n_("{n} closed alert", "{n} closed alerts", follow["n_closed"]).format(n=fmt.count(follow["n_closed"]))
                 if follow["n_closed"] else _("no alert closed yet"))
checked = follow["n_saved_checked"]
tiles[4].metric(_("Saved and kept"), _("{kept} of {checked}").format(kept=fmt.count(follow["n_saved_kept"]),
                                                                     checked=fmt.count(checked))
                if checked else fmt.MISSING,
                border=True, help=_("Customers whose alert was closed as saved at least 90 days before the newest "
                                    "data, and how many of them had not churned 90 days after."))
tiles[4].caption(_("still active 90 days after being saved") if checked else _("none saved 90+ days ago yet"))

by_segment, scatter = st.columns(2)
by_segment.plotly_chart(charts.revenue_at_risk_bars(
    summary, "segment", alerts.concentration_title(summary, "segment"), by_segment_note),
    width="stretch", theme=None, key="risk_by_segment")
points = churn.risk_points(reader, view.filters, rules)
scatter.plotly_chart(charts.churn_risk_value(
    points, rules.threshold, alerts.flagged_title(summary, rules.threshold),
    _("Customers at medium or high risk, n = {n}").format(n=fmt.count(len(points)))),
    width="stretch", theme=None, key="risk_value")
with st.expander(_("Revenue at risk by account owner")):
    st.plotly_chart(charts.revenue_at_risk_bars(summary, "owner", alerts.concentration_title(summary, "owner"),
                                                _("Revenue at risk by account owner, customers under the filters")),
                    width="stretch", theme=None, key="risk_by_owner")

explain.how_computed("Risk score", "Revenue at risk", "Churn rate",  # untranslated: glossary entries by name; the glossary words them
                     note=_("A customer is at high risk, with an alert, at a risk score of {threshold} or more, or "
                            "with a single warning sign whatever the score: {signs}. The warning sign is named first "
                            "among the reasons. The threshold and the warning signs are set by the "
                            "administrator.").format(threshold=threshold, signs=signs or p_("warning signs", "none"))
                          + (f"\n\n{checks.method_note(info)}" if info["kind"] == model.MODEL else ""))
held_up = checks.calibration(info)
if held_up is not None:
    st.markdown(f":material/fact_check: {checks.sentence(held_up, info)} {checks.average_gap(held_up)}")
    with st.expander(_("How well the score has held up, by tenth of customers")):
        top = held_up.iloc[-1]
        st.plotly_chart(charts.churn_calibration(
            held_up, _("The highest tenth: {observed} left, the scores said {predicted}").format(
                observed=fmt.percent(top["observed"], 0), predicted=fmt.percent(top["predicted"], 0)),
            _("Customers held back from training, on past dates, n = {n}").format(n=fmt.count(int(held_up["n"].sum())))),
            width="stretch", theme=None, key="risk_calibration")

st.subheader(_("At-risk list"))
st.markdown(alerts.alerts_sentence(int(total["n_at_risk"]), int(total["n_at_score"]), len(open_alerts), rules))
if listed.empty:
    st.info(_("No customer under these filters has a score of {threshold} or more or a single warning signal. Clear "
              "a filter in the sidebar, or ask the administrator to lower the alert threshold.").format(threshold=threshold),
            icon=":material/check_circle:")
    st.stop()
pick_rule, pick_owner, pick_reason, pick_status = st.columns(4)
raised_by = pick_rule.multiselect(_("Raised by"), ["score", *rules.signals], format_func=alerts.rule_label,
                                  placeholder=_("All"))
owners = pick_owner.multiselect(_("Owner"), sorted(listed["owner"].dropna().unique()), placeholder=_("All"))
reason_keys = sorted({k for keys in listed["reason_keys"] for k in keys}, key=lambda k: _(features.SIGNAL_LABELS[k]))
reasons = pick_reason.multiselect(_("Reason"), reason_keys, format_func=lambda k: _(features.SIGNAL_LABELS[k]),
                                  placeholder=_("All"))
statuses = pick_status.multiselect(_("Status"), list(alerts.STATUSES), format_func=alerts.status_label,
                                   default=["new", "acknowledged", "plan"], placeholder=_("All"))
shown = alerts.narrow(listed, raised_by, owners, reasons, statuses)
alert_rules = ", ".join([_("score ≥ {threshold}").format(threshold=threshold),
                         *(alerts.rule_in_text(s) for s in rules.signals)])
st.caption(n_("{n} of {total} alert, all at high risk, by revenue at risk · Alert rules: {rules}",
              "{n} of {total} alerts, all at high risk, by revenue at risk · Alert rules: {rules}", len(listed)).format(
    n=fmt.count(len(shown)), total=fmt.count(len(listed)), rules=alert_rules))
column = alerts.column_name
table = alerts.export_frame(shown).drop(columns=[column("customer_id"), column("region"), column("plan")]).round(
    {column("value_at_risk"): 0, column("annual_value"): 0})
table.insert(0, column("customer_id"), links.customer_urls(shown["customer_id"]))   # each opens the Customer page
st.dataframe(table, hide_index=True, placeholder=fmt.MISSING,
             width="stretch", height=min(38 + 35 * len(table), 460), column_config={
    column("score"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f"),
    column("annual_value"): st.column_config.NumberColumn(format=fmt.money_column()),
    column("value_at_risk"): st.column_config.NumberColumn(format=fmt.money_column()),
    column("reasons"): st.column_config.TextColumn(width="large"),
    column("customer_id"): links.customer_column(column("customer_id")),
})
if user.may("export_rows"):  # no buttons for a role without row exports: nothing to record
    csv_col, xlsx_col, _rest = st.columns([1, 1, 4])
    exported = {"list": "At-risk customers", "rows": len(shown), "filters": filters_what(view.filters),
                "raised_by": raised_by, "owner": owners, "reason": reasons, "status": statuses}  # untranslated: as recorded
    audited.download_button(csv_col, _("Download CSV"), alerts.to_csv(shown, user), file_name=f"at-risk-{scored_on}.csv",
                            mime="text/csv", icon=":material/download:", key="export_csv", action="export",
                            what={"file": f"at-risk-{scored_on}.csv", "format": "csv", **exported})
    audited.download_button(xlsx_col, _("Download Excel"), alerts.to_excel(shown, user),
                            file_name=f"at-risk-{scored_on}.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            icon=":material/download:", key="export_xlsx", action="export",
                            what={"file": f"at-risk-{scored_on}.xlsx", "format": "xlsx", **exported})

st.subheader(_("Follow up an alert"))
if shown.empty:
    st.caption(_("No alert matches the list's filters."))
    st.stop()
choices = {key: _("{name} · score {score} · {status}").format(name=name, score=fmt.number(score, 0),
                                                               status=alerts.status_label(status))
           for key, name, score, status in zip(shown["alert_key"], shown["name"].fillna(shown["customer_id"]),
                                               shown["score"], shown["status"])}
key = st.selectbox(_("Alert"), list(choices)[:500], format_func=choices.get, key="churn_alert_pick")
alert = shown.set_index("alert_key").loc[key]


def save(key: str, rules: list[str], fallback_owner: str, alert) -> None:
    """The Save button's callback: runs before the rerun, so the page redraws with the new state.
    Only the fields the person changed are written, checked against the version their page showed."""
    shown = st.session_state.pop(f"churn_shown_{key}")   # taken again from the store on the next run
    status, owner, note = (st.session_state[f"churn_{field}_{key}"] for field in alerts.EDITABLE)
    changes = alerts.edited(shown, {"status": status, "owner": owner.strip() or fallback_owner, "note": note})
    if not changes:
        st.toast(_("Nothing to save: no field was changed."), icon=":material/info:")
        return
    try:
        alerts.change(store, key, user, rules, **changes, alert=alert, seen=shown["version"])
    except Conflict as exc:  # an outdated view: the alert is drawn again with the current values
        for field in alerts.EDITABLE:
            st.session_state.pop(f"churn_{field}_{key}", None)
        st.session_state["churn_save_error"] = _("{problem}. Nothing was changed; the alert now shows the current "
                                                 "values.").format(problem=exc)
    except (StoreError, Refused) as exc:
        st.session_state["churn_save_error"] = _("{problem}. Nothing was changed.").format(problem=exc)
    else:
        audited.record_later("alert_change", {"alert": key, **changes, "rules": sorted(rules)})  # what was changed
        said = {"status": lambda v: _("status {status}").format(status=alerts.status_label(v)),
                "owner": lambda v: _("owner {owner}").format(owner=v), "note": lambda v: _("the note")}
        st.toast(fmt.md(_("Saved: {changes}").format(changes=fmt.and_list(said[f](v) for f, v in changes.items()))),
                 icon=":material/check:")


if f"churn_status_{key}" not in st.session_state or f"churn_shown_{key}" not in st.session_state:
    # what the fields show when first drawn, and the alert's version then: a save compares against them
    st.session_state[f"churn_shown_{key}"] = {"status": alert["status"], "owner": alert["owner"],
                                              "note": alert["note"], "version": int(alert["version"])}
    for field in alerts.EDITABLE:
        st.session_state[f"churn_{field}_{key}"] = alert[field]
with st.container(border=True):
    reopened = (" · :orange-badge[" + _("reopened: a new reason") + "]") if alert["is_reopened"] else ""
    st.markdown(_("**{name}** ({id}) · {segment} · score {score} · annual value {value} · alerts: {rules}").format(
        name=fmt.md(alert["name"]), id=fmt.md(alert["customer_id"]), segment=fmt.md(alert["segment"]),
        score=fmt.number(alert["score"], 0), value=fmt.money(alert["annual_value"]),
        rules="; ".join(alerts.rule_in_text(r) for r in alert["rules"]))
        + reopened + "  \n" + fmt.md("; ".join(alert["reasons"])))
    if alerts.may_change(user, alert):
        status_col, owner_col = st.columns(2)
        status_col.selectbox(_("Status"), list(alerts.STATUSES), format_func=alerts.status_label,
                             key=f"churn_status_{key}")
        owner_col.text_input(_("Owner"), max_chars=80, key=f"churn_owner_{key}")
        st.text_area(_("Notes"), max_chars=2000, key=f"churn_note_{key}")
        st.button(_("Save"), type="primary", icon=":material/save:", key="churn_save", on_click=save,
                  args=(key, list(alert["rules"]), alert["account_owner"], alert.to_dict()))
        st.caption(_("Changes are recorded as made by {email}.").format(email=fmt.md(user.email)))
    else:
        st.caption(":material/lock: " + _("Status {status}, owner {owner}. This alert is changed by its owner, the cx "
                                          "managers of its segment and region, and executives.").format(
            status=alerts.status_label(alert["status"]), owner=fmt.md(alert["owner"])))
    if "churn_save_error" in st.session_state:
        st.error(st.session_state.pop("churn_save_error"), icon=":material/error:")
history = store.history(alerts.KIND, key)
if not history.empty:
    with st.expander(n_("History of this alert ({n} change)", "History of this alert ({n} changes)",
                        len(history)).format(n=fmt.count(len(history)))):
        fields = {"status": _("Status"), "owner": _("Owner"), "note": _("Notes"), "rules": _("Alerts")}
        shown_history = history.assign(
            value=[alerts.status_label(v) if f == "status" else v for f, v in zip(history["field"], history["value"])],
            field=history["field"].map(lambda f: fields.get(f, f)))
        headers = {"changed_at": _("When (UTC)"), "changed_by": _("Who"), "field": _("Field"), "value": _("Value")}
        st.dataframe(shown_history.rename(columns=headers)[list(headers.values())],
                     hide_index=True, placeholder=fmt.MISSING, width="stretch")
