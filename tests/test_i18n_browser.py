"""The language in a real browser (Debian's Chromium through Playwright) on a copy of the tiny database:
?lang= chooses it and stays in the URL from page to page, the Language box switches it and writes it
into the URL, and a browser that prefers Brazilian Portuguese opens in it without ?lang=."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.test_browser import _wait_until_idle, browser, pytestmark, run_app, show_every_page  # noqa: F401

_ = pytestmark


@pytest.fixture(scope="module")
def server(tiny_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("i18n_browser")
    path = folder / "cx.duckdb"
    shutil.copy(tiny_db, path)
    yield from run_app({"CX_DB": str(path), "CX_WARMUP": "0", "CX_STORE": str(folder / "state.sqlite"),
                        "CX_LANGUAGE": ""}, folder)


def _sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def test_lang_in_the_url_is_kept_across_pages_and_the_language_box_switches_it(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server}/?lang=es", wait_until="domcontentloaded")
        _sidebar(page).get_by_role("heading", name="Filtros").wait_for(timeout=60_000)
        _wait_until_idle(page)
        sidebar = _sidebar(page)
        assert sidebar.get_by_text("Resumen ejecutivo").count() >= 1      # the navigation, in Spanish
        assert sidebar.get_by_text("Periodo", exact=True).count() == 1
        assert sidebar.get_by_text("Executive overview").count() == 0
        assert "lang=es" in page.url

        show_every_page(page)
        sidebar.get_by_text("Definiciones", exact=True).click()            # another page: the language stays
        page.get_by_role("heading", name="Definiciones").wait_for(timeout=60_000)
        _wait_until_idle(page)
        assert "/definitions" in page.url and "lang=es" in page.url
        assert page.get_by_text("Cómo se sienten los clientes").count() == 1

        box = sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Idioma")
        box.scroll_into_view_if_needed()
        box.click()
        page.get_by_role("option", name="Português (Brasil)").click()
        page.wait_for_url(re.compile(r"lang=pt-BR"), timeout=30_000)
        page.get_by_role("heading", name="Definições").wait_for(timeout=60_000)
        _wait_until_idle(page)
        assert "/definitions" in page.url
        assert page.get_by_text("Como os clientes se sentem").count() == 1
        assert _sidebar(page).get_by_text("Visão executiva").count() >= 1
    finally:
        context.close()


def test_a_browser_that_prefers_brazilian_portuguese_opens_in_it(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="pt-BR")
    page = context.new_page()
    try:
        page.goto(f"{server}/definitions", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Definições").wait_for(timeout=60_000)
        _wait_until_idle(page)
        assert _sidebar(page).get_by_text("Visão executiva").count() >= 1
        assert "lang=" not in page.url    # the browser's own language is not written into shared links
    finally:
        context.close()
