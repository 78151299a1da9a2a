"""What the overview says in words: the line under the title, withheld changes, tiles, the attention list."""
import dataclasses
import datetime as dt

import pandas as pd
import pytest

from cxdata import overview
from cxdata.filters import Filters, ViewState

NOV = Filters(dt.date(2026, 9, 2), dt.date(2026, 11, 30))
FACTS = {"newest_on": dt.date(2026, 11, 30), "oldest_on": dt.date(2024, 12, 1),
         "last_complete_on": dt.date(2026, 11, 30), "last_loaded_utc": pd.Timestamp("2026-12-01 09:12", tz="UTC")}


def test_the_line_under_the_title_names_period_comparison_filters_and_freshness():
    view = ViewState(NOV, "90d", "previous")
    assert overview.period_line(view) == ("Last 90 days, 2 Sep 2026 – 30 Nov 2026, against the previous period "
                                          "(4 Jun 2026 – 1 Sep 2026)")
    assert overview.freshness_line(FACTS) == "Data to 30 Nov 2026, loaded 1 Dec 2026 09:12 UTC"
    assert overview.filters_line(NOV) == "All customers, channels and departments"
    narrowed = NOV.replace(segment=["SMB"], department=["Billing"], journey_stage=["support"])
    assert overview.filters_line(narrowed) == (
        "Segment: SMB · Department: Billing · Journey stage: support "
        "(churn, customers and revenue: all departments and journey stages)")


def test_changes_of_counts_are_withheld_when_a_window_is_short():
    assert overview.comparison_gaps(ViewState(NOV, "90d", "previous"), FACTS) == []
    early = Filters(dt.date(2025, 1, 1), dt.date(2025, 6, 30))      # previous: 2024-07-04 .. 2024-12-31
    gaps = overview.comparison_gaps(ViewState(early, "custom", "previous"), FACTS)
    assert gaps == ["The comparison period starts 4 Jul 2024, before the first record (1 Dec 2024): changes in "
                    "contacts, customers, churn and revenue are not shown."]
    partial = {**FACTS, "last_complete_on": dt.date(2026, 11, 29)}  # loaded during the newest day
    assert "a day the data covers only in part" in overview.comparison_gaps(ViewState(NOV, "custom"), partial)[0]


def _summary_row(kpi, value, delta, verdict, n=1000, moe=1.0, is_enough=True):
    return dict(kpi=kpi, value=value, moe=moe, n=n, is_enough=is_enough, delta=delta, verdict=verdict,
                prev_value=None if delta is None else value - delta)


@pytest.mark.parametrize("kpi, delta, verdict, text, color", [
    ("nps", -16.6, "significant change", "-16.6 pts", "normal"),         # red and down in Streamlit
    ("churn_rate", -0.8, "significant change", "-0.8 pts", "inverse"),   # a fall in churn is good: green
    ("csat", -0.04, "no significant change", "no change", "off"),        # never "±0.0 pts · not significant"
    ("csat", 0.44, "no significant change", "+0.4 pts · not significant", "off"),
    ("churn_rate", 0.02, "significant change", "no change", "off"),      # rounds to nothing: no arrow either
    ("contacts", 3256, "change", "+3,256", "off"),                         # neither good nor bad
    ("revenue", 88_197, "change", "+$88.2 k", "normal"),
])
def test_a_tiles_change_reads_its_sign_and_colour(kpi, delta, verdict, text, color):
    row = pd.Series(_summary_row(kpi, 50.0, delta, verdict))
    assert overview._delta_text(kpi, row) == text
    assert overview._delta_color(overview.metrics.KPIS[kpi], row) == color


