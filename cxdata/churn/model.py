"""The risk score: a model trained on the company's own history, or a transparent weighted rule
score when that history holds too few leavers to learn from.

Two model families compete on every training: an L2-penalised logistic regression and
gradient-boosted trees (LightGBM). Both learn from 70% of the customers; the 30% held back
(whole customers, never one snapshot of a customer in each part) judge them, and the family with
the higher ROC AUC there is kept. Its raw score is then calibrated on the same held-back customers
(Platt scaling: a logistic curve on the raw log-odds), so the score is a probability that means
what it says: of customers scored about 20, about 20% leave within 90 days. docs/churn-model.md
holds the comparison on the demo and on labelled files.

Every score gives 0-100 and each input's push per customer (its contribution): for the logistic
regression its weight times the customer's standardised value, for the trees the library's own
per-customer contributions (SHAP values), both in log-odds and scaled by the calibration's slope,
so they add up to the customer's calibrated log-odds. The rule score is points, not a
probability (the page says which score is in use).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxdata.churn import features as feat
from cxdata.i18n import N_

MIN_CHURNERS = 30     # fewer leavers than this in the training history: the rule score is used
MIN_CHECK_CHURNERS = 10   # fewer held-back leavers than this: no family choice, no calibration
HOLDBACK_SHARE = 0.3  # customers held back to choose the family and calibrate it
TOP_REASONS = 3
MODEL, RULES = "model", "rules"
KIND_LABEL = {MODEL: N_("model trained on your own history"),   # translated where shown
              RULES: N_("weighted rule score (too little churn history to train a model)")}
LOGISTIC, TREES = "logistic", "trees"
FAMILY_LABEL = {LOGISTIC: N_("logistic regression"), TREES: N_("gradient-boosted trees")}

# The rule score: points per unit of each signal above a floor, up to a cap (docs/churn-model.md).
RULE_POINTS: dict[str, tuple[float, float, float]] = {  # signal -> (points per unit, floor, cap)
    "cancellation": (35, 0, 35), "complaints": (10, 0, 30), "failed_payments": (15, 0, 30),
    "nps_fell": (3, 0, 15), "nps_low": (2.5, 3, 10), "open_complaint": (10, 0, 10),
    "sla_breaches": (5, 0, 15), "escalations": (5, 0, 10), "spend_down": (25, 0.2, 15),
    "billing_down": (25, 0.2, 15), "purchases_down": (3, 0, 9), "csat_fell": (5, 0.5, 10),
    "ces_fell": (3, 0.5, 9), "refunds": (3, 0, 6), "contacts_up": (5, 0.7, 5), "quiet": (2, 4, 8),
}

L2_PENALTY = 2.0  # ridge on the standardised weights (scikit-learn's C = 0.5): stable with correlated inputs
# The trees: small (4 leaves), slow-learning and shrunk, as churn data is mostly stayers and noise.
# Inputs that carry a reason are constrained to push risk up as they grow (more complaints never lower
# the score), so a named reason always points the right way; segment, plan and value are free.
TREE_PARAMS = {"objective": "binary", "learning_rate": 0.03, "num_leaves": 4, "min_data_in_leaf": 100,
               "feature_fraction": 0.5, "lambda_l2": 5.0, "verbose": -1, "seed": 42, "deterministic": True,
               "force_col_wise": True}
TREE_ROUNDS = 250
STAYERS_PER_LEAVER = 12   # the trees learn from every leaver and at most this many stayers per leaver
CALIBRATION_BINS = 10


@dataclass
class Scorer:
    """What scores customers: the fitted model (or none for the rule score), its calibration, and
    how the two families compared on the held-back customers."""
    kind: str
    n_train: int = 0
    n_churners: int = 0
    columns: list[str] = field(default_factory=list)
    family: str | None = None
    mean: np.ndarray | None = None          # logistic: the inputs' standardisation and weights
    scale: np.ndarray | None = None
    coef: np.ndarray | None = None
    intercept: float = 0.0
    booster: object | None = None           # trees: the LightGBM booster
    slope: float = 1.0                      # Platt calibration of the raw log-odds
    offset: float = 0.0
    check: dict = field(default_factory=dict)          # family -> ROC AUC on the held-back customers, n, leavers
    rivals: dict = field(default_factory=dict)         # family -> that family's calibrated scorer (for churn-eval)
    calibration: pd.DataFrame | None = None            # by decile of the held-back customers' scores

    def weights(self) -> pd.DataFrame:
        """Each input's weight, largest effect first: the logistic regression's standardised
        coefficient, the trees' share of the loss reduction (LightGBM's gain), the rule points."""
        if self.kind == RULES:
            return pd.DataFrame({"input": list(RULE_POINTS), "weight": [p[0] for p in RULE_POINTS.values()]})
        if self.family == TREES:
            gain = self.booster.feature_importance("gain")
            return (pd.DataFrame({"input": self.columns, "weight": gain / max(gain.sum(), 1e-12)})
                    .sort_values("weight", ascending=False, ignore_index=True))
        return (pd.DataFrame({"input": self.columns, "weight": self.coef})
                .sort_values("weight", key=abs, ascending=False, ignore_index=True))


def fit(x: pd.DataFrame, y: pd.Series, min_churners: int = MIN_CHURNERS, groups=None) -> Scorer:
    """The better of the two families on x, calibrated, or the rule scorer when y has too few positives.

    `groups` names the customer of each row (rows of one customer over several snapshots are held
    back together); by default each row is its own customer.
    """
    y = np.asarray(y, dtype=float)
    n_pos = int(y.sum())
    if n_pos < min_churners or n_pos == len(y):
        return Scorer(RULES, n_train=len(y), n_churners=n_pos)
    x = x.astype(float)
    held = held_back(np.arange(len(y)) if groups is None else np.asarray(groups))
    enough = min(y[held].sum(), y[~held].sum()) >= MIN_CHECK_CHURNERS and (y[~held] == 0).any()
    if not enough:  # too few leavers to hold some back: the logistic regression on all, uncalibrated
        scorer = _fit_logistic(x, y)
        scorer.n_train, scorer.n_churners = len(y), n_pos
        return scorer
    fitted = {LOGISTIC: _fit_logistic(x[~held], y[~held]), TREES: _fit_trees(x[~held], y[~held])}
    raw = {family: _raw(s, x[held]) for family, s in fitted.items()}
    aucs = {family: roc_auc(y[held], r) for family, r in raw.items()}
    family = TREES if aucs[TREES] > aucs[LOGISTIC] else LOGISTIC   # a tie keeps the simpler model
    for name, fitted_scorer in fitted.items():
        fitted_scorer.slope, fitted_scorer.offset = platt(raw[name], y[held])
        fitted_scorer.n_train, fitted_scorer.n_churners = len(y), n_pos
    scorer = fitted[family]
    scorer.rivals = fitted
    scorer.check = {**aucs, "n": int(held.sum()), "n_churners": int(y[held].sum())}
    scorer.calibration = calibration_table(100 * _sigmoid(scorer.slope * raw[family] + scorer.offset), y[held])
    return scorer


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """The chance a random churner scores above a random stayer (ties count half): Mann-Whitney U."""
    y = np.asarray(y, dtype=int)
    ranks = pd.Series(np.asarray(score, dtype=float)).rank(method="average").to_numpy()
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def held_back(groups: np.ndarray, share: float = HOLDBACK_SHARE) -> np.ndarray:
    """Which rows are held back: a fixed pseudo-random share of the customers, decided by a hash of
    the customer's id (the same customer is always in the same part, run after run)."""
    hashed = pd.util.hash_array(np.asarray(groups).astype(str), categorize=True)
    return (hashed % 1000) < share * 1000


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def _fit_logistic(x: pd.DataFrame, y: np.ndarray) -> Scorer:
    values = x.to_numpy(dtype=float)
    mean, scale = values.mean(axis=0), values.std(axis=0)
    scale[scale == 0] = 1.0
    intercept, coef = _logistic((values - mean) / scale, y, L2_PENALTY)
    return Scorer(MODEL, len(y), int(y.sum()), list(x.columns), LOGISTIC, mean, scale, coef, intercept)


