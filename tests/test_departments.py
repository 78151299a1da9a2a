"""Department scorecards (cxdata/departments.py): status against target, the trends page's numbers,
the alignment index on the demo, targets loaded, edited and refused."""
import datetime as dt
import math
import shutil

import duckdb
import pandas as pd
import pytest

from cxdata import db, departments, metrics, trends, verdict
from cxdata.access.roles import LOCAL_ADMIN, Scope, User
from cxdata.access.scoped import Refused
from cxdata.filters import Filters
from cxdata.load import load_files
from cxdata.store import Store

DECEMBER = Filters(dt.date(2026, 9, 2), dt.date(2026, 11, 30))
MARCH = Filters(dt.date(2025, 12, 15), dt.date(2026, 3, 14))
Q = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def december_cards(demo_december):
    con = db.connect_readonly(demo_december)
    try:
        yield departments.scorecards(db.Reader(con), DECEMBER, newest_on=dt.date(2026, 12, 1))
    finally:
        con.close()


def test_a_cards_verdict_is_the_overviews_rule():
    """Each quarter's status is cxdata.verdict's (tests/test_verdict.py holds the rule's edges)."""
    series = pd.DataFrame([
        dict(kpi="sla_compliance", department="Billing", period_start=Q, value=86.0, moe=1.0, n=500, n_censored=None),
        dict(kpi="nps", department="Billing", period_start=Q, value=50.0, moe=30.0, n=29, n_censored=None),
        dict(kpi="csat", department="Billing", period_start=Q, value=70.0, moe=3.0, n=400, n_censored=None)])
    targets = pd.DataFrame([dict(period_start=Q, metric="sla_compliance", department="Billing", target=90.0,
                                 source="company"),
                            dict(period_start=Q, metric="nps", department="Billing", target=30.0, source="loaded")])
    judged = departments.judge(series, targets, min_responses=30).set_index("kpi")["status"]
    assert judged.to_dict() == {"sla_compliance": "close",   # 4 short: within 5% of 90 (4.5)
                                "nps": "too_few",            # 29 answers
                                "csat": "no_target"}


def test_billing_misses_sla_in_every_quarter_and_is_last_on_service(december_cards):
    judged = december_cards.index
    assert len(december_cards.quarters) == departments.QUARTERS
    for q in december_cards.quarters:
        ranked = judged[judged["period_start"] == q].dropna(subset=["service_index"]).sort_values("service_index")
        assert ranked.iloc[0]["department"] == "Billing", q
        assert ranked.iloc[0]["service_index"] < ranked.iloc[1]["service_index"], q
    billing = december_cards.cards.set_index(["department", "kpi"]).loc[("Billing", "sla_compliance")]
    assert billing["status"] == "missed" and billing["target"] == 90.0
    # every quarter, not only the one judged: the sparkline's quarters are all below 90 by far
    assert len(billing["spark"]) == departments.QUARTERS and max(billing["spark"]) < 85


def test_every_quarter_billing_sla_status_is_missed(demo_december):
    con = db.connect_readonly(demo_december)
    try:
        reader = db.Reader(con)
        series = departments.quarterly(reader, DECEMBER)
        judged = departments.judge(series, departments.targets_in_force(reader, DECEMBER), 30)
    finally:
        con.close()
    sla = judged[(judged["department"] == "Billing") & (judged["kpi"] == "sla_compliance")
                 & (judged["period_start"] >= dt.date(2025, 1, 1))]
    assert len(sla) == 8 and set(sla["status"]) == {"missed"}
    others = judged[(judged["department"] != "Billing") & (judged["kpi"] == "sla_compliance")
                    & (judged["period_start"] >= dt.date(2025, 1, 1))]
    assert "missed" not in set(others["status"])


def test_alignment_matrix_ranks_departments_and_holds_every_metric(december_cards):
    matrix = departments.alignment(december_cards)
    assert matrix.iloc[-1]["department"] == "Billing"
    assert matrix["index"].is_monotonic_decreasing
    assert all(isinstance(matrix.iloc[0][m], tuple) for m in departments.METRICS)
    assert departments.headline(matrix).endswith(f"Billing trails at {matrix['index'].min():.0f}")


