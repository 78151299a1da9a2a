"""Each KPI against numbers worked out by hand on the tiny fixture (see conftest.py)."""
import datetime as dt
import math

import duckdb
import pandas as pd
import pytest

from cxdata import db, metrics
from cxdata.filters import Filters
from tests.conftest import Q1_2026


@pytest.fixture(scope="module")
def summary(tiny_con):
    return metrics.kpi_summary(db.Reader(tiny_con), Q1_2026, "previous").set_index("kpi")


def test_nps_from_50_promoters_30_passives_20_detractors(summary):
    row = summary.loc["nps"]
    assert row["value"] == pytest.approx(30.0)
    assert row["n"] == 100
    # p = .5, d = .2: 1.96 * sqrt((.5 + .2 - .3**2) / 100) * 100
    assert row["moe"] == pytest.approx(1.96 * math.sqrt(0.61 / 100) * 100)
    assert row["moe"] == pytest.approx(15.308, abs=1e-3)


def test_nps_rise_of_20_points_on_100_answers_is_not_significant(summary):
    row = summary.loc["nps"]
    assert row["prev_value"] == pytest.approx(10.0)   # 40 promoters - 30 detractors
    assert row["delta"] == pytest.approx(20.0)
    # se = sqrt((15.308/1.96)^2 + (16.281/1.96)^2) = 11.40; z = 1.754; p = 0.079
    assert row["p_value"] == pytest.approx(0.0794, abs=1e-3)
    assert row["verdict"] == "no significant change"


def test_csat_is_share_of_fours_and_fives_not_the_mean(summary):
    row = summary.loc["csat"]
    assert row["value"] == pytest.approx(75.0)     # 30 of 40; the mean / 5 would be 78%
    assert row["moe"] == pytest.approx(1.96 * math.sqrt(0.75 * 0.25 / 40) * 100)
    assert row["n"] == 40


def test_ces_with_10_answers_is_withheld_below_the_minimum(summary, tiny_con):
    assert summary.loc["ces"]["n"] == 10
    assert not summary.loc["ces"]["is_enough"]
    assert summary.loc["ces"]["value"] is None or math.isnan(summary.loc["ces"]["value"])
    shown = metrics.kpi_summary(db.Reader(tiny_con), Q1_2026, min_responses=5).set_index("kpi").loc["ces"]
    assert shown["value"] == pytest.approx(5.0)
    assert shown["moe"] == pytest.approx(1.96 * math.sqrt(20 / 9) / math.sqrt(10))


def test_churn_is_lost_over_active_at_start(summary):
    # Active on 2026-01-01: 20 minus C11 (churned before) and C20 (joined after) = 18; lost C01, C02.
    assert summary.loc["churn_rate"]["value"] == pytest.approx(100 * 2 / 18)
    assert summary.loc["churn_rate"]["n"] == 18
    assert summary.loc["retention_rate"]["value"] == pytest.approx(100 * 16 / 18)
    # Previous: 19 active on 2025-10-03 (C20 not yet), C11 lost.
    assert summary.loc["churn_rate"]["prev_value"] == pytest.approx(100 * 1 / 19)
    assert summary.loc["active_customers"]["value"] == 17


def test_service_levels(summary):
    assert summary.loc["sla_compliance"]["value"] == pytest.approx(80.0)   # 8 of 10 on time
    assert summary.loc["sla_compliance"]["n"] == 10
    # Agresti-Coull: p~ = (8 + 2) / (10 + 4)
    assert summary.loc["sla_compliance"]["moe"] == pytest.approx(100 * 1.96 * math.sqrt(10 / 14 * 4 / 14 / 14))
    # Chats I1-I6 answered in 10..60 s, e-mails I7-I10 in 70..100 s; the median is the lower
    # middle value (rank ceil(n/2) - 1 from 0): the 3rd of 6 and the 2nd of 4.
    assert (summary.loc["first_response_live"]["value"], summary.loc["first_response_live"]["n"]) == (30.0, 6)
    assert (summary.loc["first_response_written"]["value"], summary.loc["first_response_written"]["n"]) == (80.0, 4)


