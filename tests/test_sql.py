"""Every named query in sql/ runs on the fixture, so none rots unnoticed; plus invariants."""
import datetime as dt

import pytest

from cxdata import db, metrics
from cxdata.followup import case_list
from tests.conftest import Q1_2026, ROOT

NOT_QUERIES = {"schema", "macros", "load_macros", "derived", "derived_stamp",  # scripts the writers run, not queries
               "customer_history_close", "customer_history_open", "dataset_first", "churn_model_write",
               "journey_flow_presets_write", "touchpoints_expects_answer_write",
               # the writer's own change table (tests/test_incremental.py runs them on a load's copy)
               "derived_update", "derived_update_check", "refresh_changes", "refresh_changes_clear",
               "refresh_changes_full", "refresh_changes_noted",
               # the spare brought forward (tests/test_spare.py, tests/test_incremental.py run them)
               "last_write_forget", "last_write_keep", "last_write_replay", "last_write_replayable", "spare_sync",
               "spare_tables", "table_rows", "write_state", "write_state_get", "write_state_set"}
QUERIES = sorted(p.stem for p in (ROOT / "sql").glob("*.sql") if p.stem not in NOT_QUERIES)
PARAMS = {**metrics.period_params(Q1_2026, "previous"),
          "load_id": "", "target_table": "", "column_name": "", "search": "", "limit": 100,
          # the trends queries: one grain, a breakdown, a time KPI, lifetime value's margin
          "first": Q1_2026.start, "grain": "month", "by": "segment", "kpi": "resolution_time", "gross_margin": 1.0,
          "stage": "support", "touchpoint": None, "stage_order": ["support"], "follow_days": 90, "with_moments": True,
          "newest_on": Q1_2026.end, "hours": 24,  # the service backlog's window
          "theme": "", "sentiment": "", "language": "", "nps_group": "", "min_comments": 1, "prior": 100.0,
          # churn: features as of a day, the alert rules, customers to look up
          "as_of": Q1_2026.end, "horizon_days": 90, "threshold": 30.0,
          "signs_on": {"cancellation_contact": False, "detractor_open_complaint": False, "failed_payment": True},
          "customer_ids": ["C01"],
          "customer_id": "C01", "by_name": True,   # one customer's record (sql/customer_*.sql)
          # an initiative: weeks around its start, its scope (a list per dimension), its survey
          "first_on": Q1_2026.start, "start_on": Q1_2026.start, "stop_on": Q1_2026.end, "survey": "nps",
          "scope": {"segment": [], "region": ["Europe"], "channel": [], "touchpoint": [], "department": []},
          # follow-up cases: the window, the rules (cxdata/followup/rules.py defaults)
          "since": dt.datetime(2026, 1, 1), "until": dt.datetime(2026, 4, 1), "nps_max": 6, "csat_max": 2,
          "ces_max": 2, "complaint_kinds": ["complaint"], "owner_first": "department",
          # the follow-up's figures and first page: the clock's changes, the store's worked cases, the list's filters
          "due_hours": 48.0, **case_list.zone_params(dt.datetime(2026, 1, 1), dt.datetime(2026, 4, 1)),
          "worked_ids": ["answer:F01"], "worked_status": ["contacted"], "worked_root_cause": [""],
          "worked_first_contact": [dt.datetime(2026, 1, 2)], "now_hour": dt.datetime(2026, 4, 1),
          "judged_on": dt.datetime(2026, 4, 1), "owners": [], "departments": [], "root_causes": [], "statuses": ["new"],
          "loaded": "interactions"}  # the load report's count of contacts due an answer


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_runs_and_states_its_grain(tiny_con, name):
    assert db.sql_text(name).lstrip().startswith("-- one row"), f"sql/{name}.sql: first line must state the grain"
    result = db.run(tiny_con, name, PARAMS)
    assert len(result.columns) > 0


def test_queries_use_only_bound_parameters():
    for name in QUERIES:
        text = db.sql_text(name)
        assert "{" not in text and "%s" not in text, f"sql/{name}.sql looks like a format template"


def test_promoters_passives_and_detractors_add_up(tiny_con):
    counts = tiny_con.execute("""
        select count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8),
               count(*) filter (where score <= 6), count(*), survey_score('nps', score)
        from feedback where survey = 'nps'""").fetchone()
    promoters, passives, detractors, n, nps = counts
    assert promoters + passives + detractors == n == 200
    assert nps == pytest.approx(100 * (promoters - detractors) / n)
