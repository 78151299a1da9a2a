"""Who is using the app on this run: the signed-in user resolved against the roles file.

Sign-in is on when `.streamlit/secrets.toml` has an `[auth]` section (OpenID Connect, as
Streamlit documents it); then st.user carries the provider's e-mail and groups, and
`cxdata.access.roles` gives the role and scope. Without sign-in the app is a single-user local
tool on the loopback address (the one user is `LOCAL_ADMIN`), or, when explicitly set, a
read-only view for anonymous visitors; served to the network otherwise, it refuses everyone
(`cxdata.access.signin.decide`). app.py asks `current_user()` once per run (it draws the
account box); pages, readers and writes then ask `cxdata.app.frame.current_user()`, which reads
the user kept here; nothing trusts a name typed into a box. A sign-in and a refusal are recorded
in the audit log once per browser session.
"""
from __future__ import annotations

import logging
import os
import re
from html import escape
from typing import NoReturn

import streamlit as st

from cxdata import db
from cxdata.access import audit, roles, signin
from cxdata.access.roles import LOCAL_ADMIN, User

_LOG = logging.getLogger(__name__)
ROLE_TITLES = {"admin": "Administrator", "executive": "Executive", "cx_manager": "CX manager",
               "department_head": "Department head", "board": "Board member", "viewer": "Viewer"}
SETUP_HELP = "docs/access.md in the cx-cockpit repository"
_RECORDED = "cx_identity_recorded"  # what this session's sign-in or refusal was recorded as
_USER = "cx_user"                   # the user the latest run found, for pages and callbacks


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


def serving() -> signin.Serving:
    """How this run is served: sign-in, local mode, read-only anonymous, or refused."""
    return signin.decide(signin=signin_configured(), address=st.get_option("server.address"),
                         anonymous=os.environ.get(signin.ANONYMOUS_ENV),
                         headers=dict(st.context.headers or {}))


def current_user() -> User:
    """The user of this run; stops the page with a sign-in or refusal screen when there is none.
    app.py asks once per run, right after the navigation; the user is kept for `this_user()`."""
    st.session_state.pop(_USER, None)  # signed out or refused: no user left behind for a callback
    user = _find_user()
    st.session_state[_USER] = user
    return user


def this_user() -> User:
    """The user `current_user()` found for this session on this run (in a callback: on the run that
    drew the widget), without drawing the account box again. Pages ask it through
    `frame.current_user()`; `cxdata.app.audited`, which the frame's own modules use, asks it here."""
    return st.session_state[_USER]


def _find_user() -> User:
    how = serving()
    if how.mode == signin.LOCAL:
        st.sidebar.caption(":material/computer: Local mode: only this computer can open the app.")
        return LOCAL_ADMIN
    if how.mode == signin.ANONYMOUS_MODE:
        st.sidebar.caption(":material/visibility: Read-only view open to anyone: figures only, "
                           "no customer names or rows, no changes.")
        return signin.ANONYMOUS
    if how.mode == signin.REFUSED:
        _refuse("This app is not open to visitors: its administrator has not finished setting up who may see it.",
                f"Refused because {how.reason}. Set up sign-in with the company's accounts, serve the "
                "app on this computer only (server address 127.0.0.1), or allow a read-only view for "
                f"anyone ({signin.ANONYMOUS_ENV}=read-only). See {SETUP_HELP}.")
    problem = signin.auth_problem(st.secrets["auth"])
    if problem:
        _refuse("Sign-in is not working: it is set up incompletely.", f"{problem}. See {SETUP_HELP}.")
    if not st.user.get("is_logged_in"):
        _signin_screen()
    user = _resolve(st.user.to_dict())
    _record_once(user.email, "sign_in", {"role": user.role, "scope": user.scope.describe() or "all data",
                                         "groups": list(user.groups)})
    _account(user)
    return user


def may(action: str) -> bool:
    """Whether the user of this run may do `action`, asked before the navigation is built (a page
    they may not open is left out of it); never draws, so False while nobody is signed in."""
    how = serving()
    if how.mode == signin.LOCAL:
        return LOCAL_ADMIN.may(action)
    if how.mode == signin.ANONYMOUS_MODE:
        return signin.ANONYMOUS.may(action)
    if how.mode == signin.REFUSED or not st.user.get("is_logged_in"):
        return False
    try:
        found = roles_file()
    except roles.RolesError:
        return False
    claims = st.user.to_dict()
    email = str(claims.get("email") or "").strip()
    user = found.resolve(email, signin.groups_of(claims, signin.groups_claim())) if found and email else None
    return user is not None and user.may(action)