def test_first_response_interval_from_the_ladder(summary):
    # n = 6: 0.98 / sqrt(6) = 0.40, so k = 2 offsets (0.5, 0.4): the interval runs from ladder[2]
    # = 0.1 to ladder[50] = 0.9, ranks ceil(0.6) - 1 = 0 and ceil(5.4) - 1 = 5: 10 s to 60 s.
    assert summary.loc["first_response_live"]["moe"] == pytest.approx((60 - 10) / 2)
    # n = 4: 0.98 / 2 = 0.49, so k = 1: ladder[1] = 0.0 and ladder[51] = 1.0, i.e. 70 s to 100 s.
    assert summary.loc["first_response_written"]["moe"] == pytest.approx((100 - 70) / 2)


@pytest.mark.parametrize("live, expected", [
    ("email", [(80.0, 4), (30.0, 6)]),           # the 4 e-mails are live now, the 6 chats written
    (" chat , email ", [(50.0, 10), (None, 0)]),  # everything live (median of 10..100): nothing written
])
def test_live_channels_come_from_the_environment(tiny_con, monkeypatch, live, expected):
    monkeypatch.setenv("CX_LIVE_CHANNELS", live)
    assert metrics.live_channels() == [c.strip() for c in live.split(",")]
    for reference in (False, True):
        rows = metrics.kpi_summary(db.Reader(tiny_con), Q1_2026, reference=reference).set_index("kpi")
        got = rows.loc[["first_response_live", "first_response_written"], ["value", "n"]].values
        assert [(None if pd.isna(value) else value, n) for value, n in got] == expected
        mix = metrics.channel_mix(db.Reader(tiny_con), Q1_2026, reference=reference).set_index("channel")
        assert mix["is_live"].to_dict() == {"chat": "chat" in live, "email": True}


def test_live_channels_default_when_the_environment_says_nothing(monkeypatch):
    monkeypatch.setenv("CX_LIVE_CHANNELS", " , ")
    assert metrics.live_channels() == list(metrics.DEFAULT_LIVE_CHANNELS)
    monkeypatch.delenv("CX_LIVE_CHANNELS")
    assert metrics.live_channels() == ["phone", "ivr", "chat", "in_person", "kiosk", "video", "voice"]


def test_contacts_count_every_interaction_under_all_filters(summary, tiny_con):
    row = summary.loc["contacts"]
    assert (row["value"], row["n"], row["prev_value"]) == (10, 10, 0)   # nothing before 2026
    assert pd.isna(row["moe"]) and row["verdict"] == "change" and row["is_better"] is None
    reader = db.Reader(tiny_con)
    assert metrics.kpi_summary(reader, Q1_2026.replace(channel=["email"])).set_index("kpi").loc["contacts", "value"] == 4
    assert metrics.kpi_summary(reader, Q1_2026.replace(segment=["Enterprise"])).set_index("kpi").loc["contacts", "value"] == 0


def test_nps_composition_is_the_share_of_each_class(summary):
    # Q1 2026: 50 promoters, 30 passives, 20 detractors of 100; Q4 2025: 40, 30, 30.
    for key, k, before in (("nps_promoters", 50, 40), ("nps_passives", 30, 30), ("nps_detractors", 20, 30)):
        row = summary.loc[key]
        assert (row["value"], row["n"], row["prev_value"]) == (k, 100, before)
        p = (k + 2) / 104   # Agresti-Coull: two successes and two failures added
        assert row["moe"] == pytest.approx(100 * 1.96 * math.sqrt(p * (1 - p) / 104))
    assert summary.loc["nps_promoters", "moe"] == pytest.approx(9.6097, abs=1e-4)
    assert summary.loc["nps_promoters", "value"] - summary.loc["nps_detractors", "value"] == summary.loc["nps", "value"]
    # Fewer detractors is good news, more promoters too; passives have no better direction.
    assert summary.loc["nps_detractors", "is_better"] and summary.loc["nps_promoters", "is_better"]
    assert summary.loc["nps_passives", "is_better"] is None


def test_nps_composition_is_withheld_like_nps_below_the_minimum(tiny_con):
    rows = metrics.kpi_summary(db.Reader(tiny_con), Q1_2026, min_responses=101).set_index("kpi")
    assert not rows.loc[["nps", "nps_promoters", "nps_passives", "nps_detractors"], "is_enough"].any()
    assert rows.loc["contacts", "is_enough"]


def test_revenue_is_a_census_so_any_change_is_real(summary):
    row = summary.loc["revenue"]
    assert row["value"] == pytest.approx(300.0)
    assert row["prev_value"] == pytest.approx(200.0)
    assert row["verdict"] == "change" and row["is_better"]