def test_each_scorecard_number_equals_the_kpi_trends_page(demo_march):
    """Same filters, same quarter: the card's value, n and margin are the trends page's by department."""
    con = db.connect_readonly(demo_march)
    try:
        reader = db.Reader(con)
        cards = departments.scorecards(reader, MARCH, 30, quarter=dt.date(2025, 10, 1))
        first = departments.first_quarter(MARCH)
        for kpi in ("nps", "csat", "ces", "sla_compliance", "first_contact_resolution", "first_response_live",
                    "first_response_written", "resolution_time"):
            page = trends.series(reader, MARCH, kpi, "quarter", 30, by="department", first=first)
            page = page[page["period_start"] == dt.date(2025, 10, 1)].set_index("member")
            card = cards.cards[(cards.cards["kpi"] == kpi) & (cards.cards["n"] > 0)].set_index("department")
            assert set(card.index) <= set(page.index), kpi
            for d, row in card.iterrows():
                assert row["n"] == page.loc[d, "n"], (kpi, d)
                if page.loc[d, "is_enough"]:
                    assert row["value"] == pytest.approx(page.loc[d, "value"]), (kpi, d)
                    assert row["moe"] == pytest.approx(page.loc[d, "moe"]), (kpi, d)
        # complaint and escalation rates: counted on the raw interactions
        raw = dict(((d, k), v) for d, k, v in con.execute(
            "select department, 'complaint_rate', 100.0 * count(*) filter (where kind = 'complaint') / count(*) "
            "from interactions where started_at >= '2025-10-01' and started_at < '2026-01-01' group by 1 "
            "union all select department, 'escalation_rate', 100.0 * count(*) filter (where escalated) / count(*) "
            "from interactions where started_at >= '2025-10-01' and started_at < '2026-01-01' "
            "and (first_response_seconds is not null or sla_seconds is not null) group by 1").fetchall())
    finally:
        con.close()
    card = cards.cards.set_index(["department", "kpi"])
    for (d, k), v in raw.items():
        assert card.loc[(d, k), "value"] == pytest.approx(v), (d, k)


def test_the_bad_experience_churn_follows_customers_90_days(december_cards):
    rows = december_cards.cards[december_cards.cards["kpi"] == "bad_experience_churn"]
    # the running quarter: nobody's 90 days are over yet, so no rate, and the censored are counted
    assert rows["value"].isna().all() and (rows["n_censored"] > 0).all()
    assert all(len(s) >= 5 for s in rows["spark"])  # earlier quarters have a rate
    assert all(0 <= v <= 100 for s in rows["spark"] for v in s)


# ---- Targets: edited, in force, refused ------------------------------------------------------------------

@pytest.fixture
def tiny_copy(tiny_db, tmp_path):
    """The tiny database (departments Support, Billing, Product; NPS targets for Q1 2026), to write to."""
    path = tmp_path / "cx.duckdb"
    shutil.copy(tiny_db, path)
    return path


def test_an_edited_target_is_in_force_and_survives_a_load(tiny_copy, tmp_path):
    store = Store.beside(tiny_copy)
    departments.set_target(store, "sla_compliance", "Billing", dt.date(2026, 1, 15), 70.0, User("ana@example.com", "admin"))
    departments.set_target(store, "sla_compliance", "Billing", dt.date(2026, 1, 1), 72.0,
                           User("luis@example.com", "executive"))
    targets = tmp_path / "targets.csv"
    targets.write_text("metric,department,period_start,period_end,target\n"
                       "sla_compliance,Billing,2026-01-01,2026-03-31,95\n")
    assert load_files([targets], db_path=tiny_copy).total("n_loaded") == 1  # a target is loaded for it ...
    con = db.connect_readonly(tiny_copy)
    try:
        in_force = departments.targets_in_force(db.Reader(con), MARCH, Store.beside(tiny_copy))
    finally:
        con.close()
    row = in_force[(in_force["metric"] == "sla_compliance") & (in_force["department"] == "Billing")
                   & (in_force["period_start"] == dt.date(2026, 1, 1))].iloc[0]
    assert (row["target"], row["source"]) == (72.0, "edited")  # ... the edit stays in force
    history = departments.target_history(Store.beside(tiny_copy))
    assert history["changed_by"].tolist() == ["luis@example.com", "ana@example.com"] and history["target"].tolist() == [72.0, 70.0]


@pytest.mark.parametrize("metric, value, allowed", [
    ("sla_compliance", 120.0, "between 0 and 100"), ("csat", -1.0, "between 0 and 100"),
    ("nps", -101.0, "between -100 and 100"), ("ces", 8.0, "between 1 and 7"),
    ("first_response_live", -5.0, "at least"),
])
def test_a_target_out_of_its_range_is_refused_with_the_range(tmp_path, metric, value, allowed):
    store = Store(tmp_path / "state.sqlite")
    with pytest.raises(departments.TargetError, match=allowed):
        departments.set_target(store, metric, "Billing", dt.date(2026, 1, 1), value, LOCAL_ADMIN)
    assert store.records(departments.STORE_KIND) == {}


