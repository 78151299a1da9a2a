"""tests/bench_users.py's client against the real app: two people at once get their pages drawn through
Streamlit's own protocol, with the app's own numbers on them; a page that is not there, and a page that
raises, are reported as failures."""
from __future__ import annotations

import asyncio
import shutil
import sys
import urllib.parse

import pytest
from websockets.asyncio.client import connect

from cxdata import data_status, db, filters, metrics
from cxdata import formatting as fmt
from cxdata.overview import TILE_ORDER
from cxdata.store import store_path
from tests import bench_users
from tests.bench_users import PAGES, ElementCache, open_page


@pytest.fixture(scope="module")
def served(demo_march, tmp_path_factory):
    """`python -m cxdata serve` on a copy of the March demo (and its store); yields its address and the copy."""
    folder = tmp_path_factory.mktemp("users")
    path = folder / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    shutil.copyfile(store_path(demo_march), store_path(path))
    proc, url = bench_users.start_server(path, folder / "serve.log", timeout=180)
    try:
        yield url, path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_url_parameters_are_the_apps():
    assert set(bench_users.PERIODS) == set(filters.PRESETS) - {"custom"}
    assert set(bench_users.COMPARISONS) == set(filters.COMPARISONS)
    assert {key: d.label for key, d in filters.DIMENSIONS.items()} == {
        key: label for label, key in bench_users.FILTER_BOXES.items()}


def test_two_people_at_once_get_their_pages_drawn_with_the_apps_numbers(served):
    url, path = served
    opened, answers, _loads = asyncio.run(bench_users.simulate(url, users=2, seconds=300, pages=list(PAGES),
                                                               think=(0, 0), opens=3))
    assert len(opened) == 2 * 4                             # the overview first, then three pages each
    assert [(o.page, o.query, o.drawn.problems) for o in opened if o.failed] == []
    assert all(o.drawn.finished and PAGES[o.page][1] in o.drawn.headings for o in opened)

    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        facts = data_status.facts(reader)
        options = data_status.filter_options(reader)
        view = filters.from_query_params({}, options, facts["last_complete_on"], facts["oldest_on"])
        expected = metrics.kpi_summary(reader, view.filters, view.compare).set_index("kpi")["value"]
    finally:
        con.close()
    first = [o for o in opened if o.first]
    assert sorted(o.user for o in first) == [0, 1]
    for o in first:
        tiles = {line.split(": ")[0].split(" :")[0]: line.rsplit(": ", 1)[1] for line in o.drawn.metrics}
        assert list(tiles) == [metrics.KPIS[key].label for key in TILE_ORDER]
        assert tiles["NPS"] == fmt.value("nps", expected["nps"])
        assert tiles["Contacts"] == fmt.value("contacts", expected["contacts"])
        assert o.drawn.boxes["Segment"] == ["Consumer", "Enterprise", "Mid-Market", "SMB"] == options["segment"]
    for o in opened:
        if not o.first:     # a view the sidebar offers: a preset, a comparison, values that exist
            asked = urllib.parse.parse_qs(o.query)
            assert asked["period"][0] in bench_users.PERIODS and asked["compare"][0] in bench_users.COMPARISONS
            assert all(set(values) <= set(options[key]) for key, values in asked.items() if key in options)
    assert answers[0] is not None                           # the health check answered


def test_a_page_that_is_not_there_is_reported(served):
    url, _path = served

    async def ask() -> tuple:
        async with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                           max_size=None, proxy=None) as ws:
            return await open_page(ws, ElementCache(), url, "overview", "period=30d", 120, path="no-such-page")
    _seconds, drawn = asyncio.run(ask())
    # Streamlit answers with the default page, and says the one asked for was not found
    assert drawn.finished and drawn.problems == ["page not found: 'no-such-page'"]


def test_a_page_that_raises_is_reported_with_its_exception(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import streamlit as st\n\nst.title('Executive overview')\n"
                      "raise RuntimeError('deliberately broken')\n")
    proc, url = bench_users.start(
        lambda port: [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
                      "--server.port", str(port), "--server.headless", "true",
                      "--browser.gatherUsageStats", "false"], tmp_path / "broken.log", timeout=120, cwd=tmp_path)
    try:
        opened, _answers, _loads = asyncio.run(bench_users.simulate(url, users=1, seconds=300, pages=["overview"],
                                                                    think=(0, 0), opens=0))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert len(opened) == 1 and opened[0].drawn.finished
    assert opened[0].drawn.headings == ["Executive overview"]       # drawn before it raised
    assert opened[0].drawn.problems == ["exception RuntimeError: deliberately broken"]


def test_people_arriving_together_on_a_fresh_server_at_another_page_get_it_framed(demo_march, tmp_path):
    """A fresh server runs a page URL without app.py until one session leaves that mode: five people
    opening the trends page at the same moment must each get it through the frame, not a traceback
    (before the fix, all but the first got KeyError 'cx_view')."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    shutil.copyfile(store_path(demo_march), store_path(path))
    proc, url = bench_users.start_server(path, tmp_path / "serve.log", timeout=180)
    try:
        opened, _answers, _loads = asyncio.run(bench_users.simulate(url, users=5, seconds=300, pages=["trends"],
                                                                    think=(0, 0), opens=0, first_page="trends"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert len(opened) == 5
    assert [(o.user, o.drawn.problems) for o in opened if o.failed] == []
    assert all(PAGES["trends"][1] in o.drawn.headings for o in opened)
