"""The catalogs' upkeep: which area (domain) each source file belongs to, extracting its strings,
updating every language's .po with them and compiling the .mo the app reads.

`python -m cxdata.i18n update` after changing any translatable string; `python -m cxdata.i18n check`
lists what is missing (the test suite runs the same check).
"""
from __future__ import annotations

import datetime as dt
import importlib
import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from cxdata.i18n import DOMAINS, LANGUAGES, LOCALE_DIR

ROOT = LOCALE_DIR.parent.parent
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None, "p_": ((1, "c"), 2)}
CONTEXT = "\x04"   # gettext's own separator between a message's context and its text
# Every file whose text can reach a screen, a download or the board pack, by area (path prefixes,
# the longest match wins). Files not named here print only for developers (the demo's data, the
# benchmark, the command line's own help).
AREAS = {
    "app.py": "frame", "cxdata/app/": "frame", "cxdata/filters.py": "frame", "cxdata/metrics.py": "frame",
    "cxdata/verdict.py": "frame", "cxdata/glossary.py": "frame", "cxdata/formatting.py": "frame",
    "cxdata/data_status.py": "frame", "cxdata/access/": "access", "cxdata/app/identity.py": "access",
    "cxdata/app/audited.py": "access", "pages/audit.py": "access", "cxdata/exports.py": "frame",
    "cxdata/drill.py": "frame", "cxdata/masking.py": "frame", "cxdata/i18n/": "frame",
    "pages/definitions.py": "frame",
    "pages/overview.py": "analysis", "pages/trends.py": "analysis", "pages/departments.py": "analysis",
    "pages/service.py": "analysis", "cxdata/overview.py": "analysis", "cxdata/trends.py": "analysis",
    "cxdata/departments.py": "analysis", "cxdata/service.py": "analysis", "cxdata/drivers.py": "analysis",
    "pages/journey.py": "customers", "pages/voice.py": "customers", "pages/churn.py": "customers",
    "cxdata/journey.py": "customers", "cxdata/voice.py": "customers", "cxdata/comments.py": "customers",
    "cxdata/themes.py": "customers", "cxdata/churn/": "customers",
    "cxdata/charts.py": "charts",
    "cxdata/report/": "report", "pages/reports.py": "report", "pages/present.py": "report",
    "cxdata/app/board.py": "report", "cxdata/app/language.py": "frame",
    "cxdata/load/": "load", "pages/data.py": "load", "cxdata/db.py": "load", "cxdata/store.py": "load",
    "cxdata/derive.py": "load",
    "cxdata/initiatives/": "initiatives", "pages/initiatives.py": "initiatives",
    "cxdata/followup/": "followup", "pages/followup.py": "followup",
    "cxdata/customer/": "customer", "pages/customer.py": "customer", "cxdata/app/links.py": "customer",
    "cxdata/notify/": "notify",
}
HEADER = ("# cx-cockpit: the {domain} area in {language}.\n"
          "# Kept in step with the source by `python -m cxdata.i18n update`; translate the empty entries.")
NOT_SHOWN = ("cxdata/demo.py", "cxdata/bench.py", "cxdata/__main__.py", "cxdata/__init__.py",
             "cxdata/sentiment.py", "cxdata/churn/evaluate.py", "cxdata/i18n/catalogs.py",
             "cxdata/i18n/__main__.py")


# Text kept outside Python (the glossary's Markdown, the themes' TOML): a function per domain, named
# "module:function", that yields (msgid, file, line) for each piece of text it shows.
EXTRA = {"frame": ["cxdata.glossary:messages"], "customers": ["cxdata.themes:messages"]}


def area_of(relative: str) -> str | None:
    """The domain a source file's strings go to, or None for a file whose text is never shown."""
    if relative in NOT_SHOWN:
        return None
    matches = [prefix for prefix in AREAS if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix))]
    return AREAS[max(matches, key=len)] if matches else None


def shown_files() -> list[tuple[str, str]]:
    """(path relative to the checkout, domain) of every Python file whose text is shown."""
    paths = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "cxdata").rglob("*.py"))]
    found = []
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        domain = area_of(relative)
        if domain:
            found.append((relative, domain))
    return found


@dataclass
class Message:
    msgid: str | tuple[str, str]
    where: list[tuple[str, int]]
    comments: list[str]


