"""How well the risk score has held up: the calibration the last training measured on customers
it held back (churn_model.calibration_json, cxdata.churn.model.calibration_table), in one sentence
a CCO can check, and the model families' comparison for "How this is computed".
"""
from __future__ import annotations

import json

import pandas as pd

from cxdata.churn import model


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
    return f"{value:.1f}" if value < 1 else f"{value:.0f}"


def sentence(table: pd.DataFrame, info: dict, markdown: bool = True) -> str:
    """The top tenth's check in words: "Of the 437 customers scored highest (5 or more) on past
    dates, 19.7% left within 90 days; their scores said 20.0%." (the share in bold on a page, plain
    on a slide)."""
    strong = "**" if markdown else ""
    top = table.iloc[-1]
    trained_on = info.get("trained_on")
    days = [] if trained_on is None else [pd.Timestamp(d).date() for d in trained_on]
    when = f" between {min(days):%b %Y} and {max(days):%b %Y}" if len(days) > 1 else (
        f" in {days[0]:%b %Y}" if days else "")
    return (f"Of the {int(top['n']):,} customers scored highest ({_score(top['low'])} or more) on past dates{when}, "
            f"{strong}{top['observed']:.1f}%{strong} left within 90 days; their scores said {top['predicted']:.1f}%.")


def average_gap(table: pd.DataFrame) -> str:
    """Every tenth at once: how far scores and departures differ on average."""
    return (f"Across all {int(table['n'].sum()):,} customers checked, scores and departures differ by "
            f"{model.calibration_error(table):.1f} points on average.")


def method_note(info: dict) -> str:
    """For "How this is computed": which model was kept and how it compared, in plain words."""
    if info.get("family") is None or pd.isna(info.get("auc_logistic")):
        return ("The score comes from one model learnt on every customer: too few customers left to hold "
                "some back and check it.")
    chosen, other = info["family"], model.TREES if info["family"] == model.LOGISTIC else model.LOGISTIC
    auc = {model.LOGISTIC: info["auc_logistic"], model.TREES: info["auc_trees"]}
    return (f"Two models learnt from 70% of the customers; the {int(info['n_check']):,} customers held back "
            f"({int(info['n_check_churners']):,} of whom left) judged them. The "
            f"{model.FAMILY_LABEL[chosen]} ranked those who left above those who stayed "
            f"{100 * auc[chosen]:.0f} times in 100, the {model.FAMILY_LABEL[other]} {100 * auc[other]:.0f}, so "
            f"the {model.FAMILY_LABEL[chosen]} is used, its scores tuned on the held-back customers so that a "
            "score reads as the chance of leaving.")
