"""The product in English, Spanish and Portuguese: complete catalogs, no text outside them, numbers
and dates in each locale's style, and the language chosen from the URL, the browser or the setting."""
from __future__ import annotations

import datetime as dt

import pytest

from cxdata import formatting as fmt
from cxdata import i18n
from cxdata.i18n import DOMAINS, catalogs, untranslated


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_catalog_has_every_key_translated_in_every_language(domain):
    assert catalogs.problems(domain) == []


def test_the_same_words_read_the_same_in_every_area():
    assert catalogs.clashes() == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_text_reaches_a_screen_without_a_catalog(domain):
    files = [(path, d) for path, d in catalogs.shown_files() if d == domain]
    assert untranslated.findings(files) == []


def test_the_finder_catches_text_outside_the_catalog_and_leaves_keys_alone(tmp_path, monkeypatch):
    page = tmp_path / "pages" / "example.py"
    page.parent.mkdir()
    page.write_text(
        '"""A docstring is not shown."""\n'
        "from cxdata.i18n import _\n"
        'st.title("Executive overview")\n'                    # found
        'st.caption(f"{n} answers this quarter")\n'           # found: an f-string sentence
        'st.header(_("Filters"))\n'                           # translated
        'df = df.rename(columns={"customer_id": "Customer"})\n'  # the value is found, not the key
        'x = row["Billing"]\n'                                # a subscript: a key
        'st.html("<style>.a { b: c }</style>")\n'             # not words
        'st.markdown("Plain words here")  # untranslated: a test of the mark\n'
        "for _, row in df.iterrows(): pass\n")                # `_` reassigned
    monkeypatch.setattr(untranslated, "ROOT", tmp_path)
    found = untranslated.findings([("pages/example.py", "frame")])
    assert sorted(int(line.split(":")[1]) for line in found) == [3, 4, 6, 10]


@pytest.mark.parametrize("raw, code", [
    ("es", "es"), ("es-MX", "es"), ("ES_es", "es"), ("pt", "pt_BR"), ("pt-BR", "pt_BR"), ("pt-PT", "pt_BR"),
    ("en-GB", "en"), ("de-DE", None), ("", None), (None, None), ("javascript:alert(1)", None), ("e", None)])
def test_a_language_is_read_from_a_url_a_browser_or_a_setting(raw, code):
    assert i18n.parse(raw) == code


def test_the_setting_is_the_default_and_a_block_speaks_its_own_language(monkeypatch):
    monkeypatch.setenv("CX_LANGUAGE", "pt-BR")
    assert i18n.default_language() == "pt_BR"
    with i18n.using("es"):
        assert i18n.language() == "es" and i18n._("Language") == "Idioma"
    monkeypatch.setenv("CX_LANGUAGE", "klingon")
    assert i18n.default_language() == "en"


@pytest.mark.parametrize("code, money, percent, change, day, month, count, days, big", [
    ("en", "$49.7 M", "82.6%", "+2.8 pts", "08 Sep 2026", "Sep 2026", "1,234,567", "2.5 days", "$4.56 B"),
    ("es", "49,7\xa0M\xa0US$", "82,6\xa0%", "+2,8 p. p.", "8 sept 2026", "sept 2026", "1.234.567", "2,5 días", "4.560\xa0M\xa0US$"),
    ("pt_BR", "US$\xa049,7\xa0mi", "82,6%", "+2,8 p.p.", "8 de set. de 2026", "set. de 2026", "1.234.567", "2,5 dias",
     "US$\xa04,56\xa0bi"),
])
def test_numbers_and_dates_are_written_in_each_locales_style(code, money, percent, change, day, month, count, days, big):
    september = dt.date(2026, 9, 8)
    with i18n.using(code):
        assert fmt.money(49_700_000) == money and fmt.money(4_560_000_000) == big
        assert fmt.value("csat", 82.63) == percent
        assert fmt.change("nps", 2.8) == change
        assert fmt.date(september) == day and fmt.month(september) == month
        assert fmt.count(1_234_567) == count
        assert fmt.duration(2.5 * 86400) == days


def test_a_euro_amount_sits_where_each_locale_puts_its_currency(monkeypatch):
    monkeypatch.setenv("CX_CURRENCY", "EUR")
    shown = {}
    for code in i18n.LANGUAGES:
        with i18n.using(code):
            shown[code] = (fmt.money(49_700_000), fmt.money(-48_496), fmt.money_change(1_500_000))
    assert shown == {"en": ("€49.7 M", "-€48.5 k", "+€1.50 M"),
                     "es": ("49,7\xa0M\xa0€", "-48,5\xa0mil\xa0€", "+1,50\xa0M\xa0€"),
                     "pt_BR": ("€\xa049,7\xa0mi", "-€\xa048,5\xa0mil", "+€\xa01,50\xa0mi")}
