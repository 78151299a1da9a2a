"""Initiatives: the loaded tables and the app's edits, the measured effect (difference in differences,
interrupted time series) worked out by hand on tiny tables, the return, the loader's bad inputs, the
command line, and the demo's three planted initiatives."""
from __future__ import annotations

import datetime as dt
import json
import math

import duckdb
import numpy as np
import pytest

from cxdata import db, demo, derive
from cxdata.__main__ import main
from cxdata.access.roles import LOCAL_ADMIN
from cxdata.access.scoped import ScopedReader
from cxdata.initiatives import (Effect, InitiativeError, Plan, mark, measure, payback, plans, save, sentence,
                                verdict_label)
from cxdata.initiatives.effect import Cell, did, its
from cxdata.load import load_files
from cxdata.store import Conflict, Store

START = dt.date(2025, 1, 6)   # a Monday; the tiny table has 4 whole weeks on each side of it


def _answers() -> list[tuple[str, str, int]]:
    """(customer, day, CSAT score): C1 (Europe) is the scope, C2 (APAC) the comparison, one answer a week.
    Per answer 100 (4-5) or 0 (1-3). Scope before 100,100,0,0 (mean 50, variance 3333.3); scope after
    100,100,100,0 (75, 2500); comparison before 100,0,0,0 (25, 2500); comparison after 100,0,0,0 (25, 2500).
    Difference in differences = (75 - 50) - (25 - 25) = 25; standard error = sqrt(3333.3/4 + 2500/4 * 3)
    = sqrt(2708.3) = 52.04; interval 25 ± 1.96 × 52.04."""
    rows = []
    for week, (s, c) in zip(range(-4, 4), [(5, 5), (5, 2), (2, 2), (2, 2), (5, 5), (5, 2), (5, 2), (2, 2)]):
        day = START + dt.timedelta(days=7 * week + 2)
        rows += [("C1", day.isoformat(), s), ("C2", day.isoformat(), c)]
    return rows


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("initiatives") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute("insert into customers (customer_id, segment, region, signup_date) values "
                    "('C1', 'SMB', 'Europe', '2020-01-01'), ('C2', 'SMB', 'APAC', '2020-01-01')")
        con.executemany("insert into feedback (feedback_id, customer_id, submitted_at, survey, score) "
                        "values (?, ?, ?, 'csat', ?)",
                        [(f"F{i}", c, f"{d} 10:00:00", s) for i, (c, d, s) in enumerate(_answers())])
        # the data's extent: 4 whole weeks before the start (from 2024-12-09) and after it (to 2025-02-02)
        con.execute("insert into interactions (interaction_id, customer_id, started_at, channel) values "
                    "('I1', 'C1', '2024-12-09 09:00:00', 'phone'), ('I2', 'C2', '2025-02-02 09:00:00', 'phone')")
    return path


@pytest.fixture
def reader(tiny, monkeypatch):
    monkeypatch.setenv("CX_MIN_RESPONSES", "2")
    con = db.connect_readonly(tiny)
    yield ScopedReader(db.Reader(con), LOCAL_ADMIN)
    con.close()


def _plan(**changes) -> Plan:
    values = dict(key="p", name="Europe pilot", owner=None, department=None, start=START, end=None, cost=None,
                  kpi="csat", expected_change=10.0, scope={"region": ("Europe",)}, status="running")
    values.update(changes)
    return Plan(**values)


def test_difference_in_differences_and_its_interval_by_hand(reader):
    effect = measure(reader, _plan(), dt.date(2025, 2, 2))
    se = math.sqrt((10000 / 3) / 4 + 2500 / 4 * 3)
    assert effect.method == "did" and effect.weeks == 4
    assert (effect.first_on, effect.stop_on) == (dt.date(2024, 12, 9), dt.date(2025, 2, 3))
    assert (effect.scope_before, effect.scope_after, effect.comparison_before, effect.comparison_after) == (
        50, 75, 25, 25)
    assert effect.effect == pytest.approx(25)
    assert effect.se == pytest.approx(se)
    assert (effect.ci_low, effect.ci_high) == (pytest.approx(25 - 1.96 * se), pytest.approx(25 + 1.96 * se))
    assert effect.mde == pytest.approx(2.8 * se)
    assert (effect.n_scope, effect.n_comparison) == (8, 8)
    # the interval holds 0 and the 10 points aimed for are below the 146 these 16 answers could see
    assert effect.verdict == "below_detectable"
    # the gap before the start: 0, 100, 0, 0 over weeks -4..-1, a slope of -10 a week, interval holds 0
    assert effect.trend_slope == pytest.approx(-10)
    assert effect.trend_high - effect.trend_slope == pytest.approx(1.96 * math.sqrt(3500 / 5))
    assert effect.parallel is True
    scope = effect.periods[effect.periods["group"] == "scope"]
    assert scope["value"].tolist() == [100, 100, 0, 0, 100, 100, 100, 0]
    assert scope["n"].tolist() == [1] * 8
    assert scope["period"].iloc[0] == dt.date(2024, 12, 9)


