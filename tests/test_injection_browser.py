"""Stored script injection, tried in a real browser (issue 23): customer names, owners, comments,
segments, departments, touchpoints, journey stages and alert notes carry an <iframe srcdoc> that
would alert the cookie, a position:fixed block that would cover the page, and a Markdown image from
an outside host; a second department and a segment carry an <a href> that Plotly, which reads its
texts as a small HTML subset, would draw as a live link inside a chart. Every page and every slide of
the presentation is opened; no dialog may open, no request may leave 127.0.0.1, and no such element
may be drawn: the values show as text."""
from __future__ import annotations

import re
import shutil
from urllib.parse import urlparse

import pytest

from cxdata import db, derive
from cxdata.access.roles import User
from cxdata.churn import alerts
from cxdata.load.sql import ident
from cxdata.store import Store
from tests.test_browser import ARTIFACTS, _wait_until_idle, browser, pytestmark, run_app  # noqa: F401

_ = pytestmark

IFRAME = '<iframe srcdoc="<script>parent.alert(parent.document.cookie)</script>"></iframe>'
COVER = '<div style="position:fixed;inset:0;z-index:99999;background:red">covered</div>'
IMAGE = "![](https://example.invalid/x.png)"
LINK = '<a href="https://evil.example/">linked</a>'
PAGES = ["", "trends", "journey", "voice", "churn", "departments", "service", "reports", "data", "definitions"]


@pytest.fixture(scope="module")
def hostile_db(demo_march, tmp_path_factory):
    """The March demo with the payloads in every free-text field the loader accepts."""
    path = tmp_path_factory.mktemp("hostile") / "cx.duckdb"
    shutil.copyfile(demo_march, path)
    with derive.writable_copy(path) as con:
        con.execute("update customers set name = $i || ' ' || name, account_owner = $m || ' owner'",
                    {"i": IFRAME, "m": IMAGE})
        con.execute("update customers set segment = $m || ' SMB' where segment = 'SMB'", {"m": IMAGE})
        con.execute("update feedback set comment = case abs(hash(feedback_id)) % 3 when 0 then $i "
                    "when 1 then $c else $m end || ' ' || comment where comment is not null",
                    {"i": IFRAME, "c": COVER, "m": IMAGE})
        department = con.execute("select department from interactions where department is not null "
                                 "group by all order by count(*) desc limit 1").fetchall()[0][0]
        second = con.execute("select department from interactions where department is not null "
                             "group by all order by count(*) desc limit 2").fetchall()[1][0]
        for table in ("interactions", "feedback", "targets"):   # identifiers from fixed tuples only
            con.execute(f"update {ident(table)} set department = $i where department = $d", {"i": IFRAME, "d": department})
            con.execute(f"update {ident(table)} set department = $l || ' ' || department where department = $d",
                        {"l": LINK, "d": second})
        con.execute("update customers set segment = $l || ' ' || segment where segment = (select segment from "
                    "customers where segment <> 'SMB' group by all order by count(*) desc limit 1)", {"l": LINK})
        touchpoint = con.execute("select touchpoint from feedback where touchpoint is not null "
                                 "group by all order by count(*) desc limit 1").fetchall()[0][0]
        for table in ("interactions", "feedback", "touchpoints"):
            con.execute(f"update {ident(table)} set touchpoint = $c where touchpoint = $t", {"c": COVER, "t": touchpoint})
        stage = con.execute("select stage from journey_stages order by position limit 1").fetchall()[0][0]
        for table, column in (("interactions", "journey_stage"), ("feedback", "journey_stage"),
                              ("journey_stages", "stage")):
            con.execute(f"update {ident(table)} set {ident(column)} = $m || ' stage' where {ident(column)} = $s", {"m": IMAGE, "s": stage})
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        listed = reader.run("churn_alert_ids", alerts.Rules().params(_everything()))
        dataset = alerts.dataset_id(reader)
    finally:
        con.close()
    store = Store.beside(path)
    for customer_id in listed["customer_id"].head(50):
        alerts.change(store, alerts.alert_key(dataset, customer_id), User(IFRAME, "executive"), [], status="plan",
                      owner=IMAGE, note=IFRAME + COVER, alert={})
    return path


def _everything():
    import datetime as dt

    from cxdata.filters import Filters
    return Filters(dt.date(2000, 1, 1), dt.date(2100, 1, 1))


