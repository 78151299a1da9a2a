"""The real app under Streamlit's AppTest, on the hand-written tiny database (see conftest.py)."""
import datetime as dt
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdata import data_status, db, derive, metrics, overview
from cxdata import formatting as fmt
from cxdata.filters import Filters
from tests.conftest import ROOT

# The tiny data's newest day is 2026-03-05, so "last 90 days" is 2025-12-06 .. 2026-03-05.
LAST_90 = Filters(dt.date(2025, 12, 6), dt.date(2026, 3, 5))


def _starter(path, monkeypatch):
    """A function that runs the app on the database at `path`, opened with these URL parameters, on its
    first page or straight on `page` (one run, as a link to that page opens it)."""
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.chdir(ROOT)

    def start(page: str | None = None, **query_params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in query_params.items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        return at.run()
    return start


@pytest.fixture
def app(tiny_db, monkeypatch):
    return _starter(tiny_db, monkeypatch)


def table_with(at, column: str) -> pd.DataFrame:
    """The first table the page shows that has COLUMN: tables come and go with what the data holds."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def shown(at) -> dict[str, str]:
    """Tile values by KPI label (the status badge after the label left out)."""
    return {m.label.split(" :")[0]: m.value for m in at.metric}


def test_overview_under_default_filters_matches_the_metrics_module(app, tiny_con):
    at = app()
    assert not at.exception
    tiles = shown(at)
    assert list(tiles) == [metrics.KPIS[key].label for key in overview.TILE_ORDER]
    reader = db.Reader(tiny_con)
    expected = pd.concat([metrics.kpi_summary(reader, LAST_90, "previous"),
                          metrics.revenue_retention(reader, LAST_90, "previous")]).set_index("kpi")
    for key in ("nps", "csat", "contacts", "churn_rate", "sla_compliance", "first_response_live",
                "first_response_written", "active_customers", "revenue"):
        assert tiles[metrics.KPIS[key].label] == fmt.value(key, expected.loc[key, "value"]), key
    assert tiles["NPS"] == "30" and tiles["CSAT"] == "75.0%" and tiles["Contacts"] == "10"
    # NPS 30 against the company's target of 25: a green badge beside the label that reads as a target;
    # KPIs with no target loaded say so in grey, and KPIs that take none (contacts) have no badge
    assert at.metric[0].label == "NPS :green-badge[met · target 25]"
    assert at.metric[1].label == "CSAT :gray-badge[no target]" and at.metric[3].label == "Contacts"
    # two years of transactions are not there: revenue retention says why it is not shown
    assert tiles["Net revenue retention"] == "Not shown"
    assert any("do not cover the whole base year" in c.value for c in at.caption)
    # what is on screen, in one line under the title: period, comparison, filters, freshness
    line = at.caption[0].value if "Demo" not in at.caption[0].value else at.caption[1].value
    assert "Last 90 days, 6 Dec 2025 – 5 Mar 2026, against the previous period" in line
    assert "All customers, channels and departments" in line and "Data to 5 Mar 2026" in line
    assert at.query_params["period"] == "90d" and at.query_params["compare"] == "previous"


def test_few_responses_say_so_and_never_show_a_score(app):
    at = app()
    assert shown(at)["CES"] == "Too few answers"   # 10 answers, 30 needed
    assert any("n = 10: a score needs at least 30 answers" in c.value for c in at.caption)


def test_the_filters_in_force_are_named_with_what_they_do_not_narrow(app):
    at = app(segment="SMB", channel="chat")
    line = next(c.value for c in at.caption if "Segment: SMB" in c.value)
    assert "Channel: chat" in line
    assert "(churn, customers and revenue: all channels)" in line


def test_segment_from_url_narrows_tiles_and_lists_the_mover(app, tiny_con):
    at = app(segment="SMB")
    assert not at.exception and not at.warning
    assert at.multiselect(key="flt_segment").value == ["SMB"]
    smb = LAST_90.replace(segment=["SMB"])
    expected = metrics.kpi_summary(db.Reader(tiny_con), smb).set_index("kpi")
    assert shown(at)["NPS"] == fmt.value("nps", expected.loc["nps", "value"]) == "62"
    assert shown(at)["Churn rate"] == "20.0%"   # C01 and C02 of 10 SMB customers


def test_changing_a_filter_updates_tiles_and_url(app):
    at = app()
    before = shown(at)["SLA compliance"]
    at.multiselect(key="flt_department").set_value(["Billing"]).run()
    assert not at.exception
    assert shown(at)["SLA compliance"] == "50.0%" != before
    assert at.query_params["department"] == "Billing"


def test_filter_that_matches_nothing_shows_an_empty_state(app):
    at = app(channel="chat", department="Billing")
    assert not at.exception
    assert not at.metric
    assert "No customers, interactions or survey responses match" in at.info[0].value


@pytest.mark.parametrize("params, notice", [
    ({"segment": "' OR 1=1; drop table customers; --"}, "Ignored unknown segment"),
    ({"period": "custom", "from": "2026-13-45", "to": "yesterday"}, "malformed custom date range"),
    ({"period": "forever"}, "Ignored unknown period"),
    ({"compare": "<script>alert(1)</script>"}, "Ignored unknown comparison"),
    ({"region": ["Europe", "Atlantis"]}, "Ignored unknown region 'Atlantis'"),
])
def test_hostile_query_params_are_ignored_with_a_notice(app, params, notice):
    at = app(**params)
    assert not at.exception
    assert any(notice in w.value for w in at.warning), [w.value for w in at.warning]
    assert len(at.metric) == len(overview.TILE_ORDER)


@pytest.mark.parametrize("params, source", [
    ({"segment": "![x](https://example.invalid/q.png)"},
     "Ignored unknown segment '\\!\\[x\\](https:\u2060//example.invalid/q.png)'"),
    ({"compare": "<img src=https://example.invalid/q.png>"},
     "Ignored unknown comparison '\\<img src=https:\u2060//example.invalid/q.png\\>'"),
])
def test_a_value_from_the_url_is_echoed_as_text_not_markdown(app, params, source):
    """Issue 23: the notice drew the URL's Markdown image (and loaded it); its source now escapes it."""
    at = app(**params)
    assert not at.exception
    assert any(w.value.startswith(source) for w in at.warning), [w.value for w in at.warning]


def test_custom_range_from_url(app):
    at = app(period="custom", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert not at.exception and not at.warning
    assert shown(at)["NPS"] == "30" and shown(at)["Revenue"] == "$300"
    assert at.query_params["from"] == "2026-01-01"


def test_data_page_lists_tables_and_loads(app):
    at = app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["What is loaded", "Load history", "Rejected rows"]
    stats = at.dataframe[0].value.set_index("table_name")
    assert stats.loc["customers", "n_rows"] == 20 and stats.loc["feedback", "n_rows"] == 250


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_app_on_loaded_files_picks_up_a_reload(tmp_path, monkeypatch):
    """Files loaded with the loader, not the demo: the tiles follow, and a new load shows at once."""
    from cxdata.load import load_files

    db_file = tmp_path / "mine.duckdb"
    monkeypatch.setenv("CX_DB", str(db_file))
    monkeypatch.chdir(ROOT)
    customers = _write(tmp_path / "customers.csv", "customer_id,segment,region,signup_date\n"
                       + "".join(f"K{i},SMB,Europe,2025-01-01\n" for i in range(40)))
    # 30 promoters and 10 detractors: NPS 50. Line 42 has an NPS of 11: rejected.
    answers = "".join(f"A{i},K{i},2026-03-01 10:00,nps,{10 if i < 30 else 2}\n" for i in range(40))
    feedback = _write(tmp_path / "feedback.csv", "feedback_id,customer_id,submitted_at,survey,score\n"
                      + answers + "A99,K1,2026-03-01 11:00,nps,11\n")
    load_files([customers, feedback], db_path=db_file)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert shown(at)["NPS"] == "50"
    assert at.metric[0].label == "NPS :gray-badge[no target]"     # no target loaded: the badge says so
    assert not at.info or "demo data" not in at.info[0].value

    # 20 more detractors arrive while the app is open: 30 promoters, 30 detractors -> NPS 0.
    more = _write(tmp_path / "more.csv", "feedback_id,customer_id,submitted_at,survey,score\n"
                  + "".join(f"B{i},K{i},2026-03-02 10:00,nps,0\n" for i in range(20)))
    load_files([more], db_path=db_file)
    at.run()
    assert shown(at)["NPS"] == "0"

    at.switch_page("pages/data.py").run()
    assert not at.exception
    summary = table_with(at, "first_line")   # the rejected rows' reasons
    assert summary.iloc[0]["column_name"] == "score" and summary.iloc[0]["n_rows"] == 1
    rows = table_with(at, "raw")              # the rejected rows themselves
    assert rows.iloc[0]["line"] == 42 and rows.iloc[0]["value"] == "11"
    assert at.get("download_button")


@pytest.mark.parametrize("content, says", [
    (b"not a database at all\n", "is not a DuckDB database"),
    (None, "not a cx-cockpit database"),
])
def test_an_unreadable_database_gets_one_clear_message(tmp_path, monkeypatch, content, says):
    import duckdb

    path = tmp_path / "other.duckdb"
    if content is None:
        duckdb.connect(str(path)).execute("create table something_else (x int)").close()
    else:
        path.write_bytes(content)
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert says in at.error[0].value and "CX_DB" in at.error[0].value


@pytest.mark.parametrize("params", [
    {"period": "custom", "from": "1990-01-01", "to": "2026-01-01"},
    {"period": "custom", "from": "2026-01-01", "to": "9999-12-31"},
    {"period": "custom", "from": "0001-03-01", "to": "2026-01-01", "compare": "year"},
])
def test_custom_dates_beyond_bounds_are_ignored_with_a_notice(app, params):
    at = app(**params)
    assert not at.exception
    assert any("outside 2000-01-01 to 2099-12-31" in w.value for w in at.warning)
    assert len(at.metric) == len(overview.TILE_ORDER)


def test_data_page_draws_rows_per_month_with_the_house_template(app):
    at = app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    figure = json.loads(charts[0].proto.spec)
    assert figure["layout"]["title"]["text"] == "Feedback has no rows in Dec 2025"   # the tiny data's one gap
    assert [t["name"] for t in figure["data"] if t["type"] == "bar"] == ["interactions", "feedback", "transactions"]
    assert charts[0].proto.theme == ""   # theme=None: the page shows the board pack's look


def test_data_page_on_an_empty_database_shows_an_empty_state(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    with derive.writable_copy(path):
        pass   # the schema and nothing else
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert not at.get("plotly_chart")
    assert any("No interactions, feedback or transactions loaded yet" in i.value for i in at.info)


@pytest.mark.parametrize("key, value", [("plan", "Plus"), ("journey_stage", "support")])
def test_plan_and_journey_stage_filters_come_from_the_url_and_narrow_the_tiles(app, tiny_con, key, value):
    at = app(**{key: value})
    assert not at.exception and not at.warning
    assert at.multiselect(key=f"flt_{key}").value == [value]
    narrowed = metrics.kpi_summary(db.Reader(tiny_con), LAST_90.replace(**{key: [value]})).set_index("kpi")
    tiles = shown(at)
    for key_shown in ("nps", "sla_compliance", "revenue"):
        assert tiles[metrics.KPIS[key_shown].label] == fmt.value(key_shown, narrowed.loc[key_shown, "value"]) != "—"
    assert at.query_params[key] == value


def test_an_unknown_plan_in_the_url_is_dropped_with_a_notice(app):
    at = app(plan="Platinum'; drop table customers; --")
    assert not at.exception
    assert any("Ignored unknown plan" in w.value for w in at.warning)
    assert at.multiselect(key="flt_plan").value == []


def test_data_page_says_when_the_summary_tables_were_rebuilt(app, tiny_con):
    at = app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    built = tiny_con.execute("select refreshed_at, version from derived_info").fetchone()
    caption = next(c.value for c in at.caption if c.value.startswith("Summary tables rebuilt"))
    assert f"Summary tables rebuilt {built[0]:%Y-%m-%d %H:%M} UTC" in caption and built[1] in caption
    # the last resolution of the tiny interactions, in the zone the data was written in
    assert "latest event, 2026-01-10 10:00 (in the data's own time zone)" in caption


LOOKS_MISSING = {"None", "none", "nan", "NaN", "NaT", "<NA>", "[]"}


def assert_table_reads_cleanly(table) -> None:
    """What a page table shows: no None/nan/NaT and no list reprs in any cell, a missing number or date
    as a blank cell, counts with thousands separators, times of day in a column that names its zone."""
    frame, config = table.value, json.loads(table.proto.columns)
    for name in list(table.proto.column_order) or list(frame.columns):
        column, kind = frame[name], config[name].get("type_config", {}).get("type")
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            assert column.notna().all(), name
            assert not column.isin(LOOKS_MISSING).any() and not column.str.startswith("[").any(), name
        elif column.isna().any():
            assert table.proto.HasField("placeholder") and table.proto.placeholder == "", name
        if name.startswith("n_"):
            assert pd.api.types.is_integer_dtype(column) and config[name]["type_config"]["format"] == "%,d", name
        if pd.api.types.is_datetime64_any_dtype(column) and kind != "date":
            assert kind == "datetime" and str(column.dt.tz) == "UTC", name
            assert config[name]["label"].endswith("(UTC)"), name


def test_data_page_tables_read_cleanly_with_load_times_in_utc(tmp_path, monkeypatch, machine_zone):
    """Loads run on a machine set to India time (UTC+5:30): the page shows them at the UTC instant
    they ran; no cell says None or nan; counts are formatted; the database and its size stay."""
    from cxdata.load import LoadError, load_files

    machine_zone("Asia/Kolkata")
    db_file = tmp_path / "mine.duckdb"
    monkeypatch.setenv("CX_DB", str(db_file))
    monkeypatch.chdir(ROOT)
    customers = _write(tmp_path / "customers.csv", "customer_id,segment,region,signup_date\n"
                       + "".join(f"K{i},SMB,Europe,2025-01-01\n" for i in range(1500)))
    # Line 2 has an NPS of 11, line 3 no score, line 4 has a value too many (a malformed
    # row: no column to blame).
    feedback = _write(tmp_path / "feedback.csv", "feedback_id,customer_id,submitted_at,survey,score\n"
                      "A1,K1,2026-03-01 10:00,nps,11\nA2,K2,2026-03-01 11:00,nps,\nA3,K3,2026-03-01,nps,5,6\n"
                      "A4,K4,2026-03-01 12:00,nps,9\n")
    garbage = _write(tmp_path / "garbage.csv", "foo,bar\n1,2\n")
    before = pd.Timestamp(dt.datetime.now(dt.timezone.utc))
    load_files([customers, feedback], db_path=db_file)
    with pytest.raises(LoadError):
        load_files([garbage], db_path=db_file)
    after = pd.Timestamp(dt.datetime.now(dt.timezone.utc))

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    # what is loaded, what the data does not provide (no interactions, churn dates or transactions),
    # load history, rejected reasons, rejected rows
    assert len(at.dataframe) == 5
    for table in at.dataframe:
        assert_table_reads_cleanly(table)
    # the database and its size stay on this page (the shared header may drop the path)
    assert any(c.value.startswith(f"Database `{db_file}` · {data_status.file_size(db_file)}. ") for c in at.caption)

    stats = at.dataframe[0].value.set_index("table_name")
    assert stats.loc["customers", "n_rows"] == 1500 and stats.loc["journey_stages", "dated_by"] == ""
    history = at.dataframe[2].value
    assert history["files"].tolist() == ["garbage.csv", "customers.csv, feedback.csv"]
    assert history["target_table"].tolist() == ["", "customers, feedback"]
    assert history["n_read"].tolist() == [0, 1504] and history["outcome"].tolist() == ["Failed", "Some rejected"]
    assert history["started_at"].between(before, after).all()
    rows = at.dataframe[4].value.sort_values("line")
    assert rows["line"].tolist() == [2, 3, 4] and rows["value"].tolist()[:2] == ["11", ""]
    assert rows["column_name"].iloc[2] == "" and (rows["loaded_at"] == history["started_at"].iloc[1]).all()
    load_choice = next(s for s in at.selectbox if s.label == "Load").options[1]   # when it started, its files
    assert load_choice == f"{history['started_at'].iloc[1]:%Y-%m-%d %H:%M} UTC · customers.csv, feedback.csv"


@pytest.fixture(scope="module")
def demo_db(demo_march):
    """A small demo (its planted December-January dip and Billing's SLA shortfall included)."""
    return demo_march


@pytest.fixture
def demo_app(demo_db, monkeypatch):
    return _starter(demo_db, monkeypatch)


def _tile(at, label):
    return next(m for m in at.metric if m.label.split(" :")[0] == label)


def test_a_significant_fall_is_a_red_fall(demo_app):
    at = demo_app(period="custom", **{"from": "2025-12-01", "to": "2026-01-31"})
    assert not at.exception
    for label in ("NPS", "CSAT", "SLA compliance"):
        tile = _tile(at, label)
        assert tile.delta.startswith("-") and "not significant" not in tile.delta, (label, tile.delta)
        assert tile.proto.color == tile.proto.MetricColor.RED, label
        assert tile.proto.direction == tile.proto.MetricDirection.DOWN, label
    # the season is said once, for the whole view, not as every group moving
    assert any("Across the whole view" in m.value and "worsened significantly" in m.value for m in at.markdown)
    # a long list shows its first items and says how many more there are, one click away
    more = [e for e in at.expander if e.label.startswith("and ") and e.label.endswith(" more")]
    assert len(more) == 1 and int(more[0].label.split()[1]) > 0


def test_attention_lists_billing_standing_sla_miss_and_focus_keeps_the_next_change(demo_app):
    at = demo_app()
    miss = [m.value for m in at.markdown if "**Billing**'s SLA compliance" in m.value]
    assert miss and miss[0].endswith("SLA compliance is 63.2% and misses its 90.0% target over 15 Dec 2025 – "
                                     "14 Mar 2026; below target in every quarter since Q2 2024."), miss
    focus = next(b for b in at.button if b.label == "Focus on Billing")
    sla_before = shown(at)["SLA compliance"]
    focus.click().run()
    assert not at.exception
    assert at.multiselect(key="flt_department").value == ["Billing"]
    assert at.query_params["department"] == "Billing"
    assert shown(at)["SLA compliance"] != sla_before
    at.selectbox(key="flt_compare").set_value("year").run()      # the next sidebar change sticks
    assert at.query_params["compare"] == "year" and at.query_params["department"] == "Billing"
    assert at.multiselect(key="flt_department").value == ["Billing"]


def test_this_quarter_is_compared_with_the_previous_quarter_to_date(demo_app):
    at = demo_app(period="quarter")
    assert at.selectbox(key="flt_compare").value == "quarter"
    assert any("against the previous quarter to date (1 Oct 2025 – 14 Dec 2025)" in c.value for c in at.caption)
    at.selectbox(key="flt_period").set_value("ytd").run()
    assert at.selectbox(key="flt_compare").value == "year" and at.query_params["compare"] == "year"


def test_a_comparison_before_the_data_withholds_count_changes(demo_app):
    # the demo starts 2024-03-01: the 438 days before 2025-01-01 are half covered
    at = demo_app(period="custom", **{"from": "2025-01-01", "to": "2026-03-14"})
    assert any("before the first record" in c.value for c in at.caption)
    assert not _tile(at, "Revenue").delta and not _tile(at, "Contacts").delta
    assert _tile(at, "NPS").delta     # rates and scores still compare


def test_a_database_with_customers_and_no_activity_opens_without_an_error(tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute("insert into customers (customer_id, segment) values ('C1', 'SMB'), ('C2', 'SMB')")
    start = _starter(path, monkeypatch)
    at = start()
    assert not at.exception
    at.switch_page("pages/trends.py").run()
    assert not at.exception


def test_data_page_lists_answers_whose_contact_was_not_loaded(tmp_path, monkeypatch):
    """Issue 21, item 7: a rejected ticket and a ticket in no file; the two answers that name them and
    have no department of their own are listed, newest first, under their own heading."""
    from cxdata.load import load_files
    from tests.test_load_rows import ANSWERS, INTERACTIONS

    db_file = tmp_path / "mine.duckdb"
    load_files([_write(tmp_path / "interactions.csv", INTERACTIONS), _write(tmp_path / "answers.csv", ANSWERS)],
               db_path=db_file)
    at = _starter(db_file, monkeypatch)()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["What is loaded", "What your data does not provide", "Load history",
                                               "Answers whose contact is not loaded", "Rejected rows"]
    assert any(c.value.startswith("2 answers name a contact (interaction_id) that is not loaded") for c in at.caption)
    listed = at.dataframe[3]
    assert listed.value[["feedback_id", "interaction_id", "score"]].values.tolist() == [["F3", "I9", 2],
                                                                                         ["F2", "I2", 1]]
    assert_table_reads_cleanly(listed)