def test_segment_filter_narrows_every_query(tiny_con):
    smb = Q1_2026.replace(segment=["SMB"])
    row = metrics.kpi_summary(db.Reader(tiny_con), smb).set_index("kpi")
    assert row.loc["nps"]["value"] == pytest.approx(100 * 50 / 80)   # no detractors in SMB
    assert row.loc["churn_rate"]["value"] == pytest.approx(100 * 2 / 10)
    assert row.loc["revenue"]["value"] == pytest.approx(100.0)


def test_department_and_channel_filters(tiny_con):
    billing = Q1_2026.replace(department=["Billing"])
    row = metrics.kpi_summary(db.Reader(tiny_con), billing).set_index("kpi")
    assert row.loc["sla_compliance"]["value"] == pytest.approx(50.0)
    assert row.loc["csat"]["n"] == 40 and row.loc["nps"]["n"] == 0
    chat = Q1_2026.replace(channel=["chat"])
    assert metrics.kpi_summary(db.Reader(tiny_con), chat).set_index("kpi").loc["sla_compliance"]["value"] == 100.0


@pytest.mark.parametrize("scores, expected", [
    ([10] * 5, 100.0), ([0] * 5, -100.0), ([7, 8], 0.0), ([9, 6], 0.0), ([], None),
])
def test_nps_edges(scores, expected):
    con = duckdb.connect()
    db.apply_schema(con)
    values = ",".join(f"({s})" for s in scores) or "(null)"
    got = con.execute(f"select survey_score('nps', s) from (values {values}) t(s)").fetchone()[0]
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("value, moe, prev, prev_moe, sample, verdict", [
    (30, 5, 10, 5, True, "significant change"),
    (30, 15.3, 10, 16.3, True, "no significant change"),
    (30, None, 10, None, True, "no significant change"),
    (300, None, 200, None, False, "change"),
    (None, None, 10, 2, True, "no comparison"),
])
def test_significance_verdicts(value, moe, prev, prev_moe, sample, verdict):
    assert metrics.significance(value, moe, prev, prev_moe, sample).verdict == verdict


def test_unused_filters_are_not_bound_and_missing_ones_are_named(tiny_con):
    assert set(db.query_params("kpi_summary")) >= {"start", "stop", "filters", "cmp_start"}
    with pytest.raises(ValueError, match="needs parameters"):
        db.run(tiny_con, "kpi_summary", {"start": Q1_2026.start})
    with pytest.raises(ValueError, match="not a query name"):
        db.sql_text("../etc/passwd")


def _groups(rows):
    """A group_scores frame from (dimension, member, kpi, value, moe, n, prev_value, prev_moe, prev_n)."""
    out = []
    for dim, member, kpi, v, m, n, pv, pm, pn in rows:
        out += [dict(dimension=dim, member=member, kpi=kpi, period="current", value=v, moe=m, n=n),
                dict(dimension=dim, member=member, kpi=kpi, period="previous", value=pv, moe=pm, n=pn)]
    return pd.DataFrame(out)


def _company(kpi, value, moe, prev_value, prev_moe, n=10_000):
    change = metrics.significance(value, moe, prev_value, prev_moe)
    return pd.DataFrame([dict(kpi=kpi, label=metrics.KPIS[kpi].label, value=value, moe=moe, n=n, is_enough=True,
                              prev_value=prev_value, prev_moe=prev_moe, delta=change.delta,
                              is_significant=change.is_significant, verdict=change.verdict)])