@pytest.fixture(scope="module")
def hostile_server(hostile_db, tmp_path_factory):
    yield from run_app({"CX_DB": str(hostile_db), "CX_WARMUP": "0", "CX_STORE": ""},
                       tmp_path_factory.mktemp("hostile_logs"))


def _visit(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.locator('[data-testid="stMainBlockContainer"]').wait_for(timeout=120_000)
    _wait_until_drawn(page)


def _wait_until_drawn(page) -> None:
    """Until the run has finished and every chart on the page is drawn, so the checks see every text
    the page shows, the charts' included."""
    _wait_until_idle(page)
    page.wait_for_function("[...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
                           ".every(c => c.querySelector('.main-svg'))", timeout=60_000)


def _drawn(page) -> dict[str, int]:
    """Elements only a payload rendered as HTML or Markdown would draw."""
    return page.evaluate("""() => ({
        iframes: document.querySelectorAll('iframe[srcdoc]').length,
        covers: [...document.querySelectorAll('div[style]')].filter(d => d.style.inset === '0px').length,
        images: [...document.images].filter(i => i.src.includes('example.invalid')).length,
        links: document.querySelectorAll('.js-plotly-plot a[href*="evil.example"], '
                                         + '.js-plotly-plot a[*|href*="evil.example"]').length})""")


def _chart_text(page) -> str:
    return page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => p.textContent).join(' ')")


def test_the_payloads_render_inert_on_every_page_and_slide(hostile_server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    context.on("request", lambda r: outside.append(r.url)
               if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
    seen_text, chart_text = [], []
    try:
        for name in PAGES:
            _visit(page, f"{hostile_server}/{name}")
            assert page.locator('[data-testid="stException"]').count() == 0, name
            assert _drawn(page) == {"iframes": 0, "covers": 0, "images": 0, "links": 0}, name
            seen_text.append(page.locator('[data-testid="stMain"]').inner_text())
            chart_text.append(_chart_text(page))
        ARTIFACTS.mkdir(exist_ok=True)
        _visit(page, f"{hostile_server}/present?slide=1")
        page.locator(".cx-cover").first.wait_for(timeout=120_000)   # the pack is built, once for this session
        count = int(re.search(r"Slide 1 of (\d+)", page.inner_text("body")).group(1))
        for number in range(1, count + 1):
            if number > 1:   # on to the next slide as a presenter steps, in the session that holds the pack
                page.keyboard.press("ArrowRight")
                page.wait_for_url(re.compile(rf"slide={number}\b"), timeout=60_000)
                _wait_until_drawn(page)
            assert f"Slide {number} of {count}" in page.inner_text("body"), number
            assert page.locator('[data-testid="stException"]').count() == 0, number
            assert _drawn(page) == {"iframes": 0, "covers": 0, "images": 0, "links": 0}, f"slide {number}"
            seen_text.append(page.locator('[data-testid="stMain"]').inner_text())
            chart_text.append(_chart_text(page))
        page.screenshot(path=str(ARTIFACTS / "injection_last_slide.png"))
        _visit(page, f"{hostile_server}/journey")
        page.screenshot(path=str(ARTIFACTS / "injection_journey.png"), full_page=True)
    finally:
        context.close()
    assert dialogs == [] and outside == []
    text = "\n".join(seen_text)
    # the values were on screen, as the text they are
    assert "parent.alert(parent.document.cookie)" in text and "![](https://example.invalid/x.png)" in text
    assert "position:fixed;inset:0" in text
    # the link's markup was drawn inside the charts, as the characters it is
    assert LINK.split(">")[0] + ">" in "\n".join(chart_text)


def test_a_markdown_image_in_the_url_shows_as_text(hostile_server, browser):  # noqa: F811
    """?segment=![x](https://example.invalid/q.png) on every page with filters: the "Ignored unknown
    segment" notice quotes it as text and loads nothing."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside = []
    context.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None)
               and not r.url.startswith("data:") else None)
    try:
        for name in ("", "trends", "journey", "voice", "departments", "service", "reports"):
            _visit(page, f"{hostile_server}/{name}?segment=![x](https://example.invalid/q.png)")
            notice = page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="Ignored unknown segment")
            shown = notice.first.inner_text().replace("\u2060", "")   # the invisible joiner that keeps it unlinked
            assert "'![x](https://example.invalid/q.png)'" in shown, name
            assert _drawn(page)["images"] == 0, name
    finally:
        context.close()
    assert outside == []