def _fit_trees(x: pd.DataFrame, y: np.ndarray) -> Scorer:
    """LightGBM on every leaver and a sample of stayers, weighted back to the whole (case-control
    sampling: at 10 M interactions it learns from about 70 k rows instead of 150 k, at the same
    ranking). Imported here: only a refresh trains, the app never loads the library."""
    import lightgbm
    rng = np.random.default_rng(42)
    stayers = np.flatnonzero(y == 0)
    keep_stayers = min(len(stayers), STAYERS_PER_LEAVER * int(y.sum()))
    rows = np.sort(np.concatenate([np.flatnonzero(y == 1), rng.choice(stayers, keep_stayers, replace=False)]))
    weight = np.where(y[rows] == 1, 1.0, len(stayers) / keep_stayers)
    monotone = [1 if column in feat.SIGNAL_LABELS else 0 for column in x.columns]
    data = lightgbm.Dataset(x.iloc[rows].to_numpy(dtype=float), y[rows], weight=weight,
                            feature_name=[f"f{i}" for i in range(x.shape[1])], free_raw_data=True)
    booster = lightgbm.train({**TREE_PARAMS, "monotone_constraints": monotone},
                             data, num_boost_round=TREE_ROUNDS)
    return Scorer(MODEL, len(y), int(y.sum()), list(x.columns), TREES, booster=booster)


