"""One verdict per number (cxdata/verdict.py): the rule's edges, its words, and the same words on the
overview's badges, the attention list, the department scorecards and the board pack, for views whose
targets are met, close, missed, absent and not judgeable, each on a small hand-made database."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest

from cxdata import data_status, db, derive, metrics, report, verdict
from cxdata.filters import Filters, ViewState
from cxdata.report.slides import EMPHASIZED_COLUMNS
from cxdata.store import STORE_ENV
from tests.test_app import _starter


# ---- The rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kpi, value, target, moe, expected", [
    ("sla_compliance", 90.0, 90.0, 0.0, "met"),            # exactly at target
    ("sla_compliance", 89.999, 90.0, 0.0, "close"),        # a hair short is not met (unrounded)
    ("sla_compliance", 85.5, 90.0, 0.0, "close"),          # short by 4.5 = 5% of 90: the close boundary
    ("sla_compliance", 85.49, 90.0, 0.0, "missed"),        # just beyond it
    ("sla_compliance", 85.49, 90.0, 4.6, "close"),         # ... but within its margin of error
    ("nps", 20.0, 30.0, 12.0, "close"),                    # 10 short, within a margin of 12
    ("nps", 20.0, 30.0, 9.9, "missed"),                    # beyond the margin and 5% of 30 (1.5)
    ("nps", -10.0, -10.0, 3.0, "met"),                     # a negative target
    ("ces", 5.5, 5.5, 0.1, "met"),                         # CES: higher is better (7 = easiest)
    ("ces", 5.25, 5.5, 0.0, "close"),                      # 0.25 short <= 0.275
    ("ces", 5.2, 5.5, 0.0, "missed"),                      # 0.3 short
    ("churn_rate", 4.0, 5.0, 0.0, "met"),                  # lower is better
    ("churn_rate", 5.25, 5.0, 0.0, "close"),               # 0.25 over = 5% of 5
    ("churn_rate", 5.3, 5.0, 0.0, "missed"),
    ("first_response_live", 120.0, 120.0, 0.0, "met"),     # lower is better, exactly at target
    ("first_response_live", 126.0, 120.0, 0.0, "close"),   # 6 s slow = 5% of 2 min
    ("first_response_live", 126.1, 120.0, 0.0, "missed"),
    ("first_response_live", 90.0, 120.0, 0.0, "met"),
])
def test_status_against_target(kpi, value, target, moe, expected):
    assert verdict.status(kpi, value, target, moe, n=1000, minimum=30, tolerance_pct=5.0) == expected


@pytest.mark.parametrize("value, target, n, minimum, expected", [
    (40.0, 30.0, 29, 30, "too_few"),      # one answer short of the minimum: not judged, whatever the value
    (40.0, 30.0, 30, 30, "met"),          # at the minimum: judged
    (None, 30.0, 12, 30, "too_few"),      # a withheld score (too few answers to show)
    (None, 30.0, 0, 30, "no_data"),       # nothing measured
    (None, 30.0, None, 30, "no_data"),
    (40.0, None, 500, 30, "no_target"),
    (float("nan"), 30.0, 500, 30, "too_few"),
])
def test_what_is_not_judged(value, target, n, minimum, expected):
    assert verdict.status("nps", value, target, 5.0, n, minimum) == expected


def test_a_kpi_where_no_direction_is_better_takes_no_target():
    assert verdict.status("nps_passives", 30.0, 25.0, 1.0, 500) == "no_target"


def test_the_tolerance_setting(monkeypatch):
    monkeypatch.setenv(verdict.TOLERANCE_ENV, "10")
    assert verdict.status("sla_compliance", 81.0, 90.0, 0.0, 1000) == "close"   # 9 <= 10% of 90
    assert verdict.close_text() == "close: short by at most 10% of the target, or within the margin of error"
    for bad in ("ten", "-1", "101"):
        monkeypatch.setenv(verdict.TOLERANCE_ENV, bad)
        assert verdict.tolerance() == verdict.DEFAULT_TOLERANCE
    assert verdict.status("sla_compliance", 81.0, 90.0, 0.0, 1000) == "missed"


# ---- The words ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kpi, status, target, badge, fragment", [
    ("sla_compliance", "close", 90.0, "close · target 90.0%", "is close to its 90.0% target"),
    ("nps", "met", 25.0, "met · target 25", "meets its 25 target"),
    ("nps", "missed", -5.0, "missed · target -5", "misses its -5 target"),
    ("first_response_live", "missed", 120.0, "missed · target 2 min", "misses its 2 min target"),
    ("ces", "too_few", 5.5, "too few to judge · target 5.50", "has too few answers to judge against its 5.50 target"),
    ("sla_compliance", "no_data", 90.0, "no data · target 90.0%", "has no data to judge against its 90.0% target"),
    ("csat", "no_target", None, "no target", "has no target"),
])
def test_one_wording_per_verdict(kpi, status, target, badge, fragment):
    assert verdict.badge(kpi, status, target) == badge
    assert verdict.fragment(kpi, status, target) == fragment


@pytest.mark.parametrize("judged, clause", [
    ([("NPS", "met"), ("SLA compliance", "met")], "every targeted KPI meets its target"),
    ([("NPS", "met"), ("CSAT", "no_target")], "NPS meets its target"),
    ([("NPS", "met"), ("SLA compliance", "close")], "SLA compliance is close to its target"),   # close is not met
    ([("NPS", "missed"), ("CSAT", "missed"), ("SLA compliance", "close")],
     "NPS and CSAT miss their targets; SLA compliance is close to its target"),
    ([("NPS", "met"), ("CES", "too_few")], "NPS meets its target; CES: too few to judge"),     # not "every"
    ([("NPS", "no_target"), ("CSAT", "no_target")], "no targets are set for this view"),
    ([], "no targets are set for this view"),
    ([("CSAT", "no_data"), ("CES", "too_few")], "no target can be judged in this view: too few answers or contacts"),
    ([("A", "missed"), ("B", "missed"), ("C", "missed"), ("D", "missed")], "A, B and 2 other KPIs miss their targets"),
])
def test_what_a_set_of_verdicts_says(judged, clause):
    assert verdict.targets_clause(judged) == clause


# ---- The same words everywhere, on hand-made databases ----------------------------------------------------
# Q1 2026 against the 90 days before it (3 Oct - 31 Dec 2025). In both periods: 100 NPS answers (50 promoters,
# 30 passives, 20 detractors: NPS 30, no change) and 1,000 Support chats, 880 resolved within their 1-hour SLA
# (88.0%, 95% margin about 2.0 points: no change), each answered in 30 s. No CSAT or CES answers.
ROWS_SQL = """
insert into customers
select printf('C%02d', i), 'Customer ' || i, 'SMB', 'Europe', 'ES', 'Plus', date '2025-01-01', 1000, 'Ana', null
from range(1, 11) t(i);
insert into feedback
select p || i, printf('C%02d', 1 + i % 10), null, day, 'nps',
       case when i <= 50 then 10 when i <= 80 then 8 else 3 end, null, 'support', 'ticket', 'Support'
