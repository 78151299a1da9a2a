"""Customer: one customer's whole record (?customer=ID): who they are and what they are worth, their
risk of leaving over time and why, and one timeline of every contact, answer, transaction, change,
churn alert and follow-up case. Found by id or name; only customers in the user's scope."""
import pandas as pd
import streamlit as st

from cxdata import charts, customer
from cxdata import formatting as fmt
from cxdata.access.scoped import sees_customer_rows
from cxdata.app import frame
from cxdata.app.links import CUSTOMER_QUERY
from cxdata.churn import alerts
from cxdata.customer import timeline
from cxdata.i18n import _, n_
from cxdata.store import Store, StoreError

frame.current_view()
user = frame.current_user()
st.title(_("Customer"))
if not sees_customer_rows(user):
    st.info(_("A customer's record names a single customer: it is shown to the roles that work with single "
              "customers."), icon=":material/lock:")
    st.stop()
reader = frame.open_reader()
facts = frame.data_facts(reader)
today = facts["newest_on"]
try:
    rules = alerts.Rules.from_env()
except alerts.AlertSettingError:
    rules = alerts.Rules()   # the churn page says what is wrong with the setting; here the default threshold
names = user.may("see_names")


def open_customer(customer_id: str) -> None:
    """Open a customer found by the search: the address names them, so the page can be shared."""
    st.query_params[CUSTOMER_QUERY] = customer_id
    st.session_state.pop("customer_limit", None)


def on_pick() -> None:
    picked = st.session_state.get("customer_pick")
    if picked:
        open_customer(picked)


text = st.text_input(_("Find a customer"), key="customer_search", max_chars=customer.MAX_LENGTH,
                     placeholder=_("Customer id or part of a name") if names else _("Customer id"),
                     icon=":material/search:")
if text.strip():
    found = customer.search(reader, text, names=names)
    if len(found.text) < customer.MIN_LENGTH:
        st.caption(_("Type at least {n} characters.").format(n=fmt.count(customer.MIN_LENGTH)))
    else:
        st.caption(found.sentence())
        if found.n:
            labels = {row.customer_id: customer.found_label(row, names) for row in found.rows.itertuples(index=False)}
            st.selectbox(_("Open"), list(labels), format_func=labels.get, index=None, key="customer_pick",
                         on_change=on_pick, placeholder=_("Choose a customer"))

customer_id = (st.query_params.get(CUSTOMER_QUERY) or "").strip()
if not customer_id:
    st.info(_("Find a customer by their id or name above, or open one from the at-risk list on the churn "
              "page."), icon=":material/person_search:")
    st.stop()
if today is None:
    st.info(_("No customer activity is loaded yet."), icon=":material/search_off:")
    st.stop()

limit = st.session_state.get("customer_limit", customer.TIMELINE_LIMIT)
try:
    record = customer.record(reader, Store.beside(reader.path), customer_id, today, limit=limit, rules=rules)
except StoreError as exc:
    st.error(_("{problem}. The customer's alerts and cases cannot be shown until it is fixed.").format(problem=exc),
             icon=":material/error:")
    st.stop()
if record is None:
    st.warning(fmt.md(_("No customer with the id {id} among the customers you may see.").format(id=customer_id)),
               icon=":material/person_off:")
    st.stop()

# ---- Header ---------------------------------------------------------------------------------------
st.header(fmt.md(record.title if names else record.customer_id), divider="gray")
st.caption(fmt.md(customer.about_line(record)))
tiles = st.columns(4, gap="small")
tiles[0].metric(_("Annual value"), fmt.money(record.annual_value), border=True,
                help=_("Contracted revenue per year, as the customer list holds it now."))
tiles[0].caption(customer.revenue_line(record))
tiles[1].metric(_("Tenure"), record.tenure_text(), border=True,
                help=_("From the signup date (else the first contact, answer or transaction) to the newest data, "
                       "or to the day they left."))
tiles[1].caption(customer.since_line(record))
tiles[2].metric(_("Risk of leaving now"), customer.risk_value(record), border=True,
                help=_("The churn risk score (0–100) as of the newest data; the reasons are listed under the chart."))
tiles[2].caption(customer.risk_caption(record))
tiles[3].metric(_("Churn alert"), customer.alert_value(record), border=True)
tiles[3].caption(fmt.md(customer.alert_caption(record)))

# ---- Risk over time --------------------------------------------------------------------------------
st.plotly_chart(charts.customer_risk(record.risk, rules.threshold, customer.risk_title(record),
                                     customer.risk_subtitle(record)),
                width="stretch", theme=None, key="customer_risk")
if record.reasons:
    st.markdown(_("**Why the score is what it is now:** {reasons}.").format(
        reasons=fmt.md("; ".join(record.reasons))))
with st.expander(_("How the risk over time is computed")):
    st.markdown(_("Each point is the churn risk score of the customer as of that day, from what was known then: "
                  "their contacts, answers, payments and plan up to that day. Every point, past and present, "
                  "comes from the score in use now, so the points can be compared; the data keeps no older "
                  "score. A score of {threshold} or more, or a single warning sign, raises a churn alert.").format(
        threshold=fmt.number_text(f"{rules.threshold:g}")))

# ---- Timeline ---------------------------------------------------------------------------------------
st.subheader(_("Timeline"))
events = record.timeline
kinds = [k for k in timeline.EVENTS if (events["event"] == k).any()]
chosen = st.pills(_("Show"), kinds, format_func=timeline.event_label, selection_mode="multi", default=kinds,
                  key="customer_kinds")
shown = events[events["event"].isin(chosen)] if chosen else events.iloc[0:0]
st.caption(customer.timeline_line(record, len(shown)))
if shown.empty:
    st.info(_("No event of the kinds chosen."), icon=":material/search_off:")
else:
    table = pd.DataFrame({
        _("When"): [fmt.date(at) + at.strftime(" %H:%M") if (at.hour, at.minute) != (0, 0) else fmt.date(at)
                          for at in shown["at"]],
        _("What happened"): shown["title"].tolist(),
        _("By"): shown["by"].fillna("").tolist(),                  # before the long details, so it is never cut
        _("Detail"): shown["detail"].fillna("").tolist(),
    })
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 600), column_config={
        _("When"): st.column_config.TextColumn(width=140),
        _("What happened"): st.column_config.TextColumn(width=260),
        _("By"): st.column_config.TextColumn(width=200),
        _("Detail"): st.column_config.TextColumn(width="large"),
    })
if record.is_cut:
    st.button(n_("Show {n} older event", "Show {n} older events", customer.MORE).format(n=fmt.count(customer.MORE)),
              icon=":material/expand_more:", key="customer_more",
              on_click=lambda: st.session_state.update(customer_limit=limit + customer.MORE))
