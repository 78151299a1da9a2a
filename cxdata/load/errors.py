"""LoadError, the one exception a user's mistake raises, and how its messages name things."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from cxdata import formatting as fmt
from cxdata.i18n import _


class LoadError(Exception):
    """A user mistake that stops a whole run: nothing from the run is committed."""

    def __init__(self, file: Path | str | None, message: str):
        super().__init__(f"{file}: {message}" if file else message)
        self.file = str(file) if file else None
        self.message = message
        self.load_id: str | None = None  # set once the failed run is recorded in `loads`


def name_list(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items) or _("(none)")


def column_list(found: list[str], limit: int = 10) -> str:
    """A file's column names for a one-line message: the first few, each kept short."""
    shown = ", ".join(column_name(name) for name in found[:limit]) or _("(none)")
    if len(found) > limit:
        return _("{columns} … and {n} more").format(columns=shown, n=fmt.count(len(found) - limit))
    return shown


def column_name(name: str, width: int = 40) -> str:
    """A column name quoted, shortened, and with unprintable characters shown as �."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in name)
    return repr(text if len(text) <= width else text[:width - 1] + "…")
