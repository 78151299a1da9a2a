"""How the app is served, and what the company's sign-in says about a visitor.

The app is served one of three ways, decided on every run from the server's settings:
- **sign-in**: `.streamlit/secrets.toml` has an `[auth]` section (OpenID Connect); every visitor
  signs in with the company's account and the roles file gives their role and scope;
- **local mode**: no sign-in and the server listens on the loopback address only (the repo's
  `.streamlit/config.toml` says 127.0.0.1): one person on this computer, with every right;
- **read-only anonymous**: no sign-in and `CX_ANONYMOUS=read-only`: every visitor is an
  anonymous viewer (aggregates only, no writes, no rows, personal fields masked).
Served to the network without sign-in and without that setting, every visitor is refused.
What a visitor sends (request headers) can only move a run towards refusal, never widen access.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Mapping

from cxdata.access.roles import User
from cxdata.access.sentence import Sentence
from cxdata.i18n import N_

ANONYMOUS_ENV = "CX_ANONYMOUS"
READ_ONLY = "read-only"
GROUPS_CLAIM_ENV = "CX_GROUPS_CLAIM"
DEFAULT_GROUPS_CLAIM = "groups"
# Every visitor when the app is served read-only to anyone: the viewer role may change nothing,
# export no rows and see no names (roles.ACTIONS).
ANONYMOUS = User("anonymous", "viewer")

SIGNIN, LOCAL, ANONYMOUS_MODE, REFUSED = ("sign-in", "local", "read-only anonymous",  # untranslated: modes' keys
                                          "refused")
# Streamlit's [auth] keys for the default provider (st.login() without a name).
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# Headers a reverse proxy adds: their presence means the visitor did not connect from this computer.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


@dataclass(frozen=True)
class Serving:
    """The way this run is served; for REFUSED, the reason in words for the administrator (a Sentence:
    shown in the visitor's language, recorded in English)."""

    mode: str
    reason: str = ""


def decide(*, signin: bool, address: str | None, anonymous: str | None,
           headers: Mapping[str, str] | None = None) -> Serving:
    """Sign-in when configured; else local mode on the loopback address; else read-only anonymous
    when explicitly set; else refused. A misspelt CX_ANONYMOUS refuses rather than guesses."""
    anonymous = (anonymous or "").strip()
    if anonymous and anonymous != READ_ONLY:
        return Serving(REFUSED, Sentence(N_("{setting} is set to {value!r}; the only value it takes is "
                                            "{read_only!r} (or leave it unset)"),
                                         setting=ANONYMOUS_ENV, value=anonymous, read_only=READ_ONLY))
    if signin:
        return Serving(SIGNIN)
    if anonymous == READ_ONLY:
        return Serving(ANONYMOUS_MODE)
    if not is_loopback(address):
        if address:
            return Serving(REFUSED, Sentence(N_("the server listens on {address} and no sign-in is set up"),
                                             address=address))
        return Serving(REFUSED, Sentence(N_("the server listens on every network address of this computer "
                                            "and no sign-in is set up")))
    remote = _reached_from_elsewhere(headers or {})
    if remote:
        return Serving(REFUSED, remote)
    return Serving(LOCAL)


def is_loopback(address: str | None) -> bool:
    """127.0.0.1, ::1 or localhost; an unset address means every network interface."""
    if not address:
        return False
    address = address.strip().strip("[]")
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False   # a host name other than localhost: may resolve to a network address


def _reached_from_elsewhere(headers: Mapping[str, str]) -> str:
    """Why a request did not come from this computer's browser, as the refusal says it ('' when it did)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    proxied = [name for name in FORWARDING_HEADERS if lowered.get(name)]
    if proxied:
        return Sentence(N_("the app is reached through a proxy (the request carries {header}) and no sign-in "
                           "is set up"), header=proxied[0])
    host = lowered.get("host", "")
    name = host.rsplit("]", 1)[0].lstrip("[") if host.startswith("[") else host.rsplit(":", 1)[0]
    if host and not is_loopback(name):
        return Sentence(N_("the app is reached under the name {name!r}, not as this computer and no sign-in "
                           "is set up"), name=name)
    return ""


def auth_problem(auth: Mapping[str, object]) -> str:
    """What is missing from the [auth] section for st.login() to work ('' when nothing)."""
    provider = auth.get("default") if isinstance(auth.get("default"), Mapping) else auth
    missing = [key for key in AUTH_KEYS if not auth.get(key)]
    missing += [key for key in PROVIDER_KEYS if not provider.get(key)]
    if missing:
        return Sentence(N_("The [auth] section of the secrets file lacks {keys}"), keys=", ".join(missing))
    if not str(auth["redirect_uri"]).rstrip("/").endswith("/oauth2callback"):
        return Sentence(N_("The [auth] redirect_uri must be the app's address followed by /oauth2callback"))
    return ""


def groups_claim() -> str:
    """The ID-token claim that lists the user's groups ($CX_GROUPS_CLAIM, default 'groups')."""
    return os.environ.get(GROUPS_CLAIM_ENV, "").strip() or DEFAULT_GROUPS_CLAIM


def groups_of(claims: Mapping[str, object], claim: str) -> tuple[str, ...]:
    """The groups a provider names in `claim`: a list, or one name as a string; none when absent."""
    value = claims.get(claim)
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int)) and str(v).strip())
    return ()
