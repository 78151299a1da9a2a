"""Recording in the audit log from the app, under the signed-in user: changes, and files as they
are downloaded (the download button's click, not its drawing).

A record that can't be written is said on the page in plain words (the cause goes to the server's
log), never swallowed: the change or download has happened, the log does not show it.
"""
from __future__ import annotations

import logging

import streamlit as st

from cxdata import db
from cxdata.access import audit
from cxdata.app import identity
from cxdata.i18n import N_, _

_UNRECORDED = "cx_audit_unrecorded"  # a callback's record that failed, said on the next drawing
_MESSAGE = N_("This was done, but the audit log could not record it. Tell the administrator.")
_ATTEMPT = N_("The audit log could not record this attempt either. Tell the administrator.")


def record(action: str, what: dict, done: bool = True) -> None:
    """Append an entry for the user of this run to the log beside the database, from a page's script;
    `done` False for an attempt that failed (a refused upload), so the message does not say it was done."""
    if not _write(action, what):
        st.error(_(_MESSAGE if done else _ATTEMPT), icon=":material/error:")


def record_later(action: str, what: dict) -> None:
    """`record` from a widget's callback: what a callback draws is lost when the page reruns itself
    (the frame settles the URL so), so a failure is kept for `show_unrecorded` to say."""
    if not _write(action, what):
        st.session_state[_UNRECORDED] = _MESSAGE


def show_unrecorded() -> None:
    """Say that a callback's record failed (the frame calls this on every run)."""
    if _UNRECORDED in st.session_state:
        st.error(_(st.session_state.pop(_UNRECORDED)), icon=":material/error:")


def download_button(where, label: str, data, *, what: dict, action: str = "download", **options) -> None:
    """`where.download_button(label, data, ...)` that records `action` with `what` (the file, what it
    holds, its filters) when the user clicks it, through the button's `on_click`: the click reruns
    the page (in a dialog, only the dialog), and the callback runs first."""
    where.download_button(label, data, on_click=record_later, args=(action, what), **options)


def _write(action: str, what: dict) -> bool:
    try:  # identity's user, as frame.current_user() gives it: the frame's cache records through here
        audit.record(db.db_path(), identity.this_user(), action, what)
    except audit.AuditError as exc:  # the cause (a path, a disk error) for the server's log, plain words on screen
        # untranslated: the server's log
        logging.getLogger(__name__).error("%s not recorded in the audit log: %s", action, exc)
        return False
    return True
