"""The glossary: every KPI and method in plain words, read from docs/definitions.md.

One text serves the documentation, the app's Definitions page and each page's "How this is
computed" section, so they cannot drift apart. The file is groups (`## Group`) of entries
(`### Term`); whatever comes before the first group is about the file and is not shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "docs" / "definitions.md"


@dataclass(frozen=True)
class Entry:
    group: str
    term: str
    text: str       # markdown, one or more paragraphs


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """Every entry, in the file's order."""
    found, group, term, lines = [], None, None, []

    def close() -> None:
        if group and term:
            found.append(Entry(group, term, "\n".join(lines).strip()))

    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            close()
            group, term, lines = line[3:].strip(), None, []
        elif line.startswith("### "):
            close()
            term, lines = line[4:].strip(), []
        elif term:
            lines.append(line)
    close()
    return tuple(found)


def groups() -> dict[str, list[Entry]]:
    """The entries by group, groups in the file's order."""
    out: dict[str, list[Entry]] = {}
    for entry in entries():
        out.setdefault(entry.group, []).append(entry)
    return out


def pick(*terms: str) -> list[Entry]:
    """The named entries, in the order asked; an unknown term is an error (a page names only real ones)."""
    by_term = {e.term: e for e in entries()}
    missing = [t for t in terms if t not in by_term]
    if missing:
        raise KeyError(f"not in the glossary: {', '.join(missing)}")
    return [by_term[t] for t in terms]


def kpi_term(label: str) -> str:
    """The glossary term that defines a KPI shown under `label` (live and written first response
    share one entry)."""
    return "First response (live and written)" if label.startswith("First response") else label


def as_markdown(items: list[Entry]) -> str:
    """Entries as one block of markdown: each term in bold, then its text."""
    return "\n\n".join(f"**{e.term}.** {e.text}" for e in items)