from range(1, 101) t(i), (values ('N', timestamp '2026-02-01 10:00:00'), ('P', timestamp '2025-11-15 10:00:00')) d(p, day);
insert into interactions
select p || i, printf('C%02d', 1 + i % 10), day + to_seconds(i * 60), 'chat', 'support', 'ticket', 'Support',
       'inquiry', 'front', 30, day + to_seconds(i * 60 + case when i <= 880 then 1800 else 7200 end), false, 3600
from range(1, 1001) t(i), (values ('I', timestamp '2026-02-01 08:00:00'), ('J', timestamp '2025-11-15 08:00:00')) d(p, day);
"""
Q1 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
LINK = {"period": "custom", "from": "2026-01-01", "to": "2026-03-31"}
QUARTERS = (("2025-10-01", "2025-12-31"), ("2026-01-01", "2026-03-31"))

# Each view's company targets (both quarters), and what the overview and the pack must say, worked out by hand.
CASES = {
    # NPS 30 >= 25; SLA 88.0% >= 85%
    "met": ({"nps": 25, "sla_compliance": 85},
            {"NPS": "met · target 25", "SLA compliance": "met · target 85.0%"},
            "every targeted KPI meets its target"),
    # SLA 88.0% is 3 points short of 91%: more than its margin (2.0), within 5% of 91 (4.55)
    "close": ({"nps": 25, "sla_compliance": 91},
              {"NPS": "met · target 25", "SLA compliance": "close · target 91.0%"},
              "SLA compliance is close to its target"),
    # 7 points short of 95%: beyond 4.75 and the margin; every chat answered in 30 s against 20 s
    "missed": ({"nps": 25, "sla_compliance": 95, "first_response_live": 20},
               {"NPS": "met · target 25", "SLA compliance": "missed · target 95.0%",
                "First response (live)": "missed · target 20 s"},
               "SLA compliance and First response (live) miss their targets"),
    "absent": ({}, {}, "no targets are set for this view"),
    # a CSAT target, and no CSAT answer: nothing to judge
    "unjudged": ({"csat": 80}, {"CSAT": "no data · target 80.0%"},
                 "no target can be judged in this view: too few answers or contacts"),
}


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("verdict") / "base.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS_SQL)
    return path


@pytest.fixture(scope="module")
def case_db(base_db, tmp_path_factory):
    """The base database with one case's targets, built once per case."""
    built = {}

    def make(case: str):
        if case not in built:
            path = tmp_path_factory.mktemp(f"verdict_{case}") / "cx.duckdb"
            shutil.copy(base_db, path)
            with derive.writable_copy(path) as con:
                for metric, target in CASES[case][0].items():
                    for start, end in QUARTERS:
                        con.execute("insert into targets values (?, null, ?, ?, ?)", [metric, start, end, target])
            built[case] = path
        return built[case]
    return make


