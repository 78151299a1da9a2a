"""The glossary: every KPI and method in plain words, read from docs/definitions.md.

One text serves the documentation, the app's Definitions page and each page's "How this is
computed" section, so they cannot drift apart. The file is groups (`## Group`) of entries
(`### Term`); whatever comes before the first group is about the file and is not shown.

The file is the English source. Each group title, term and paragraph is one message of the frame
catalogs (messages() lists them for `python -m cxdata.i18n update`), translated where it is shown:
entries() is the English, read once; groups() and pick() give the entries in the language of the run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from cxdata.i18n import _

SOURCE = Path(__file__).resolve().parent.parent / "docs" / "definitions.md"
RELATIVE = "docs/definitions.md"   # untranslated: where the catalogs say a message comes from
# The term of the entry both first-response KPIs share, and their labels (in English, as KPIS has them).
FIRST_RESPONSE = "First response (live and written)"   # untranslated: a term, the key of pick()
_FIRST_RESPONSE_LABELS = ("First response (live)", "First response (written)")   # untranslated: KPI labels as keys


@dataclass(frozen=True)
class Entry:
    group: str
    term: str
    text: str       # markdown, one or more paragraphs (blank line between), each on one line

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n")


def _parsed() -> list[tuple[str, str, int]]:
    """('group' | 'term' | 'paragraph', text, line number) for everything from the first group on;
    a paragraph's lines are joined into one (Markdown reads them so)."""
    found: list[tuple[str, str, int]] = []
    paragraph: list[str] = []
    started = False
    for lineno, line in enumerate(SOURCE.read_text(encoding="utf-8").splitlines(), start=1):
        heading = re.match(r"(##|###) (.*)", line)
        if heading or not line.strip():
            if paragraph and started:
                found.append(("paragraph", " ".join(paragraph), paragraph_line))
            paragraph = []
            if heading:
                started = True
                found.append(("group" if heading.group(1) == "##" else "term", heading.group(2).strip(), lineno))
            continue
        if not paragraph:
            paragraph_line = lineno
        paragraph.append(line.strip())
    if paragraph and started:
        found.append(("paragraph", " ".join(paragraph), paragraph_line))
    return found


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """Every entry in English, in the file's order (read once; translated by groups() and pick())."""
    found, group, term, paragraphs = [], None, None, []

    def close() -> None:
        if group and term:
            found.append(Entry(group, term, "\n\n".join(paragraphs)))

    for kind, text, _line in _parsed():
        if kind == "group":
            close()
            group, term, paragraphs = text, None, []
        elif kind == "term":
            close()
            term, paragraphs = text, []
        elif term:
            paragraphs.append(text)
    close()
    return tuple(found)


def messages():
    """(msgid, file, line) of every group title, term and paragraph shown: the catalogs' source
    (cxdata.i18n.catalogs calls this for the frame area)."""
    for _kind, text, lineno in _parsed():
        yield text, RELATIVE, lineno


def translated(entry: Entry) -> Entry:
    """An entry in the language of this run, a paragraph at a time."""
    return replace(entry, group=_(entry.group), term=_(entry.term),
                   text="\n\n".join(_(p) for p in entry.paragraphs))


def groups() -> dict[str, list[Entry]]:
    """The entries by group, groups in the file's order, in the language of this run."""
    out: dict[str, list[Entry]] = {}
    for entry in entries():
        shown = translated(entry)
        out.setdefault(shown.group, []).append(shown)
    return out


def pick(*terms: str) -> list[Entry]:
    """The entries named by their English terms, in the order asked and the language of this run; an
    unknown term is an error (a page names only real ones)."""
    by_term = {e.term: e for e in entries()}
    missing = [t for t in terms if t not in by_term]
    if missing:
        raise KeyError(f"not in the glossary: {', '.join(missing)}")   # untranslated: a programming error
    return [translated(by_term[t]) for t in terms]


def kpi_term(label: str) -> str:
    """The glossary term that defines a KPI shown under `label`, in English or in the language of this
    run (live and written first response share one entry)."""
    if label in _FIRST_RESPONSE_LABELS or label in {_(k) for k in _FIRST_RESPONSE_LABELS}:
        return FIRST_RESPONSE
    return label if label in {e.term for e in entries()} else {_(e.term): e.term for e in entries()}.get(label, label)


def as_markdown(items: list[Entry]) -> str:
    """Entries as one block of markdown: each term in bold, then its text."""
    return "\n\n".join(f"**{e.term}.** {e.text}" for e in items)