def test_did_cells_by_hand():
    cell = Cell.of(4, 200, 20000)   # 100, 100, 0, 0
    assert (cell.mean, cell.var_of_mean) == (50, pytest.approx(10000 / 3 / 4))
    assert did(Cell.of(4, 200, 20000), Cell.of(4, 300, 30000), Cell.of(4, 100, 10000), Cell.of(4, 100, 10000)) == (
        pytest.approx(25), pytest.approx(math.sqrt(2708.3333)))
    assert did(Cell.of(0, 0, 0), cell, cell, cell) is None


def test_verdicts_when_there_is_nothing_to_measure(reader, monkeypatch):
    today = dt.date(2025, 2, 2)
    assert measure(reader, _plan(start=dt.date(2025, 3, 1)), today).verdict == "too_early"   # not started
    assert measure(reader, _plan(start=dt.date(2025, 1, 20)), today).verdict == "too_early"  # 2 weeks after
    assert measure(reader, _plan(kpi="nps"), today).verdict == "not_in_data"                 # no NPS answers
    monkeypatch.setenv("CX_MIN_RESPONSES", "30")
    effect = measure(reader, _plan(), today)
    assert effect.verdict == "too_few" and effect.effect is None and len(effect.periods) == 16


def test_interrupted_time_series_on_a_hand_built_series():
    weeks = np.arange(-6, 6)
    exact = 10 + 0.5 * weeks + 3 * (weeks >= 0) + 0.2 * weeks * (weeks >= 0)
    level, se = its(weeks, exact)
    assert level == pytest.approx(3) and se == pytest.approx(0, abs=1e-9)
    noisy = exact + np.array([1, -1] * 6)   # alternating ±1: the level change's estimate moves, its error shows
    level, se = its(weeks, noisy)
    design = np.column_stack([np.ones(12), weeks, weeks >= 0, weeks * (weeks >= 0)]).astype(float)
    coef = np.linalg.solve(design.T @ design, design.T @ noisy)
    residual = noisy - design @ coef
    expected_se = math.sqrt(residual @ residual / 8 * np.linalg.inv(design.T @ design)[2, 2])
    assert level == pytest.approx(coef[2]) and se == pytest.approx(expected_se) and se > 0


def test_a_company_wide_initiative_is_measured_on_its_own_history(reader):
    effect = measure(reader, _plan(scope={}), dt.date(2025, 2, 2))
    assert effect.method == "its" and effect.n_comparison == 0 and effect.parallel is None
    assert set(effect.periods["group"]) == {"scope"}
    weekly = effect.periods["value"].to_numpy()   # both customers' answers, week by week
    assert weekly.tolist() == [100, 50, 0, 0, 100, 50, 50, 0]
    assert effect.effect == pytest.approx(its(np.arange(-4, 4), weekly)[0])
    assert "weaker evidence" in sentence(_plan(scope={}), effect)


def _effect(**values) -> Effect:
    base = dict(method="did", effect=-2.0, ci_low=-3.0, ci_high=-1.0, mde=1.4, verdict="moved", weeks=10)
    base.update(values)
    return Effect(**base)


def test_return_on_hand_numbers(monkeypatch):
    churn = payback(None, _plan(kpi="churn_rate", cost=10_000.0), _effect(value_in_scope=1_000_000.0))
    # 2 churn points of 1,000,000 a year = 20,000 (10,000 to 30,000); (20,000 - 10,000) / 10,000 = 1
    assert (churn.value, churn.low, churn.high, churn.roi) == (20_000, 10_000, 30_000, 1.0)
    monkeypatch.setenv("CX_COST_PER_COMPLAINT", "50")
    # 1,000 contacts in 10 weeks = 5,200 a year; 5 points fewer complaints = 260 avoided × 50 = 13,000
    complaints = payback(None, _plan(kpi="complaint_rate", cost=26_000.0),
                         _effect(effect=-5.0, ci_low=-8.0, ci_high=-2.0, n_after_scope=1000))
    assert complaints.value == pytest.approx(13_000) and complaints.roi == pytest.approx(-0.5)
    assert (complaints.low, complaints.high) == (pytest.approx(5_200), pytest.approx(20_800))
    monkeypatch.delenv("CX_COST_PER_COMPLAINT")
    unset = payback(None, _plan(kpi="complaint_rate"), _effect(effect=-5.0))
    assert unset.value is None and unset.reason == "no_cost_per_complaint"
    score = payback(None, _plan(kpi="csat", cost=5_000.0), _effect())
    assert (score.value, score.roi, score.reason) == (None, None, "score")   # never 0


