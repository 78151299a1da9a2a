"""The demo generator: sizes, determinism, integrity, and the signals the pages must find."""
import re
from datetime import date, datetime

import pytest

from cxdata import db, demo
from tests.conftest import ROOT

N = 2000
TABLES = demo.DATA_TABLES
KEYS = {"customers": "customer_id", "interactions": "interaction_id",
        "feedback": "feedback_id", "transactions": "transaction_id"}


@pytest.fixture(scope="module")
def today():
    return date.today()


@pytest.fixture(scope="module")
def built(tmp_path_factory, today):
    path = tmp_path_factory.mktemp("demo") / "cx.duckdb"
    counts = demo.build_demo(path, customers=N, seed=7, today=today)
    return path, counts


@pytest.fixture(scope="module")
def small(tmp_path_factory, today):
    """A fifth of the size, same seed: for the scaling and, at a fifth of the cost, the determinism checks
    (the same seed gives the same rows, another seed others, at any size)."""
    path = tmp_path_factory.mktemp("demo_small") / "cx.duckdb"
    return path, demo.build_demo(path, customers=N // 5, seed=7, today=today)


@pytest.fixture(scope="module")
def cur(built):
    con = db.connect_readonly(built[0])
    yield con.cursor()
    con.close()


def one(cur, sql, params=None):
    return cur.execute(sql, params or {}).fetchone()


def checksums(path):
    con = db.connect_readonly(path)
    try:
        return {t: con.execute(f"select count(*), sum(hash(x)) from {t} x").fetchone() for t in TABLES}
    finally:
        con.close()


# ---- sizes -------------------------------------------------------------------------------------

def test_row_counts(built):
    _, counts = built
    assert counts["customers"] == N
    assert 45 * N <= counts["interactions"] <= 55 * N
    assert 6 * N <= counts["feedback"] <= 10 * N
    assert 10 * N <= counts["transactions"] <= 25 * N
    assert counts["journey_stages"] == 7
    assert counts["targets"] > 0


def test_counts_scale_with_customers(small, built):
    for table in ("interactions", "feedback", "transactions"):
        per_customer = built[1][table] / N
        assert small[1][table] / (N // 5) == pytest.approx(per_customer, rel=0.2), table


# ---- determinism and replacement ---------------------------------------------------------------

def test_same_seed_same_rows_and_rebuild_replaces(tmp_path, small, today):
    path = tmp_path / "again.duckdb"
    demo.build_demo(path, customers=N // 5, seed=7, today=today)
    first = checksums(path)
    assert first == checksums(small[0])
    reader = db.connect_readonly(path)  # a reader holding the file open must not block a rebuild
    try:
        demo.build_demo(path, customers=N // 5, seed=7, today=today)
    finally:
        reader.close()
    assert checksums(path) == first  # replaced, not appended
    con = db.connect_readonly(path)
    loads = con.execute("select files, target_table, outcome, n_loaded from loads").fetchall()
    con.close()
    assert len(loads) == 2
    assert all(row[:3] == (["demo"], "all", "ok") and row[3] > 0 for row in loads)


def test_other_seed_differs(tmp_path, small, today):
    path = tmp_path / "other.duckdb"
    demo.build_demo(path, customers=N // 5, seed=8, today=today)
    other, mine = checksums(path), checksums(small[0])
    for table in ("customers", "interactions", "feedback", "transactions"):
        assert other[table] != mine[table], table


# ---- integrity ---------------------------------------------------------------------------------

def test_nothing_in_the_future(cur, today):
    now = datetime.now()
    latest = one(cur, """
        select greatest(
            (select max(started_at) from interactions), (select max(resolved_at) from interactions),
            (select max(submitted_at) from feedback), (select max(occurred_at) from transactions))""")[0]
    assert latest <= now
    dates = one(cur, "select max(signup_date), max(churned_on) from customers")
    assert all(d <= today for d in dates)


def test_window_covers_the_months_up_to_today(cur, today):
    first, last = one(cur, "select min(started_at), max(started_at) from interactions")
    assert (today - first.date()).days <= 24 * 31 + 1
    assert (today - last.date()).days <= 2


def test_scores_in_range(cur):
    bad = one(cur, """
        select count(*) from feedback
        where not (survey = 'nps' and score between 0 and 10
                or survey = 'csat' and score between 1 and 5
                or survey = 'ces' and score between 1 and 7)""")[0]
    assert bad == 0
    assert {r[0] for r in cur.execute("select distinct survey from feedback").fetchall()} == {"nps", "csat", "ces"}


@pytest.mark.parametrize("table", KEYS)
def test_keys_unique(cur, table):
    n, distinct = one(cur, f"select count(*), count(distinct {KEYS[table]}) from {table}")
    assert n == distinct


@pytest.mark.parametrize("table", ["interactions", "feedback", "transactions"])
def test_every_customer_exists(cur, table):
    orphans = one(cur, f"select count(*) from {table} where customer_id not in (select customer_id from customers)")
    assert orphans[0] == 0


def test_feedback_follows_its_interaction(cur):
    linked, total = one(cur, "select count(interaction_id), count(*) from feedback")
    assert linked / total > 0.7
    mismatched = one(cur, """
        select count(*) from feedback f join interactions i using (interaction_id)
        where f.customer_id <> i.customer_id or f.submitted_at < i.started_at
           or f.journey_stage is distinct from i.journey_stage
           or f.touchpoint is distinct from i.touchpoint
           or f.department is distinct from i.department""")[0]
    dangling = one(cur, """select count(*) from feedback where interaction_id is not null
                           and interaction_id not in (select interaction_id from interactions)""")[0]
    assert mismatched == 0 and dangling == 0


def test_no_activity_after_churn(cur):
    for table, at in (("interactions", "started_at"), ("feedback", "submitted_at"), ("transactions", "occurred_at")):
        late = one(cur, f"select count(*) from {table} t join customers c using (customer_id) "
                        f"where t.{at} >= c.churned_on or t.{at} < c.signup_date")[0]
        assert late == 0, table


def test_value_sets(cur):
    def values(sql):
        return {r[0] for r in cur.execute(sql).fetchall()}
    assert values("select segment from customers") == set(demo.SEGMENTS)
    assert values("select region || '/' || country from customers") <= {
        f"{r}/{c}" for r, (_, cs) in demo.REGIONS.items() for c in cs}
    assert values("select plan from customers") == set(demo.PLANS)
    assert len(values("select account_owner from customers")) == 12
    assert values("select channel from interactions") == set(demo.CHANNELS)
    assert values("select department from interactions") == set(demo.DEPARTMENTS)
    assert values("select kind from interactions") == set(demo.KINDS)
    assert values("select office from interactions") == {"front", "back"}
    assert values("select stage from journey_stages order by position") == set(demo.STAGE_NAMES)
    assert values("select journey_stage from interactions") == set(demo.STAGE_NAMES)
    assert values("select department from targets") == set(demo.DEPARTMENTS) | {None}
    assert values("select metric from targets") == {
        "nps", "csat", "ces", "churn_rate", "sla_compliance", "first_response_live", "first_response_written",
        "first_contact_resolution", "escalation_rate", "resolution_time"}
    # chat and phone answer in seconds to minutes, email in hours
    fr = dict(cur.execute("select channel, median(first_response_seconds) from interactions group by 1").fetchall())
    assert fr["chat"] < 300 and fr["phone"] < 300 and fr["email"] > 3600


def test_churn_share_and_quarterly_rate(cur):
    share = one(cur, "select avg((churned_on is not null)::int) from customers")[0]
    assert 0.12 <= share <= 0.25
    rates = cur.execute("""
        with quarters as (
            select distinct date_trunc('quarter', started_at)::date as q from interactions),
        full_quarters as (
            select q from quarters
            where q >= (select min(started_at) from interactions)
              and q + interval 3 month <= (select max(started_at) from interactions)),
        counts as (
            select q,
                   count(*) filter (where c.churned_on >= q and c.churned_on < q + interval 3 month) as n_churned,
                   count(*) as n_active
            from full_quarters join customers c
              on c.signup_date < q and (c.churned_on is null or c.churned_on >= q)
            group by q)
        select 100.0 * n_churned / n_active from counts""").fetchall()
    assert rates and all(2 <= r[0] <= 7 for r in rates)


# ---- planted signals ---------------------------------------------------------------------------

def test_seasonal_dip(cur):
    dip, rest = one(cur, """
        select survey_score('nps', case when month(submitted_at) in (12, 1) then score end),
               survey_score('nps', case when month(submitted_at) not in (12, 1) then score end)
        from feedback where survey = 'nps'""")
    assert rest - dip >= 8
    csat_dip, csat_rest = one(cur, """
        select survey_score('csat', case when month(submitted_at) in (12, 1) then score end),
               survey_score('csat', case when month(submitted_at) not in (12, 1) then score end)
        from feedback where survey = 'csat'""")
    assert csat_rest - csat_dip >= 2
    per_day_dip, per_day_rest = one(cur, """
        with daily as (select started_at::date as day, count(*) as n from interactions group by 1)
        select avg(n) filter (where month(day) in (12, 1)), avg(n) filter (where month(day) not in (12, 1))
        from daily""")
    assert per_day_dip > 1.15 * per_day_rest
    slower = cur.execute("""
        select channel, median(first_response_seconds) filter (where month(started_at) in (12, 1))
                        / median(first_response_seconds) filter (where month(started_at) not in (12, 1))
        from interactions where channel in ('chat', 'phone', 'email') group by 1""").fetchall()
    assert all(ratio > 1.3 for _, ratio in slower), slower


def test_billing_misses_its_sla(cur):
    rows = dict(cur.execute("""
        select department, 100 * avg(sla_met(started_at, resolved_at, sla_seconds, $now)::int)
        from interactions where sla_seconds is not null group by 1""", {"now": datetime.now()}).fetchall())
    billing = rows.pop("Billing")
    assert billing < 80
    assert all(other - billing >= 12 and other >= 88 for other in rows.values()), rows
    target = one(cur, "select min(target) from targets where metric = 'sla_compliance' and department = 'Billing'")[0]
    assert billing < target == 90


PRE_CHURN = """
    with churners as (
        select customer_id, churned_on from customers
        where churned_on >= (select min(started_at) from interactions)::date + 90),
    retained as (select customer_id from customers where churned_on is null)
"""


def test_churners_warn_before_leaving(cur):
    det_pre, det_retained = one(cur, PRE_CHURN + """
        select
            (select avg((score <= 6)::int) from feedback f join churners c using (customer_id)
             where survey = 'nps' and f.submitted_at >= c.churned_on - interval 90 day),
            (select avg((score <= 6)::int) from feedback f join retained using (customer_id)
             where survey = 'nps')""")
    assert det_pre > det_retained + 0.15
    complaints_pre, complaints_retained, sla_pre, sla_retained = one(cur, PRE_CHURN + """
        , pre as (select i.* from interactions i join churners c using (customer_id)
                  where i.started_at >= c.churned_on - interval 90 day),
        kept as (select i.* from interactions i join retained using (customer_id))
        select (select avg((kind = 'complaint')::int) from pre),
               (select avg((kind = 'complaint')::int) from kept),
               (select avg(sla_met(started_at, resolved_at, sla_seconds, $now)::int) from pre),
               (select avg(sla_met(started_at, resolved_at, sla_seconds, $now)::int) from kept)""",
                                                                 {"now": datetime.now()})
    assert complaints_pre > 2 * complaints_retained
    assert sla_pre < sla_retained - 0.08


def test_churners_buy_less_before_leaving(cur):
    rows = cur.execute("""
        with span as (
            select min(occurred_at)::date as first_on, max(occurred_at)::date + 1 as last_on from transactions),
        ends as (  -- 180 days of activity before leaving, or before today for those who stay
            select customer_id, coalesce(churned_on, last_on) as end_on, churned_on is not null as is_churner
            from customers, span
            where signup_date < coalesce(churned_on, last_on) - 180
              and coalesce(churned_on, last_on) >= first_on + 180),
        per_customer as (  -- the last 90 days against the 90 before
            select is_churner, customer_id,
                   count(*) filter (where t.occurred_at >= e.end_on - interval 90 day) as n_last,
                   count(*) filter (where t.occurred_at < e.end_on - interval 90 day) as n_before,
                   coalesce(sum(amount) filter (where t.occurred_at >= e.end_on - interval 90 day), 0) as spend_last,
                   sum(amount) filter (where t.occurred_at < e.end_on - interval 90 day) as spend_before
            from ends e join transactions t using (customer_id)
            where t.occurred_at >= e.end_on - interval 180 day and t.occurred_at < e.end_on
            group by all)
        select is_churner, sum(n_last) / sum(n_before), median(spend_last / spend_before),
               avg((spend_last < 0.95 * spend_before)::int)
        from per_customer where spend_before > 0 group by 1""").fetchall()
    churners, retained = ({r[0]: r[1:] for r in rows}[k] for k in (True, False))
    assert churners[0] < retained[0]                   # fewer transactions
    assert churners[1] < 0.8 and retained[1] > 0.95    # the typical customer's spend
    assert churners[2] > retained[2] + 0.2             # share whose spend fell


def test_onboarding_takes_most_effort(cur):
    rows = cur.execute("""
        select journey_stage, survey_score('ces', score) from feedback
        where survey = 'ces' and journey_stage is not null group by 1 order by 2""").fetchall()
    assert rows[0][0] == "onboarding"
    assert rows[1][1] - rows[0][1] >= 0.4


def sentiment(survey, score):
    low, high = demo.SENTIMENT_BOUNDS[survey]
    return "negative" if score <= low else "positive" if score >= high else "neutral"


def test_comments_match_language_and_score(cur):
    pool = {}
    for lang, by_feel in demo.COMMENTS.items():
        for feel, templates in by_feel.items():
            for t in templates:
                for topic in demo.TOPICS[lang].values():
                    pool[t.format(t=topic)] = (lang, feel)
    rows = cur.execute("""
        select c.country, f.survey, f.score, f.comment
        from feedback f join customers c using (customer_id) where f.comment is not null""").fetchall()
    total = one(cur, "select count(*) from feedback")[0]
    assert 0.25 <= len(rows) / total <= 0.45
    for country, survey, score, comment in rows:
        assert pool[comment] == (demo.LANGUAGE_BY_COUNTRY.get(country, "en"), sentiment(survey, score))
    langs = {pool[r[3]][0] for r in rows}
    assert langs == {"en", "es", "pt"}
    text = " ".join(r[3] for r in rows)
    assert all(ch in text for ch in "ñáéãç")


@pytest.mark.parametrize("words, allowed", [
    (("pésim", "decepcionad", "horrible", "peor"), "negative"),
    (("excelente", "encant", "contento", "recomiendo"), "positive"),
    (("terrible", "disappointed", "worst"), "negative"),
    (("excellent", "great", "love"), "positive"),
])
def test_sentiment_words_follow_scores(cur, words, allowed):
    rows = cur.execute("select survey, score, lower(comment) from feedback where comment is not null").fetchall()
    hits = [(s, v) for s, v, text in rows if any(w in text for w in words)]
    assert hits
    assert all(sentiment(s, v) == allowed for s, v in hits)


def test_the_readme_states_what_the_default_demo_builds(demo_december):
    """The README's row counts are those of `python -m cxdata demo` (5,000 customers, seed 7) built on
    the day it names, 1 Dec 2026, the day of the shared demo_december database."""
    line = next(l for l in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                if l.startswith("| building the default demo"))
    said = re.search(r"\(([\d,]+) customers; built on 1 Dec 2026: ([\d,]+) interactions, ([\d,]+) survey "
                     r"responses, ([\d,]+) transactions", line)
    assert said, line
    con = db.connect_readonly(demo_december)
    try:
        counts = [con.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("customers", "interactions", "feedback", "transactions")]
    finally:
        con.close()
    assert [int(n.replace(",", "")) for n in said.groups()] == counts == [5000, 250387, 41125, 86697]
