"""How the loader's generated SQL stays safe: only identifiers that pass ident() are spliced in;
every value is bound through Params."""
from __future__ import annotations

import re

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """A quoted identifier: a model column or a table name the loader made up."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not an identifier the loader generates: {name!r}")  # untranslated: a programming error, for developers
    return f'"{name}"'


class Params:
    """Values bound to a generated query: SQL text only ever gets allow-listed identifiers."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def __call__(self, value) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "$" + name
