"""How numbers read on screen: units, signs, durations, money in the company's currency, dates and
plurals, in one place, in the language of this run (cxdata.i18n).

Every rule of a locale comes from Babel (CLDR): decimal and group separators, where the currency
symbol goes, the percent sign's spacing, the compact "mil"/"M"/"mi" words, month names. English keeps
the house style it always had ("$49.7 M", "12.3 k": a space before the size letter, for reading on a
projector); the numbers are rounded the same way in every language and only then written in its style.

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
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import get_currency_symbol, get_decimal_symbol, get_group_symbol

from cxdata.i18n import N_, _, language, n_
from cxdata.metrics import KPIS, MONEY_KPIS

MISSING = "—"
# A first-response median over contacts more than half of which were never answered (+infinity in
# SQL): no time, but what happened (docs/service-levels.md).
UNANSWERED = N_("over half never answered")
# Duration units, each used up to 90 of itself (90 s, 90 min), hours up to 36 h, then days.
_UNITS = (("s", 1, 90), ("min", 60, 90 * 60), ("h", 3600, 36 * 3600), ("days", 86400, math.inf))
# Compact amounts: 12,345 -> 12.3 k; below 10,000 amounts are written out in full.
_SIZES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))

CURRENCY_ENV = "CX_CURRENCY"
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class Currency:
    code: str     # ISO 4217: USD, EUR
    symbol: str   # the setting's own symbol ("SEK:kr"), else "" for the locale's (Babel's)

    def sign(self) -> str:
        """The symbol in the language of this run: "$" in English, "US$" in Spanish and Portuguese."""
        return self.symbol or get_currency_symbol(self.code, language())

    def prefix(self) -> str:
        """The symbol as written before a number in English: "$", "€", and "CHF " with a space after letters."""
        sign = self.sign()
        return sign + (" " if sign[-1:].isalpha() else "")

    def place(self, number: str) -> str:
        """An amount as the locale writes it: "$49.7 M" (en), "49,7 M €" (es), "R$ 49,7 mi" (pt-BR)."""
        if language() == "en":
            return self.prefix() + number
        pattern = _locale().currency_formats["standard"].pattern.split(";")[0]
        before, _sep, after = pattern.partition("#") if "#" in pattern else pattern.partition("0")
        if "¤" in before:
            return before.replace("¤", self.sign()) + number
        return number + after[after.rfind("0") + 1:].replace("¤", self.sign())


def currency() -> Currency:
    """The company's currency: $CX_CURRENCY as a code ("EUR") or a code and its symbol ("SEK:kr");
    USD when unset or unusable (the files carry amounts without a currency)."""
    return _currency(os.environ.get(CURRENCY_ENV, ""))


@functools.lru_cache(maxsize=8)
def _currency(raw: str) -> Currency:   # read per amount: a chart's hover may write thousands
    code, _sep, symbol = raw.strip().partition(":")
    code, symbol = code.strip().upper(), symbol.strip()
    if not re.fullmatch(r"[A-Z]{3}", code) or len(symbol) > 5:
        code, symbol = DEFAULT_CURRENCY, ""
    return Currency(code, symbol)


def money(x: float | None, cur: Currency | None = None) -> str:
    """An amount in the company's currency, compact: $49.7 M, €9,999, -$48.5 k, CHF 1.20 M (en);
    49,7 M € (es); R$ 49,7 mi (pt-BR)."""
    if _is_missing(x):
        return MISSING
    shown = compact(abs(x))
    return _signed((cur or currency()).place(shown), x < 0 and shown != "0")


def money_change(delta: float | None, cur: Currency | None = None) -> str:
    """A change in an amount, signed: +$1.50 M, -€48.5 k, ±$0."""
    if _is_missing(delta):
        return MISSING
    shown = compact(abs(delta))
    return ("±" if shown == "0" else "+" if delta > 0 else "-") + (cur or currency()).place(shown)


def money_column() -> str:
    """A table column's number format for amounts (written out in full), as Streamlit's column
    config reads it: "$%,.0f" in English; in other languages the locale's separators cannot be set
    there, so the amount is shown with its symbol and no thousands separator ("%.0f €")."""
    cur = currency()
    if language() == "en":
        return cur.prefix().replace("%", "%%") + "%,.0f"
    return cur.place("%.0f").replace("%", "%%").replace("%%.0f", "%.0f")


def and_list(words) -> str:
    """Names in a sentence: "IT", "IT and Sales", "IT, Marketing and Sales" (es: "IT, Marketing y Ventas")."""
    words = [str(w) for w in words]
    if len(words) == 1:
        return words[0]
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def _locale() -> Locale:
    return _babel_locale(language())


@functools.lru_cache(maxsize=None)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def number_text(text: str) -> str:
    """A number written the English way ("1,234.5") in the locale's separators ("1.234,5" in es and
    pt-BR). Rounding happens before, once, the same in every language."""
    code = language()
    if code == "en":
        return text
    table = _separators(code)
    return text.translate(table)


@functools.lru_cache(maxsize=None)
def _separators(code: str) -> dict:
    return str.maketrans({",": get_group_symbol(code), ".": get_decimal_symbol(code)})


def plotly_separators() -> str:
    """Plotly's `separators` layout setting for the locale: decimal mark then group mark (".," in
    English, ",." in Spanish and Portuguese), so axis ticks and hovers read as the page's numbers."""
    code = language()
    return get_decimal_symbol(code) + get_group_symbol(code)


