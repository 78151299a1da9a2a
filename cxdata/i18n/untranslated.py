"""Find text in the source that would reach a screen in English whatever the language: string
literals and f-strings that read as words, outside a call to `_`, `n_` or `N_`.

A literal that is not text for a person (a CSS rule, a column key, a Plotly setting) is marked on its
line with `# untranslated: <why>`. Docstrings, dict keys, subscripts and comparisons are never text.
The test suite fails on what this finds; so does `python -m cxdata.i18n check`.
"""
from __future__ import annotations

import ast
import re

from cxdata.i18n.catalogs import ROOT, shown_files

MARK = "# untranslated"
TRANSLATORS = {"_", "n_", "N_", "p_"}
SQL_CALLS = {"execute", "executemany", "sql"}   # what they are given is SQL, never text for a person
# Keyword arguments whose value is never text for a person.
NOT_TEXT_ARGS = {"key", "icon", "format", "type", "kind", "mode", "color", "unsafe_allow_html", "encoding",
                 "errors", "sep", "fill", "line_dash", "orient", "how", "on", "dtype", "engine", "url_path",
                 "on_change", "anchor", "xref", "yref", "xanchor", "yanchor", "textposition",
                 "hovermode", "barmode", "template", "family", "mime", "file_name", "label_visibility", "width",
                 "height", "layout", "tickformat", "hoverinfo", "name_key", "query", "sql", "path"}
_WORDS = re.compile(r"[A-Za-z]{2,}[ \u00a0]+[A-Za-z(]|^[A-Z][a-z]+\b")
_TECHNICAL = re.compile(r"^(:material/|<|\.|\[|#|%|\$|https?:|select |with |create |insert |update |delete |"
                        r"from |--|[a-z_]+\.(sql|py|toml|csv|xlsx|pdf|pptx|duckdb|md)$)|^[A-Za-z_][A-Za-z0-9_.]*$")


def looks_like_text(value: str) -> bool:
    """Words a person reads ("Period", "No answers yet"), not a key, a path, SQL or CSS."""
    text = value.strip()
    if not re.search(r"[A-Za-z]{2,}", text) or _TECHNICAL.search(text) and not re.match(r"^[A-Z][a-z]+$", text):
        return False
    return bool(_WORDS.search(text))


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _exempt(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Inside a translation call, a dict key, a subscript, a comparison or a not-text keyword."""
    child = node
    parent = parents.get(id(child))
    while parent is not None:
        if isinstance(parent, ast.Call):
            func = parent.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in TRANSLATORS or name in SQL_CALLS:
                return True
        if isinstance(parent, ast.keyword) and parent.arg in NOT_TEXT_ARGS:
            return True
        if isinstance(parent, ast.Dict) and any(k is child for k in parent.keys):
            return True
        if isinstance(parent, ast.Subscript) and parent.slice is child:
            return True
        if isinstance(parent, ast.Compare):
            return True
        if isinstance(parent, (ast.stmt,)):
            return False
        child, parent = parent, parents.get(id(parent))
    return False


def _binds_underscore(tree: ast.AST) -> list[int]:
    """Lines that assign to `_` in a module that translates with it (the call would then fail)."""
    imports = any(isinstance(n, ast.ImportFrom) and n.module == "cxdata.i18n" and any(a.name == "_" for a in n.names)
                  for n in ast.walk(tree))
    if not imports:
        return []
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]


def findings(files: list[tuple[str, str]] | None = None) -> list[str]:
    """"path:line: text" for every literal that reads as words and is not translated."""
    found = []
    for relative, _domain in files or shown_files():
        source = (ROOT / relative).read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        parents, docs = _parents(tree), _docstrings(tree)
        for lineno in _binds_underscore(tree):
            found.append(f"{relative}:{lineno}: assigns to `_`, the translation function (name it otherwise)")  # untranslated: for developers
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                text = text if any(isinstance(v, ast.FormattedValue) for v in node.values) else ""
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if isinstance(parents.get(id(node)), ast.JoinedStr):
                    continue
                text = node.value
            else:
                continue
            if not text or not looks_like_text(text) or _exempt(node, parents):
                continue
            statement = _statement(node, parents)
            span = range(statement.lineno - 1, (statement.end_lineno or statement.lineno))
            if any(MARK in lines[i] for i in span if i < len(lines)) or MARK in lines[node.lineno - 1]:
                continue
            found.append(f"{relative}:{node.lineno}: {text.strip()[:80]!r}")
    return found


def _statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    while node is not None and not isinstance(node, ast.stmt):
        node = parents.get(id(node))
    return node
