"""The theme rules the CX team edits: a plain TOML file of multilingual keywords and phrases per theme.

`load_rules` reads and validates the file (cxdata/themes.toml, or the one $CX_THEMES names) and says
exactly what is wrong (the file, the line, the theme) instead of failing later; `Rules.themes_of`
gives the themes of one comment. Matching is on folded text (no case, no accents), whole words only.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cxdata.sentiment import fold

DEFAULT_FILE = Path(__file__).with_name("themes.toml")
THEMES_ENV = "CX_THEMES"
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ALLOWED = {"label", "phrases"}


class ThemeFileError(Exception):
    """The theme file cannot be used as it is; the message says where and why."""


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    path: Path
    themes: tuple[Theme, ...]
    text: str                      # the file's text, part of the analysis version
    patterns: tuple[re.Pattern, ...]

    def themes_of(self, folded: str) -> list[str]:
        """The keys of the themes a (folded) comment mentions, in the file's order."""
        return [t.key for t, p in zip(self.themes, self.patterns) if p.search(folded)]


def rules_path() -> Path:
    """$CX_THEMES when set, else the file shipped with cx-cockpit."""
    return Path(os.environ.get(THEMES_ENV) or DEFAULT_FILE)


def load_rules(path: Path | str | None = None) -> Rules:
    """Read and validate a theme file; ThemeFileError says what is wrong and where."""
    path = Path(path or rules_path())
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ThemeFileError(f"cannot read the theme file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ThemeFileError(f"the theme file {path} is not UTF-8 text (byte {exc.start})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"the theme file {path} is not valid TOML: {exc}") from exc
    if not data:
        raise ThemeFileError(f"the theme file {path} defines no theme; add one, e.g. "
                             '[billing] label = "Billing" phrases = ["invoice", "factura*"]')
    themes = [_theme(path, text, key, body) for key, body in data.items()]
    return Rules(path, tuple(themes), text, tuple(_pattern(t.phrases) for t in themes))


def _line_of(text: str, key: str) -> str:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(f"[{key}]") or line.strip().startswith(f'["{key}"]'):
            return f"line {number}, "
    return ""


def _theme(path: Path, text: str, key: str, body) -> Theme:
    where = f"{path}: {_line_of(text, key)}theme [{key}]"
    if not isinstance(body, dict):
        raise ThemeFileError(f"{path}: {key} = ... is not a theme; write it as a table: [{key}]")
    if not _KEY.match(key):
        raise ThemeFileError(f"{where}: the key must be lower case letters, digits and _ (at most 40), "
                             "starting with a letter")
    unknown = sorted(set(body) - _ALLOWED)
    if unknown:
        raise ThemeFileError(f"{where}: unknown setting(s) {', '.join(unknown)}; a theme has label and phrases")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ThemeFileError(f'{where}: needs a label, e.g. label = "{key.replace("_", " ").capitalize()}"')
    phrases = body.get("phrases")
    if not isinstance(phrases, list) or not phrases:
        raise ThemeFileError(f'{where}: needs phrases, a list of words, e.g. phrases = ["invoice", "factura*"]')
    cleaned = []
    for i, phrase in enumerate(phrases, start=1):
        if not isinstance(phrase, str):
            raise ThemeFileError(f"{where}: phrase {i} is {phrase!r}, not text in quotes")
        folded = " ".join(fold(phrase).split())
        if not re.search(r"[a-z0-9]", folded):
            raise ThemeFileError(f"{where}: phrase {i} ({phrase!r}) is empty or has no letter or digit; "
                                 "it would match nothing (or everything)")
        if "*" in folded.rstrip("*") or (folded.endswith("*") and len(folded) < 4):
            raise ThemeFileError(f"{where}: phrase {i} ({phrase!r}): * may only end a phrase of at least "
                                 "3 letters (factur*)")
        cleaned.append(folded)
    return Theme(key, label.strip(), tuple(dict.fromkeys(cleaned)))


def _pattern(phrases: tuple[str, ...]) -> re.Pattern:
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        stem, wild = (phrase[:-1], True) if phrase.endswith("*") else (phrase, False)
        body = r"[\s\-]+".join(re.escape(word) for word in stem.split())
        parts.append(body + (r"[a-z0-9]*" if wild else ""))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])")
