"""Honest validation of the risk score: trained on the past, judged on what happened next.

`time_split` trains as of 90 days before the newest day T (snapshots before it) and scores the
customers active on T - 90 against who was lost in the 90 days that followed; `labelled` trains the
same models on any table of customers with a churn label (a stratified 70/30 split). Both report
the chosen model, the family it beat, and the calibration error of their probabilities.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxdata import db
from cxdata.churn import features as feat
from cxdata.churn import model, scoring

SEED = 42
TEST_SHARE = 0.3
MAX_LEVELS = 30          # a text column with more distinct values is an identifier, not a category
POSITIVE = {"1", "yes", "y", "true", "t", "churn", "churned"}
NEGATIVE = {"0", "no", "n", "false", "f", "stay", "stayed", "active"}


class EvalError(ValueError):
    """The input cannot be evaluated (missing, constant or non-binary label; duplicate ids; ...)."""


@dataclass
class Result:
    name: str
    n: int
    n_positive: int
    auc: float | None
    precision: float | None
    recall: float | None
    n_flagged: int
    lift_top_decile: float | None
    calibration: pd.DataFrame | None = None   # a probability's predicted against observed churn by tenth
    ece: float | None = None                  # its expected calibration error, in percentage points

    def line(self, threshold: float) -> str:
        def pct(v):
            return "—" if v is None else f"{100 * v:.1f}%"
        auc = "—" if self.auc is None else f"{self.auc:.3f}"
        lift = "—" if self.lift_top_decile is None else f"{self.lift_top_decile:.2f}x"
        ece = "" if self.ece is None else f"   calibration error {self.ece:.1f} points"
        return (f"{self.name:<28} ROC AUC {auc}   at score >= {threshold:g}: precision {pct(self.precision)}, "
                f"recall {pct(self.recall)} ({self.n_flagged:,} flagged)   top-decile lift {lift}{ece}")


def judge(name: str, y: np.ndarray, score: np.ndarray, threshold: float, probability: bool = True) -> Result:
    """ROC AUC, precision and recall at the threshold, the churn rate of the top 10% by score over
    the overall rate (ties broken by order, so the decile is exactly 10%), and for a probability
    its calibration by tenth and the expected calibration error."""
    y, score = np.asarray(y, dtype=int), np.asarray(score, dtype=float)
    n, n_pos = len(y), int(y.sum())
    auc = model.roc_auc(y, score) if 0 < n_pos < n else None
    flagged = score >= threshold
    precision = float(y[flagged].mean()) if flagged.any() else None
    recall = float(y[flagged].sum() / n_pos) if n_pos else None
    top = np.argsort(-score, kind="stable")[:max(1, n // 10)]
    lift = float(y[top].mean() / (n_pos / n)) if n_pos else None
    table = model.calibration_table(score, y) if probability and n else None
    ece = model.calibration_error(table) if table is not None else None
    return Result(name, n, n_pos, auc, precision, recall, int(flagged.sum()), lift, table, ece)


def judge_model(trained: model.Scorer, x: pd.DataFrame, y: np.ndarray, threshold: float) -> list[Result]:
    """The chosen model first (named with its family), then the family it beat on the held-back
    customers, both judged on the same customers."""
    chosen = f"model: {model.FAMILY_LABEL[trained.family]}"
    results = [judge(chosen, y, model.score(trained, x).to_numpy(), threshold)]
    for family, rival in trained.rivals.items():
        if family != trained.family:
            results.append(judge(f"  beaten: {model.FAMILY_LABEL[family]}", y, model.score(rival, x).to_numpy(),
                                 threshold))
    return results


def stratified_split(y: np.ndarray, test_share: float = TEST_SHARE, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of a train and a test split that keep the label's share in each (fixed seed)."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == label))
        cut = int(round(len(rows) * test_share))
        test.append(rows[:cut])
        train.append(rows[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def time_split(reader: db.Reader, threshold: float) -> tuple[dt.date, list[dt.date], list[Result]]:
    """Train on snapshots before T = newest day - 90, score the customers active on T, judge
    against who was lost in the 90 days after T: the model and the rule score."""
    extent = reader.run("data_extent").iloc[0]
    if pd.isna(extent["newest_on"]):
        raise EvalError("the database has no activity to evaluate on")
    newest, oldest = pd.Timestamp(extent["newest_on"]).date(), pd.Timestamp(extent["oldest_on"]).date()
    test_day = newest - dt.timedelta(days=feat.HORIZON_DAYS)
    days = scoring.training_days(test_day, oldest)
    if not days:
        raise EvalError(f"the data covers {oldest} to {newest}: a time split needs at least "
                        f"{4 * feat.HORIZON_DAYS} days (two quarters of history, a quarter to learn, one to check)")
    trained, days = scoring.train(reader, days, min_churners=1)
    test = feat.as_of(reader, test_day)
    x, y = feat.matrix(test), test["is_lost_next"].to_numpy()
    results = [judge("rule score", y, model.score(model.Scorer(model.RULES), x).to_numpy(), threshold,
                     probability=False)]
    if trained.kind == model.MODEL:
        results = judge_model(trained, x, y, threshold) + results
    return test_day, days, results


def read_labelled(path: Path, label: str, id_column: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The file's feature columns and its 0/1 label, checked (clear errors, no traceback)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise EvalError(f"cannot read {path} as CSV: {str(exc).strip().splitlines()[0]}") from exc
    for column, what in ((label, "label"), (id_column, "id")):
        if column is not None and column not in frame.columns:
            raise EvalError(f"{path} has no {what} column {column!r}; columns: {', '.join(frame.columns)}")
    if id_column is not None:
        ids = frame[id_column].str.strip()
        twice = ids[ids.duplicated(keep=False)]
        if not twice.empty:
            first = twice.iloc[0]
            lines = [str(i + 2) for i in twice.index[twice == first]]
            raise EvalError(f"{path}, column {id_column}: customer id {first!r} appears "
                            f"{len(lines)} times (lines {', '.join(lines)}); each customer must be one row")
    values = frame[label].str.strip().str.lower()
    kinds = sorted(set(values) - {""})
    if len(kinds) < 2:
        raise EvalError(f"{path}, column {label}: the label is constant ({kinds[0] if kinds else 'empty'!r} on "
                        "every row); it needs both churned and retained customers")
    unknown = sorted(set(kinds) - POSITIVE - NEGATIVE)
    if unknown or len(kinds) > 2:
        line = int(values.isin(unknown).idxmax()) + 2 if unknown else 2
        raise EvalError(f"{path}, line {line}, column {label}: the label is not binary (values "
                        f"{', '.join(repr(k) for k in kinds[:6])}); use 1/0, yes/no or true/false")
    blank = values == ""
    if blank.any():
        raise EvalError(f"{path}, line {int(blank.idxmax()) + 2}, column {label}: the label is empty")
    y = values.isin(POSITIVE).to_numpy(dtype=int)
    return frame.drop(columns=[c for c in (label, id_column) if c]), y


def encode(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers stay numbers (blanks become the median plus a missing flag); text columns with a few
    values become one-hot columns; identifiers (many distinct texts) are left out."""
    out = {}
    for column in frame.columns:
        text = frame[column].str.strip()
        number = pd.to_numeric(text, errors="coerce")
        filled = text != ""
        if filled.any() and number[filled].notna().mean() >= 0.95:
            out[column] = number.fillna(number.median())
            if number.isna().any():
                out[f"{column} missing"] = number.isna().astype(float)
        elif text.nunique() <= MAX_LEVELS:
            for value in sorted(text.unique()):
                out[f"{column}={value}"] = (text == value).astype(float)
    return pd.DataFrame(out, index=frame.index)


