"""The product's language: one function to translate (`_`), its plural (`n_`), its context (`p_`), a marker for text
kept in constants and translated where it is shown (`N_`), and the language of this run.

Catalogs are standard gettext files under cxdata/locale/<language>/LC_MESSAGES/<domain>.po, compiled
to .mo beside them (`python -m cxdata.i18n update`); a domain is one area of the product, so people
working on different areas never edit the same file. English is the source language; its catalog
holds every key too, so a missing key is caught the same way in every language.

The language is held per thread of execution (a ContextVar): a Streamlit run sets it once from the
URL, the browser or $CX_LANGUAGE (cxdata.app.language); the board pack's command line sets it from
--lang. Nothing below this module is imported here: every layer may translate.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
from pathlib import Path

from babel.support import NullTranslations, Translations

# The languages the product speaks, by gettext code, named as their speakers write them.
LANGUAGES = {"en": "English", "es": "Español", "pt_BR": "Português (Brasil)"}  # untranslated: endonyms
DEFAULT = "en"
LANGUAGE_ENV = "CX_LANGUAGE"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("frame", "access", "analysis", "customers", "charts", "report", "load",
           "initiatives", "followup", "customer", "notify")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("cx_language", default=None)


def parse(raw: str | None) -> str | None:
    """A language as a URL, a browser or a setting names it ("es", "es-MX", "pt", "pt_BR", "PT-br",
    "en-GB") as one of LANGUAGES, or None when the product does not speak it. Every Spanish is
    "es" and every Portuguese is "pt_BR", the one Portuguese the catalogs are written in."""
    if not raw:
        return None
    found = re.fullmatch(r"\s*([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))*\s*", str(raw))
    if not found:
        return None
    base = found.group(1).lower()
    return {"en": "en", "es": "es", "pt": "pt_BR"}.get(base)


def url_code(language: str) -> str:
    """How a language is written in a link: "pt-BR", "es", "en" (BCP 47, as browsers send it)."""
    return language.replace("_", "-")


def default_language() -> str:
    """$CX_LANGUAGE when the product speaks it, else English."""
    return parse(os.environ.get(LANGUAGE_ENV)) or DEFAULT


def language() -> str:
    """The language of this run: what set_language() chose, else the default."""
    return _current.get() or default_language()


def set_language(code: str | None) -> str:
    """Speak `code` (one of LANGUAGES, or anything parse() reads) from now on in this thread of
    execution; None or an unknown code goes back to the default. Returns the language now spoken."""
    chosen = parse(code) if code and code not in LANGUAGES else code
    _current.set(chosen if chosen in LANGUAGES else None)
    return language()


@contextlib.contextmanager
def using(code: str | None):
    """Speak `code` inside a `with` block (the board pack's --lang, a test), then what was spoken before."""
    token = _current.set(None)
    try:
        set_language(code)
        yield language()
    finally:
        _current.reset(token)


@functools.lru_cache(maxsize=None)
def translations(code: str) -> NullTranslations:
    """Every domain's compiled catalog for one language, merged into one (read once per process)."""
    merged = None
    for domain in DOMAINS:
        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{domain}.mo"
        if not path.exists():
            continue
        with path.open("rb") as fp:
            part = Translations(fp, domain=domain)
        merged = part if merged is None else merged.merge(part)
    return merged or NullTranslations()


def _(message: str) -> str:
    """`message` (an English source string) in the language of this run."""
    return translations(language()).gettext(message)


def n_(singular: str, plural: str, n: float) -> str:
    """The singular or plural form, as the language of this run counts `n`: in English 1 answer and
    2 answers; some languages have more than two forms, which the catalog's plural rule picks."""
    return translations(language()).ngettext(singular, plural, _plural_count(n))


def p_(context: str, message: str) -> str:
    """`message` in a named context, for the same English words that other languages say otherwise:
    "New" rows are "Nuevas" but a new alert is "Nueva"; the context ("rows") tells them apart."""
    return translations(language()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark text kept in a constant (a dict of labels) for the catalogs; it is translated where it
    is shown, with `_(CONSTANT)`, since the language is not known when the module is imported."""
    return message


def _plural_count(n: float) -> int:
    """gettext's plural rules count whole numbers: 1.5 days is plural, as is 0."""
    try:
        return int(n) if float(n) == int(n) else 2
    except (TypeError, ValueError, OverflowError):
        return 2
