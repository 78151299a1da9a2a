"""Audit log: sign-ins and refusals, every file that left the app, board packs, loads and changes, newest
first, and whether the log is intact. For administrators only.

Shown in the language of the page; the entries themselves are stored as written, in English and by key,
and only their display is translated (cxdata.access.audit.for_screen)."""
import streamlit as st

from cxdata import db
from cxdata import formatting as fmt
from cxdata.access import audit
from cxdata.app import frame
from cxdata.i18n import _, language, n_

SHOWN = 5000  # newest entries listed; the command line lists them all

frame.current_view()
st.title(_("Audit log"))
if not frame.current_user().may("read_audit"):
    st.error(_("The audit log is for administrators."), icon=":material/block:")
    st.stop()

log = audit.AuditLog.beside(db.db_path())
try:
    verdict = log.verify()
    users = log.users()
except audit.AuditError as exc:
    st.error(_("The audit log can't be read: {error}.").format(error=exc), icon=":material/error:")
    st.stop()
if verdict.ok:
    st.success(verdict.text(), icon=":material/verified_user:")
else:
    st.error(_("{verdict} Entries from the one named on can't be trusted; earlier ones can.").format(
        verdict=verdict.text()), icon=":material/gpp_bad:")
st.caption(_("Kept beside the database; entries are only ever added, never changed."))

# Days typed and shown as the page's language writes them: 2026-03-05 in English, 05/03/2026 in Spanish and Portuguese.
DAY_FORMAT = "YYYY-MM-DD" if language() == "en" else "DD/MM/YYYY"  # untranslated: a date input's format
pick_user, pick_action, pick_from, pick_to = st.columns([2, 2.6, 1.2, 1.2])  # a day's box holds "dd / mm / yyyy"
who = pick_user.selectbox(_("User"), [""] + users, format_func=lambda u: u or _("Everyone"), key="audit_user")
actions = pick_action.multiselect(_("Action"), list(audit.ACTIONS), format_func=lambda a: _(audit.ACTIONS[a]),
                                  placeholder=_("All"), key="audit_action")
since = pick_from.date_input(_("From (UTC)"), value=None, format=DAY_FORMAT, key="audit_from")
until = pick_to.date_input(_("To (UTC)"), value=None, format=DAY_FORMAT, key="audit_to")

entries = log.entries(since=since, until=until, who=who or None, actions=actions, newest_first=True, limit=SHOWN)
if entries.empty:
    st.info(_("No entries match these choices.") if who or actions or since or until else
            _("Nothing recorded yet: sign-ins, downloads, loads and changes appear here as they happen."),
            icon=":material/inbox:")
    st.stop()
if len(entries) == SHOWN:
    st.caption(_("{n} entries, newest first (the newest {shown}).").format(n=fmt.count(len(entries)),
                                                                          shown=fmt.count(SHOWN)))
else:
    st.caption(n_("{n} entry, newest first.", "{n} entries, newest first.", len(entries)).format(
        n=fmt.count(len(entries))))
number, when, by, action, what = audit.columns()
# Spanish and Portuguese run longer: "3 de mar. de 2026 14:05:09", "Caso de acompanhamento alterado".
longer = language() != "en"
st.dataframe(audit.for_screen(entries), hide_index=True, width="stretch", column_config={
    number: st.column_config.NumberColumn(width=60, format="%d"),
    when: st.column_config.TextColumn(width=190 if longer else 140),
    by: st.column_config.TextColumn(width=180),
    action: st.column_config.TextColumn(width=230 if longer else 170),
    what: st.column_config.TextColumn(width="large")})
