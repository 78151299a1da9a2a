"""How numbers read on screen: units, signs, durations, money in the company's currency and
plurals, in one place.

Signs are ASCII ("-", "+"): Streamlit reads a metric's delta as negative only when its text
starts with "-", so a Unicode minus would draw a fall as a green rise.
"""
from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass

import pandas as pd

from cxdata.metrics import KPIS, MONEY_KPIS

MISSING = "—"
# A first-response median over contacts more than half of which were never answered (+infinity in
# SQL): no time, but what happened (docs/service-levels.md).
UNANSWERED = "over half never answered"
# Duration units, each used up to 90 of itself (90 s, 90 min), hours up to 36 h, then days.
_UNITS = (("s", 1, 90), ("min", 60, 90 * 60), ("h", 3600, 36 * 3600), ("days", 86400, math.inf))
# Compact amounts: 12,345 -> 12.3 k; below 10,000 amounts are written out in full.
_SIZES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))

CURRENCY_ENV = "CX_CURRENCY"
DEFAULT_CURRENCY = "USD"
# The symbols of common ISO 4217 codes; any other code is written as itself ("SEK 49.7 M")
# unless the setting names a symbol ("SEK:kr").
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩",
           "BRL": "R$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "HKD": "HK$", "SGD": "S$", "MXN": "MX$",
           "ILS": "₪", "NGN": "₦", "PHP": "₱", "TRY": "₺", "UAH": "₴", "VND": "₫", "PLN": "zł"}


@dataclass(frozen=True)
class Currency:
    code: str     # ISO 4217: USD, EUR
    symbol: str   # written before every amount: $, €, CHF

    def prefix(self) -> str:
        """The symbol as written before a number: "$", "€", and "CHF " with a space after letters."""
        return self.symbol + (" " if self.symbol[-1:].isalpha() else "")


def currency() -> Currency:
    """The company's currency: $CX_CURRENCY as a code ("EUR") or a code and its symbol ("SEK:kr");
    USD when unset or unusable (the files carry amounts without a currency)."""
    return _currency(os.environ.get(CURRENCY_ENV, ""))


@functools.lru_cache(maxsize=8)
def _currency(raw: str) -> Currency:   # read per amount: a chart's hover may write thousands
    code, _, symbol = raw.strip().partition(":")
    code, symbol = code.strip().upper(), symbol.strip()
    if not re.fullmatch(r"[A-Z]{3}", code) or len(symbol) > 5:
        code, symbol = DEFAULT_CURRENCY, ""
    return Currency(code, symbol or SYMBOLS.get(code, code))


def money(x: float | None, cur: Currency | None = None) -> str:
    """An amount in the company's currency, compact: $49.7 M, €9,999, -$48.5 k, CHF 1.20 M."""
    if _is_missing(x):
        return MISSING
    shown = compact(abs(x))
    return _signed((cur or currency()).prefix() + shown, x < 0 and shown != "0")


def money_change(delta: float | None, cur: Currency | None = None) -> str:
    """A change in an amount, signed: +$1.50 M, -€48.5 k, ±$0."""
    if _is_missing(delta):
        return MISSING
    shown = compact(abs(delta))
    return ("±" if shown == "0" else "+" if delta > 0 else "-") + (cur or currency()).prefix() + shown


def money_column() -> str:
    """A table column's number format for amounts: "$%,.0f", written out in full with separators."""
    return currency().prefix().replace("%", "%%") + "%,.0f"


