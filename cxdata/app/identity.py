"""Who is using the app on this run: the signed-in user resolved against the roles file.

Sign-in is on when `.streamlit/secrets.toml` has an `[auth]` section (OpenID Connect, as
Streamlit documents it); then st.user carries the provider's e-mail and groups, and
`cxdata.access.roles` gives the role and scope. With no sign-in configured the app is a
single-user local tool and the one user is `LOCAL_ADMIN`. Every page, reader and write asks
`current_user()`; nothing trusts a name typed into a box. A sign-in and a refusal are recorded in
the audit log once per browser session.
"""
from __future__ import annotations

import logging
import os

import streamlit as st

from cxdata import db
from cxdata.access import audit, roles
from cxdata.access.roles import LOCAL_ADMIN, User

_RECORDED = "cx_identity_recorded"  # what this session's sign-in or refusal was recorded as


def signin_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


@st.cache_resource(show_spinner=False)
def _roles_file(path: str, stamp: tuple[int, int]) -> roles.RolesFile | None:
    return roles.load(path)


def roles_file() -> roles.RolesFile | None:
    """The roles file as it is now (re-read when it changes on disk)."""
    path = roles.roles_path()
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return roles.load(path)  # raises RolesError naming the missing file
    return _roles_file(str(path), (info.st_ino, info.st_mtime_ns))


def current_user() -> User:
    """The user of this run; stops the page with a sign-in or refusal screen when there is none."""
    if not signin_configured():
        return LOCAL_ADMIN
    if not st.user.is_logged_in:
        st.title("cx-cockpit")
        st.write("Sign in with your company account to see the customer-experience dashboards.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    groups = st.user.get("groups") or []
    try:
        found = roles_file()
    except roles.RolesError as exc:
        _refuse(f"Access can't be checked: {exc}. Ask your administrator.", email, "the roles file can't be read")
    user = found.resolve(email, [str(g) for g in groups]) if found and email else None
    if user is None:
        _refuse(f"{email or 'This account'} has no access to cx-cockpit. "
                "Ask your administrator to add you to the roles file.", email, "not in the roles file")
    _record_once(user.email, "sign_in", {"role": user.role, "scope": user.scope.describe() or "all data",
                                         "groups": list(user.groups)})
    return user


def may(action: str) -> bool:
    """Whether the user of this run may do `action`, asked before the navigation is built (a page
    they may not open is left out of it); never draws, so False while nobody is signed in."""
    if not signin_configured():
        return LOCAL_ADMIN.may(action)
    if not st.user.is_logged_in:
        return False
    try:
        found = roles_file()
    except roles.RolesError:
        return False
    user = found.resolve(str(st.user.get("email") or ""), [str(g) for g in st.user.get("groups") or []]) \
        if found else None
    return user is not None and user.may(action)


def _record_once(who: str, action: str, what: dict) -> None:
    """Record a sign-in or refusal the first time this session meets it, not on every rerun."""
    if st.session_state.get(_RECORDED) == (who, action):
        return
    try:
        audit.record(db.db_path(), who, action, what)
    except audit.AuditError as exc:  # the cause for the server's log, plain words on screen
        logging.getLogger(__name__).error("%s of %s not recorded in the audit log: %s", action, who, exc)
        st.warning("This visit could not be recorded in the audit log. Tell the administrator.",
                   icon=":material/warning:")
        return
    st.session_state[_RECORDED] = (who, action)


def _refuse(message: str, email: str, reason: str) -> None:
    _record_once(email or "unknown", "refused", {"reason": reason})
    st.title("cx-cockpit")
    st.error(message, icon=":material/block:")
    st.button("Sign out", on_click=st.logout)
    st.stop()
