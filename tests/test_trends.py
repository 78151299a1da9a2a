"""KPI trends: the series, changes, anomalies and contributions against hand-computed values, and
the planted December-January dip found on the demo."""
import datetime as dt
import math

import pandas as pd
import pytest

from cxdata import db, metrics, trends
from cxdata.filters import Filters
from tests.conftest import Q1_2026


def _flat(values, moe=1.0, n=500, start=dt.date(2024, 1, 1)):
    starts = [trends._step_back(start, "month", -i) for i in range(len(values))]
    return pd.DataFrame({"period_start": starts, "member": None, "value": values, "moe": moe, "n": n,
                         "is_enough": True, "is_complete": True, "is_unanswered": False})


def test_a_flat_noisy_series_flags_nothing():
    wobble = [50 + (0.8 if i % 3 == 0 else -0.6 if i % 3 == 1 else 0.1) for i in range(36)]
    assert not trends.anomalies(_flat(wobble), "month")["is_anomaly"].any()


def test_a_dip_is_flagged_with_its_expected_value_and_deviation():
    values = [50.0, 51, 49, 50, 52, 48, 50, 51, 49, 50, 51, 49, 40.0, 50]
    out = trends.anomalies(_flat(values, moe=0.0), "month")
    # baseline of month 12: the median of the 12 before = 50; MAD = 1 -> spread 1.4826
    row = out.iloc[12]
    spread = 1.4826
    assert row["expected"] == 50 and row["deviation"] == pytest.approx(-10 / math.hypot(spread, 1.2533 * spread / math.sqrt(12)))
    assert out["is_anomaly"].tolist() == [False] * 12 + [True, False]
    assert trends.anomaly_sentences(out, "csat", "month") == [
        "CSAT in January 2025, 40.0%, is below the 50.0% its recent history predicts, by 6.3 times its usual variation."]


def test_a_season_seen_in_two_earlier_years_is_expected_not_flagged():
    year = [50.0] * 11 + [40.0]                 # every December 10 points down
    values = [v + (0.5 if i % 2 else -0.5) for i, v in enumerate(year * 3)]
    out = trends.anomalies(_flat(values, moe=0.0), "month")
    decembers = out[pd.to_datetime(out["period_start"]).dt.month == 12]
    assert decembers["is_anomaly"].tolist() == [True, True, False]   # new twice, then seen twice: a season


def test_a_period_with_too_few_answers_or_incomplete_is_not_judged():
    df = _flat([50.0] * 12 + [20.0, 20.0], moe=0.0)
    df.loc[12, "is_enough"] = False
    df.loc[13, "is_complete"] = False
    assert not trends.anomalies(df, "month")["is_anomaly"].any()


def test_contributions_add_up_to_the_whole_change():
    members = pd.DataFrame({"member": ["a", "b", "c"], "value": [60.0, 20.0, 50.0], "n": [100, 300, 0],
                            "prev_value": [50.0, 30.0, 40.0], "prev_n": [200, 200, 100]})
    now = (60 * 100 + 20 * 300) / 400                  # 30
    before = (50 * 200 + 30 * 200 + 40 * 100) / 500    # 40
    parts = trends.contributions(members, "csat")
    assert parts.sum() == pytest.approx(now - before)
    mean = (now + before) / 2
    assert parts.iloc[0] == pytest.approx(60 * 0.25 - 50 * 0.4 - (0.25 - 0.4) * mean)
    assert trends.contributions(members, "revenue").tolist() == [10.0, -10.0, 10.0]
    assert trends.contributions(members, "resolution_time").isna().all()


