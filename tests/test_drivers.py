"""Drivers of NPS against numbers worked out by hand, its minimum samples and filters, its chart, and
what it finds on the demo (Billing's planted SLA shortfall)."""
import datetime as dt
import math

import pandas as pd
import pytest

from cxdata import charts, db, derive, drivers
from cxdata.filters import Filters, preset_range
from tests.conftest import Q1_2026

# Q1 2026. K01-K40 are SMB, K41-K80 Enterprise. Every CSAT answer rates an interaction (the channel
# comes from it); half of the invoice answers name no touchpoint or department and inherit them.
DRIVER_ROWS_SQL = """
insert into customers
select printf('K%02d', i), 'Customer ' || i, case when i <= 40 then 'SMB' else 'Enterprise' end,
       case when i <= 40 then 'Europe' else 'North America' end, 'ES', 'Plus', date '2025-01-01', 1000, 'Ana', null
from range(1, 81) t(i);

-- Billing invoices by e-mail: K01-K20 rate theirs 5, K21-K40 rate theirs 2. K21 also rates another
-- invoice 5 (one bad answer makes the experience bad); K75, who gives no NPS answer, rates one 4;
-- K10's 1 from December is outside the period.
insert into interactions
select 'IV' || i, printf('K%02d', i), timestamp '2026-02-01 09:00:00', 'email', 'renewal', 'invoice', 'Billing',
       'inquiry', 'back', 600, timestamp '2026-02-01 12:00:00', false, 86400
from (select unnest(list_concat(range(1, 41), [75])) as i);
insert into interactions values
    ('IVX21', 'K21', timestamp '2026-02-03 09:00:00', 'email', 'renewal', 'invoice', 'Billing', 'inquiry', 'back',
     600, timestamp '2026-02-03 12:00:00', false, 86400),
    ('IVOLD', 'K10', timestamp '2025-12-01 09:00:00', 'email', 'renewal', 'invoice', 'Billing', 'inquiry', 'back',
     600, timestamp '2025-12-01 12:00:00', false, 86400);
insert into feedback
select 'FI' || i, printf('K%02d', i), 'IV' || i, timestamp '2026-02-02 10:00:00', 'csat',
       case when i <= 20 then 5 when i <= 40 then 2 else 4 end, null,
       case when i <= 20 then 'renewal' end, case when i <= 20 then 'invoice' end, case when i <= 20 then 'Billing' end
from (select unnest(list_concat(range(1, 41), [75])) as i);
insert into feedback values
    ('FIX21', 'K21', 'IVX21', timestamp '2026-02-04 10:00:00', 'csat', 5, null, null, null, null),
    ('FIOLD', 'K10', 'IVOLD', timestamp '2025-12-02 10:00:00', 'csat', 1, null, null, null, null);

-- Support tickets by chat: K41-K60 rate theirs 4, K61-K70 rate theirs 1.
insert into interactions
select 'TK' || i, printf('K%02d', i), timestamp '2026-02-10 09:00:00', 'chat', 'support', 'ticket', 'Support',
       'complaint', 'front', 30, timestamp '2026-02-10 09:30:00', false, 3600
from range(41, 71) t(i);
insert into feedback
select 'FT' || i, printf('K%02d', i), 'TK' || i, timestamp '2026-02-10 11:00:00', 'csat',
       case when i <= 60 then 4 else 1 end, null, 'support', 'ticket', 'Support'
from range(41, 71) t(i);

-- K76-K80, who give no NPS answer, rate 100 more tickets 5: CSAT, not drivers (view's CSAT 142 of 172).
insert into interactions
select 'TKX' || i, printf('K%02d', 76 + i % 5), timestamp '2026-02-11 09:00:00', 'chat', 'support', 'ticket',
       'Support', 'inquiry', 'front', 30, timestamp '2026-02-11 09:30:00', false, 3600
from range(100) t(i);
insert into feedback
select 'FTX' || i, printf('K%02d', 76 + i % 5), 'TKX' || i, timestamp '2026-02-11 11:00:00', 'csat', 5, null,
       null, null, null
from range(100) t(i);

-- NPS, 1 March (relationship surveys, no interaction). Invoice good K01-K20: 10 promoters, 10
-- passives; invoice bad K21-K40: 10 detractors, 5 promoters, 5 passives. Ticket good K41-K60: 8
-- promoters, 4 detractors, 8 passives; ticket bad K61-K70: 3 promoters, 3 detractors, 4 passives.
-- K71-K74 answer NPS and rate nothing.
insert into feedback
select 'FN' || i, printf('K%02d', i), null, timestamp '2026-03-01 10:00:00', 'nps',
       case when i <= 10 then 10 when i <= 20 then 8 when i <= 30 then 3 when i <= 35 then 9 when i <= 40 then 7
            when i <= 48 then 9 when i <= 52 then 5 when i <= 60 then 7
            when i <= 63 then 10 when i <= 66 then 2 when i <= 70 then 8 else 9 end,
       null, null, null, null
from range(1, 75) t(i);
-- K01's earlier answer in the period (the latest counts) and K31's before it (outside).
insert into feedback values
    ('FN01A', 'K01', null, timestamp '2026-01-05 10:00:00', 'nps', 0, null, null, null, null),
    ('FN31A', 'K31', null, timestamp '2025-12-15 10:00:00', 'nps', 0, null, null, null, null);
"""