LOADED = """\
name,owner,department,start_date,end_date,cost,kpi,expected_change,segments,regions,channels,touchpoints,departments
Europe pilot,Ana Ruiz,Billing,2025-01-06,,5000,CSAT,10,,Europe; Atlantis,,,
Wrong KPI,Bo,Support,2025-01-06,,1000,revenue,5,,,,,
Backwards,Bo,Support,2025-01-06,2024-12-01,1000,nps,5,,,,,
Negative cost,Bo,Support,2025-01-06,,-5,nps,5,,,,,
"""
CHECKPOINTS = """\
initiative,due_date,what,metric,target
Europe pilot,2025-01-20,Every agent trained,,
Europe pilot,2025-02-01,CSAT at 60% or more,csat,60
Nobody,2025-02-01,Something,,
Europe pilot,2025-02-01,A revenue goal,revenue,5
"""


@pytest.fixture
def loaded(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("CX_MIN_RESPONSES", "2")
    path = tmp_path / "cx.duckdb"
    path.write_bytes(tiny.read_bytes())
    (tmp_path / "initiatives.csv").write_text(LOADED)
    (tmp_path / "checkpoints.csv").write_text(CHECKPOINTS)
    report = load_files([tmp_path / "initiatives.csv", tmp_path / "checkpoints.csv"], db_path=path)
    return path, report


def test_the_loader_names_each_bad_initiative_and_checkpoint(loaded):
    path, report = loaded
    con = duckdb.connect(str(path), read_only=True)
    try:
        rejected = con.execute("select parse_filename(source_file), line, column_name, reason from rejected_rows "
                               "order by source_file, line").fetchall()
        warnings = con.execute("select column_name, message, look_at from load_warnings").fetchall()
        kept = con.execute("select name, kpi, regions from initiatives").fetchall()
    finally:
        con.close()
    allowed = "nps, csat, ces, complaint_rate, churn_rate"
    assert rejected == [
        ("checkpoints.csv", 4, "initiative", "no initiative named Nobody (load the initiatives file first)"),
        ("checkpoints.csv", 5, "metric", f"not a KPI an initiative is measured on: 'revenue'; allowed: {allowed}"),
        ("initiatives.csv", 3, "kpi", f"not a KPI an initiative is measured on: 'revenue'; allowed: {allowed}"),
        ("initiatives.csv", 4, "end_date", "before start_date"),
        ("initiatives.csv", 5, "cost", "must be 0 or more"),
    ]
    assert kept == [("Europe pilot", "csat", "Europe; Atlantis")]
    assert warnings == [("regions", "regions: 'Atlantis' not in the data loaded, so the initiative's scope matches "
                         "nothing there (a typing slip, or a value named differently in the data?)",
                         "initiatives.csv, column 'regions'")]


def test_plans_merge_the_store_over_the_loaded_rows(loaded, tmp_path):
    path, _report = loaded
    store = Store(tmp_path / "state.sqlite")
    con = db.connect_readonly(path)
    try:
        reader = ScopedReader(db.Reader(con), LOCAL_ADMIN)
        [plan] = plans(reader, dt.date(2025, 2, 2), store)
        assert (plan.name, plan.owner, plan.kpi, plan.status, plan.version) == ("Europe pilot", "Ana Ruiz", "csat",
                                                                               "running", 0)
        assert plan.scope == {"region": ("Europe", "Atlantis")}
        # judged from the data: scope CSAT from the start to 1 Feb = 3 of 4 answers at 4-5 = 75% >= 60%
        assert [(c.what, c.state, c.value) for c in plan.checkpoints] == [
            ("Every agent trained", "due", None), ("CSAT at 60% or more", "met", 75.0)]

        save(store, plan.key, {"owner": "Marta Ruiz", "end": dt.date(2025, 1, 31)}, "ana@example.com", seen=0)
        with pytest.raises(Conflict):   # the same field changed from a view drawn before that change
            save(store, plan.key, {"owner": "Bo Lund"}, "bo@example.com", seen=plan.version)
        [plan] = plans(reader, dt.date(2025, 2, 2), store)
        assert (plan.owner, plan.end, plan.status) == ("Marta Ruiz", dt.date(2025, 1, 31), "done")
        mark(store, plan, plan.checkpoints[0].key, "met", "bo@example.com")
        key = save(store, None, {"name": "App-made", "kpi": "nps", "start": "2025-03-01", "scope": {}}, "bo@example.com")
        listed = plans(reader, dt.date(2025, 2, 2), store)
    finally:
        con.close()
    assert key == "App-made"
    assert [(p.name, p.status, p.is_loaded) for p in listed] == [("Europe pilot", "done", True),
                                                                 ("App-made", "planned", False)]
    assert listed[0].checkpoints[0].state == "met" and listed[0].marks == {"2025-01-20|Every agent trained": "met"}
    history = store.history("initiative", "Europe pilot")
    assert set(history["changed_by"]) == {"ana@example.com", "bo@example.com"}


def test_bad_edits_are_refused_in_words(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    with pytest.raises(InitiativeError, match="before the start"):
        save(store, "x", {"start": dt.date(2025, 3, 1), "end": dt.date(2025, 2, 1)}, "a")
    with pytest.raises(InitiativeError, match="NPS, CSAT, CES"):
        save(store, "x", {"kpi": "revenue"}, "a")
    with pytest.raises(InitiativeError, match="cost"):
        save(store, "x", {"cost": -1}, "a")
    save(store, None, {"name": "Once", "kpi": "nps", "start": dt.date(2025, 1, 1)}, "a")
    with pytest.raises(InitiativeError, match="exists already"):
        save(store, None, {"name": "Once", "kpi": "nps", "start": dt.date(2025, 1, 1)}, "a")


@pytest.fixture(scope="module")
def demo_measured(demo_march):
    con = db.connect_readonly(demo_march)
    try:
        reader = ScopedReader(db.Reader(con), LOCAL_ADMIN)
        today = dt.date(2026, 3, 14)   # the demo's newest day
        found = plans(reader, today, Store(demo_march.with_name("no-edits.sqlite")))
        return {p.name: (p, measure(reader, p, today)) for p in found}
    finally:
        con.close()


def test_the_demo_initiative_that_works_is_found_near_its_planted_size(demo_measured):
    plan, effect = demo_measured["Clearer invoices and billing callbacks"]
    # the demo turns PLANTED_COMPLAINT_CUT of the scope's complaints into requests from the start: the
    # complaint rate falls by that share of what it was (measured before the start)
    planted = -demo.PLANTED_COMPLAINT_CUT * effect.scope_before
    assert effect.method == "did" and effect.verdict == "moved" and effect.ci_high < 0
    assert effect.ci_low <= planted <= effect.ci_high
    assert abs(effect.effect - planted) < 2 * effect.se
    assert plan.scope == {"region": demo.PLANTED_REGIONS, "department": ("Billing",)}
    assert [c.state for c in plan.checkpoints] == ["due", "met", "upcoming"]   # the second judged from the data


def test_the_demo_initiative_that_does_nothing_holds_zero(demo_measured):
    _plan_b, effect = demo_measured["Welcome calls for small businesses"]
    assert effect.ci_low < 0 < effect.ci_high and effect.verdict == "no_effect"
    assert verdict_label(effect.verdict) == "no detectable effect"


def test_the_demo_initiative_too_small_to_see_reads_below_detectable(demo_measured):
    plan, effect = demo_measured["Setup wizard tooltips"]
    assert effect.verdict == "below_detectable" and abs(plan.expected_change) < effect.mde
    assert "less than the" in sentence(plan, effect)


def test_the_command_line_prints_one_json_object_per_initiative(demo_march, capsys, monkeypatch):
    monkeypatch.setenv("CX_STORE", str(demo_march.with_name("cli-no-edits.sqlite")))
    assert main(["initiatives", "--json", "--db", str(demo_march)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["verdict"] for r in rows] == ["moved", "no_effect", "below_detectable"]
    assert {"name", "kpi", "effect", "ci_low", "ci_high", "verdict", "roi"} <= set(rows[0])
    assert rows[0]["roi"] is None and rows[0]["return_not_estimated"] == "no_cost_per_complaint"
    assert rows[1]["return_not_estimated"] == "score"


@pytest.fixture(scope="module")
def churners(tmp_path_factory):
    """Five customers around a start on 2025-01-06, the data spanning 4 weeks each side. SMB (the scope):
    A lost in week -2, B in week 1, C stays; Enterprise (the comparison): D lost in week 2, E stays.
    B, C and D called Billing before the start."""
    path = tmp_path_factory.mktemp("churn") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute("insert into customers (customer_id, segment, region, signup_date, churned_on, annual_value) values "
                    "('A', 'SMB', 'Europe', '2020-01-01', '2024-12-25', 1000), "
                    "('B', 'SMB', 'Europe', '2020-01-01', '2025-01-15', 2000), "
                    "('C', 'SMB', 'Europe', '2020-01-01', null, 3000), "
                    "('D', 'Enterprise', 'Europe', '2020-01-01', '2025-01-22', 4000), "
                    "('E', 'Enterprise', 'Europe', '2020-01-01', null, 5000)")
        con.execute("insert into interactions (interaction_id, customer_id, started_at, channel, department) values "
                    "('I1', 'C', '2024-12-09 09:00:00', 'phone', 'Billing'), "
                    "('I2', 'B', '2024-12-20 09:00:00', 'phone', 'Billing'), "
                    "('I3', 'D', '2024-12-21 09:00:00', 'phone', 'Billing'), "
                    "('I4', 'E', '2025-02-02 09:00:00', 'phone', 'Sales')")
    return path


def test_churn_cells_by_hand(churners, monkeypatch):
    monkeypatch.setenv("CX_MIN_RESPONSES", "1")
    con = db.connect_readonly(churners)
    try:
        reader = ScopedReader(db.Reader(con), LOCAL_ADMIN)
        today = dt.date(2025, 2, 2)
        by_segment = measure(reader, _plan(kpi="churn_rate", scope={"segment": ("SMB",)}), today)
        # by their contacts: SMB customers who called Billing before the start (B, C) against the others
        by_contact = measure(reader, _plan(kpi="churn_rate", scope={"segment": ("SMB",), "department": ("Billing",)}),
                             today)
    finally:
        con.close()
    # scope: 3 active 4 weeks before (A lost), 2 at the start (B lost); comparison: 2 and 2 (D lost after)
    assert (by_segment.scope_before, by_segment.scope_after) == (pytest.approx(100 / 3), 50)
    assert (by_segment.comparison_before, by_segment.comparison_after) == (0, 50)
    assert (by_segment.n_scope, by_segment.n_comparison) == (5, 4)
    assert by_segment.effect == pytest.approx((50 - 100 / 3) - (50 - 0))
    assert by_segment.value_in_scope == 5000   # B and C, active at the start
    weekly = by_segment.periods[by_segment.periods["group"] == "scope"].set_index("week")
    assert weekly.loc[-2, "value"] == pytest.approx(100 / 3) and weekly.loc[1, "value"] == 50
    assert weekly.loc[-1, "n"] == 2 and weekly.loc[2, "n"] == 1
    # B and C in scope; A, D and E compared: before 0 of 2 and 1 of 3 lost, after 1 of 2 and 1 of 2
    assert (by_contact.scope_before, by_contact.scope_after) == (0, 50)
    assert (by_contact.comparison_before, by_contact.comparison_after) == (pytest.approx(100 / 3), 50)


def test_a_department_head_sees_their_departments_initiatives_and_may_not_edit(loaded, tmp_path):
    from cxdata.access.roles import Scope, User
    from cxdata.access.scoped import Refused
    path, _report = loaded
    store = Store(tmp_path / "state.sqlite")
    save(store, None, {"name": "Support's own", "department": "Support", "kpi": "nps", "start": dt.date(2025, 1, 6)},
         LOCAL_ADMIN)
    billing = User("ana@example.com", "department_head", Scope.of(department=["Billing"]))
    support = User("sam@example.com", "department_head", Scope.of(department=["Support"]))
    con = db.connect_readonly(path)
    try:
        seen = {user.email: [p.name for p in plans(ScopedReader(db.Reader(con), user), dt.date(2025, 2, 2), store)]
                for user in (billing, support)}
    finally:
        con.close()
    assert seen == {"ana@example.com": ["Europe pilot"], "sam@example.com": ["Support's own"]}
    with pytest.raises(Refused, match="may not edit initiatives"):
        save(store, "Europe pilot", {"owner": "Ana"}, billing)
    assert store.history("initiative", "Support's own")["changed_by"].unique().tolist() == ["local"]
