"""Training on the company's past and scoring every active customer now, at every refresh.

derive.refresh calls `refresh` on the writable copy, so the scores (table churn_scores) and the
model's description (churn_model) are rebuilt with every load, beside the other derived tables,
and the page only reads them. The model learns from snapshots of the past (customers as of
90, 180, ... days before the newest day, labelled with who was lost in the 90 days after) and
scores the customers active on the newest day.
"""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pandas as pd

from cxdata import db
from cxdata.churn import features as feat
from cxdata.churn import model

SNAPSHOTS = 4            # training snapshots at most, a quarter apart
ENOUGH_CHURNERS = 2000   # no older snapshot once the newer ones hold this many leavers (a large base)
EXPLAIN_SHARE = 0.3      # reasons for the riskiest 30% (and every customer a single signal flags)
# The risk over time (the Customer page): what churn_score_history keeps of each scoring.
HISTORY_COLUMNS = ["customer_id", "scored_on", "score", "reasons", "reason_keys", "annual_value",
                   "is_detractor_open_complaint", "is_cancellation_contact", "has_failed_payment"]


def training_days(newest: dt.date, oldest: dt.date, snapshots: int = SNAPSHOTS) -> list[dt.date]:
    """The past days to learn from: each with its 90 days of outcome observed and the two quarters
    of history before it that the trend features compare."""
    days = [newest - dt.timedelta(days=feat.HORIZON_DAYS * (k + 1)) for k in range(snapshots)]
    return [d for d in days if d - dt.timedelta(days=2 * feat.HORIZON_DAYS) >= oldest]


def train(reader: db.Reader, days: list[dt.date],
          min_churners: int = model.MIN_CHURNERS) -> tuple[model.Scorer, list[dt.date]]:
    """Fit on the customers as of each training day (stacked, newest first), labelled by who was lost
    after it; older snapshots are read only while the newer ones hold fewer than ENOUGH_CHURNERS leavers."""
    frames = []
    for day in days:
        frames.append(feat.as_of(reader, day))
        if sum(int(f["is_lost_next"].sum()) for f in frames) >= ENOUGH_CHURNERS:
            break
    used = days[:len(frames)]
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if history.empty:
        return model.Scorer(model.RULES), used
    return model.fit(feat.matrix(history), history["is_lost_next"], min_churners, groups=history["customer_id"]), used


def score_customers(scorer: model.Scorer, current: pd.DataFrame) -> pd.DataFrame:
    """The current features with score, reasons and the single-signal flags the alert rules read."""
    x = feat.matrix(current)
    out = current[["customer_id", "segment", "region", "plan", "account_owner", "annual_value",
                   "next_renewal_on", "expected_purchase_on", "nps_last"]].copy()
    out["score"] = model.score(scorer, x).to_numpy()
    out["is_detractor_open_complaint"] = (current["nps_last"] <= 6).fillna(False) & (current["n_open_complaints"] > 0)
    out["is_cancellation_contact"] = current["n_cancellation_contacts_90d"] > 0
    out["has_failed_payment"] = current["is_failed_payment_unrecovered"].astype(bool)  # not recovered since
    flagged = out["is_detractor_open_complaint"] | out["is_cancellation_contact"] | out["has_failed_payment"]
    riskiest = out["score"] >= out["score"].quantile(1 - EXPLAIN_SHARE)
    chosen = flagged | riskiest
    reasons = model.explain(scorer, current[chosen], x[chosen])
    out["reasons"] = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    out["reason_keys"] = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    out.loc[chosen, "reasons"] = reasons["reason_values"]   # worded when shown (features.reason_words)
    out.loc[chosen, "reason_keys"] = reasons["reason_keys"]
    return out


def score_history(reader: db.Reader, scorer: model.Scorer, scores: pd.DataFrame, newest: dt.date | None,
                  oldest: dt.date | None) -> pd.DataFrame:
    """Each customer's risk now and on the past days a quarter apart that training reads, all scored by
    the score in use now (one story: a customer's past points and today's come from the same score),
    for the risk over time on the Customer page. The data keeps no earlier scoring, so the past points
    say what today's score reads in the customer's past, not what an older model said then."""
    frames = [scores.assign(scored_on=pd.Timestamp(newest) if newest is not None else pd.NaT)]
    for day in (training_days(newest, oldest) if newest is not None else []):
        frames.append(score_customers(scorer, feat.as_of(reader, day)).assign(scored_on=pd.Timestamp(day)))
    return pd.concat(frames, ignore_index=True)[HISTORY_COLUMNS]


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild churn_scores and churn_model on this writable connection (derived_info is built)."""
    reader = db.Reader(con)
    newest, oldest = con.execute("select newest_on, oldest_on from derived_info").fetchall()[0]
    if newest is None:  # customers but no activity yet: nothing to learn from, nobody to score
        days, scorer, current = [], model.Scorer(model.RULES), feat.as_of(reader, dt.date(1900, 1, 1))
    else:
        scorer, days = train(reader, training_days(newest, oldest))
        current = feat.as_of(reader, newest)
    scores = score_customers(scorer, current)
    con.register("churn_scores_new", scores)
    try:
        con.execute("create or replace table churn_scores as select * from churn_scores_new order by customer_id")
    finally:
        con.unregister("churn_scores_new")
    history = score_history(reader, scorer, scores, newest, oldest)
    con.register("churn_score_history_new", history)
    try:  # ordered by customer: one customer's points are read from a row group or two
        con.execute("create or replace table churn_score_history as select * from churn_score_history_new "
                    "order by customer_id, scored_on")
    finally:
        con.unregister("churn_score_history_new")
    con.execute(db.sql_text("churn_model_write"), {
        "kind": scorer.kind, "as_of": newest, "trained_on": days, "n_train": scorer.n_train,
        "n_churners": scorer.n_churners, "min_churners": model.MIN_CHURNERS,
        "weights": json.dumps(scorer.weights().round(4).to_dict(orient="records")), "family": scorer.family,
        "auc_logistic": scorer.check.get(model.LOGISTIC), "auc_trees": scorer.check.get(model.TREES),
        "n_check": scorer.check.get("n"), "n_check_churners": scorer.check.get("n_churners"),
        "calibration": None if scorer.calibration is None else scorer.calibration.round(4).to_json(orient="records")})

