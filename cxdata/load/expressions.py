"""Expressions in mapping files: checked against an allow-list on DuckDB's own parse tree, and
rewritten to read the staging columns, so a mapping can compute values but never reach a file,
the network, another table or a subquery."""
from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from cxdata import formatting as fmt
from cxdata.i18n import _
from cxdata.load import limits

# Scalar functions a mapping may call (DuckDB names; aliases included). Nothing here reads
# files, tables or the network, or depends on other rows.
FUNCTIONS = frozenset("""  # untranslated: function names
    abs ceil ceiling floor round sign trunc greatest least coalesce ifnull nullif if isfinite
    concat concat_ws lower upper lcase ucase trim ltrim rtrim replace substring substr left right
    length strlen len split_part lpad rpad reverse strip_accents contains starts_with ends_with
    prefix suffix position instr regexp_replace regexp_extract regexp_matches repeat
    date_diff datediff date_sub datesub date_part datepart date_trunc datetrunc date_add
    strptime try_strptime strftime epoch epoch_ms make_date make_timestamp make_time
    to_seconds to_minutes to_hours to_days extract year month day hour minute second
    dayofweek isodow last_day age timezone list_value row
    moment deadline end_of_day
""".split())  # the last three: the loader's own time macros (sql/load_macros.sql)
# Functions whose text grows with a number argument: it must be a constant within the limit
# (limits.MAPPING_TEXT), or one expression could ask for gigabytes per row; DuckDB's memory_limit
# does not count such strings (repeat('x', 2000000000) runs at memory_limit = 512MB).
GROWING = {"repeat": 1, "lpad": 1, "rpad": 1}   # function -> position of its length argument
# Operators, as the parser names the functions behind them.
OPERATORS = frozenset({"+", "-", "*", "/", "//", "%", "^", "**", "||", "~~", "!~~", "~~*", "!~~*",
                       "like_escape", "ilike_escape", "not_like_escape", "not_ilike_escape"})
# Expression classes with no function call of their own; their children are checked in turn.
PLAIN = frozenset({"CONSTANT", "COLUMN_REF", "CAST", "CASE", "OPERATOR", "COMPARISON",
                   "CONJUNCTION", "BETWEEN", "FUNCTION", "COLLATE", "TYPE"})


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text as written, and the file columns it reads (lower-case)."""
    text: str
    tree: dict       # the parsed SELECT statement (DuckDB's JSON)
    columns: frozenset[str]

    def sql(self, positions: dict[str, int]) -> str:
        """SQL for this expression over a staging table, each column name -> its c0..cN column."""
        tree = json.loads(json.dumps(self.tree))
        for node in _nodes(tree["node"]["select_list"][0]):
            if node.get("class") == "COLUMN_REF":
                node["column_names"] = [f"c{positions[node['column_names'][0].lower()]}"]
        con = duckdb.connect()
        try:
            text = con.execute("select json_deserialize_sql($j)",
                               {"j": json.dumps({"error": False, "statements": [tree]})}).fetchall()[0][0]
        finally:
            con.close()
        return "(" + text.removeprefix("SELECT ").strip() + ")"


def parse_expression(text: str) -> Expression:
    """Check one expression; raises ValueError saying what is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(_("expected an SQL expression in quotes, e.g. \"concat_ws(' ', title, message)\""))
    con = duckdb.connect()
    try:
        parsed = json.loads(con.execute("select json_serialize_sql($q)",
                                        {"q": "select " + text}).fetchall()[0][0])
    except duckdb.Error as exc:
        raise ValueError(_("not a valid expression ({error})").format(error=str(exc).splitlines()[0])) from None
    finally:
        con.close()
    if parsed.get("error"):
        raise ValueError(_("not a valid expression ({error}); only one expression is allowed, no statements").format(
            error=parsed.get("error_message") or _("parse error")))
    statements = parsed["statements"]
    if len(statements) != 1:
        raise ValueError(_("only one expression is allowed, no statements"))
    node = statements[0]["node"]
    if (node.get("type") != "SELECT_NODE" or len(node["select_list"]) != 1
            or node["from_table"]["type"] != "EMPTY" or node["where_clause"] is not None
            or node["group_expressions"] or node["having"] is not None or node["modifiers"]
            or node["cte_map"]["map"] or node.get("qualify") is not None):
        raise ValueError(_("only one expression is allowed: no FROM, WHERE, GROUP BY or other clauses"))
    columns, grows = set(), 1
    for part in _nodes(node["select_list"][0]):
        kind = part.get("class")
        if kind is None:  # a literal, a name or a modifier inside a node, not an expression
            continue
        if kind == "SUBQUERY":
            raise ValueError(_("subqueries are not allowed"))
        if kind == "WINDOW":
            raise ValueError(_("{function}() over (...) is not allowed: an expression sees one row").format(
                function=part.get("function_name", "window")))
        if kind not in PLAIN:
            raise ValueError(_("{kind} expressions are not allowed").format(kind=kind.lower()))
        if kind == "COLUMN_REF":
            if len(part["column_names"]) != 1:
                raise ValueError(_("{name}: name a column of the file without a table prefix").format(
                    name=".".join(part["column_names"])))
            columns.add(part["column_names"][0].lower())
        if kind == "FUNCTION":
            name = part["function_name"].lower()
            allowed = OPERATORS if part.get("is_operator") else FUNCTIONS
            if name not in allowed or part.get("schema") or part.get("catalog"):
                raise ValueError(_("function {function}() is not allowed; allowed: {allowed}").format(
                    function=part["function_name"], allowed=", ".join(sorted(FUNCTIONS - {"row", "list_value"}))))
            if part.get("filter") or part["order_bys"]["orders"] or part.get("distinct"):
                raise ValueError(_("{function}(): aggregates and their clauses are not allowed").format(function=name))
            if name in GROWING:   # nested, their lengths multiply
                grows *= _length(name, part["arguments"], GROWING[name])
                if grows > limits.MAPPING_TEXT.value():
                    raise ValueError(_("repeat(), lpad() and rpad() here make text of up to {n} characters together, "
                                       "more than the limit of {limit}").format(n=fmt.count(grows),
                                                                                limit=limits.MAPPING_TEXT.text()))
    return Expression(text, statements[0], frozenset(columns))


def _length(name: str, arguments: list, position: int) -> int:
    """A repeat/lpad/rpad length: a whole number written in the expression, within the limit."""
    most = limits.MAPPING_TEXT.value()
    length = arguments[position]["expression"] if len(arguments) > position else {}
    literal = length.get("literal") or {}
    if length.get("class") != "CONSTANT" or literal.get("kind") != "INTEGER" or int(literal["text"]) > most:
        raise ValueError(_("{function}() makes text of the length it is given: give it a whole number up to "
                           "{limit}, written in the expression").format(function=name, limit=limits.MAPPING_TEXT.text()))
    return max(int(literal["text"]), 1)


def _nodes(node):
    """Every dict inside a parse tree, depth first (the tree itself included)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