def test_movers_are_judged_against_the_company_own_change():
    # The company's CSAT fell 10 points (80 -> 70, margins 1.96 pts: se 1 pt each, se of the change 1.41).
    company = _company("csat", 70.0, 1.96, 80.0, 1.96)
    groups = _groups([
        # fell with the season, as the company did: not a mover
        ("segment", "SMB", "csat", 69.0, 3.92, 500, 80.0, 3.92, 500),
        # fell 30 points: 20 beyond the company; se = hypot(hypot(2, 2), hypot(1, 1)) = sqrt(10) = 3.16, z = 6.3
        ("department", "Billing", "csat", 50.0, 3.92, 400, 80.0, 3.92, 400),
        # rose 5 against a 10-point fall: 15 better than the company, z = 15 / sqrt(10) = 4.7
        ("journey_stage", "onboarding", "csat", 85.0, 3.92, 300, 80.0, 3.92, 300),
        # too few answers in the comparison period to be judged at all
        ("segment", "Consumer", "csat", 20.0, 10.0, 40, 80.0, 20.0, 29),
    ])
    found = metrics.movers(groups, company, min_responses=30)
    assert found["member"].tolist() == ["Billing", "onboarding"]          # worse news first
    billing, onboarding = found.iloc[0], found.iloc[1]
    assert billing["excess"] == pytest.approx(-20.0) and not billing["is_better"]
    assert billing["z"] == pytest.approx(20 / math.sqrt(10))
    assert billing["company_delta"] == pytest.approx(-10.0) and billing["company_is_significant"]
    assert onboarding["excess"] == pytest.approx(15.0) and onboarding["is_better"]
    assert onboarding["p_value"] == pytest.approx(math.erfc(15 / math.sqrt(10) / math.sqrt(2)))


def test_movers_on_the_tiny_database_are_not_called_from_one_group_alone(tiny_con):
    reader = db.Reader(tiny_con)
    summary = metrics.kpi_summary(reader, Q1_2026, min_responses=30)
    groups = metrics.group_scores(reader, Q1_2026)
    assert set(groups["dimension"]) == {"segment", "department", "journey_stage"}
    # SMB's NPS rose 52.5 points (10 -> 62.5) while the whole view rose 20 (10 -> 30): 32.5 beyond,
    # se = hypot(9.91, 11.40) = 15.1, z = 2.15, p = 0.032; three groups are tested (SMB, and the
    # Support department and stage, which moved exactly as the company did), and Benjamini-Hochberg
    # needs p <= 0.05 / 3 for the smallest: SMB is not listed.
    assert metrics.movers(groups, summary, min_responses=30).empty
    loose = metrics.movers(groups, summary, min_responses=30, false_discovery_rate=0.1)  # 0.032 <= 0.1 / 3
    assert loose["member"].tolist() == ["SMB"]
    assert loose.iloc[0]["excess"] == pytest.approx(32.5) and loose.iloc[0]["p_value"] == pytest.approx(0.0315, abs=5e-4)
    # Anything under the minimum is never tested.
    assert metrics.movers(groups, summary, min_responses=101).empty


def test_trends_are_monthly_over_twelve_months(tiny_con):
    trend = metrics.kpi_trends(db.Reader(tiny_con), Q1_2026)
    nps = trend[trend["kpi"] == "nps"].set_index("month_start")
    assert nps.loc[pd.Timestamp("2026-01-01"), "value"] == pytest.approx(30.0)
    assert nps.loc[pd.Timestamp("2025-11-01"), "value"] == pytest.approx(10.0)
    churn = trend[trend["kpi"] == "churn_rate"].set_index("month_start")
    # April 2025 - March 2026: Q1 ends with March, but the data runs from 15 Nov 2025 to 5 Mar 2026, so
    # only December to February are whole (sql/derived.sql, is_complete)
    assert len(churn) == 12 and churn["is_complete"].tolist() == [False] * 8 + [True] * 3 + [False]
    assert churn.index.min() == pd.Timestamp("2025-04-01")
    assert churn.loc[pd.Timestamp("2026-02-01"), "value"] == pytest.approx(100 * 2 / 18)


