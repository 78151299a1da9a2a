"""How an initiative's status, verdict and return read: labels and whole sentences in the reader's
language, worded once for the page, the slide and the command line."""
from __future__ import annotations

from cxdata import formatting as fmt
from cxdata.i18n import N_, _
from cxdata.initiatives.kpis import MEASURED
from cxdata.initiatives.payback import REASONS
from cxdata.initiatives.plans import CHECKPOINT_LABELS, STATUS_LABELS
from cxdata.metrics import KPIS

VERDICT_LABELS = {
    "moved": N_("moved"),
    "no_effect": N_("no detectable effect"),
    "below_detectable": N_("below what the data can detect"),
    "too_early": N_("too early to tell"),
    "too_few": N_("too few to judge"),
    "not_in_data": N_("not in your data"),
}
METHOD_LABELS = {
    "did": N_("compared with similar customers outside its scope"),
    "its": N_("compared with the KPI's own history (weaker evidence: no comparison group)"),
}


def verdict_label(verdict: str) -> str:
    return _(VERDICT_LABELS[verdict])


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


def checkpoint_label(state: str) -> str:
    return _(CHECKPOINT_LABELS[state])


def method_label(method: str | None) -> str:
    return _(METHOD_LABELS[method]) if method in METHOD_LABELS else ""


def kpi_label(kpi: str) -> str:
    return _(KPIS[kpi].label)


def _in_sentence(kpi: str) -> str:
    """The KPI's name inside a sentence: "the complaint rate" reads "complaint rate", NPS stays NPS."""
    label = kpi_label(kpi)
    first = label.split(" ")[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def change(kpi: str, x: float | None) -> str:
    """An effect or an interval's end in the KPI's units, signed: "+8.1 pts", "-0.12"."""
    return fmt.change(kpi, x)


def sentence(plan, effect, ret=None) -> str:
    """One plain account of the initiative's measured effect (and its return when estimated), for the
    tile and the slide; no statistical jargon: the interval reads "likely between"."""
    kpi, name = _in_sentence(plan.kpi), plan.name
    verdict = effect.verdict
    if plan.status == "planned":
        return _("{name} starts on {date}.").format(name=name, date=fmt.date(plan.start))
    if verdict == "not_in_data":
        return _("{name}: {kpi} is not in your data, so its effect cannot be measured.").format(name=name, kpi=kpi)
    if verdict == "too_early":
        return _("{name}: too early to measure its effect on {kpi}; it needs four whole weeks after its "
                 "start.").format(name=name, kpi=kpi)
    if verdict == "too_few":
        noun = {"answers": _("answers"), "contacts": _("contacts"), "customers": _("customers")}[
            MEASURED[plan.kpi].source]
        return _("{name}: too few {things} in its scope to measure its effect on {kpi}.").format(
            name=name, things=noun, kpi=kpi)
    values = dict(name=name, kpi=kpi, effect=change(plan.kpi, effect.effect), low=change(plan.kpi, effect.ci_low),
                  high=change(plan.kpi, effect.ci_high), mde=fmt.change(plan.kpi, effect.mde).lstrip("+"),
                  expected=change(plan.kpi, plan.expected_change))
    if verdict == "moved" and effect.method == "its":
        text = _capitalised(_("{kpi} changed by {effect} (likely between {low} and {high}) when {name} started; "
                              "with no comparison group this is weaker evidence.").format(**values))
    elif verdict == "moved":
        text = _("{name} moved {kpi} by {effect} (likely between {low} and {high}) against similar customers "
                 "outside its scope.").format(**values)
    elif verdict == "below_detectable":
        text = _("{name} aimed for {expected} on {kpi}, less than the {mde} these data can detect, so its effect "
                 "cannot be seen (likely between {low} and {high}).").format(**values)
    else:
        text = _("{name}: no detectable effect on {kpi} (likely between {low} and {high}).").format(**values)
    if ret is not None and ret.is_estimated:
        text += " " + return_sentence(ret)
    return text


def return_sentence(ret) -> str:
    """What the effect is worth, or why that is not estimated."""
    if not ret.is_estimated:
        return _("Return not estimated: {reason}.").format(reason=_(REASONS[ret.reason]))
    values = dict(value=fmt.money(ret.value), low=fmt.money(ret.low), high=fmt.money(ret.high))
    if ret.cost is None:
        return _("Worth about {value} (likely between {low} and {high}); no cost was given.").format(**values)
    return _("Worth about {value} (likely between {low} and {high}) for a cost of {cost}.").format(
        cost=fmt.money(ret.cost), **values)


def method_note(plan, effect) -> str:
    """How this initiative's effect was measured, in plain words, for the page's "How this is computed"."""
    if effect.method == "did":
        text = _("The change in {kpi} among the customers in the initiative's scope over the {weeks} weeks after "
                 "its start, minus the change over the same weeks among similar customers outside it: what moved "
                 "for everyone (the season, prices, the economy) cancels out. \"Likely between\" is the range the "
                 "true effect falls in 95 times out of 100; an effect smaller than {mde} could not be told apart "
                 "from chance with this many answers.").format(
            kpi=_in_sentence(plan.kpi), weeks=fmt.count(effect.weeks), mde=fmt.change(plan.kpi, effect.mde).lstrip("+"))
        if effect.parallel is False:
            text += " " + _("Before the start the two groups were already drifting apart, so read this effect "
                            "with care.")
        return text
    if effect.method == "its":
        return _("The initiative covers everyone, so there is no group to compare with: the effect is the jump "
                 "in {kpi} at the start against its own trend over the {weeks} weeks before. This is weaker "
                 "evidence: anything else that changed at the same time counts as the initiative's effect.").format(
            kpi=_in_sentence(plan.kpi), weeks=fmt.count(effect.weeks))
    return ""