def test_changes_are_judged_on_the_margins_with_enough_answers():
    df = _flat([30.0, 40.0], moe=5.0)
    c = trends.change(df, "nps", "month", "previous")
    se = math.hypot(5 / 1.96, 5 / 1.96)
    assert c.change.delta == 10 and c.change.p_value == pytest.approx(math.erfc(10 / se / math.sqrt(2)))
    assert c.change.is_significant and c.is_better
    df.loc[0, "is_enough"] = False
    assert trends.change(df, "nps", "month", "previous").change.verdict == "no comparison"
    assert "too few answers" in trends.change_text(trends.change(df, "nps", "month", "previous"), "nps", "month")


def test_the_tiny_data_per_month_by_hand(tiny_con):
    reader = db.Reader(tiny_con)
    nps = trends.series(reader, Q1_2026, "nps", "month", 30, first=dt.date(2025, 11, 1)).set_index("period_start")
    assert nps.loc[dt.date(2026, 1, 1), "value"] == pytest.approx(30.0) and nps.loc[dt.date(2026, 1, 1), "n"] == 100
    assert nps.loc[dt.date(2025, 11, 1), "value"] == pytest.approx(10.0)
    assert pd.isna(nps.loc[dt.date(2025, 12, 1), "value"])       # a month with no answers is a gap
    sla = trends.series(reader, Q1_2026, "sla_compliance", "quarter", 30, first=dt.date(2026, 1, 1))
    assert sla.iloc[0]["value"] == pytest.approx(80.0) and sla.iloc[0]["n"] == 10   # 8 of 10 on time
    fcr = trends.series(reader, Q1_2026, "first_contact_resolution", "quarter", 30, first=dt.date(2026, 1, 1))
    assert fcr.iloc[0]["value"] == pytest.approx(100.0)           # none escalated
    resolution = trends.series(reader, Q1_2026, "resolution_time", "quarter", 30, first=dt.date(2026, 1, 1))
    assert resolution.iloc[0]["value"] == 1800                    # 8 of 10 took 30 min
    churn = trends.series(reader, Q1_2026, "churn_rate", "quarter", 30, first=dt.date(2026, 1, 1))
    assert churn.iloc[0]["value"] == pytest.approx(100 * 2 / 18)  # C01, C02 of the 18 active on 1 Jan
    revenue = trends.series(reader, Q1_2026, "revenue", "month", 30, first=dt.date(2026, 1, 1)).set_index("period_start")
    assert revenue["value"].tolist() == pytest.approx([100.0, 250.5, -50.5])
    by_department = trends.series(reader, Q1_2026, "nps", "month", 30, by="department", first=dt.date(2026, 1, 1))
    assert set(by_department["member"]) == {"Support"}
    targets = trends.targets(reader, Q1_2026.replace(department=["Support"]), "nps", "month", dt.date(2026, 1, 1))
    assert targets.to_dict() == {dt.date(2026, 1, 1): 35.0, dt.date(2026, 2, 1): 35.0, dt.date(2026, 3, 1): 35.0}
    assert trends.targets(reader, Q1_2026, "churn_rate", "month", dt.date(2026, 1, 1)).empty   # quarter only
    # a median broken down where no member has a comparison: listed, unsplit, never an error
    medians = trends.load(reader, Q1_2026, "first_response_live", "week", "department", "previous", 30, None)
    assert set(medians.members["member"]) == {"Support"} and medians.members["contribution"].isna().all()


@pytest.fixture(scope="module")
def demo_reader(demo_december):
    con = db.connect_readonly(demo_december)
    yield db.Reader(con)
    con.close()


def _default_view(reader):
    extent = reader.run("data_extent").iloc[0]
    newest, oldest = extent["newest_on"].date(), extent["oldest_on"].date()
    return Filters(newest - dt.timedelta(days=89), newest), oldest


def test_the_planted_holiday_dip_is_flagged_and_nothing_else(demo_reader):
    view, oldest = _default_view(demo_reader)
    for kpi in ("nps", "sla_compliance"):
        data = trends.load(demo_reader, view, kpi, "month", "none", "previous", 30, oldest)
        flagged = {d.month for d in data.series.loc[data.series["is_anomaly"], "period_start"]}
        assert flagged and flagged <= {12, 1}, (kpi, flagged)
        assert data.series.loc[data.series["is_anomaly"], "deviation"].max() < 0   # below expectation


