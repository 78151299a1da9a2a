"""Audit log: sign-ins and refusals, every file that left the app, board packs, loads and changes, newest
first, and whether the log is intact. For administrators only."""
import streamlit as st

from cxdata import db
from cxdata.access import audit
from cxdata.app import frame

SHOWN = 5000  # newest entries listed; the command line lists them all

frame.current_view()
st.title("Audit log")
if not frame.current_user().may("read_audit"):
    st.error("The audit log is for administrators.", icon=":material/block:")
    st.stop()

log = audit.AuditLog.beside(db.db_path())
try:
    verdict = log.verify()
    users = log.users()
except audit.AuditError as exc:
    st.error(f"The audit log can't be read: {exc}.", icon=":material/error:")
    st.stop()
if verdict.ok:
    st.success(verdict.text(), icon=":material/verified_user:")
else:
    st.error(verdict.text() + " Entries from the one named on can't be trusted; earlier ones can.",
             icon=":material/gpp_bad:")
st.caption("Kept beside the database; entries are only ever added, never changed.")

pick_user, pick_action, pick_from, pick_to = st.columns([2, 3, 1, 1])
who = pick_user.selectbox("User", [""] + users, format_func=lambda u: u or "Everyone", key="audit_user")
actions = pick_action.multiselect("Action", list(audit.ACTIONS), format_func=audit.ACTIONS.get,
                                  placeholder="All", key="audit_action")
since = pick_from.date_input("From (UTC)", value=None, format="YYYY-MM-DD", key="audit_from")
until = pick_to.date_input("To (UTC)", value=None, format="YYYY-MM-DD", key="audit_to")

entries = log.entries(since=since, until=until, who=who or None, actions=actions, newest_first=True, limit=SHOWN)
if entries.empty:
    st.info("No entries match these choices." if who or actions or since or until else
            "Nothing recorded yet: sign-ins, downloads, loads and changes appear here as they happen.",
            icon=":material/inbox:")
    st.stop()
st.caption(f"{len(entries):,} {'entry' if len(entries) == 1 else 'entries'}, newest first"
           + (f" (the newest {SHOWN:,})" if len(entries) == SHOWN else "") + ".")
st.dataframe(audit.for_screen(entries), hide_index=True, width="stretch", column_config={
    "#": st.column_config.NumberColumn(width=60, format="%d"),
    "When (UTC)": st.column_config.TextColumn(width=140),
    "Who": st.column_config.TextColumn(width=180),
    "Action": st.column_config.TextColumn(width=170),
    "What": st.column_config.TextColumn(width="large")})