def nps(promoters: int, detractors: int, n: int) -> float:
    return 100 * (promoters - detractors) / n


def nps_moe(promoters: int, detractors: int, n: int) -> float:
    p, d = promoters / n, detractors / n
    return 100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / n)


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("drivers") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(DRIVER_ROWS_SQL)
    con = db.connect_readonly(path)
    yield db.Reader(con)
    con.close()


@pytest.fixture(scope="module")
def found(reader):
    return drivers.nps_drivers(reader, Q1_2026, min_responses=10).set_index(["dimension", "member"])


@pytest.mark.parametrize("driver", [("touchpoint", "invoice"), ("department", "Billing"), ("channel", "email")])
def test_a_bad_invoice_costs_75_points_and_is_fix_first(found, driver):
    row = found.loc[driver]
    assert (row["n_good"], row["n_bad"], row["n_respondents"], row["n_nps_respondents"]) == (20, 20, 40, 74)
    assert row["nps_good"] == pytest.approx(50.0) and row["nps_bad"] == pytest.approx(-25.0)
    assert row["importance"] == pytest.approx(75.0)
    assert row["nps_good_moe"] == pytest.approx(nps_moe(10, 0, 20))
    assert row["importance_moe"] == pytest.approx(math.hypot(nps_moe(10, 0, 20), nps_moe(5, 10, 20)))
    se = row["importance_moe"] / 1.96
    assert row["p_value"] == pytest.approx(math.erfc(75 / se / math.sqrt(2)))
    assert row["is_significant"]
    # 42 invoice answers in the period: 20 fives, 20 twos, K21's second 5 and K75's 4 (no NPS answer).
    assert (row["performance"], row["performance_n"]) == (pytest.approx(100 * 22 / 42), 42)
    assert row["reach"] == pytest.approx(100 * 40 / 74)
    # The view's own lines: respondents whose experiences were all good (40: P 18, D 4) against those
    # with a bad one (30: P 8, D 13); the CSAT of all 172 answers, 142 of them 4-5.
    assert row["importance_line"] == pytest.approx(nps(18, 4, 40) - nps(8, 13, 30))
    assert row["performance_line"] == pytest.approx(100 * 142 / 172)
    assert row["is_weak"]   # 52.4% (± 15.1) against 82.6% (± 5.7): z = 3.7
    assert row["quadrant"] == "fix first" and row["is_supported"] and row["reason"] is None