def number(x: float | None, decimals: int = 0) -> str:
    """A number with thousands separators and `decimals` decimals in the locale's style: 1,234.5 /
    1.234,5; blank when missing."""
    return "" if _is_missing(x) else number_text(f"{x:,.{decimals}f}")


def percent_sign(text: str) -> str:
    """A number followed by the locale's percent sign: "82.6%" (en, pt-BR), "82,6 %" (es)."""
    if language() == "en":
        return text + "%"
    pattern = _locale().percent_formats[None].pattern
    return text + pattern[pattern.rfind("0") + 1:]


def percent(x: float | None, decimals: int = 1) -> str:
    """A share already in percent (82.6) as the locale writes it: 82.6% / 82,6 %; — when missing."""
    if _is_missing(x):
        return MISSING
    return percent_sign(number_text(f"{x:,.{decimals}f}"))


def date(day) -> str:
    """A day as the locale writes it short: 08 Sep 2026 / 8 sept 2026 / 8 de set. de 2026."""
    return MISSING if _is_missing(day) else _date(day, "dd MMM y", "yMMMd")


def day_month(day) -> str:
    """A day without its year: 08 Sep / 8 sept / 8 de set."""
    return MISSING if _is_missing(day) else _date(day, "dd MMM", "MMMd")


def month(day) -> str:
    """A month and year, short: Sep 2026 / sept 2026 / set. 2026."""
    return MISSING if _is_missing(day) else _date(day, "MMM y", "yMMM")


def month_name(day) -> str:
    """A month and year, in full: September 2026 / septiembre de 2026 / setembro de 2026."""
    return MISSING if _is_missing(day) else _date(day, "LLLL y", "yMMMM")


def quarter(day) -> str:
    """A calendar quarter: Q3 2026 (en), T3 2026 (es, pt-BR), as the locale abbreviates it."""
    return MISSING if _is_missing(day) else _date(day, "QQQ y", "yQQQ")


def date_range(start, end) -> str:
    """A period from one day to another, both written as date(): 01 Jul 2026 – 30 Sep 2026."""
    return f"{date(start)} – {date(end)}"


def _date(day, english: str, skeleton: str) -> str:
    """English in the house's pattern; other languages by the locale's own pattern for `skeleton`
    (CLDR's available formats: "yMMMd" is "8 sept 2026" in es, "8 de set. de 2026" in pt-BR)."""
    if isinstance(day, str):
        day = pd.Timestamp(day)
    if hasattr(day, "to_pydatetime"):
        day = day.to_pydatetime()
    code = language()
    if code == "en":
        return format_date(day, english, locale=code)
    return format_skeleton(skeleton, day, locale=code)


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
    """A count with its noun, singular or plural as the count reads: 1 chart, 2 points, 1,204 answers.
    English only: translated text counts with cxdata.i18n.n_ and count()."""
    return f"{count(n)} {one if n == 1 else many or one + 's'}"  # untranslated: callers pass translated nouns


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
    text = _(UNANSWERED)
    return text if _is_missing(n) else _("{text} (n = {n})").format(text=text, n=count(n))


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
        text = f"{minutes // 60} h" + (f" {minutes % 60:02d} min" if minutes % 60 else "")  # untranslated: SI symbols
    elif name == "days":
        text = _days(s / size, f"{s / size:.1f}")
    else:
        text = f"{s / size:.0f} {name}"
    return _signed(text, seconds < 0)


def _days(x: float, shown: str) -> str:
    """'2.5 days' in the locale: its decimal mark and its word for days."""
    return n_("{n} day", "{n} days", float(shown.replace(",", ""))).format(n=number_text(shown))