def _expected_badges(case: str) -> dict[str, str]:
    """Every targeted tile's badge: the case's, else 'no target'."""
    return {metrics.KPIS[k].label: CASES[case][1].get(metrics.KPIS[k].label, "no target")
            for k in metrics.TARGETED_KPIS}


def _pack(path):
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        return report.build(reader, ViewState(Q1, "custom"), data_status.facts(reader), metrics.DEFAULT_MIN_RESPONSES)
    finally:
        con.close()


BADGE = re.compile(r"^(?P<label>.+?) :(?P<colour>\w+)-badge\[(?P<words>.+)\]$")
COLOUR = {"met": "green", "close": "orange", "missed": "red"}


def _overview_badges(path, monkeypatch) -> tuple[dict[str, tuple[str, str]], object]:
    at = _starter(path, monkeypatch)(**LINK)
    assert not at.exception
    badges = {}
    for m in at.metric:
        found = BADGE.match(m.label)
        if found:
            badges[found["label"]] = (found["colour"], found["words"])
    return badges, at


@pytest.mark.parametrize("case", list(CASES))
def test_the_pack_says_what_the_overview_badges_say(case, case_db, monkeypatch):
    path = case_db(case)
    badges, at = _overview_badges(path, monkeypatch)
    expected = _expected_badges(case)
    assert {label: words for label, (_, words) in badges.items()} == expected
    for label, (colour, words) in badges.items():   # coloured by the verdict, grey when not judged
        assert colour == COLOUR.get(words.split(" · ")[0], "gray"), label
    pack = _pack(path)
    kpis = next(s for s in pack.slides if s.key == "kpis")
    # the table continues on a second slide ("kpis_2"): every row of both
    target_column = {row[0]: row[3] for s in pack.slides if s.key in ("kpis", "kpis_2") for row in s.table.rows}
    # a row's news colours its value and change, never the target's words (a met target in a worsening's red)
    assert kpis.table.columns.index("Target") not in EMPHASIZED_COLUMNS
    # the pack's target column is the badge, word for word; KPIs that take no target say so with a dash
    assert {label: target_column[label] for label in expected} == expected
    assert all(target_column[label] == "—" for label in target_column if label not in expected)
    clause = CASES[case][2]
    assert kpis.title == f"No KPI of the 12 moved significantly; {clause}"
    summary = pack.slides[1]
    assert summary.title.startswith(f"No KPI changed significantly against the previous period; {clause}")
    trends = [s for s in pack.slides if s.section == "Trends that matter"]
    if case == "missed":
        assert [s.title for s in trends] == ["SLA compliance is 88.0% and misses its 95.0% target",
                                             "First response (live) is 30 s and misses its 20 s target"]
    else:
        assert [s.title for s in trends] == [f"No KPI moved significantly or broke from its history; {clause}"]
    everything = " ".join([s.title for s in pack.slides] + [b for s in pack.slides for b in s.bullets])
    if case != "met":
        assert "every targeted KPI meets" not in everything and "every company-wide target" not in everything
    # the overview's own line, when nothing needs attention, says the targets in the same words
    if case in ("met", "absent", "unjudged"):
        assert any(clause[0].upper() + clause[1:] + "." in md.value for md in at.markdown)