@pytest.mark.parametrize("driver", [("touchpoint", "ticket"), ("department", "Support"), ("channel", "chat")])
def test_a_bad_ticket_gap_of_20_points_on_30_respondents_is_not_significant(found, driver):
    row = found.loc[driver]
    assert (row["n_good"], row["n_bad"]) == (20, 10)
    assert row["nps_good"] == pytest.approx(nps(8, 4, 20)) and row["nps_bad"] == pytest.approx(0.0)
    assert row["importance"] == pytest.approx(20.0)
    assert row["p_value"] == pytest.approx(0.50, abs=0.01) and not row["is_significant"]
    assert row["performance"] == pytest.approx(100 * 120 / 130) and not row["is_weak"]
    assert row["quadrant"] == "maintain"   # not important, and above the view's CSAT of 83%


def test_the_sentence_and_the_headline_say_the_finding(found):
    df = found.reset_index()
    assert drivers.drivers_headline(df) == ("Fix first: the invoice touchpoint — a bad experience there goes with "
                                            "an NPS 75 points lower")
    sentence = drivers.drivers_sentence(df)
    assert sentence.startswith("Fix first: the invoice touchpoint — customers with a bad experience there score "
                               "NPS 75 points lower than those with a good one (NPS -25 against 50")
    assert "n = 20 with a bad and 20 with a good experience" in sentence
    assert "only 52% are satisfied there (CSAT 83% across the view, n = 42 answers there)" in sentence


def test_below_the_minimum_a_driver_is_not_judged_and_says_why(reader):
    df = drivers.nps_drivers(reader, Q1_2026, min_responses=11).set_index(["dimension", "member"])
    assert df.loc[("touchpoint", "invoice"), "quadrant"] == "fix first"
    ticket = df.loc[("touchpoint", "ticket")]
    assert not ticket["is_supported"] and pd.isna(ticket["quadrant"]) and pd.isna(ticket["importance"])
    assert ticket["reason"] == "only 10 with a bad experience here (11 of each needed)"
    assert pd.isna(ticket["nps_bad"]) and ticket["nps_good"] == pytest.approx(20.0)  # 20 good: shown
    assert ticket["performance"] == pytest.approx(100 * 120 / 130)                    # CSAT still shown

    default = drivers.nps_drivers(reader, Q1_2026)   # 30 of each: nothing here is supported
    assert not default["is_supported"].any() and default["quadrant"].isna().all()
    assert set(default["reason"]) == {"only 20 with a good and 20 with a bad experience here (30 of each needed)",
                                      "only 20 with a good and 10 with a bad experience here (30 of each needed)"}
    assert drivers.drivers_headline(default) == "Too few answers to tell what drives NPS"
    assert drivers.drivers_sentence(default).startswith("Too few answers to tell what drives NPS")


def test_customer_filters_narrow_the_respondents(reader):
    smb = drivers.nps_drivers(reader, Q1_2026.replace(segment=["SMB"]), min_responses=10)
    assert set(smb["member"]) == {"invoice", "Billing", "email"}
    row = smb.set_index("member").loc["invoice"]
    assert (row["n_nps_respondents"], row["reach"]) == (40, pytest.approx(100.0))
    assert (row["performance"], row["performance_n"]) == (pytest.approx(100 * 21 / 41), 41)   # K75 is Enterprise
    assert row["importance_line"] == pytest.approx(75.0) and row["quadrant"] == "maintain"  # gap = the view's own


def test_activity_filters_narrow_the_experiences_not_the_respondents(reader):
    chat = drivers.nps_drivers(reader, Q1_2026.replace(channel=["chat"]), min_responses=10)
    assert set(chat["member"]) == {"ticket", "Support", "chat"}
    row = chat.set_index("member").loc["ticket"]
    assert (row["n_nps_respondents"], row["reach"]) == (74, pytest.approx(100 * 30 / 74))
    assert row["performance_line"] == pytest.approx(100 * 120 / 130)
    billing = drivers.nps_drivers(reader, Q1_2026.replace(department=["Billing"]), min_responses=10)
    # The answers that inherit Billing from the invoice they rate count under the filter.
    assert billing.set_index("member").loc["invoice", "n_bad"] == 20


