"""A number's verdict against its target, decided by one rule and said in one set of words.

The overview's badges, the attention list, the department scorecards and the board pack (and so
presentation mode) all call `status` and word its answer with `badge`, `fragment` and
`targets_clause`, so one number never reads as met on one screen and missed on another.
docs/metrics.md states the rule.
"""
from __future__ import annotations

import math
import os

from cxdata import formatting as fmt
from cxdata.i18n import N_, _, n_
from cxdata.metrics import KPIS, NOT_IN_DATA as NOT_IN_DATA_WORDS, meets_target

TOLERANCE_ENV = "CX_AMBER_TOLERANCE"
DEFAULT_TOLERANCE = 5.0   # % of the target: a miss this small (or within the margin of error) is "close"

# The verdicts, best first. The badge and the matrix show the label (label(), in the language of
# the run; LABELS holds the English the catalogs key it by); sentences are whole in each language.
MET, CLOSE, MISSED, NO_TARGET, TOO_FEW, NO_DATA = "met", "close", "missed", "no_target", "too_few", "no_data"
NOT_IN_DATA = "not_in_data"   # the data lacks a column the number needs (metrics.Coverage)
JUDGED = (MET, CLOSE, MISSED)
LABELS = {MET: N_("met"), CLOSE: N_("close"), MISSED: N_("missed"), NO_TARGET: N_("no target"),
          TOO_FEW: N_("too few to judge"), NO_DATA: N_("no data"), NOT_IN_DATA: NOT_IN_DATA_WORDS}
# (one KPI, several KPIs): "SLA compliance is close to", "NPS and CSAT miss"; for verb() only.
_VERBS = {MET: (N_("meets"), N_("meet")), CLOSE: (N_("is close to"), N_("are close to")),
          MISSED: (N_("misses"), N_("miss"))}
# The verdict as the end of a sentence whose subject is one KPI, {target} its target as written.
_FRAGMENTS = {MET: N_("meets its {target} target"), CLOSE: N_("is close to its {target} target"),
              MISSED: N_("misses its {target} target")}
_TOO_FEW = {"answers": N_("has too few answers to judge against its {target} target"),
            "customers": N_("has too few customers to judge against its {target} target"),
            "contacts": N_("has too few contacts to judge against its {target} target")}
_NOUNS = {"answers": N_("answers"), "customers": N_("customers"), "contacts": N_("contacts")}


def tolerance() -> float:
    """How far short of its target (in % of the target) a value may be and still be close:
    $CX_AMBER_TOLERANCE, default 5; a value outside 0-100 or not a number falls back to 5."""
    try:
        value = float(os.environ.get(TOLERANCE_ENV, DEFAULT_TOLERANCE))
    except ValueError:
        return DEFAULT_TOLERANCE
    return value if 0 <= value <= 100 else DEFAULT_TOLERANCE


def status(kpi: str, value, target, moe=None, n=None, minimum: int = 1, tolerance_pct: float | None = None) -> str:
    """The verdict on one number against its target, on the unrounded value:

    - no_target: no target, or a KPI where neither direction is better;
    - no_data: nothing was measured (n is 0, or no value and no n);
    - too_few: fewer than `minimum` observations (the answer minimum for survey scores), or no value;
    - met: the value reaches the target (at or above it; at or below for lower-is-better KPIs);
    - close: short of it by no more than the tolerance (a share of the target) or by less than
      the value's 95% margin of error (the sample cannot tell it from the target);
    - missed: short by more than both.
    """
    if _missing(target) or KPIS[kpi].higher_is_better is None:
        return NO_TARGET
    count = None if _missing(n) else float(n)
    if count == 0 or (count is None and _missing(value)):
        return NO_DATA
    if _missing(value) or (count is not None and count < minimum):
        return TOO_FEW
    if meets_target(kpi, float(value), float(target)):
        return MET
    gap = abs(float(value) - float(target))
    share = tolerance() if tolerance_pct is None else tolerance_pct
    allowed = max(abs(float(target)) * share / 100.0, 0.0 if _missing(moe) else float(moe))
    return CLOSE if gap <= allowed else MISSED


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def target_text(kpi: str, target) -> str:
    """A target as every screen writes it: '90.0%', '25', '1 h'."""
    return fmt.value(kpi, target)


