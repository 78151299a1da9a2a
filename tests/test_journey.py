"""The journey map on a hand-built database whose paths and moments of truth are worked out by hand.

Stages are the company's own (discover, buy, use, renew; renew has no data) plus 'mystery', which is not
in journey_stages. The period is Q1 2026; the data's newest day is 2026-06-01 (customer Z).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil

import pandas as pd
import pytest

from cxdata import charts, db, derive, journey
from cxdata import formatting as fmt
from cxdata.filters import Filters, preset_range
from tests.test_app import _starter

Q1 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
NEWEST = dt.date(2026, 6, 1)

ROWS = """
insert into journey_stages values ('discover', 1, 'finding us'), ('buy', 2, null), ('use', 3, null), ('renew', 4, null);
-- P1..P4 make paths; B1..B4 had a late call in 'use' (bad), G1..G6 an on-time one (fine), C1 a late one
-- too recent to follow for 90 days; Z only extends the data to 2026-06-01.
insert into customers
select id, id, 'SMB', 'Europe', 'ES', 'Plus', date '2025-01-01', 1000, 'Ana', churned::date
from (values ('P1', null), ('P2', null), ('P3', '2026-05-01'), ('P4', null),
             ('B1', '2026-03-15'), ('B2', '2026-03-15'), ('B3', '2026-06-01'), ('B4', null),
             ('G1', '2026-04-01'), ('G2', null), ('G3', null), ('G4', null), ('G5', null), ('G6', null),
             ('C1', null), ('Z', null)) t(id, churned);
insert into interactions values
    ('i1', 'P1', '2026-01-05 10:00', 'web', 'discover', 'ad', 'Marketing', 'inquiry', 'front', null, '2026-01-05 10:05', false, null),
    -- P2: three interactions at the same instant, then 'use'
    ('i2', 'P2', '2026-01-06 10:00', 'web', 'discover', 'site', 'Marketing', 'inquiry', 'front', null, '2026-01-06 10:05', false, null),
    ('i3', 'P2', '2026-01-06 10:00', 'web', 'discover', 'ad', 'Marketing', 'inquiry', 'front', null, '2026-01-06 10:05', false, null),
    ('i4', 'P2', '2026-01-06 10:00', 'web', 'buy', 'checkout', 'Sales', 'purchase', 'front', null, '2026-01-06 10:05', false, null),
    ('i5', 'P2', '2026-02-01 09:00', 'app', 'use', 'app', 'Product', 'inquiry', 'front', null, '2026-02-01 09:30', false, null),
    -- P3 skips 'buy'
    ('i6', 'P3', '2026-01-07 10:00', 'web', 'discover', 'ad', 'Marketing', 'inquiry', 'front', null, '2026-01-07 10:05', false, null),
    ('i7', 'P3', '2026-02-02 10:00', 'app', 'use', 'app', 'Product', 'inquiry', 'front', null, '2026-02-02 10:05', false, null),
    -- P4 reaches a stage the company never listed
    ('i8', 'P4', '2026-01-08 10:00', 'app', 'use', 'app', 'Product', 'inquiry', 'front', null, '2026-01-08 10:05', false, null),
    ('i9', 'P4', '2026-01-09 10:00', 'chat', 'mystery', 'oracle', 'IT', 'inquiry', 'front', 30, '2026-01-09 10:05', false, 3600),
    ('iz', 'Z', '2026-06-01 10:00', 'app', 'use', 'app', 'Product', 'inquiry', 'front', null, '2026-06-01 10:05', false, null);
insert into interactions
select 'b' || id, id, timestamp '2026-02-01 09:00', 'phone', 'use', 'call', 'Support',
       case when id = 'B1' then 'complaint' else 'inquiry' end, 'front', 60,
       timestamp '2026-02-01 09:00' + to_seconds(case when id like 'G%' then 1800 else 7200 end), false, 3600
from (values ('B1'), ('B2'), ('B3'), ('B4'), ('G1'), ('G2'), ('G3'), ('G4'), ('G5'), ('G6')) t(id);
insert into interactions values
    ('c1', 'C1', '2026-03-31 09:00', 'phone', 'use', 'call', 'Support', 'inquiry', 'front', 60, '2026-03-31 12:00', false, 3600);