def and_list(words) -> str:
    """Names in a sentence: "IT", "IT and Sales", "IT, Marketing and Sales"."""
    words = [str(w) for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# The characters that start Markdown inside a line: links and images ([ ] !), HTML (< >), emphasis
# and strike-through (* ~, and _ unless inside a word such as submitted_at), code (`), math ($),
# entities (&), tables (|) and the escape itself; and what starts a block at a line's beginning:
# a heading, quote, list item or rule.
_INLINE = re.compile(r"([\\`*\[\]<>!|~$&]|(?<![^\W_])_|_(?![^\W_]))")
_BLOCK = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])|\*")
# What Markdown's automatic links start from: a scheme's "://", "www." and an e-mail's "@".
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(:)(?=//)|(?<![\w.])(www)(\.)|(@)", re.IGNORECASE)


def md(value) -> str:
    """A data value (a comment, a name, a note, a value from the URL) as Markdown that reads as
    exactly its text: no link, image, HTML, emphasis or math can come from data; its lines stay
    lines. Every value a page writes into st.markdown, st.caption, a notice or a label goes through this."""
    if _is_missing(value):
        return MISSING
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return "  \n".join(_AUTOLINK.sub(_escape_autolink, _BLOCK.sub(_escape_block, _INLINE.sub(r"\\\1", line)))
                        for line in lines if line)


def _escape_autolink(found: re.Match) -> str:
    """https://…, www.… and a@b.com stay text: Markdown links them even when escaped, so an invisible
    word joiner (U+2060) goes inside the mark it links from."""
    if found.group(1):
        return ":" + _JOINER
    if found.group(2):
        return found.group(2) + _JOINER + "."
    return "@" + _JOINER


def _escape_block(found: re.Match) -> str:
    mark = found.group(2)   # "1." -> "1\.": the escape goes on the list number's dot, after it
    return found.group(1) + ("\\" + mark if not mark[0].isdigit() else mark + "\\")


def unmarked(markdown: str) -> str:
    """A page's Markdown sentence as plain text (a slide, a summary): emphasis marks dropped, the
    escapes md() added undone."""
    return _ESCAPED.sub(lambda m: m.group(1) or "", markdown).replace(_JOINER, "")


def plural(n: float, one: str, many: str | None = None) -> str:
    """A count with its noun, singular or plural as the count reads: 1 chart, 2 points, 1,204 answers."""
    return f"{count(n)} {one if n == 1 else many or one + 's'}"


def _is_missing(x) -> bool:
    """No number to show: None, NaN, NaT, or an infinity (never printed as "inf")."""
    if x is None or (pd.api.types.is_scalar(x) and pd.isna(x)):
        return True
    try:
        return not math.isfinite(x)
    except TypeError:
        return False


def is_number(x) -> bool:
    """A finite number a page may print (not None, NaN, NaT or an infinity)."""
    return isinstance(x, (int, float)) and not _is_missing(x)


def unanswered(n: float | None = None) -> str:
    """A median that is no number because over half the contacts due an answer were never answered:
    'over half never answered (n = 12)'."""
    return UNANSWERED + ("" if _is_missing(n) else f" (n = {int(n):,})")


def _signed(text: str, negative: bool) -> str:
    return ("-" if negative else "") + text


def duration_unit(seconds: float) -> tuple[str, float]:
    """The unit a duration of this size reads best in: ("min", 60) for 42 minutes."""
    s = abs(seconds)
    for name, size, below in _UNITS:
        if s < below:
            return name, size
    return _UNITS[-1][:2]


def duration(seconds: float | None) -> str:
    """Seconds as a person reads them: 45 s, 12 min, 3 h 20 min, 2.5 days."""
    if _is_missing(seconds):
        return MISSING
    s = abs(seconds)
    name, size = duration_unit(s)
    if name == "h":
        minutes = round(s / 60)
        text = f"{minutes // 60} h" + (f" {minutes % 60:02d} min" if minutes % 60 else "")
    elif name == "days":
        text = f"{s / size:.1f} days"
    else:
        text = f"{s / size:.0f} {name}"
    return _signed(text, seconds < 0)


def duration_short(seconds: float | None) -> str:
    """A duration in one unit with at most one decimal, for axis ends: 45 s, 12 min, 5.6 h, 2.5 days."""
    if _is_missing(seconds):
        return MISSING
    name, size = duration_unit(seconds)
    x = abs(seconds) / size
    number = f"{x:.1f}" if name in ("h", "days") and round(x, 1) < 10 else f"{x:.0f}"
    return _signed(f"{number} {name}", seconds < 0)


def duration_change(delta: float, reference: float | None) -> str:
    """A change in a duration, in the unit of the value it changes (`reference`), so the same tile
    never says "+79 s" on one view and "+9 min" on another: +1.3 min beside 42 min."""
    if _is_missing(delta):
        return MISSING
    name, size = duration_unit(reference if not _is_missing(reference) and reference else delta)
    if name == "h":  # "+0.3 h" reads badly; hours change in minutes
        name, size = "min", 60
    x = abs(delta) / size
    number = f"{x:.1f}" if round(x, 1) < 10 else f"{x:,.0f}"
    return _sign_of(delta, number) + f"{number} {name}"


def _sign_of(delta: float, shown: str) -> str:
    """'+', '-' or '±' as the rounded number reads: a change that rounds to zero has no direction."""
    if float(shown.replace(",", "")) == 0:
        return "±"
    return "+" if delta > 0 else "-"


def compact(x: float | None) -> str:
    """Large amounts shortened to three significant figures: 9,999 / 12.3 k / 48.5 k / 4.56 M / 41.0 M."""
    if _is_missing(x):
        return MISSING
    a = abs(x)
    if round(a) < 10_000:
        return _signed(f"{a:,.0f}", round(a) != 0 and x < 0)
    for k, (size, suffix) in enumerate(_SIZES):
        if a >= size * 0.9995 or k == len(_SIZES) - 1:
            number = _three_figures(a / size)
            if float(number) >= 1000 and k > 0:  # 999,999 rounds to 1,000 k: say 1.00 M
                size, suffix = _SIZES[k - 1]
                number = _three_figures(a / size)
            return _signed(f"{number} {suffix}", x < 0)
    raise AssertionError("unreachable")


def _three_figures(x: float) -> str:
    """1.23 / 12.3 / 123 (never 1e+03, never dropping a trailing zero: 41.0, not 41)."""
    decimals = 2 if round(x, 2) < 10 else 1 if round(x, 1) < 100 else 0
    return f"{x:.{decimals}f}"


def value(kpi: str, x: float | None) -> str:
    """A KPI's value with its unit; a duration of +infinity is a median over half never answered."""
    if KPIS[kpi].unit == "s" and isinstance(x, (int, float)) and math.isinf(x) and x > 0:
        return UNANSWERED
    if _is_missing(x):
        return MISSING
    return _amount(kpi, x, decimals=KPIS[kpi].decimals)


def value_beside(kpi: str, x: float | None, target: float | None) -> str:
    """The value with enough decimals that it never reads as equal to a target it misses or meets
    by a hair: 89.99% beside a 90.0% target, not 90.0%."""
    if _is_missing(x) or _is_missing(target) or x == target or KPIS[kpi].unit == "s":
        return value(kpi, x)
    decimals = KPIS[kpi].decimals
    while _amount(kpi, x, decimals) == _amount(kpi, target, decimals) and decimals < KPIS[kpi].decimals + 3:
        decimals += 1
    return _amount(kpi, x, decimals)


def change(kpi: str, delta: float | None, reference: float | None = None) -> str:
    """A change with its sign: points for percentages and scores, a duration in the unit of the
    value it changes (`reference`), counts as whole numbers."""
    if _is_missing(delta):
        return MISSING
    k = KPIS[kpi]
    if k.unit == "s":
        return duration_change(delta, reference)
    if kpi in MONEY_KPIS:
        return money_change(delta)
    decimals = k.decimals if not k.is_sample else max(k.decimals, 1)
    number = f"{abs(delta):,.{decimals}f}"
    return _sign_of(delta, number) + number + (" pts" if k.unit == "%" or kpi == "nps" else "")


def _amount(kpi: str, x: float, decimals: int) -> str:
    k = KPIS[kpi]
    if k.unit == "s":
        return duration(x)
    if kpi in MONEY_KPIS:
        return money(x)
    text = f"{abs(x):,.{decimals}f}"
    negative = x < 0 and float(text.replace(",", "")) != 0
    return _signed(text, negative) + ("%" if k.unit == "%" else "")


NO_CHANGE = "no change"


def change_judged(kpi: str, delta: float | None, reference: float | None = None, significant: bool = True) -> str:
    """A change as a tile states it: "+2.8 pts", "+0.4 pts · not significant", and "no change" when it
    rounds to nothing (never "±0.00 · not significant")."""
    text = change(kpi, delta, reference)
    if text.startswith("±"):
        return NO_CHANGE
    return text if significant or text == MISSING else f"{text} · not significant"


def margin(kpi: str, moe: float | None, reference: float | None = None) -> str:
    """A 95% margin of error: ±1.8 pts, ±2.9, ±40 s (durations in the unit of `reference`)."""
    if _is_missing(moe):
        return ""
    k = KPIS[kpi]
    if k.unit == "s":
        shown = duration_change(moe, reference).lstrip("+±-")
        # a margin that rounds to nothing in the value's unit is said in seconds: ±1 s, not ±0.0 min
        return "±" + (shown if float(shown.split()[0].replace(",", "")) else duration_change(moe, moe).lstrip("+±-"))
    return f"±{moe:,.{max(k.decimals, 1)}f}" + (" pts" if k.unit == "%" or kpi == "nps" else "")


def p_value(p: float | None) -> str:
    if _is_missing(p):
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def count(n: float | None) -> str:
    """A whole number with thousands separators; blank when missing."""
    return "" if _is_missing(n) else f"{int(n):,}"