@pytest.mark.parametrize("reference", [False, True])
def test_a_period_ending_mid_month_trends_over_twelve_complete_months_and_the_partial_one(tiny_con, reference):
    # Ending 10 Feb 2026: February 2026 is not complete (the view ends inside it); the data starts on
    # 15 Nov 2025, so of February 2025 to January 2026 only December and January are whole.
    trend = metrics.kpi_trends(db.Reader(tiny_con), Filters(dt.date(2026, 1, 1), dt.date(2026, 2, 10)),
                               reference=reference)
    churn = trend[trend["kpi"] == "churn_rate"].set_index("month_start")
    assert churn.index.tolist() == list(pd.date_range("2025-02-01", "2026-02-01", freq="MS"))
    assert churn["is_complete"].tolist() == [False] * 10 + [True] * 2 + [False]
    # On a month's last day the period has no partial month at its end.
    whole = metrics.kpi_trends(db.Reader(tiny_con), Filters(dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
                               reference=reference)
    whole_churn = whole[whole["kpi"] == "churn_rate"]
    assert len(whole_churn) == 12 and whole_churn["is_complete"].tolist() == [False] * 10 + [True] * 2
    assert whole_churn["month_start"].max() == pd.Timestamp("2026-01-01")


@pytest.mark.parametrize("reference", [False, True])
def test_monthly_contacts_and_first_response_per_kind_of_channel(tiny_con, reference):
    trend = metrics.kpi_trends(db.Reader(tiny_con), Q1_2026, reference=reference).set_index(["kpi", "month_start"])
    january = pd.Timestamp("2026-01-01")
    assert trend.loc[("contacts", january), ["value", "n"]].tolist() == [10, 10]
    assert trend.loc[("first_response_live", january), ["value", "n"]].tolist() == [30, 6]
    assert trend.loc[("first_response_written", january), ["value", "n"]].tolist() == [80, 4]
    assert ("contacts", pd.Timestamp("2026-02-01")) not in trend.index   # no interaction in February


@pytest.mark.parametrize("reference", [False, True])
def test_channel_mix_now_and_before(tiny_con, reference):
    reader = db.Reader(tiny_con)
    mix = metrics.channel_mix(reader, Q1_2026, reference=reference)
    assert mix.columns.tolist() == ["channel", "is_live", "n", "share", "prev_n", "prev_share"]
    assert mix.values.tolist() == [["chat", True, 6, 60.0, 0, 0.0], ["email", False, 4, 40.0, 0, 0.0]]
    # Compared the other way round (Q4 2025 as the current period), Q1 2026 is not in view:
    # no contact in either period is an empty mix, not an error.
    assert metrics.channel_mix(reader, Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
                               reference=reference).empty
    billing = metrics.channel_mix(reader, Q1_2026.replace(department=["Billing"]), "year", reference=reference)
    assert billing[["channel", "n", "share"]].values.tolist() == [["email", 4, 100.0]]


def test_targets_prefer_the_filtered_departments_own(tiny_con):
    reader = db.Reader(tiny_con)
    assert metrics.targets(reader, Q1_2026) == {"nps": 25.0}
    support = Q1_2026.replace(department=["Support"])
    assert metrics.targets(reader, support) == {"nps": 35.0}
    billing = Q1_2026.replace(department=["Billing"])
    assert metrics.targets(reader, billing) == {"nps": 25.0}   # no own target: the company's
    assert metrics.meets_target("nps", 30.0, 25.0) and not metrics.meets_target("first_response_live", 90, 60)
    assert metrics.meets_target("nps_passives", 30.0, 25.0) is None   # no direction is better


def test_department_quarters_hold_each_target_in_force(tiny_con):
    history = metrics.department_quarters(db.Reader(tiny_con), Q1_2026)
    rows = history.set_index(["is_company", "department", "kpi", "quarter_start"])
    q1, q4 = pd.Timestamp("2026-01-01"), pd.Timestamp("2025-10-01")
    support_now = rows.loc[(False, "Support", "nps", q1)]
    assert support_now["value"] == pytest.approx(30.0) and support_now["n"] == 100
    assert support_now["target"] == 35.0                        # its own target
    assert rows.loc[(False, "Support", "nps", q4), "value"] == pytest.approx(10.0)
    assert pd.isna(rows.loc[(False, "Support", "nps", q4), "target"])  # no target that quarter
    company = history[history["is_company"]].set_index(["kpi", "quarter_start"])
    assert company.loc[("nps", q1), "target"] == 25.0
    assert company.loc[("sla_compliance", q1), "value"] == pytest.approx(80.0)   # 8 of 10 on time
    billing = history[(history["department"] == "Billing")].set_index("kpi")
    assert billing.loc["sla_compliance", "value"] == pytest.approx(50.0)          # 2 of 4 on time
    assert billing.loc["csat", "target"] != billing.loc["csat", "target"]          # NaN: no CSAT target
    assert history["quarter_start"].min() >= pd.Timestamp("2024-04-01")            # 8 quarters back at most


def test_standing_misses_say_who_by_how_much_and_for_how_long():
    quarters = pd.to_datetime(["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"])
    history = pd.DataFrame(
        # Billing SLA below its 90% target in the last three quarters (met in the first)
        [dict(is_company=False, department="Billing", quarter_start=q, kpi="sla_compliance", value=v, moe=1.5,
              n=3000, target=90.0) for q, v in zip(quarters, [91.0, 74.0, 73.0, 75.9])]
        # Support NPS 2 points under target: within its margin, so never listed
        + [dict(is_company=False, department="Support", quarter_start=q, kpi="nps", value=33.0, moe=4.0,
                n=900, target=35.0) for q in quarters]
        # The company's CSAT misses, beyond its margin, in the current quarter only
        + [dict(is_company=True, department=None, quarter_start=q, kpi="csat", value=v, moe=0.5, n=9000,
                target=80.0) for q, v in zip(quarters, [81.0, 82.0, 80.5, 78.0])])
    groups = _groups([("department", "Billing", "sla_compliance", 73.8, 1.6, 2694, 72.5, 1.4, 3816),
                      ("department", "Support", "nps", 33.0, 4.0, 900, 30.0, 4.0, 900)])
    summary = _company("csat", 78.0, 0.5, 80.5, 0.5)
    misses = metrics.standing_misses(groups, summary, history, min_responses=30)
    assert misses[["scope", "kpi", "quarters_missed"]].values.tolist() == [
        ["Company", "csat", 1], ["Billing", "sla_compliance", 3]]
    # the whole view is judged against the target its tile shows: met at 78, the company's miss is not listed
    tiles_targets = metrics.standing_misses(groups, summary, history, min_responses=30, targets={"csat": 78.0})
    assert tiles_targets["scope"].tolist() == ["Billing"]
    billing = misses.iloc[1]
    assert billing["value"] == 73.8 and billing["target"] == 90.0
    assert billing["shortfall"] == pytest.approx(16.2) and billing["since"] == pd.Timestamp("2026-04-01")


@pytest.mark.parametrize("p_values, cutoff", [
    ([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205], 0.008),   # k/m * .05: .00625, .0125, ...
    ([0.04, 0.04], 0.04),           # both pass at 2/2 * .05
    ([0.03, 0.2, 0.3], -1.0),       # 0.03 > 1/3 * .05
    ([], -1.0),
])
def test_benjamini_hochberg(p_values, cutoff):
    assert metrics.benjamini_hochberg_cutoff(p_values) == cutoff


def test_monthly_churn_is_zero_in_a_month_nobody_left_and_hand_computed_otherwise(tiny_con):
    # Active on 1 Jan and 1 Feb 2026: C01-C19 but C11 (churned 2025-11-01) = 18 (C20 signs up on
    # 1 Feb, so it is not active at its start). Nobody leaves in January; C01 and C02 leave in February.
    trends = metrics.kpi_trends(db.Reader(tiny_con), Q1_2026)
    churn = trends[trends["kpi"] == "churn_rate"].set_index("month_start")
    assert churn.loc[pd.Timestamp("2026-01-01"), "value"] == 0.0
    assert churn.loc[pd.Timestamp("2026-01-01"), "n"] == 18
    assert churn.loc[pd.Timestamp("2026-02-01"), "value"] == pytest.approx(100 * 2 / 18)
    assert churn.loc[pd.Timestamp("2025-11-01"), "value"] == pytest.approx(100 * 1 / 19)
    assert not churn["value"].isna().any()
    retention = trends[trends["kpi"] == "retention_rate"].set_index("month_start")
    assert retention.loc[pd.Timestamp("2026-01-01"), "value"] == 100.0
    for reference in (False, True):   # the raw-row path says the same
        again = metrics.kpi_trends(db.Reader(tiny_con), Q1_2026, reference=reference)
        assert again[again["kpi"] == "churn_rate"]["value"].tolist() == churn["value"].tolist()


def test_a_partial_last_month_counts_only_the_churn_inside_the_period(tiny_con):
    # 11 Jan - 10 Feb 2026: C01 and C02 leave on 15 Feb, after the period, so February shows no churn yet.
    early_feb = Filters(dt.date(2026, 1, 11), dt.date(2026, 2, 10))
    for reference in (False, True):
        trends = metrics.kpi_trends(db.Reader(tiny_con), early_feb, reference=reference).set_index(["kpi", "month_start"])
        february = pd.Timestamp("2026-02-01")
        assert trends.loc[("churn_rate", february), "value"] == 0.0
        assert not trends.loc[("churn_rate", february), "is_complete"]
        assert trends.loc[("active_customers", february), "value"] == 19   # C01-C19 but C11; C20 from 1 Feb