def test_attention_says_misses_in_words_and_keeps_statistics_for_the_tooltip():
    miss = pd.DataFrame([dict(scope="Billing", is_company=False, kpi="sla_compliance", label="SLA compliance",
                              value=73.8, moe=1.6, n=2694, target=90.0, shortfall=16.2, quarters_missed=8,
                              quarters_seen=8, since=pd.Timestamp("2025-01-01"))])
    mover = pd.DataFrame([dict(dimension="segment", dimension_label="Segment", member="SMB", kpi="csat",
                               label="CSAT", value=71.2, moe=2.0, prev_value=77.3, delta=-6.1, company_delta=-1.0,
                               company_is_significant=True, excess=-5.1, p_value=0.0004, n=800, prev_n=790,
                               z=3.5, is_better=False)])
    data = overview.OverviewData(summary=pd.DataFrame(), trends=pd.DataFrame(), targets={}, movers=mover,
                                 misses=miss, channels=pd.DataFrame())
    first, second = overview.attention(data, ViewState(NOV, "90d", "previous"))
    # the verdict on the period shown, in the badges' words (16.2 short of 90: beyond 4.5 and the margin),
    # then the quarters below target, each period named
    assert first.text == ("**Billing**'s SLA compliance is 73.8% and misses its 90.0% target over "
                          "2 Sep 2026 – 30 Nov 2026; below target in every quarter since Q1 2025.")
    assert (first.dimension, first.member, first.status) == ("department", "Billing", "missed")
    assert "margin of error" in first.help and "n = 2,694" in first.help
    assert second.text == ("**Segment SMB**: CSAT fell 6.1 pts to 71.2% against the previous period, more than "
                           "the whole view's 1.0 pts fall.")
    assert "n = 790 → 800" in second.help and "many groups checked at once" in second.help
    assert "Benjamini" not in second.help and "p < " not in second.help   # plain words, no test statistic
    company_miss = miss.assign(is_company=True, scope="Company")
    filtered = overview.OverviewData(summary=pd.DataFrame(), trends=pd.DataFrame(), targets={},
                                     movers=mover.iloc[0:0], misses=company_miss, channels=pd.DataFrame())
    assert overview.attention(filtered, ViewState(NOV, "90d"))[0].text.startswith("**The company**'s SLA")
    smb = ViewState(NOV.replace(segment=["SMB"]), "90d")       # under a filter it is the view, not the company
    assert overview.attention(filtered, smb)[0].text.startswith("**This view**'s SLA")
    # short beyond its margin (1.6) yet within 5% of 90 (4.5): listed, and called close, as its badge is
    close = company_miss.assign(value=87.0, shortfall=3.0, quarters_missed=2, since=pd.Timestamp("2026-07-01"))
    said = overview.attention(dataclasses.replace(filtered, misses=close), ViewState(NOV, "90d"))[0]
    assert said.status == "close" and said.text == (
        "**The company**'s SLA compliance is 87.0% and is close to its 90.0% target over "
        "2 Sep 2026 – 30 Nov 2026; below target in each of the last 2 quarters, since Q3 2026.")


def test_a_season_that_moves_everyone_is_said_once():
    summary = pd.DataFrame([
        dict(kpi="nps", label="NPS", verdict="significant change", is_better=False),
        dict(kpi="csat", label="CSAT", verdict="significant change", is_better=False),
        dict(kpi="ces", label="CES", verdict="no significant change", is_better=None),
        dict(kpi="sla_compliance", label="SLA compliance", verdict="significant change", is_better=True),
    ])
    said = overview.company_moves(summary, ViewState(NOV, "90d", "previous"))
    assert said.startswith("Across the whole view, NPS and CSAT worsened and SLA compliance improved "
                           "significantly against the previous period.")


def test_a_miss_reads_as_english_for_any_department_name():
    row = pd.Series(dict(scope="Sales", is_company=False, kpi="nps", label="NPS", value=19.0, moe=4.0, n=900,
                         target=30.0, shortfall=11.0, quarters_missed=1, quarters_seen=8,
                         since=pd.Timestamp("2026-01-01")))
    assert overview._miss_item(row, period="1 Jan 2026 – 31 Mar 2026").text == (
        "**Sales**' NPS is 19 and misses its 30 target over 1 Jan 2026 – 31 Mar 2026; below target in Q1 2026.")
