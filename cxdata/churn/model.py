"""The risk score: a logistic regression trained on the company's own history, or a transparent
weighted rule score when that history holds too few leavers to learn from.

Both give 0-100 and the top reasons per customer. The model's score is the probability (in %)
of being lost in the next 90 days, so annual value x score / 100 is the value expected to be
lost; the rule score is points, not a probability (the page says which one is in use).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxdata.churn import features as feat

MIN_CHURNERS = 30     # fewer leavers than this in the training history: the rule score is used
TOP_REASONS = 3
MODEL, RULES = "model", "rules"
KIND_LABEL = {MODEL: "model trained on your own history",
              RULES: "weighted rule score (too little churn history to train a model)"}

# The rule score: points per unit of each signal above a floor, up to a cap (docs/churn-model.md).
RULE_POINTS: dict[str, tuple[float, float, float]] = {  # signal -> (points per unit, floor, cap)
    "cancellation": (35, 0, 35), "complaints": (10, 0, 30), "failed_payments": (15, 0, 30),
    "nps_fell": (3, 0, 15), "nps_low": (2.5, 3, 10), "open_complaint": (10, 0, 10),
    "sla_breaches": (5, 0, 15), "escalations": (5, 0, 10), "spend_down": (25, 0.2, 15),
    "billing_down": (25, 0.2, 15), "purchases_down": (3, 0, 9), "csat_fell": (5, 0.5, 10),
    "ces_fell": (3, 0.5, 9), "refunds": (3, 0, 6), "contacts_up": (5, 0.7, 5), "quiet": (2, 4, 8),
}


@dataclass
class Scorer:
    """What scores customers: the fitted model (or None for the rule score) and its description."""
    kind: str
    n_train: int = 0
    n_churners: int = 0
    columns: list[str] = field(default_factory=list)
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    coef: np.ndarray | None = None
    intercept: float = 0.0

    def weights(self) -> pd.DataFrame:
        """The model's standardised coefficients, largest effect first (empty for the rule score)."""
        if self.coef is None:
            return pd.DataFrame({"input": list(RULE_POINTS), "weight": [p[0] for p in RULE_POINTS.values()]})
        return (pd.DataFrame({"input": self.columns, "weight": self.coef})
                .sort_values("weight", key=abs, ascending=False, ignore_index=True))


L2_PENALTY = 2.0  # ridge on the standardised weights (scikit-learn's C = 0.5): stable with correlated inputs


def fit(x: pd.DataFrame, y: pd.Series, min_churners: int = MIN_CHURNERS) -> Scorer:
    """A standardised logistic regression on x, or the rule scorer when y has too few positives."""
    n_pos = int(np.asarray(y).sum())
    if n_pos < min_churners or n_pos == len(y):
        return Scorer(RULES, n_train=len(y), n_churners=n_pos)
    values = x.to_numpy(dtype=float)
    mean, scale = values.mean(axis=0), values.std(axis=0)
    scale[scale == 0] = 1.0
    intercept, coef = _logistic((values - mean) / scale, np.asarray(y, dtype=float))
    return Scorer(MODEL, len(y), n_pos, list(x.columns), mean, scale, coef, intercept)


def _logistic(z: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, np.ndarray]:
    """L2-penalised logistic regression by Newton's method: a few exact steps on a convex problem,
    in numpy (milliseconds, where importing a library for it would cost seconds on every refresh)."""
    design = np.hstack([np.ones((len(z), 1)), z])
    penalty = np.full(design.shape[1], L2_PENALTY)
    penalty[0] = 0.0  # the intercept is not shrunk
    w = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def contributions(scorer: Scorer, x: pd.DataFrame) -> pd.DataFrame:
    """Each input's push on each customer's score: log-odds for the model, points for the rules."""
    if scorer.kind == RULES:
        return pd.DataFrame({key: np.clip((x[key].to_numpy(float) - floor) * per, 0, cap)
                             for key, (per, floor, cap) in RULE_POINTS.items()}, index=x.index)
    aligned = x.reindex(columns=scorer.columns, fill_value=0.0).to_numpy(dtype=float)
    return pd.DataFrame((aligned - scorer.mean) / scorer.scale * scorer.coef, index=x.index, columns=scorer.columns)


def score(scorer: Scorer, x: pd.DataFrame) -> pd.Series:
    """0-100: the model's probability of leaving in the next 90 days in %, or the rule points (capped)."""
    parts = contributions(scorer, x)
    if scorer.kind == RULES:
        return parts.sum(axis=1).clip(upper=100).round(1)
    return pd.Series(100 / (1 + np.exp(-(parts.sum(axis=1) + scorer.intercept))), index=x.index).round(1)


def explain(scorer: Scorer, features: pd.DataFrame, x: pd.DataFrame, top: int = TOP_REASONS) -> pd.DataFrame:
    """Per customer, the top reasons in plain words (and their signal keys), strongest push first.

    Only signals that push the score up and are adverse in plain terms are named, so a reason is
    always something an account owner can check ("3 complaints in the last 90 days").
    """
    parts = contributions(scorer, x)
    keys = [k for k in parts.columns if k in feat.SIGNAL_LABELS]
    push = parts[keys].to_numpy()
    order = np.argsort(-push, axis=1)
    words, codes = [], []
    for i, row in enumerate(features.itertuples(index=False)):
        ranked = [keys[j] for j in order[i] if push[i, j] > 0]
        found = feat.reasons_for(row, ranked)[:top]
        codes.append([k for k, _ in found])
        words.append([w for _, w in found])
    return pd.DataFrame({"reasons": words, "reason_keys": codes}, index=features.index)