def test_each_respondent_counts_once_by_the_latest_answer_in_the_period(reader):
    january = Filters(dt.date(2026, 1, 1), dt.date(2026, 2, 28))   # K01's 0 of 5 January is its only answer
    rows = drivers.nps_drivers(reader, january, min_responses=1).set_index(["dimension", "member"])
    invoice = rows.loc[("touchpoint", "invoice")]
    assert (invoice["n_nps_respondents"], invoice["n_good"], invoice["n_bad"]) == (1, 1, 0)
    assert invoice["nps_good"] == pytest.approx(-100.0) and not invoice["is_supported"]
    # In Q1 K01's 10 of 1 March replaces it: invoice-good promoters are K01-K10 (asserted above as NPS 50).


def test_an_empty_view_gives_an_empty_frame_and_a_friendly_chart(reader):
    empty = drivers.nps_drivers(reader, Filters(dt.date(2024, 1, 1), dt.date(2024, 1, 31)))
    assert empty.empty and list(empty.columns) == drivers.COLUMNS
    assert drivers.drivers_sentence(empty).startswith("Too few answers")
    fig = charts.nps_drivers(empty, "touchpoint", "Drivers", "")
    assert fig.layout.annotations[0].text.startswith("No touchpoint has enough")


def test_the_chart_draws_supported_drivers_and_counts_the_rest(reader):
    df = drivers.nps_drivers(reader, Q1_2026, min_responses=11)
    fig = charts.nps_drivers(df, "touchpoint", drivers.drivers_headline(df), "Q1 2026")
    assert fig.layout.title.text.startswith("Fix first: the invoice touchpoint")
    assert "1 touchpoint not shown: under 11 respondents" in fig.layout.title.subtitle.text.replace("<br>", " ")
    points = [t for t in fig.data if t.hoverinfo != "skip"]
    assert [list(t.text) for t in points] == [["invoice"]]
    assert points[0].x[0] == pytest.approx(100 * 22 / 42) and points[0].y[0] == pytest.approx(75.0)
    assert all("n = " in c[1] for t in points for c in t.customdata)
    assert points[0].marker.color[0] == charts.COLORS["worse"]   # fix first
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(shaded) == 1 and shaded[0].x1 == pytest.approx(100 * 142 / 172)   # left of the view's CSAT
    lines = {a.text for a in fig.layout.annotations}
    assert {"<b>Fix first</b>", "<b>Keep up</b>", "<b>Watch</b>", "<b>Maintain</b>"} <= lines
    assert "View's CSAT 83%" in lines


def test_the_chart_draws_a_gap_it_cannot_vouch_for_hollow(reader):
    df = drivers.nps_drivers(reader, Q1_2026, min_responses=10)
    fig = charts.nps_drivers(df, "channel", "Drivers by channel", "")
    hollow = next(t for t in fig.data if t.name == "gap not significant")
    assert list(hollow.text) == ["chat"] and hollow.marker.color == "rgba(0,0,0,0)"
    fig.to_json()   # the figure serialises, as the page and the board pack need


@pytest.fixture(scope="module")
def demo_reader(demo_march):
    """The default demo, as the app's tests build it (5,000 customers, seed 7)."""
    con = db.connect_readonly(demo_march)
    yield db.Reader(con)
    con.close()


def test_on_the_demo_billing_is_the_driver_to_fix_first(demo_reader):
    """Billing misses its SLA (planted signal b), so over a year it has the lowest CSAT of the
    departments, clearly below the view's, and a bad experience there goes with a significant NPS gap
    larger than the view's own: fix first, and the finding the headline names."""
    df = drivers.nps_drivers(demo_reader, Filters(*preset_range("12m", dt.date(2026, 3, 14))))
    departments = df[(df["dimension"] == "department") & df["is_supported"]].set_index("member")
    assert departments["performance"].idxmin() == "Billing"
    billing = departments.loc["Billing"]
    assert billing["quadrant"] == "fix first" and billing["is_significant"] and billing["is_weak"]
    assert billing["importance"] > billing["importance_line"] > 10
    assert billing["performance"] < billing["performance_line"] - 4
    assert drivers.drivers_headline(df).startswith("Fix first: Billing — ")
    assert (df["n_good"] + df["n_bad"] == df["n_respondents"]).all() and (df["reach"] <= 100).all()


