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

from cxdata.i18n import _
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
        raise ThemeFileError(_("cannot read the theme file {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc
    except UnicodeDecodeError as exc:
        raise ThemeFileError(_("the theme file {path} is not UTF-8 text (byte {byte})").format(
            path=path, byte=exc.start)) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(_("the theme file {path} is not valid TOML: {problem}").format(path=path, problem=exc)) from exc
    if not data:
        raise ThemeFileError(_('the theme file {path} defines no theme; add one, e.g. [billing] label = "Billing" '
                               'phrases = ["invoice", "factura*"]').format(path=path))
    themes = [_theme(path, text, key, body) for key, body in data.items()]
    return Rules(path, tuple(themes), text, tuple(_pattern(t.phrases) for t in themes))


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(f"[{key}]") or line.strip().startswith(f'["{key}"]'):
            return number
    return None


def _theme(path: Path, text: str, key: str, body) -> Theme:
    line = _line_of(text, key)
    where = (_("{path}: theme [{key}]").format(path=path, key=key) if line is None else
             _("{path}: line {line}, theme [{key}]").format(path=path, line=line, key=key))
    if not isinstance(body, dict):
        raise ThemeFileError(_("{path}: {key} = ... is not a theme; write it as a table: [{key}]").format(path=path, key=key))
    if not _KEY.match(key):
        raise ThemeFileError(_("{where}: the key must be lower case letters, digits and _ (at most 40), starting "
                               "with a letter").format(where=where))
    unknown = sorted(set(body) - _ALLOWED)
    if unknown:
        raise ThemeFileError(_("{where}: unknown setting(s) {names}; a theme has label and phrases").format(
            where=where, names=", ".join(unknown)))
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ThemeFileError(_('{where}: needs a label, e.g. label = "{example}"').format(
            where=where, example=key.replace("_", " ").capitalize()))
    phrases = body.get("phrases")
    if not isinstance(phrases, list) or not phrases:
        raise ThemeFileError(_('{where}: needs phrases, a list of words, e.g. phrases = ["invoice", "factura*"]').format(
            where=where))
    cleaned = []
    for i, phrase in enumerate(phrases, start=1):
        if not isinstance(phrase, str):
            raise ThemeFileError(_("{where}: phrase {i} is {value}, not text in quotes").format(
                where=where, i=i, value=repr(phrase)))
        folded = " ".join(fold(phrase).split())
        if not re.search(r"[a-z0-9]", folded):
            raise ThemeFileError(_("{where}: phrase {i} ({phrase}) is empty or has no letter or digit; it would "
                                   "match nothing (or everything)").format(where=where, i=i, phrase=repr(phrase)))
        if "*" in folded.rstrip("*") or (folded.endswith("*") and len(folded) < 4):
            raise ThemeFileError(_("{where}: phrase {i} ({phrase}): * may only end a phrase of at least 3 letters "
                                   "(factur*)").format(where=where, i=i, phrase=repr(phrase)))
        cleaned.append(folded)
    return Theme(key, label.strip(), tuple(dict.fromkeys(cleaned)))


def _pattern(phrases: tuple[str, ...]) -> re.Pattern:
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        stem, wild = (phrase[:-1], True) if phrase.endswith("*") else (phrase, False)
        body = r"[\s\-]+".join(re.escape(word) for word in stem.split())
        parts.append(body + (r"[a-z0-9]*" if wild else ""))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])")


def messages():
    """The shipped themes' labels for the catalogs, as (label, file, line): the labels are the
    product's words, shown in the reader's language; a company's own theme file keeps its labels as
    written (cxdata.i18n.catalogs calls this for the customers area)."""
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    found = re.compile(r'^\s*label\s*=\s*"((?:[^"\\]|\\.)*)"')
    for number, line in enumerate(text.splitlines(), start=1):
        match = found.match(line)
        if match:
            yield tomllib.loads(f'label = "{match.group(1)}"')["label"], "cxdata/themes.toml", number