insert into feedback values
    ('f1', 'P1', 'i1', '2026-01-05 11:00', 'csat', 5, 'Great! Call me on +34 612 345 678 or write to ana.lopez@example.com', null, null, null);
"""


@pytest.fixture(scope="module")
def journey_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("journey") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
    return path


@pytest.fixture(scope="module")
def reader(journey_db):
    con = db.connect_readonly(journey_db)
    yield db.Reader(con)
    con.close()


@pytest.fixture(scope="module")
def order(reader):
    return journey.stage_order(reader)


def test_own_stage_names_in_order_with_the_unknown_one_last_and_flagged(order):
    assert order.stages == ["discover", "buy", "use", "renew", "mystery"]
    assert order.unknown == ["mystery"] and not order.by_appearance
    assert "'mystery' is not in `journey_stages`" in order.note()


def test_without_journey_stages_stages_follow_their_first_appearance(journey_db, tmp_path):
    path = tmp_path / "bare.duckdb"
    shutil.copyfile(journey_db, path)
    with derive.writable_copy(path) as con:
        con.execute("delete from journey_stages")
    con = db.connect_readonly(path)
    try:
        bare = journey.stage_order(db.Reader(con))
    finally:
        con.close()
    assert bare.stages == ["discover", "buy", "use", "mystery"]   # first seen 5, 6, 8 and 9 January
    assert bare.by_appearance and "ordered by when each first appears" in bare.note()


def test_stage_paths_one_interaction_same_instant_skipped_stage_and_unknown_stage(reader, order):
    links = journey.flows(reader, Q1, order).links
    got = {(r.from_stage, None if pd.isna(r.to_stage) else r.to_stage): (r.n_customers, r.n_churned)
           for r in links.itertuples()}
    assert got == {
        ("discover", None): (1, 0),        # P1: one interaction, no later stage
        ("discover", "buy"): (1, 0),       # P2: discover and buy at the same instant, in the journey's order
        ("buy", "use"): (1, 0),
        ("discover", "use"): (1, 1),       # P3 skips buy (and churned on 1 May)
        ("use", "mystery"): (1, 0),        # P4: the unlisted stage comes last
        ("mystery", None): (1, 0),
        ("use", None): (13, 5),            # P2, P3 and the 11 callers; P3, B1, B2, B3 and G1 churned since
    }
    ends = links[links["to_stage"].isna()]["n_customers"].sum()
    assert ends == 15 == reader.con.execute(
        "select count(distinct customer_id) from interactions where started_at >= '2026-01-01' and started_at < '2026-04-01'"
    ).fetchone()[0]


def test_drop_outs_per_stage(reader, order):
    drops = journey.drop_outs(journey.flows(reader, Q1, order).links, order).set_index("stage")
    assert drops.loc["discover", "n_customers"] == 3 and drops.loc["discover", "no_further_pct"] == pytest.approx(100 / 3)
    assert drops.loc["use", "n_no_further"] == 13 and drops.loc["use", "churned_pct"] == pytest.approx(500 / 13)
    assert "renew" not in drops.index     # nobody reached it


def test_the_sankey_is_a_real_sankey_whose_end_links_add_up_to_the_customers(reader, order):
    nodes, colors, links = journey.stage_sankey(journey.flows(reader, Q1, order).links, order)
    fig = charts.journey_sankey(nodes, colors, links, "t")
    sankey = fig.data[0]
    assert sankey.type == "sankey" and list(sankey.node.label) == nodes
    ends = {nodes.index(journey.END_CHURNED), nodes.index(journey.END_STAYED)}
    assert sum(v for t, v in zip(sankey.link.target, sankey.link.value) if t in ends) == 15
    assert sum(v for t, v in zip(sankey.link.target, sankey.link.value) if t == nodes.index(journey.END_CHURNED)) == 5


def test_touchpoint_paths_break_ties_by_name_and_say_whether_customers_went_on(reader, order):
    links = journey.touchpoint_paths(journey.flows(reader, Q1, order).touchpoint_links, "discover")
    got = {(r.from_step, r.from_touchpoint, None if pd.isna(r.to_step) else r.to_touchpoint,
            None if pd.isna(r.went_on) else bool(r.went_on)): r.n_customers for r in links.itertuples()}
    assert got == {(1, "ad", "site", None): 1,      # P2: ad and site at the same instant
                   (2, "site", None, True): 1,      # then buy
                   (1, "ad", None, True): 1,        # P3: then use
                   (1, "ad", None, False): 1}       # P1: nothing later


def test_moments_of_truth_arithmetic_by_hand(reader, order):
    window = journey.moments_window(Q1, NEWEST)
    assert not window.is_shifted
    counts = journey.moment_counts(reader, window)
    # the page gets the same counts from the paths' query when the periods are the same
    pd.testing.assert_frame_equal(journey.flows(reader, Q1, order, window).moment_counts, counts)
    ranked = journey.rank_moments(counts, min_customers=1).set_index(["journey_stage", "touchpoint"])
    call = ranked.loc[("use", "call")]
    # bad: B1..B4 (C1 is censored: 31 Mar + 90 days ends after 1 Jun); B1 and B2 left within 90 days,
    # B3 on 1 Jun (day 120) is not counted. Fine: G1..G6, G1 lost on 1 Apr.
    assert (call["n_bad"], call["n_bad_lost"], call["n_good"], call["n_good_lost"], call["n_censored"]) == (4, 2, 6, 1, 1)
    assert call["churn_bad"] == pytest.approx(50.0) and call["churn_good"] == pytest.approx(100 / 6)
    assert call["value_bad"] == 4000 and call["excess_value"] == pytest.approx((0.5 - 1 / 6) * 4000)
    # two-proportion z-test, pooled: p = 3/10, se = sqrt(0.3 * 0.7 * (1/4 + 1/6)) = 0.29580
    assert call["z"] == pytest.approx(0.333333 / 0.295804, rel=1e-4)
    assert call["p_value"] == pytest.approx(0.2598, abs=1e-3) and not call["is_significant"]
    assert call["difference_moe"] == pytest.approx(196 * math.sqrt(0.25 / 4 + (1 / 6) * (5 / 6) / 6), rel=1e-6)
    assert ranked.loc[("discover", "ad"), "n_good"] == 1     # P1's CSAT 5 on the ad


def test_a_period_too_recent_to_follow_up_uses_the_same_length_before_and_says_so():
    window = journey.moments_window(Filters(dt.date(2026, 4, 1), dt.date(2026, 5, 30)), NEWEST)
    assert window.is_shifted and window.filters.end == dt.date(2026, 3, 3) and window.filters.days == 60


def test_two_proportions_edge_cases():
    assert journey.two_proportions(0, 0, 1, 5)["p_value"] is None
    same = journey.two_proportions(0, 10, 0, 10)
    assert same["difference"] == 0 and same["p_value"] == 1.0


def test_the_map_counts_and_judges_against_the_whole_view(reader, order):
    cells = journey.touchpoint_map(reader, Q1, order, min_responses=1)
    call = cells[(cells["stage"] == "use") & (cells["touchpoint"] == "call")].iloc[0]
    assert call["n_interactions"] == 11 and call["n_sla_judged"] == 11
    assert call["sla_breach_pct"] == pytest.approx(500 / 11) and call["complaint_pct"] == pytest.approx(100 / 11)
    mystery = cells[cells["stage"] == "mystery"].iloc[0]
    assert mystery["is_flagged"] and mystery["sla_breach_pct"] == 0
    assert journey.stage_columns(cells, order) == ["discover", "buy", "use", "renew", "mystery"]
    assert journey.stage_summary(cells, "renew") == "no data in this period"   # shown empty, not dropped
    fig = charts.journey_map(cells, journey.stage_columns(cells, order), {}, {"mystery"}, "t")
    assert any("no contacts" in a.text for a in fig.layout.annotations)
    assert any(a.text.startswith("<b>⚑ Mystery") for a in fig.layout.annotations)


def test_comments_are_masked(reader):
    comments = journey.recent_comments(reader, Q1, "discover", None)
    assert comments["comment"].tolist() == ["Great! Call me on [phone] or write to [email]"]


def test_derived_and_raw_paths_agree(reader, order):
    params = {**Q1.params(), "stage_order": order.stages, "follow_days": 90, "newest_on": NEWEST,
              "with_moments": True}
    for name in ("journey_map", "journey_flows", "journey_moments"):
        derived, raw = reader.run(name, params), reader.run(f"raw_{name}", params)
        pd.testing.assert_frame_equal(derived, raw, check_dtype=False)


@pytest.mark.parametrize("preset", journey.STORED_PRESETS)
def test_refresh_stores_each_presets_paths_exactly_as_computed(demo_reader, preset):
    newest = demo_reader.run("data_extent").iloc[0]["newest_on"].date()
    order = journey.stage_order(demo_reader)
    view = Filters(*preset_range(preset, newest))
    params = journey._flow_params(view, order, journey.moments_window(view, newest))
    stored = demo_reader.run("journey_flows_stored", params)
    assert len(stored) > 100 and set(stored["part"]) >= {"stage", "touchpoint"}
    pd.testing.assert_frame_equal(stored, demo_reader.run("journey_flows", params), check_dtype=False)


def test_a_filter_or_another_period_is_computed_not_read_from_the_stored_presets(demo_reader):
    newest = demo_reader.run("data_extent").iloc[0]["newest_on"].date()
    order = journey.stage_order(demo_reader)
    year = Filters(*preset_range("12m", newest))
    for view in (year.replace(segment=["SMB"]), year.replace(start=year.start + dt.timedelta(days=1))):
        params = journey._flow_params(view, order, journey.moments_window(view, newest))
        assert demo_reader.run("journey_flows_stored", params).empty
        flows = journey.flows(demo_reader, view, order, journey.moments_window(view, newest))
        computed = demo_reader.run("journey_flows", params)
        assert flows.links["n_customers"].sum() == computed.loc[computed["part"] == "stage", "n_customers"].sum() > 0


@pytest.fixture
def app(journey_db, monkeypatch):
    return _starter(journey_db, monkeypatch)


def test_journey_page_draws_map_paths_moments_and_the_drill_down(app):
    at = app(period="custom", **{"from": "2026-01-01", "to": "2026-03-31"})
    at.switch_page("pages/journey.py").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["How customers move through the journey",
                                              "Moments of truth: where a bad experience loses customers", "Drill down"]
    assert any("'mystery' is not in `journey_stages`" in c.value for c in at.caption)
    sankeys = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
               if json.loads(c.proto.spec)["data"] and json.loads(c.proto.spec)["data"][0]["type"] == "sankey"]
    stage = sankeys[0]["data"][0]
    ends = {stage["node"]["customdata"].index(journey.END_CHURNED), stage["node"]["customdata"].index(journey.END_STAYED)}
    assert sum(v for t, v in zip(stage["link"]["target"], stage["link"]["value"]) if t in ends) == 15
    # the drill-down: another stage, then one touchpoint; comments are masked
    at.selectbox(key="journey_stage").set_value("discover").run()
    assert not at.exception and at.query_params["stage"] == "discover"
    said = [fmt.unmarked(m.value) for m in at.markdown]   # as read: data values are escaped Markdown
    assert any("[phone]" in m and "[email]" in m for m in said)
    assert not any("612 345" in m or "@example.com" in m for m in said)
    at.selectbox(key="journey_touchpoint").set_value("ad").run()
    assert not at.exception
    assert any(json.loads(c.proto.spec)["layout"]["title"]["text"] == "CSAT of discover · ad, month by month"
               for c in at.get("plotly_chart"))


def test_a_link_opens_the_journey_page_on_its_stage(app):
    at = app(period="custom", stage="use", **{"from": "2026-01-01", "to": "2026-03-31"})
    at.switch_page("pages/journey.py").run()
    assert not at.exception
    assert at.selectbox(key="journey_stage").value == "use"
    assert at.query_params["period"] == "custom" and at.query_params["stage"] == "use"


@pytest.fixture(scope="module")
def demo_path(demo_march):
    return demo_march


@pytest.fixture(scope="module")
def demo_reader(demo_path):
    con = db.connect_readonly(demo_path)
    yield db.Reader(con)
    con.close()


@pytest.mark.parametrize("days", [90, 365])
def test_on_the_demo_onboarding_is_hardest_and_signal_c_touchpoints_lose_most(demo_reader, days):
    newest = dt.date(2026, 3, 14)
    data = journey.load(demo_reader, Filters(newest - dt.timedelta(days=days - 1), newest), newest, 30)
    assert journey.effort_pain_points(data.cells).iloc[0]["stage"] == "onboarding"       # signal d
    ranked = data.moments
    top = ranked.iloc[0]
    assert top["is_significant"] and top["touchpoint_name"] in {"ticket", "callback", "renewal call", "invoice"}
    significant = set(ranked.loc[ranked["is_significant"], "touchpoint_name"])
    assert {"ticket", "callback", "renewal call"} <= significant                           # signal c
    assert "moment of truth that loses most" in journey.moments_sentence(ranked)


def test_the_overviews_journey_stage_movers_link_to_the_journey_page(demo_path, monkeypatch):
    at = _starter(demo_path, monkeypatch)(period="custom", **{"from": "2025-12-01", "to": "2026-01-31"})
    assert not at.exception
    movers = [re.search(r"\*\*Journey stage (\w+)\*\*", m.value) for m in at.markdown]
    stages = [found.group(1) for found in movers if found]
    assert stages == ["renewal"]  # its SLA compliance fell in the December-January dip
    links = [link for link in at.get("page_link") if link.proto.label == "Journey map"]
    assert len(links) == 1 and links[0].proto.page.endswith("journey")
    assert "stage=renewal" in links[0].proto.query_string and "period=custom" in links[0].proto.query_string


def test_the_drill_down_opens_on_the_first_stage_with_data_under_the_filters(app):
    # Product owns only 'use' contacts (i5, i7, i8): 'discover' and 'buy' are empty under that filter.
    at = app(period="custom", department="Product", **{"from": "2026-01-01", "to": "2026-03-31"})
    at.switch_page("pages/journey.py").run()
    assert not at.exception
    assert at.selectbox(key="journey_stage").value == "use"


def test_default_stage_skips_empty_stages_and_prefers_a_significant_moment(reader, order):
    cells = journey.touchpoint_map(reader, Q1.replace(department=["Product"]), order, min_responses=1)
    choices = journey.stage_columns(cells, order)
    assert journey.stages_with_data(cells) == {"use"}
    quiet = pd.DataFrame({"stage": ["use"], "is_significant": [False]})
    assert journey.default_stage(cells, [c for c in choices if c != journey.NO_STAGE], quiet.iloc[0:0]) == "use"
    everything = journey.touchpoint_map(reader, Q1, order, min_responses=1)
    assert journey.default_stage(everything, ["discover", "buy", "use", "renew"], quiet) == "discover"
    # a significant moment of truth in a stage with data is where it opens; in an empty one it is not
    assert journey.default_stage(everything, ["discover", "buy", "use", "renew"], quiet.assign(is_significant=True)) == "use"
    assert journey.default_stage(everything, ["discover", "buy", "use", "renew"],
                                 pd.DataFrame({"stage": ["renew"], "is_significant": [True]})) == "discover"


def test_the_moments_title_is_the_top_bar_drawn_and_only_when_it_is_significant():
    ranked = pd.DataFrame({"stage": ["support", "renewal"], "touchpoint_name": ["ticket", "invoice"],
                           "is_tested": [True, True], "is_significant": [True, False],
                           "churn_bad": [11.14, 7.2], "churn_good": [4.05, 2.4], "n_bad": [736, 376], "n_good": [1705, 613]})
    assert journey.moments_title(ranked) == "Support · ticket: 11% lost within 90 days after a bad experience, 4% after fine ones"
    fig = charts.moments_of_truth(ranked, journey.moments_title(ranked))
    assert fig.data[-1].y[-1] == "support · ticket"          # the top row drawn is the one the title names
    nothing = ranked.assign(is_significant=False)
    assert journey.moments_title(nothing) == "Customers lost within 90 days of an experience"   # no finding claimed
