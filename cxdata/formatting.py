"""How numbers read on screen: units, signs, durations and compact money, in one place."""
from __future__ import annotations

import math

from cxdata.metrics import KPIS, MONEY_KPIS


def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def duration(seconds: float | None) -> str:
    """Seconds as a person reads them: 45 s, 12 min, 3 h 20 min, 2.5 days."""
    if _is_missing(seconds):
        return "—"
    s = abs(seconds)
    if s < 90:
        text = f"{s:.0f} s"
    elif s < 90 * 60:
        text = f"{s / 60:.0f} min"
    elif s < 36 * 3600:
        text = f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"
    else:
        text = f"{s / 86400:.1f} days"
    return ("−" if seconds < 0 else "") + text


def compact(x: float | None) -> str:
    """Large amounts shortened: 1,234 / 12.3 k / 4.56 M."""
    if _is_missing(x):
        return "—"
    for size, suffix in ((1e9, " B"), (1e6, " M"), (1e4, " k")):
        if abs(x) >= size:
            return f"{x / size:,.3g}{suffix}" if abs(x) < size * 1000 else f"{x / size:,.0f}{suffix}"
    return f"{x:,.0f}"


def value(kpi: str, x: float | None) -> str:
    """A KPI's value with its unit."""
    if _is_missing(x):
        return "—"
    return _amount(kpi, x, percent="%", decimals=KPIS[kpi].decimals)


def change(kpi: str, delta: float | None) -> str:
    """A change with its sign, in points for percentages and scores."""
    if _is_missing(delta):
        return "—"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return sign + _amount(kpi, abs(delta), percent=" pts", decimals=max(KPIS[kpi].decimals, 1))


def _amount(kpi: str, x: float, percent: str, decimals: int) -> str:
    k = KPIS[kpi]
    if k.unit == "s":
        return duration(x)
    if k.key in MONEY_KPIS:
        return compact(x)
    return f"{x:,.{decimals}f}" + (percent if k.unit == "%" else "")


def margin(kpi: str, moe: float | None) -> str:
    if _is_missing(moe):
        return ""
    k = KPIS[kpi]
    if k.unit == "s":
        return "±" + duration(moe)
    return f"±{moe:,.{max(k.decimals, 1)}f}" + (" pts" if k.unit == "%" else "")


def p_value(p: float | None) -> str:
    if _is_missing(p):
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