def test_month_values_equal_the_overviews_for_the_same_months(demo_reader):
    view, oldest = _default_view(demo_reader)
    for kpi in ("nps", "csat", "ces", "sla_compliance", "first_response_live", "churn_rate", "revenue"):
        data = trends.series(demo_reader, view, kpi, "month", 30, oldest)
        for month in (dt.date(2026, 1, 1), dt.date(2026, 10, 1)):
            end = trends._next(month, "month") - dt.timedelta(days=1)
            summary = metrics.kpi_summary(demo_reader, Filters(month, end)).set_index("kpi")
            point = data.set_index("period_start").loc[month]
            assert point["value"] == pytest.approx(summary.loc[kpi, "value"]), (kpi, month)
            assert point["n"] == summary.loc[kpi, "n"], (kpi, month)


def test_a_breakdowns_parts_add_up_on_the_demo(demo_reader):
    view, oldest = _default_view(demo_reader)
    data = trends.load(demo_reader, view, "nps", "month", "department", "year", 30, oldest)
    assert data.members["contribution"].sum() == pytest.approx(data.changes["year"].change.delta)
    assert data.members["contribution"].abs().is_monotonic_decreasing
    customers = trends.load(demo_reader, view, "churn_rate", "quarter", "department", "previous", 30, oldest)
    assert customers.members.empty and not trends.applies("churn_rate", "department")


def test_lifetime_value_by_segment_is_revenue_a_year_over_annual_churn(demo_reader):
    view, _ = _default_view(demo_reader)
    clv = trends.clv_by_segment(demo_reader, view, "quarter", dt.date(2026, 7, 1)).set_index("segment")
    for segment, row in clv.iterrows():
        if row["annual_churn"] == 0:    # nobody left: no lifetime to measure, never infinity
            assert pd.isna(row["clv"]), segment
        else:
            assert row["clv"] == pytest.approx(row["revenue_per_year"] / (row["annual_churn"] / 100)), segment
    assert clv.loc["Mid-Market", "revenue_per_year"] > clv.loc["Consumer", "revenue_per_year"]
    assert clv["clv"].notna().sum() >= 2


def _members(now: dict[str, float], n: int = 100) -> pd.DataFrame:
    """Two whole months per member, January at 80% CSAT, February at `now`, n answers in each."""
    return pd.concat([_flat([80.0, value], n=n).assign(member=member) for member, value in now.items()])


def _breakdown_parts(now: dict[str, float]) -> list[str]:
    per_member = _members(now)
    whole = trends.change(_flat([80.0, sum(now.values()) / len(now)], n=100 * len(now)), "csat", "month", "previous")
    members = trends.breakdown(per_member, whole, "csat", "month", "previous")
    return dict(zip(members["member"], trends.breakdown_table(members, "csat")["Part of the change"]))


def test_parts_that_pull_both_ways_show_points_without_a_share():
    # equal weights (half each, both months): a moves +10 -> +5.0 pts, b moves -8 -> -4.0 pts; view +1.0 pts.
    # As shares of +1.0 they would read 500% and -400%: the points alone.
    assert _breakdown_parts({"a": 90.0, "b": 72.0}) == {"a": "+5.0 pts", "b": "-4.0 pts"}


def test_parts_on_the_totals_side_show_their_share_of_it():
    # a third of the weight each: a +10 -> +3.3 pts, b +2 -> +0.7 pts, c unchanged -> 0; view +4.0 pts: 83%, 17%, 0%
    parts = _breakdown_parts({"a": 90.0, "b": 82.0, "c": 80.0})
    assert parts == {"a": "+3.3 pts (83%)", "b": "+0.7 pts (17%)", "c": "±0.0 pts (0%)"}