def label(verdict: str) -> str:
    """A verdict's word in the language of this run: 'met', 'close', 'too few to judge'."""
    return _(LABELS[verdict])


def badge(kpi: str, verdict: str, target) -> str:
    """The badge beside a number: 'close · target 90.0%' ('no target' when none is set). It reads as
    a target, never as a bare '90.0%' that a dash before it would turn into minus ninety."""
    if verdict == NO_TARGET or _missing(target):
        return label(NO_TARGET)
    return _("{verdict} · target {target}").format(verdict=label(verdict), target=target_text(kpi, target))


def fragment(kpi: str, verdict: str, target) -> str:
    """The verdict as the end of a sentence whose subject is the KPI: 'misses its 90.0% target',
    'is close to its 25 target', 'meets its 1 h target', 'has no target', 'has too few to judge
    against its 30 target', 'has no data to judge against its 90.0% target'."""
    if verdict == NO_TARGET or _missing(target):
        return _("has no target")
    shown = target_text(kpi, target)
    if verdict in _FRAGMENTS:
        return _(_FRAGMENTS[verdict]).format(target=shown)
    if verdict == TOO_FEW:
        return _(_TOO_FEW[_sample(kpi)]).format(target=shown)
    return _("has no data to judge against its {target} target").format(target=shown)


def _sample(kpi: str) -> str:
    return "answers" if kpi in ("nps", "csat", "ces") else "customers" if "churn" in kpi else "contacts"


def sample_noun(kpi: str) -> str:
    """What a KPI's n counts, for 'too few answers', in the language of this run."""
    return _(_NOUNS[_sample(kpi)])


def verb(verdict: str, many: bool = False) -> str:
    """'misses' / 'miss', 'is close to' / 'are close to', 'meets' / 'meet'."""
    return _(_VERBS[verdict][1 if many else 0])


def targets_clause(judged: list[tuple[str, str]]) -> str:
    """What a set of (label, verdict) pairs says about targets, as a clause (lower case unless it
    starts with a KPI's name). 'Every targeted KPI meets its target' only when each KPI with a
    target was judged and met it; close is never counted as met; no target, or none judged, is said."""
    targeted = [(name, v) for name, v in judged if v != NO_TARGET]
    if not targeted:
        return _("no targets are set for this view")
    by = {v: [name for name, w in targeted if w == v] for v in JUDGED}
    unjudged = [name for name, v in targeted if v not in JUDGED]
    if not any(by.values()):
        return _("no target can be judged in this view: too few answers or contacts")
    parts = [_said(v, by[v]) for v in (MISSED, CLOSE) if by[v]]
    if parts:
        return "; ".join(parts)
    if unjudged:
        return _("{met}; {kpis}: too few to judge").format(met=_said(MET, by[MET]), kpis=few(unjudged))
    return _("every targeted KPI meets its target") if len(by[MET]) > 1 else _said(MET, by[MET])


def _said(v: str, labels: list[str]) -> str:
    """'NPS misses its target', 'NPS and CSAT are close to their targets'."""
    kpis, n = few(labels), len(labels)
    if v == MET:
        return n_("{kpis} meets its target", "{kpis} meet their targets", n).format(kpis=kpis)
    if v == CLOSE:
        return n_("{kpis} is close to its target", "{kpis} are close to their targets", n).format(kpis=kpis)
    return n_("{kpis} misses its target", "{kpis} miss their targets", n).format(kpis=kpis)


def close_text() -> str:
    """What close means, for a chart's legend line."""
    return _("close: short by at most {share} of the target, or within the margin of error").format(
        share=fmt.percent_sign(fmt.number_text(f"{tolerance():g}")))


def rule_text() -> str:
    """The whole rule in one line, for a tooltip."""
    return _("met: at or better than the target; {close}; missed: short by more").format(close=close_text())


def few(labels: list[str], shown: int = 3) -> str:
    """'NPS, CSAT and CES', or 'NPS, CSAT and 4 other KPIs'."""
    if len(labels) <= shown:
        return fmt.and_list(labels)
    others = len(labels) - shown + 1
    return n_("{kpis} and {n} other KPI", "{kpis} and {n} other KPIs", others).format(
        kpis=", ".join(labels[:shown - 1]), n=fmt.count(others))
