"""The language of a run: `?lang=` in the URL (a shared link opens in its language), else the one
chosen earlier in this session, else the browser's preferred language, else $CX_LANGUAGE, else
English. app.py asks once per run, before anything is drawn; every page then translates through
cxdata.i18n, which holds the choice for this run.

Only a language named in the URL or picked in the sidebar is written into the URL, so a link shared
by someone whose browser is Spanish still opens in the recipient's own language.
"""
from __future__ import annotations

import streamlit as st

from cxdata import i18n
from cxdata.i18n import LANGUAGES, _

QUERY = "lang"
_CHOSEN = "cx_language"            # the language of this session, once known
_PINNED = "cx_language_pinned"     # named in a URL or picked: kept in the URL
_PICKER = "cx_language_picker"
_UNKNOWN = "cx_language_unknown"


def choose() -> str:
    """Set this run's language and return it (one of cxdata.i18n.LANGUAGES)."""
    raw = st.query_params.get(QUERY)
    if raw is not None and raw != i18n.url_code(st.session_state.get(_CHOSEN, "")):
        code = i18n.parse(raw)
        if code:
            st.session_state[_CHOSEN], st.session_state[_PINNED] = code, True
        else:
            st.session_state[_UNKNOWN] = raw
    if _CHOSEN not in st.session_state:
        st.session_state[_CHOSEN] = browser_language() or i18n.default_language()
    code = i18n.set_language(st.session_state[_CHOSEN])
    wanted = i18n.url_code(code) if st.session_state.get(_PINNED) else None
    if st.query_params.get(QUERY) != wanted:
        if wanted:
            st.query_params[QUERY] = wanted
        else:
            del st.query_params[QUERY]
    return code


def browser_language() -> str | None:
    """The first language of the browser's preference that the product speaks, if any."""
    found = i18n.parse(st.context.locale)
    if found:
        return found
    accepted = st.context.headers.get("Accept-Language", "") or ""   # untranslated: an HTTP header's name
    for part in accepted.split(","):
        found = i18n.parse(part.split(";")[0])
        if found:
            return found
    return None


def picker() -> None:
    """The language box at the foot of the sidebar; a choice is kept in the URL, to share."""
    st.session_state[_PICKER] = st.session_state[_CHOSEN]
    st.sidebar.selectbox(_("Language"), list(LANGUAGES), format_func=LANGUAGES.get, key=_PICKER, on_change=_picked)
    unknown = st.session_state.pop(_UNKNOWN, None)
    if unknown is not None:
        from cxdata import formatting as fmt
        st.warning(fmt.md(_("Ignored unknown language {code}; showing {language}.").format(
            code=repr(unknown)[:40], language=LANGUAGES[i18n.language()])), icon=":material/warning:")


def _picked() -> None:
    st.session_state[_CHOSEN], st.session_state[_PINNED] = st.session_state[_PICKER], True
    i18n.set_language(st.session_state[_CHOSEN])
    st.query_params[QUERY] = i18n.url_code(st.session_state[_CHOSEN])
