"""Recording in the audit log from the app, under the signed-in user: changes, and files as they
are downloaded (the download button's click, not its drawing).

A record that can't be written is said on the page, never swallowed: the change or download has
happened, the log does not show it.
"""
from __future__ import annotations

import streamlit as st

from cxdata import db
from cxdata.access import audit
from cxdata.app import identity


def record(action: str, what: dict) -> None:
    """Append an entry for the user of this run to the log beside the database."""
    try:
        audit.record(db.db_path(), identity.current_user(), action, what)
    except audit.AuditError as exc:
        st.error(f"This was done, but could not be recorded in the audit log: {exc}. Tell the administrator.",
                 icon=":material/error:")


def download_button(where, label: str, data, *, what: dict, action: str = "download", **options) -> None:
    """`where.download_button(label, data, ...)` that records `action` with `what` (the file, what it
    holds, its filters) when the user clicks it, through the button's `on_click`: the click reruns
    the page (in a dialog, only the dialog), and the callback runs first."""
    where.download_button(label, data, on_click=record, args=(action, what), **options)
