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
from cxdata.access.sentence import Sentence, english
from cxdata.i18n import N_, _

_LOG = logging.getLogger(__name__)
ROLE_TITLES = {"admin": N_("Administrator"), "executive": N_("Executive"), "cx_manager": N_("CX manager"),
               "department_head": N_("Department head"), "board": N_("Board member"), "viewer": N_("Viewer")}
SETUP_HELP = N_("docs/access.md in the cx-cockpit repository")
ALL_DATA = "all data"  # untranslated: a sign-in's scope as the audit log stores it (shown translated there)
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
        st.sidebar.caption(":material/computer: " + _("Local mode: only this computer can open the app."))
        return LOCAL_ADMIN
    if how.mode == signin.ANONYMOUS_MODE:
        st.sidebar.caption(":material/visibility: " + _("Read-only view open to anyone: figures only, "
                                                         "no customer names or rows, no changes."))
        return signin.ANONYMOUS
    if how.mode == signin.REFUSED:
        _refuse(Sentence(N_("This app is not open to visitors: its administrator has not finished setting up "
                            "who may see it.")),
                Sentence(N_("Refused because {reason}. Set up sign-in with the company's accounts, serve the "
                            "app on this computer only (server address 127.0.0.1), or allow a read-only view for "
                            "anyone ({setting}=read-only). See {help}."),
                         reason=how.reason, setting=signin.ANONYMOUS_ENV, help=Sentence(SETUP_HELP)))
    problem = signin.auth_problem(st.secrets["auth"])
    if problem:
        _refuse(Sentence(N_("Sign-in is not working: it is set up incompletely.")),
                Sentence(N_("{problem}. See {help}."), problem=problem, help=Sentence(SETUP_HELP)))
    if not st.user.get("is_logged_in"):
        _signin_screen()
    user = _resolve(st.user.to_dict())
    _record_once(user.email, "sign_in", {"role": user.role, "scope": user.scope.describe() or ALL_DATA,
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
        _LOG.error("%s of %s not recorded in the audit log: %s", action, who, exc)  # untranslated: the server's log
        st.warning(_("This visit could not be recorded in the audit log. Tell the administrator."),
                   icon=":material/warning:")
        return
    st.session_state[_RECORDED] = (who, action, what.get("reason"))


def _resolve(claims: dict) -> User:
    """The role and scope of the signed-in account, or a refusal page naming why there is none."""
    email = str(claims.get("email") or "").strip()
    if not email:
        _refuse(Sentence(N_("The company's sign-in did not say which e-mail address this account has, so access "
                            "can't be checked.")),
                Sentence(N_("Ask the identity provider to include the email claim in the ID token (scope email). "
                            "See {help}."), help=Sentence(SETUP_HELP)), signed_in=True)
    if claims.get("email_verified") is False:
        _refuse(Sentence(N_("{email} is not a verified e-mail address at the company's sign-in, so access can't "
                            "be checked."), email=email), signed_in=True, who=email)
    try:
        found = roles_file()
    except roles.RolesError as exc:
        _LOG.warning("roles file refused: %s", english(exc))  # untranslated: the server's log
        _refuse(Sentence(N_("Access can't be checked right now: the list of who may see what has a mistake. "
                            "Ask your administrator.")),
                Sentence(N_("The roles file can't be used: {error}."), error=exc), signed_in=True, who=email)
    if found is None:
        _refuse(Sentence(N_("Sign-in is set up, but no one has been given access yet. Ask your administrator.")),
                Sentence(N_("No roles file: set {setting} to a roles file that names who may see what. "
                            "Until then every account is refused. See {help}."),
                         setting=roles.ROLES_ENV, help=Sentence(SETUP_HELP)), signed_in=True, who=email)
    user = found.resolve(email, signin.groups_of(claims, signin.groups_claim()))
    if user is None:
        _refuse(Sentence(N_("{email} has no access to cx-cockpit. Ask your administrator to add you."), email=email),
                Sentence(N_("Neither this e-mail address nor any of its groups (claim {claim!r}) is in the "
                            "roles file."), claim=signin.groups_claim()), signed_in=True, who=email)
    return user


def _signin_screen() -> NoReturn:
    _hide_sidebar()
    st.title("cx-cockpit")
    st.write(_("The customer-experience dashboards of the leadership team: how customers rate us, who "
               "may leave, and where service falls short."))
    st.write(_("Sign in with your company account. What you see depends on the role your "
               "administrator gave you."))
    st.button(_("Sign in"), on_click=st.login, type="primary", icon=":material/login:")
    st.stop()


def _account(user: User) -> None:
    """Who is signed in, their role and scope, and the sign-out button, at the top of the sidebar."""
    scope = user.scope.describe() or _("all data")
    title = _(ROLE_TITLES[user.role]) if user.role in ROLE_TITLES else user.role
    signed_in = _("Signed in as {email}").format(email=f"<b>{escape(user.email)}</b>")
    st.sidebar.html("<div class='cx-account' style='font-size: 14px; line-height: 1.4'>"  # untranslated: HTML
                    f"{signed_in}<br>{escape(title)} · {escape(scope)}</div>")
    st.sidebar.button(_("Sign out"), on_click=st.logout, icon=":material/logout:", key="cx_sign_out")


def _refuse(message: Sentence, admin: Sentence | str = "", signed_in: bool = False,
            who: str = "anonymous") -> NoReturn:
    """A page with only the reason: for the visitor in plain words, for the administrator in detail,
    both in the visitor's language. Recorded in the audit log in English, whatever the language,
    under `who` (the account's e-mail when the sign-in named one)."""
    _record_once(who, "refused", {"reason": english(message), **({"detail": english(admin)} if admin else {})})
    _hide_sidebar()
    st.title("cx-cockpit")
    st.error(_plain(message), icon=":material/block:")
    if admin:
        st.caption(_plain(_("For the administrator: {detail}").format(detail=admin)))
    if signed_in:
        st.button(_("Sign out"), on_click=st.logout, icon=":material/logout:")
    st.stop()


def _plain(text: str) -> str:
    """Text shown as written: an e-mail or a file's error message is never read as Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


def _hide_sidebar() -> None:
    """The sign-in and refusal screens show nothing else: not even the names of the pages."""
    st.html("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] "  # untranslated: CSS
            "{ display: none; }</style>")