def _record_once(who: str, action: str, what: dict) -> None:
    """Record a sign-in or refusal the first time this session meets it, not on every rerun."""
    if st.session_state.get(_RECORDED) == (who, action, what.get("reason")):
        return
    try:
        audit.record(db.db_path(), who, action, what)
    except audit.AuditError as exc:  # the cause for the server's log, plain words on screen
        _LOG.error("%s of %s not recorded in the audit log: %s", action, who, exc)
        st.warning("This visit could not be recorded in the audit log. Tell the administrator.",
                   icon=":material/warning:")
        return
    st.session_state[_RECORDED] = (who, action, what.get("reason"))


def _resolve(claims: dict) -> User:
    """The role and scope of the signed-in account, or a refusal page naming why there is none."""
    email = str(claims.get("email") or "").strip()
    if not email:
        _refuse("The company's sign-in did not say which e-mail address this account has, so access "
                "can't be checked.", "Ask the identity provider to include the email claim in the ID "
                f"token (scope email). See {SETUP_HELP}.", signed_in=True)
    if claims.get("email_verified") is False:
        _refuse(f"{email} is not a verified e-mail address at the company's sign-in, so access can't "
                "be checked.", signed_in=True, who=email)
    try:
        found = roles_file()
    except roles.RolesError as exc:
        _LOG.warning("roles file refused: %s", exc)
        _refuse("Access can't be checked right now: the list of who may see what has a mistake. "
                "Ask your administrator.", f"The roles file can't be used: {exc}.", signed_in=True, who=email)
    if found is None:
        _refuse("Sign-in is set up, but no one has been given access yet. Ask your administrator.",
                f"No roles file: set {roles.ROLES_ENV} to a roles file that names who may see what. "
                f"Until then every account is refused. See {SETUP_HELP}.", signed_in=True, who=email)
    user = found.resolve(email, signin.groups_of(claims, signin.groups_claim()))
    if user is None:
        _refuse(f"{email} has no access to cx-cockpit. Ask your administrator to add you.",
                f"Neither this e-mail address nor any of its groups (claim "
                f"{signin.groups_claim()!r}) is in the roles file.", signed_in=True, who=email)
    return user


def _signin_screen() -> NoReturn:
    _hide_sidebar()
    st.title("cx-cockpit")
    st.write("The customer-experience dashboards of the leadership team: how customers rate us, who "
             "may leave, and where service falls short.")
    st.write("Sign in with your company account. What you see depends on the role your "
             "administrator gave you.")
    st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
    st.stop()


def _account(user: User) -> None:
    """Who is signed in, their role and scope, and the sign-out button, at the top of the sidebar."""
    scope = user.scope.describe() or "all data"
    title = ROLE_TITLES.get(user.role, user.role)
    st.sidebar.html(f"<div class='cx-account' style='font-size: 14px; line-height: 1.4'>"
                    f"Signed in as <b>{escape(user.email)}</b><br>{escape(title)} · {escape(scope)}</div>")
    st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:", key="cx_sign_out")


def _refuse(message: str, admin: str = "", signed_in: bool = False, who: str = "anonymous") -> NoReturn:
    """A page with only the reason: for the visitor in plain words, for the administrator in detail.
    Recorded in the audit log under `who` (the account's e-mail when the sign-in named one)."""
    _record_once(who, "refused", {"reason": message, **({"detail": admin} if admin else {})})
    _hide_sidebar()
    st.title("cx-cockpit")
    st.error(_plain(message), icon=":material/block:")
    if admin:
        st.caption(_plain(f"For the administrator: {admin}"))
    if signed_in:
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
    st.stop()


def _plain(text: str) -> str:
    """Text shown as written: an e-mail or a file's error message is never read as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


def _hide_sidebar() -> None:
    """The sign-in and refusal screens show nothing else: not even the names of the pages."""
    st.html("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] "
            "{ display: none; }</style>")