@pytest.mark.parametrize("case, status", [("close", "is close to"), ("missed", "misses")])
def test_the_attention_list_says_the_tiles_verdict_and_names_both_periods(case, status, case_db, monkeypatch):
    """SLA 88.0% is short of target beyond its margin: listed, with the tile's verdict for the period shown
    and the quarters below target named as quarters."""
    target = CASES[case][0]["sla_compliance"]
    badges, at = _overview_badges(case_db(case), monkeypatch)
    said = [md.value for md in at.markdown if "SLA compliance is 88.0%" in md.value]
    # the data begins in Q4 2025: both quarters it holds are below target
    assert said[0].endswith(f"**The company**'s SLA compliance is 88.0% and {status} its {target:.1f}% target over "
                            "1 Jan 2026 – 31 Mar 2026; below target in every quarter since Q4 2025.")
    assert badges["SLA compliance"][1].startswith(case)
    # every tile short of its target beyond its margin is listed, first response (no quarterly history) too
    response = [md.value for md in at.markdown if "first response on live channels" in md.value]
    assert response == ([":red[:material/error:] **The company**'s first response on live channels is 30 s and "
                         "misses its 20 s target over 1 Jan 2026 – 31 Mar 2026."] if case == "missed" else [])
    pack = _pack(case_db(case))
    headline = pack.slides[1].title
    assert headline.endswith(f"Support {status} its SLA compliance target")   # the department, held to the company's
    assert f"The company's SLA compliance is 88.0% and {status} its {target:.1f}% target" in " ".join(
        pack.slides[1].bullets)


@pytest.mark.parametrize("case, status, target", [("met", "met", "85.0% (company)"),
                                                  ("close", "close", "91.0% (company)"),
                                                  ("missed", "missed", "95.0% (company)"),
                                                  ("absent", "no target", "no target")])
def test_the_scorecard_says_the_same_verdict(case, status, target, case_db, monkeypatch, tmp_path):
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "state.sqlite"))
    at = _starter(case_db(case), monkeypatch)("pages/departments.py", **LINK, card="Support")
    assert not at.exception and not at.error
    card = at.dataframe[0].value.set_index("Metric")
    assert card.loc["SLA compliance", "Value"] == "88.0%"
    assert (card.loc["SLA compliance", "Status"], card.loc["SLA compliance", "Target"]) == (status, target)
    matrix = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert f"Support · SLA compliance<br>88.0% · {status}" in matrix["customdata"][0]   # the matrix cell's words


def test_presentation_mode_shows_the_badges_words(case_db, monkeypatch):
    at = _starter(case_db("close"), monkeypatch)("pages/present.py", **LINK, slide="3")
    assert not at.exception
    body = " ".join(h.proto.body for h in at.get("html"))
    assert "No KPI of the 12 moved significantly; SLA compliance is close to its target" in body
    table = at.table[0].value
    assert "close · target 91.0%" in table.to_string()
