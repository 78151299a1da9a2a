"""How well the risk score has held up: the calibration the last training measured on customers
it held back (churn_model.calibration_json, cxdata.churn.model.calibration_table), in one sentence
a CCO can check, and the model families' comparison for "How this is computed".
"""
from __future__ import annotations

import json

import pandas as pd

from cxdata import formatting as fmt
from cxdata.churn import model
from cxdata.i18n import _, n_


def calibration(info: dict | None) -> pd.DataFrame | None:
    """Predicted against observed churn by tenth of the held-back customers, lowest scores first
    (None for the rule score, or when too few leavers could be held back to check)."""
    raw = None if info is None else info.get("calibration_json")
    if not isinstance(raw, str) or not raw:
        return None
    table = pd.DataFrame(json.loads(raw))
    return None if table.empty else table


def _score(value: float) -> str:
    """A score as the list shows it (whole points), with one decimal below 1 so 0.4 is not "0"."""
    return fmt.number(value, 1) if value < 1 else fmt.number(value, 0)


def sentence(table: pd.DataFrame, info: dict, markdown: bool = True) -> str:
    """The top tenth's check in words: "Of the 437 customers scored highest (5 or more) on past
    dates, 19.7% left within 90 days; their scores said 20.0%." (the share in bold on a page, plain
    on a slide), in the language of this run."""
    strong = "**" if markdown else ""
    top = table.iloc[-1]
    trained_on = info.get("trained_on")
    days = [] if trained_on is None else [pd.Timestamp(d).date() for d in trained_on]
    fields = {"n": fmt.count(int(top["n"])), "low": _score(top["low"]),
              "observed": strong + fmt.percent(top["observed"], 1) + strong,
              "predicted": fmt.percent(top["predicted"], 1)}
    if len(days) > 1:
        return _("Of the {n} customers scored highest ({low} or more) on past dates between {first} and {last}, "
                 "{observed} left within 90 days; their scores said {predicted}.").format(
            first=fmt.month(min(days)), last=fmt.month(max(days)), **fields)
    if days:
        return _("Of the {n} customers scored highest ({low} or more) on past dates in {month}, {observed} left "
                 "within 90 days; their scores said {predicted}.").format(month=fmt.month(days[0]), **fields)
    return _("Of the {n} customers scored highest ({low} or more) on past dates, {observed} left within 90 days; "
             "their scores said {predicted}.").format(**fields)


def average_gap(table: pd.DataFrame) -> str:
    """Every tenth at once: how far scores and departures differ on average."""
    n = int(table["n"].sum())
    return n_("Across all {n} customer checked, scores and departures differ by {gap} points on average.",
              "Across all {n} customers checked, scores and departures differ by {gap} points on average.",
              n).format(n=fmt.count(n), gap=fmt.number(model.calibration_error(table), 1))


def method_note(info: dict) -> str:
    """For "How this is computed": which model was kept and how it compared, in plain words."""
    if info.get("family") is None or pd.isna(info.get("auc_logistic")):
        return _("The score comes from one model learnt on every customer: too few customers left to hold "
                 "some back and check it.")
    chosen, other = info["family"], model.TREES if info["family"] == model.LOGISTIC else model.LOGISTIC
    auc = {model.LOGISTIC: info["auc_logistic"], model.TREES: info["auc_trees"]}
    # i18n: {chosen} and {other} are model families ("logistic regression", "gradient-boosted trees").
    return _("Two models learnt from 70% of the customers; the {n} customers held back ({left} of whom left) "
             "judged them. The {chosen} ranked those who left above those who stayed {chosen_auc} times in 100, "
             "the {other} {other_auc}, so the {chosen} is used, its scores tuned on the held-back customers so "
             "that a score reads as the chance of leaving.").format(
        n=fmt.count(int(info["n_check"])), left=fmt.count(int(info["n_check_churners"])),
        chosen=_(model.FAMILY_LABEL[chosen]), other=_(model.FAMILY_LABEL[other]),
        chosen_auc=fmt.number(100 * auc[chosen], 0), other_auc=fmt.number(100 * auc[other], 0))