def extract(domain: str) -> dict:
    """Every translatable string of a domain's files, keyed by its msgid, with where it is used."""
    found: dict = {}
    for relative, area in shown_files():
        if area != domain:
            continue
        for lineno, message, comments, context in extract_from_file(
                "python", ROOT / relative, keywords=KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True):
            key = message if isinstance(message, str) else tuple(message[:2])
            key = context + CONTEXT + key if context else key
            entry = found.setdefault(key, Message(key, [], []))
            entry.where.append((relative, lineno))
            entry.comments.extend(c for c in comments if c not in entry.comments)
    for name in EXTRA.get(domain, []):
        module, _sep, function = name.partition(":")
        source = getattr(importlib.import_module(module), function, None)
        for key, relative, lineno in (source() if source else []):
            found.setdefault(key, Message(key, [], [])).where.append((relative, lineno))
    return found


def po_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read(language: str, domain: str) -> Catalog:
    path = po_path(language, domain)
    if not path.exists():
        return Catalog(locale=language, domain=domain, project="cx-cockpit", version="1",
                       creation_date=dt.datetime(2026, 12, 7, tzinfo=dt.timezone.utc),
                       revision_date=dt.datetime(2026, 12, 7, tzinfo=dt.timezone.utc))
    with path.open("rb") as fp:
        return read_po(fp, locale=language, domain=domain)


def template(domain: str) -> Catalog:
    """The domain's strings as a template catalog (no translations)."""
    catalog = Catalog(domain=domain, project="cx-cockpit")
    for key, entry in extract(domain).items():
        context, _sep, msgid = key.rpartition(CONTEXT) if isinstance(key, str) else ("", "", key)
        catalog.add(msgid, locations=entry.where, auto_comments=entry.comments, context=context or None,
                    flags=("python-brace-format",) if _has_fields(key) else ())
    return catalog


def key_of(message) -> str | tuple[str, str]:
    """A catalog entry's key as extract() writes it: its text (or singular and plural), after its context."""
    key = message.id if isinstance(message.id, str) else tuple(message.id[:2])
    return message.context + CONTEXT + key if message.context else key


def _has_fields(key) -> bool:
    text = key.rpartition(CONTEXT)[2] if isinstance(key, str) else key[0] + key[1]
    return "{" in text


def update(domain: str) -> None:
    """Bring every language's catalog of `domain` in step with the source: new strings added (English
    filled with its own text, the others empty for a translator), gone ones dropped, then compiled."""
    for language in LANGUAGES:
        source = template(domain)   # one per language: update() adopts the template's message objects
        catalog = read(language, domain)
        catalog.update(source, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.header_comment = HEADER.format(language=LANGUAGES[language], domain=domain)
        if language == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
        write(language, domain, catalog)


def write(language: str, domain: str, catalog: Catalog) -> None:
    path = po_path(language, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False, include_lineno=False)
    path.write_bytes(buffer.getvalue())
    path.with_suffix(".mo").write_bytes(compiled(read(language, domain)))   # from the file, as check() reads it


def compiled(catalog: Catalog) -> bytes:
    """The catalog as gettext's binary .mo (fuzzy entries left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(strings)


def problems(domain: str) -> list[str]:
    """What keeps a domain's catalogs from being complete: a key missing or untranslated in a
    language, a translation with other {fields} than its source, a stale .mo."""
    found = []
    keys = set(extract(domain))
    for language in LANGUAGES:
        catalog = read(language, domain)
        have = {key_of(m): m for m in catalog if m.id}
        for key in sorted(keys - set(have), key=str):
            found.append(f"{language}/{domain}: missing {key!r}")
        for key in sorted(keys & set(have), key=str):
            message = have[key]
            if message.fuzzy or not _translated(message):
                found.append(f"{language}/{domain}: not translated {key!r}")
            elif _fields(key) != {f for s in _strings(message) for f in _fields_of(s)}:
                found.append(f"{language}/{domain}: other {{fields}} than the source in {key!r}")
        mo = po_path(language, domain).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{language}/{domain}: {mo.name} is not compiled from the .po (python -m cxdata.i18n update)")
    return found


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def _fields(key) -> set[str]:
    texts = [key.rpartition(CONTEXT)[2]] if isinstance(key, str) else list(key)
    return {f for t in texts for f in _fields_of(t)}


def _fields_of(text: str) -> set[str]:
    import string
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:   # a lone brace: not a format string
        return set()


def clashes() -> list[str]:
    """Messages that two areas translate differently in one language: the app merges the areas into
    one catalog, so one wording would win at random; the same words must read the same everywhere."""
    found = []
    for language in LANGUAGES:
        seen: dict = {}
        for domain in DOMAINS:
            for message in read(language, domain):
                if not message.id:
                    continue
                key = key_of(message)
                strings = tuple(_strings(message))
                if key in seen and seen[key][1] != strings:
                    found.append(f"{language}: {key!r} is {seen[key][1]!r} in {seen[key][0]} but {strings!r} in {domain}")
                seen.setdefault(key, (domain, strings))
    return found
