"""The warm start: after warm(), a first visitor's default view is served from the cache."""
import datetime as dt

from cxdata import db, filters, overview
from cxdata.app import cache, frame, warmup


def test_warm_computes_the_default_view_so_the_first_visit_runs_no_query(tiny_db, monkeypatch):
    cache._run.clear()
    warmup.warm(tiny_db)

    ran = []
    real_run = db.run
    monkeypatch.setattr(db, "run", lambda con, name, params=None: ran.append(name) or real_run(con, name, params))
    reader = cache.CachedReader(tiny_db)
    facts = frame.data_facts(reader)
    view = filters.from_query_params({}, frame.filter_options(reader), facts["newest_on"], facts["oldest_on"])
    assert view.filters.end == dt.date(2026, 3, 5)   # the default: last 90 days to the newest day
    data = overview.load(reader, view.filters, view.compare, frame.min_responses())
    assert ran == []                                 # every query came from the cache
    assert overview.has_data(data.summary)


def test_warm_start_can_be_turned_off(monkeypatch, tiny_db):
    monkeypatch.setenv("CX_WARMUP", "0")
    warmup.start.clear()
    assert warmup.start(str(tiny_db)) is None


def test_the_warm_up_starts_even_when_the_first_page_stops_early(tiny_db, monkeypatch):
    """The data page ends with st.stop() when there are no rejected rows, as after a demo build."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    started = []
    monkeypatch.setattr(warmup, "start", started.append)
    monkeypatch.setenv("CX_DB", str(tiny_db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/data.py").run()
    assert not at.exception and at.success   # "No rejected rows": the page stopped there
    assert started == [str(tiny_db)]


def test_a_database_removed_under_the_running_app_is_replaced_by_the_demo(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from cxdata import demo
    from tests.conftest import ROOT

    path = tmp_path / "cx.duckdb"
    monkeypatch.setenv("CX_DB", str(path))
    # the app's own build, at 300 customers rather than 5,000: what matters here is that it happens, twice
    real = demo.build_demo
    monkeypatch.setattr(demo, "build_demo", lambda path: real(path, customers=300))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert len(at.metric) == len(overview.TILE_ORDER)
    path.unlink()
    at.run()
    assert not at.exception and not at.error and len(at.metric) == len(overview.TILE_ORDER) and path.exists()


def test_long_lists_named_by_a_version_are_cached_by_it_not_hashed(monkeypatch, tiny_db):
    """The worked follow-up cases reach the follow-up query as lists of a quarter of a million values at
    10 M interactions: the cache keys on the version naming them (db.LISTS_VERSION), and every other
    parameter, lists included, still keys it."""
    ran = []
    real_run = db.run
    monkeypatch.setattr(db, "run", lambda con, name, params=None: ran.append(params) or real_run(con, name, params))
    reader = cache.CachedReader(tiny_db)
    query = "select unnest($worked_ids) as id, $region as region"

    def ask(worked_ids: list[str], version: str, region: str) -> list:
        monkeypatch.setattr(db, "sql_text", lambda name: query)
        monkeypatch.setattr(db, "query_params", lambda name: {"worked_ids", "region"})
        found = reader.run("probe_versioned", {"worked_ids": worked_ids, "region": region,
                                               db.LISTS_VERSION: (version, ("worked_ids",))})
        return sorted(found["id"])

    assert ask(["a", "b"], "v1", "Europe") == ["a", "b"]
    assert ask(["a", "b", "c"], "v1", "Europe") == ["a", "b"]   # the same version: the cached rows, lists unread
    assert ask(["a", "b", "c"], "v2", "Europe") == ["a", "b", "c"]
    assert ask(["a", "b", "c"], "v2", "LATAM") == ["a", "b", "c"] and len(ran) == 3   # other parameters still key it
    assert all(db.LISTS_VERSION in params for params in ran)    # passed through; run() binds only what the query names