def test_a_target_file_rejects_bad_rows_with_their_reason_and_loads_the_rest(tiny_copy, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("metric,department,period_start,period_end,target\n"
                    "sla_compliance,Billing,2027-01-01,2027-03-31,90\n"       # 2 fine
                    "sla_compliance,Billing,2027-03-01,2027-06-30,90\n"       # 3 overlaps line 2
                    "nps,Narnia,2027-01-01,2027-03-31,30\n"                   # 4 unknown department
                    "bogus,Billing,2027-01-01,2027-03-31,30\n"                # 5 unknown metric
                    "csat,Billing,2027-03-31,2027-01-01,80\n"                 # 6 ends before it starts
                    "csat,Support,2027-01-01,2027-03-31,-5\n"                 # 7 a negative rate
                    "nps,Support,2027-01-01,2027-03-31,150\n"                 # 8 NPS beyond 100
                    "nps,Support,2026-02-01,2026-04-30,40\n"                  # 9 overlaps a loaded target
                    "complaint_rate,Product,2027-01-01,2027-03-31,4\n")       # 10 fine
    report = load_files([path], db_path=tiny_copy)
    assert (report.total("n_loaded"), report.total("n_rejected")) == (2, 7)
    con = duckdb.connect(str(tiny_copy), read_only=True)
    try:
        reasons = dict(con.execute(
            "select line, reason from rejected_rows where load_id = (select load_id from loads "
            "order by started_at desc limit 1) order by line").fetchall())
    finally:
        con.close()
    assert reasons[3] == "overlaps another target for the same metric and department"
    assert reasons[4] == "unknown department 'Narnia' (not in the interactions or feedback loaded)"
    assert reasons[5].startswith("unknown metric 'bogus'")
    assert reasons[6] == "before period_start"
    assert reasons[7] == "out of range for csat (a rate can not be negative: 0.0 to 100.0)"
    assert reasons[8] == "out of range for nps (-100.0 to 100.0)"
    assert reasons[9] == "overlaps another target for the same metric and department"


def test_targets_are_edited_by_admin_and_executive_only(tmp_path):
    assert departments.editing_enabled(LOCAL_ADMIN) and departments.editing_enabled(User("e@x", "executive"))
    store = Store(tmp_path / "state.sqlite")
    for role, scope in (("cx_manager", Scope.of(segment=["SMB"])), ("department_head", Scope.of(department=["Billing"])),
                        ("board", Scope()), ("viewer", Scope())):
        user = User(f"{role}@example.com", role, scope)
        assert not departments.editing_enabled(user)
        with pytest.raises(Refused, match="may not edit targets"):
            departments.set_target(store, "nps", "Billing", dt.date(2026, 1, 1), 40.0, user)
    assert store.records(departments.STORE_KIND) == {}
    assert metrics.target_range("escalation_rate") == (0.0, 100.0)


# ---- The matrix's title says what the matrix draws (hand-built rows as departments.alignment returns them) --

def _matrix(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"department": d, "index": i, "n_metrics": n} for d, i, n in rows])


@pytest.mark.parametrize("rows, title", [
    # a three-way tie as the matrix writes it (99.6 shows as 100), one of them on two targeted metrics
    ([("IT", 100.0, 6), ("Marketing", 100.0, 2), ("Sales", 99.6, 5), ("Billing", 61.8, 6)],
     "IT, Marketing and Sales share the lead in alignment at 100 of 100 (Marketing on 2 targeted metrics); "
     "Billing trails at 62"),
    ([("IT", 92.4, 6), ("Sales", 80.0, 5), ("Billing", 55.0, 6), ("Support", 54.6, 6)],
     "IT leads alignment at 92 of 100; Billing and Support trail at 55"),
    ([("IT", 75.0, 1)], "IT's alignment index is 75 of 100 (on 1 targeted metric)"),
    ([("Marketing", 100.0, 2), ("IT", 98.6, 6), ("Billing", 34.0, 6)],
     "Marketing leads alignment at 100 of 100 (on 2 targeted metrics); Billing trails at 34"),
    ([("IT", 80.0, 4), ("Sales", 80.2, 4), ("Product", math.nan, 0)], "The 2 departments judged are level at 80 of 100"),
    ([("IT", 80.0, 4), ("Sales", 80.2, 4)], "All 2 departments judged are level at 80 of 100"),
    ([("IT", math.nan, 0)], "No department has a targeted metric to judge in this quarter"),
])
def test_the_alignment_title_names_ties_and_thin_leads(rows, title):
    assert departments.headline(_matrix(*rows)) == title