def test_on_the_demo_billing_matters_in_the_last_90_days_but_its_lower_csat_is_not_yet_clear(demo_reader):
    """Over 90 days Billing's gap is the largest of the departments, but its CSAT (74% against 78%)
    is within the margins: important, not shown to be weak."""
    df = drivers.nps_drivers(demo_reader, Filters(*preset_range("90d", dt.date(2026, 3, 14))))
    departments = df[(df["dimension"] == "department") & df["is_supported"]].set_index("member")
    assert departments["performance"].idxmin() == "Billing" and departments["importance"].idxmax() == "Billing"
    assert departments.loc["Billing", "quadrant"] == "keep up" and not departments.loc["Billing", "is_weak"]


def test_on_the_demo_thin_drivers_are_left_out_not_guessed(demo_reader):
    df = drivers.nps_drivers(demo_reader, Filters(*preset_range("90d", dt.date(2026, 3, 14))))
    thin = df[~df["is_supported"]]
    assert len(thin) and thin["importance"].isna().all() and thin["reason"].str.contains("30 of each").all()
    assert ((thin["n_good"] < 30) | (thin["n_bad"] < 30)).all()


# ---- The chart title says what the chart draws (hand-built rows; lines at CSAT 80%, gap 20 pts) ----------

def _drivers(*rows, dimension="touchpoint") -> pd.DataFrame:
    """Driver rows as nps_drivers returns them: (member, supported, importance, significant, CSAT, weak, quadrant)."""
    return pd.DataFrame([{"dimension": dimension, "member": m, "is_supported": ok, "importance": gap,
                          "is_significant": sig, "performance": csat, "is_weak": weak, "quadrant": q, "reach": 50.0,
                          "importance_line": 20.0, "performance_line": 80.0}
                         for m, ok, gap, sig, csat, weak, q in rows])


def test_a_bubble_in_the_fix_first_corner_is_never_headed_nothing_to_fix():
    # 'ticket' sits left of the CSAT line and above the gap line, but its gap is within the noise
    df = _drivers(("ticket", True, 35.0, False, 70.0, True, "watch"), ("invoice", True, 10.0, True, 90.0, False, "maintain"),
                  *[(f"tp{i}", False, None, False, 85.0, False, None) for i in range(16)])
    assert drivers.drivers_headline(df) == ("Nothing clearly to fix first: the ticket touchpoint sits in the corner, "
                                            "but its NPS gap is within the noise")
    df.loc[0, ["is_significant", "is_weak", "quadrant"]] = [True, False, "keep up"]   # significant, CSAT not clearly low
    assert drivers.drivers_headline(df).endswith("but its CSAT is not clearly below the view's")


def test_nothing_to_fix_counts_the_drivers_drawn_against_all():
    df = _drivers(("invoice", True, 10.0, True, 90.0, False, "maintain"), ("chat", True, 5.0, False, 85.0, False, "maintain"),
                  *[(f"tp{i}", False, None, False, 85.0, False, None) for i in range(16)])
    assert drivers.drivers_headline(df) == "Nothing to fix first among the 2 of 18 touchpoints with enough answers"
    assert drivers.drivers_headline(df.iloc[:2]) == "Nothing to fix first among all 2 touchpoints"
    assert drivers.drivers_headline(df.iloc[2:]) == "Too few answers to tell what drives NPS"


def test_the_fix_first_headline_names_the_heaviest_of_the_fix_first_bubbles():
    df = _drivers(("ticket", True, 30.0, True, 70.0, True, "fix first"), ("invoice", True, 40.0, True, 75.0, True, "fix first"),
                  dimension="channel")
    assert drivers.drivers_headline(df) == ("Fix first: the invoice channel — a bad experience there goes with an NPS "
                                            "40 points lower")