def labelled(path: Path, label: str, id_column: str | None, threshold: float) -> tuple[int, list[str], list[Result]]:
    """Train on 70% of a labelled file (stratified, fixed seed: both families, the better kept and
    calibrated on customers held back from that 70%), judge on the other 30%."""
    frame, y = read_labelled(path, label, id_column)
    x = encode(frame)
    if x.empty:
        raise EvalError(f"{path}: no column besides the label and id can be used as a feature")
    if min(y.sum(), len(y) - y.sum()) < 2:
        raise EvalError(f"{path}, column {label}: one class has fewer than 2 rows, too few to split 70/30")
    train, test = stratified_split(y)
    x_train, x_test, y_train, y_test = x.iloc[train], x.iloc[test], y[train], y[test]
    if len(set(y_test)) < 2 or len(set(y_train)) < 2:
        raise EvalError(f"{path}: the 30% test split holds one class only; the file needs more churned "
                        "and retained customers")
    fitted = model.fit(x_train, pd.Series(y_train), min_churners=1)
    if fitted.family is None or not fitted.rivals:
        raise EvalError(f"{path}, column {label}: too few churned customers to hold some back and compare the "
                        f"models (the 70% training split holds {int(y_train.sum())})")
    return len(y), list(x.columns), judge_model(fitted, x_test, y_test, threshold)