def _logistic(z: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> tuple[float, np.ndarray]:
    """L2-penalised logistic regression by Newton's method: a few exact steps on a convex problem,
    in numpy (milliseconds; the app never imports a learning library)."""
    design = np.hstack([np.ones((len(z), 1)), z])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0  # the intercept is not shrunk
    w = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = _sigmoid(design @ w)
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: the slope and offset of a logistic curve from raw log-odds to the observed
    outcome (a light ridge on the slope keeps it stable with few leavers)."""
    offset, slope = _logistic(np.asarray(raw, dtype=float)[:, None], np.asarray(y, dtype=float), 1e-3)
    return float(slope[0]), float(offset)


def _aligned(scorer: Scorer, x: pd.DataFrame) -> np.ndarray:
    return x.reindex(columns=scorer.columns, fill_value=0.0).to_numpy(dtype=float)


def _raw(scorer: Scorer, x: pd.DataFrame) -> np.ndarray:
    """The uncalibrated log-odds."""
    if scorer.family == TREES:
        return scorer.booster.predict(_aligned(scorer, x), raw_score=True)
    return ((_aligned(scorer, x) - scorer.mean) / scorer.scale) @ scorer.coef + scorer.intercept


def contributions(scorer: Scorer, x: pd.DataFrame) -> pd.DataFrame:
    """Each input's push on each customer's score: calibrated log-odds for the model (they add up,
    with the baseline, to the customer's log-odds), points for the rules."""
    if scorer.kind == RULES:
        return pd.DataFrame({key: np.clip((x[key].to_numpy(float) - floor) * per, 0, cap)
                             for key, (per, floor, cap) in RULE_POINTS.items()}, index=x.index)
    if scorer.family == TREES:
        parts = scorer.booster.predict(_aligned(scorer, x), pred_contrib=True)[:, :-1]
    else:
        parts = (_aligned(scorer, x) - scorer.mean) / scorer.scale * scorer.coef
    return pd.DataFrame(scorer.slope * parts, index=x.index, columns=scorer.columns)


def score(scorer: Scorer, x: pd.DataFrame) -> pd.Series:
    """0-100: the calibrated probability of leaving in the next 90 days in %, or the rule points (capped)."""
    if scorer.kind == RULES:
        return contributions(scorer, x).sum(axis=1).clip(upper=100).round(1)
    return pd.Series(100 * _sigmoid(scorer.slope * _raw(scorer, x) + scorer.offset), index=x.index).round(1)


def calibration_table(predicted_pct: np.ndarray, y: np.ndarray, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Predicted against observed churn by tenth of the customers ranked by score (ties kept in
    one tenth): the score range, customers, mean predicted % and observed % who left."""
    frame = pd.DataFrame({"p": np.asarray(predicted_pct, dtype=float), "y": np.asarray(y, dtype=float)})
    frame["bin"] = np.minimum((frame["p"].rank(method="min") - 1) * bins // len(frame), bins - 1).astype(int)
    out = frame.groupby("bin").agg(low=("p", "min"), high=("p", "max"), n=("y", "size"),
                                   n_left=("y", "sum"), predicted=("p", "mean"), observed=("y", "mean"))
    out["observed"] *= 100
    return out.reset_index(drop=True).astype({"n": int, "n_left": int})


def calibration_error(table: pd.DataFrame) -> float:
    """Expected calibration error in percentage points: the gap between predicted and observed churn
    in each tenth, weighted by its customers."""
    return float((table["n"] * (table["predicted"] - table["observed"]).abs()).sum() / table["n"].sum())


def explain(scorer: Scorer, features: pd.DataFrame, x: pd.DataFrame, top: int = TOP_REASONS) -> pd.DataFrame:
    """Per customer, the top reasons in plain words (and their signal keys, and their values as the
    scores store them to be worded in the reader's language), strongest push first.

    Only signals that push the score up and are adverse in plain terms are named, so a reason is
    always something an account owner can check ("3 complaints in the last 90 days").
    """
    parts = contributions(scorer, x)
    keys = [k for k in parts.columns if k in feat.SIGNAL_LABELS]
    push = parts[keys].to_numpy()
    order = np.argsort(-push, axis=1)
    words, codes, stored = [], [], []
    for i, row in enumerate(features.itertuples(index=False)):
        ranked = [keys[j] for j in order[i] if push[i, j] > 0]
        found = feat.reason_values(row, ranked)[:top]
        codes.append([k for k, _v in found])
        stored.append([v for _k, v in found])
        words.append([feat.reason_words(k, v) for k, v in found])
    return pd.DataFrame({"reasons": words, "reason_keys": codes, "reason_values": stored}, index=features.index)
