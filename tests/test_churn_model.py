"""The risk model: two families compared on held-back customers, the better kept and calibrated,
contributions that add up and point the right way, and the calibration checked on the demo's past."""
import json

import numpy as np
import pandas as pd
import pytest

from cxdata import db
from cxdata.churn import checks, evaluate, features, model


def _planted(n: int, seed: int, interaction: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Complaints, a renewal due soon, a customer's value and an input of noise; leavers planted either
    additively, or among mid-value customers with a renewal near (a risk that rises and falls with
    value and needs both at once: a logistic regression cannot say so, trees can)."""
    rng = np.random.default_rng(seed)
    complaints = rng.poisson(0.8, n).astype(float)
    near = (rng.random(n) < 0.3).astype(float)
    value = rng.normal(size=n)
    logit = (-4.5 + 3.5 * (np.abs(value) < 0.5) * near) if interaction else (-4.0 + 0.9 * complaints + 0.8 * near)
    lost = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"complaints": complaints, "renewal_near": near, "value": value,
                         "noise": rng.normal(size=n)}), lost.astype(int)


def test_the_trees_win_where_a_risk_bends_and_either_may_win_where_signals_add_up():
    x, y = _planted(20000, 1, interaction=True)
    scorer = model.fit(x, pd.Series(y))
    assert scorer.family == model.TREES and scorer.check[model.TREES] > scorer.check[model.LOGISTIC] + 0.02
    weights = scorer.weights()   # the trees' share of the gain: the planted inputs carry it, not the noise
    assert weights["weight"].sum() == pytest.approx(1) and set(weights["input"][:2]) == {"value", "renewal_near"}
    x, y = _planted(20000, 2, interaction=False)
    scorer = model.fit(x, pd.Series(y))
    # where the signals add up the two are as good as each other, and the higher one is kept
    assert abs(scorer.check[model.TREES] - scorer.check[model.LOGISTIC]) < 0.01
    assert scorer.family == max((model.LOGISTIC, model.TREES), key=lambda f: (scorer.check[f], f == model.LOGISTIC))
    # the held-back share is whole customers, about 30% of them
    assert scorer.check["n"] == pytest.approx(6000, rel=0.05)


def test_the_same_customer_is_always_held_back_or_always_learnt_from():
    ids = np.array(["C1", "C2", "C3", "C1", "C2", "C3"] * 500 + [f"X{i}" for i in range(10000)])
    held = model.held_back(ids)
    frame = pd.DataFrame({"id": ids, "held": held})
    assert frame.groupby("id")["held"].nunique().max() == 1
    assert held[-10000:].mean() == pytest.approx(0.3, abs=0.02)
    assert (model.held_back(ids) == held).all()   # the same split run after run


def test_platt_scaling_tames_an_overconfident_score():
    rng = np.random.default_rng(3)
    true_logit = rng.normal(-3, 1.5, 50000)
    y = (rng.random(50000) < 1 / (1 + np.exp(-true_logit))).astype(int)
    slope, offset = model.platt(2 * true_logit + 1, y)   # twice too confident, shifted by 1
    # the curve maps 2z + 1 back to z: slope 1/2, offset -1/2
    assert slope == pytest.approx(0.5, abs=0.03) and offset == pytest.approx(-0.5, abs=0.1)


def test_the_calibration_table_and_its_error_by_hand():
    predicted = np.array([10.0] * 10 + [30.0] * 10)
    left = np.array([1] + [0] * 9 + [1] * 5 + [0] * 5)
    table = model.calibration_table(predicted, left, bins=2)
    assert table[["low", "high", "n", "n_left"]].values.tolist() == [[10, 10, 10, 1], [30, 30, 10, 5]]
    assert table["observed"].tolist() == [10.0, 50.0] and table["predicted"].tolist() == [10.0, 30.0]
    assert model.calibration_error(table) == pytest.approx((10 * 0 + 10 * 20) / 20)   # 10 points


@pytest.mark.parametrize("family", [model.TREES, model.LOGISTIC])
def test_contributions_add_up_to_the_score_and_more_complaints_never_lower_it(family):
    rng = np.random.default_rng(4)
    n = 30000
    x = pd.DataFrame({"complaints": rng.poisson(1.0, n).astype(float), "value": rng.normal(0, 1, n)})
    lost = rng.random(n) < 1 / (1 + np.exp(3.5 - 0.8 * x["complaints"] + 0.3 * np.sin(3 * x["value"])))
    fitted = model.fit(x, pd.Series(lost.astype(int)))
    scorer = fitted.rivals[family]
    probe = pd.DataFrame({"complaints": np.arange(0, 8, dtype=float), "value": 0.4})
    parts = model.contributions(scorer, probe)
    assert (np.diff(parts["complaints"]) >= -1e-9).all()        # the complaints' push never falls as they grow
    assert (np.diff(model.score(scorer, probe)) >= 0).all()
    # contributions + baseline = the calibrated log-odds of the score
    baseline = np.log(model.score(scorer, probe) / (100 - model.score(scorer, probe))) - parts.sum(axis=1)
    assert baseline.std() < 0.02


def test_a_reason_always_points_the_way_of_the_risk():
    """A customer is only told "3 complaints" when complaints raise their score; one with none is
    never given complaints as a reason, whatever the model."""
    rng = np.random.default_rng(5)
    n = 20000
    raw = pd.DataFrame({"n_complaints_90d": rng.poisson(0.6, n)})
    lost = rng.random(n) < 1 / (1 + np.exp(3.5 - 1.0 * raw["n_complaints_90d"]))
    x = pd.DataFrame({"complaints": raw["n_complaints_90d"].clip(upper=6).astype(float)})
    for scorer in model.fit(x, pd.Series(lost.astype(int))).rivals.values():
        probe = pd.DataFrame({"n_complaints_90d": [0, 1, 4]})
        px = pd.DataFrame({"complaints": probe["n_complaints_90d"].astype(float)})
        parts = model.contributions(scorer, px)["complaints"]
        assert parts.iloc[0] < 0 < parts.iloc[2]
        why = dict(zip(probe["n_complaints_90d"], _reasons(scorer, probe, px)))
        assert why[0] == [] and why[4] == ["4 complaints in the last 90 days"]


def _reasons(scorer, probe, px):
    keys = [k for k in model.contributions(scorer, px).columns if k in features.SIGNAL_LABELS]
    push = model.contributions(scorer, px)[keys]
    out = []
    for i, row in enumerate(probe.itertuples(index=False)):
        ranked = [k for k in keys if push.iloc[i][k] > 0]
        out.append([w for _, w in features.reasons_for(row, ranked)])
    return out


def test_too_few_leavers_to_hold_back_keep_one_uncalibrated_model():
    x, y = _planted(3000, 6, interaction=False)
    y[np.flatnonzero(y)[15:]] = 0   # 15 leavers: enough to learn from at a minimum of 5, too few to hold back
    scorer = model.fit(x, pd.Series(y), min_churners=5)
    assert scorer.kind == model.MODEL and scorer.family == model.LOGISTIC and scorer.calibration is None
    assert (scorer.slope, scorer.offset) == (1.0, 0.0) and scorer.rivals == {}


def test_the_score_is_calibrated_on_the_demos_past(demo_march):
    """Trained before T, scored on T, judged against who left in the 90 days after: each tenth's
    departures within 5 points of what its scores said."""
    con = db.connect_readonly(demo_march)
    try:
        test_day, days, results = evaluate.time_split(db.Reader(con), 30)
    finally:
        con.close()
    table = results[0].calibration
    assert len(table) == 10 and table["n"].sum() == results[0].n
    gaps = (table["predicted"] - table["observed"]).abs()
    assert gaps.max() <= 5, table
    assert results[0].ece < 2


def test_the_model_check_is_stored_and_read_back_in_one_sentence(demo_march):
    con = db.connect_readonly(demo_march)
    try:
        info = db.Reader(con).run("churn_model_info").iloc[0].to_dict()
    finally:
        con.close()
    assert info["family"] in (model.LOGISTIC, model.TREES) and 0.5 < info["auc_logistic"] < 1
    assert info["n_check_churners"] >= model.MIN_CHECK_CHURNERS
    table = checks.calibration(info)
    stored = json.loads(info["calibration_json"])
    assert len(table) == 10 and table["n"].sum() == info["n_check"] and stored[-1]["high"] <= 100
    top = table.iloc[-1]
    said = checks.sentence(table, info)
    assert f"Of the {int(top['n']):,} customers scored highest" in said
    assert f"**{top['observed']:.1f}%** left within 90 days; their scores said {top['predicted']:.1f}%" in said
    assert checks.sentence(table, info, markdown=False) == said.replace("**", "")
    gap = checks.average_gap(table)
    assert gap == (f"Across all {info['n_check']:,} customers checked, scores and departures differ by "
                   f"{model.calibration_error(table):.1f} points on average.")
    for word in ("nan", "None", "inf", "AUC", "calibrat"):
        assert word not in said + gap and word not in checks.method_note(info)


def test_the_cli_prints_both_families_and_the_calibration(demo_march, capsys):
    from cxdata.__main__ import main
    assert main(["churn-eval", "--db", str(demo_march)]) == 0
    out = capsys.readouterr().out
    assert out.count("ROC AUC") == 3 and "beaten: " in out and "calibration error" in out
    assert "Calibration of the model: " in out and len([line for line in out.splitlines() if " – " in line]) == 10


def test_the_rule_score_has_no_calibration_to_show():
    assert checks.calibration(None) is None
    assert checks.calibration({"kind": model.RULES, "calibration_json": None}) is None