def duration_short(seconds: float | None) -> str:
    """A duration in one unit with at most one decimal, for axis ends: 45 s, 12 min, 5.6 h, 2.5 days."""
    if _is_missing(seconds):
        return MISSING
    name, size = duration_unit(seconds)
    x = abs(seconds) / size
    number = f"{x:.1f}" if name in ("h", "days") and round(x, 1) < 10 else f"{x:.0f}"
    text = _days(x, number) if name == "days" else f"{number_text(number)} {name}"
    return _signed(text, seconds < 0)


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
    unit = _days(x, number) if name == "days" else f"{number_text(number)} {name}"
    return _sign_of(delta, number) + unit


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
        return _signed(number_text(f"{a:,.0f}"), round(a) != 0 and x < 0)
    for k, (size, suffix) in enumerate(_SIZES):
        if a >= size * 0.9995 or k == len(_SIZES) - 1:
            number = _three_figures(a / size)
            if float(number) >= 1000 and k > 0:  # 999,999 rounds to 1,000 k: say 1.00 M
                size, suffix = _SIZES[k - 1]
                number = _three_figures(a / size)
            return _signed(_sized(number, size, suffix), x < 0)
    raise AssertionError("unreachable")


def _sized(number: str, size: float, suffix: str) -> str:
    """"4.56 M" in English's house style; in other languages the locale's compact form of that size
    (CLDR short decimal patterns: "4,56 M" in es, "4,56 mi" in pt-BR, "4560 M" for es billions)."""
    if language() == "en":
        return f"{number} {suffix}"
    patterns = _locale().compact_decimal_formats["short"]["other"]
    pattern = patterns[str(int(size))].pattern          # "0 M", "0000 M": the zeros count digits shown
    shift = 10 ** (pattern.count("0") - 1)               # "0000 M": thousands of millions, written 4,560
    value_ = float(number) * shift
    digits = number if shift == 1 else (f"{value_:,.0f}" if value_ >= 100 else f"{value_:.1f}")
    return pattern.replace("0" * pattern.count("0"), number_text(digits), 1).replace("'", "")


def _three_figures(x: float) -> str:
    """1.23 / 12.3 / 123 (never 1e+03, never dropping a trailing zero: 41.0, not 41)."""
    decimals = 2 if round(x, 2) < 10 else 1 if round(x, 1) < 100 else 0
    return f"{x:.{decimals}f}"


def value(kpi: str, x: float | None) -> str:
    """A KPI's value with its unit; a duration of +infinity is a median over half never answered."""
    if KPIS[kpi].unit == "s" and isinstance(x, (int, float)) and math.isinf(x) and x > 0:
        return _(UNANSWERED)
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
    return _sign_of(delta, number) + _points(number_text(number), k.unit == "%" or kpi == "nps")


def _points(number: str, in_points: bool) -> str:
    """A change in a percentage or a score: "2.8 pts" (percentage points); other changes as they are."""
    return _("{n} pts").format(n=number) if in_points else number


def _amount(kpi: str, x: float, decimals: int) -> str:
    k = KPIS[kpi]
    if k.unit == "s":
        return duration(x)
    if kpi in MONEY_KPIS:
        return money(x)
    text = f"{abs(x):,.{decimals}f}"
    negative = x < 0 and float(text.replace(",", "")) != 0
    shown = number_text(text)
    return _signed(percent_sign(shown) if k.unit == "%" else shown, negative)


NO_CHANGE = N_("no change")


def change_judged(kpi: str, delta: float | None, reference: float | None = None, significant: bool = True) -> str:
    """A change as a tile states it: "+2.8 pts", "+0.4 pts · not significant", and "no change" when it
    rounds to nothing (never "±0.00 · not significant")."""
    text = change(kpi, delta, reference)
    if text.startswith("±"):
        return _(NO_CHANGE)
    return text if significant or text == MISSING else _("{change} · not significant").format(change=text)


def margin(kpi: str, moe: float | None, reference: float | None = None) -> str:
    """A 95% margin of error: ±1.8 pts, ±2.9, ±40 s (durations in the unit of `reference`)."""
    if _is_missing(moe):
        return ""
    k = KPIS[kpi]
    if k.unit == "s":
        shown = duration_change(moe, reference).lstrip("+±-")
        # a margin that rounds to nothing in the value's unit is said in seconds: ±1 s, not ±0.0 min
        rounded = re.match(r"[\d.,]+", shown).group(0).replace(",", "").replace(".", "")
        return "±" + (shown if int(rounded) else duration_change(moe, moe).lstrip("+±-"))
    return "±" + _points(number_text(f"{moe:,.{max(k.decimals, 1)}f}"), k.unit == "%" or kpi == "nps")


def p_value(p: float | None) -> str:
    if _is_missing(p):
        return ""
    return "p < " + number_text("0.001") if p < 0.001 else "p = " + number_text(f"{p:.3f}")


def count(n: float | None) -> str:
    """A whole number with thousands separators in the locale's style (1,204 / 1.204); blank when missing."""
    return "" if _is_missing(n) else number_text(f"{int(n):,}")
