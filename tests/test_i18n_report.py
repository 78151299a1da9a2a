"""The board pack in Spanish and Portuguese: written by the report command with --lang (its charts
drawn as blank pictures, Kaleido being tested in test_report.py), opened with python-pptx and pypdf;
no English phrase of the product's catalogs on a slide, numbers in the locale's format, accents in the
PDF's fonts; the Board pack page and presentation mode in the language of the URL."""
from __future__ import annotations

import datetime as dt
import functools
import re
import shutil

import duckdb
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from cxdata import i18n
from cxdata.__main__ import main
from cxdata.i18n.catalogs import read
from cxdata.load.sql import ident
from cxdata.report import output, sections, slides
from tests.conftest import ROOT

DIP = ("2025-12-01", "2026-01-31")        # the demo's planted December-January dip, as test_report.py
LANGS = {"es": "es", "pt-BR": "pt_BR"}    # as --lang is written -> the catalogs' code
COMPANY = "Acme Telecom"


@pytest.fixture(scope="module")
def packs(demo_march, tmp_path_factory):
    """Each language's pack as PPTX and PDF from one run of the report command, on a copy of the demo
    (the command records the export in the audit log beside the database)."""
    folder = tmp_path_factory.mktemp("packs_i18n")
    database = folder / "cx.duckdb"
    shutil.copy(demo_march, database)
    drawn: dict[str, list] = {}

    def draw(slots, files):   # the language each chart is drawn in, and a blank picture in its place
        drawn.setdefault(i18n.language(), []).extend(fig for fig, _w, _h in slots)
        for file in files:
            Image.new("RGB", (40, 30), "white").save(file)

    patch = pytest.MonkeyPatch()
    patch.setattr(output, "_draw", draw)
    try:
        codes = {lang: main(["report", "--db", str(database), "--out", str(folder / f"{lang}.pptx"),
                             "--out", str(folder / f"{lang}.pdf"), "--from", DIP[0], "--to", DIP[1],
                             "--company", COMPANY, "--lang", lang]) for lang in LANGS}
    finally:
        patch.undo()
    yield {"folder": folder, "codes": codes, "drawn": drawn, "database": database}


def _slide_texts(deck) -> list[str]:
    """Every slide's words as python-pptx reads them: text boxes, table cells and the speaker notes."""
    out = []
    for page in deck.slides:
        parts = [shape.text_frame.text for shape in page.shapes if shape.has_text_frame]
        parts += [cell.text for shape in page.shapes if shape.has_table for row in shape.table.rows
                  for cell in row.cells]
        parts.append(page.notes_slide.notes_text_frame.text)
        out.append("\n".join(parts))
    return out


def _data_values(database) -> list[str]:
    """The values the pack quotes as loaded (names of segments, departments, stages, owners, initiatives...),
    longest first."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        found = set()
        for table, columns in {"customers": ("segment", "region", "country", "plan", "account_owner"),
                               "interactions": ("channel", "journey_stage", "touchpoint", "department"),
                               "initiatives": ("name", "owner", "department")}.items():
            for column in columns:
                found |= {v for (v,) in con.execute(f"select distinct {ident(column)} from {ident(table)}").fetchall() if v}
    finally:
        con.close()
    return sorted(found | {COMPANY}, key=len, reverse=True)


@functools.cache
def _whole(phrase: str, flags: int = 0) -> re.Pattern:
    """`phrase` as whole words, compiled once: the checks below try thousands of phrases on every slide,
    more patterns than re's own cache keeps (compiling them again was most of these tests' time)."""
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", flags)


def _without_data(text: str, values: list[str]) -> str:
    """The product's own words: customers' comments (quoted), data values and the queries' file names left out."""
    text = re.sub(r"“[^”]*”", " ", text)
    text = re.sub(r"sql/\w+\.sql", " ", text)
    for value in values:
        text = _whole(value, re.IGNORECASE).sub(" ", text)
    return text


def _strings(message) -> list[str]:
    value = message.string
    return [s for s in (value if isinstance(value, (tuple, list)) else [value])]


def english_phrases(language: str) -> set[str]:
    """The English words of every catalog (all domains) whose translation in `language` differs from
    the English: each msgid's text between its {fields}, when it reads as words and the language's
    own translations never use the same phrase ("no", "total", "KPI" are words of Spanish too)."""
    english, translated = [], []
    for domain in i18n.DOMAINS:
        theirs = {m.id if isinstance(m.id, str) else tuple(m.id[:2]): m for m in read(language, domain) if m.id}
        for message in read("en", domain):
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else tuple(message.id[:2])
            forms = [key] if isinstance(key, str) else list(key)
            other = theirs.get(key)
            if other is None or not all(_strings(other)):
                continue
            translated += _strings(other)
            if set(_strings(other)) <= set(forms):
                continue
            english += [piece for form in forms for piece in re.split(r"\{[^}]*\}", form)]
    said = "\n".join(translated)
    found = set()
    for piece in english:
        phrase = " ".join(piece.split()).strip(" ,.;:()·–-—±=%/×+'\"")
        if not re.search(r"[A-Za-z]{2,}", phrase):
            continue
        if phrase in said and _whole(phrase).search(said):
            continue
        found.add(phrase)
    return found


def test_the_report_command_writes_the_pack_in_the_language_asked(packs):
    assert packs["codes"] == {"es": 0, "pt-BR": 0}
    # every chart is drawn while the run speaks the pack's language, in the order of the packs
    assert set(packs["drawn"]) == {"es", "pt_BR"} and all(packs["drawn"].values())
    for lang in LANGS:
        deck = Presentation(str(packs["folder"] / f"{lang}.pptx"))
        assert len(deck.slides) > 10


@pytest.mark.parametrize("lang", list(LANGS))
def test_no_english_phrase_of_the_product_on_a_slide(packs, lang):
    code = LANGS[lang]
    phrases = english_phrases(code)
    assert len(phrases) > 100   # the report catalog alone holds more
    values = _data_values(packs["database"])
    deck = Presentation(str(packs["folder"] / f"{lang}.pptx"))
    found = []
    for number, text in enumerate(_slide_texts(deck), start=1):
        own = _without_data(text, values)
        found += [f"slide {number}: {phrase!r}" for phrase in sorted(phrases)
                  if phrase in own and _whole(phrase).search(own)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", list(LANGS))
def test_the_pack_writes_numbers_as_the_locale_does(packs, lang):
    deck = Presentation(str(packs["folder"] / f"{lang}.pptx"))
    text = _without_data("\n".join(_slide_texts(deck)), _data_values(packs["database"]))
    # the dip's NPS fall and its sample, as the English pack says "18.9 pts" and "n = 2,089"
    assert "18,9" in text and "2.089" in text
    english_decimal = re.findall(r"(?<![\d.,])\d+\.(?:\d{1,2}|\d{4,})(?![\d.,])", text)
    english_thousands = re.findall(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d.,])", text)
    assert not english_decimal and not english_thousands, (english_decimal, english_thousands)


def test_the_pdf_renders_spanish_and_portuguese_accents(packs):
    es = " ".join(p.extract_text() for p in PdfReader(packs["folder"] / "es.pdf").pages)
    pt = " ".join(p.extract_text() for p in PdfReader(packs["folder"] / "pt-BR.pdf").pages)
    es, pt = " ".join(es.split()), " ".join(pt.split())
    assert "Análisis de la experiencia de cliente" in es and "Definiciones de las métricas" in es
    assert "Análise da experiência do cliente" in pt and "Definições das métricas" in pt
    for letter in "áéíóúñ":
        assert letter in es, letter
    for letter in "áéíóúçãõ":
        assert letter in pt, letter


def test_sentences_are_whole_in_each_language():
    """Phrases that agree with the comparison or a count read as each language writes them; English as ever."""
    with i18n.using("es"):
        assert slides.counter(3, 1204) == "3 / 1.204"
        assert sections.capitalized(sections.against_phrase("year")) == "Frente al mismo periodo del año anterior"
        assert sections._department_targets("Billing", "missed", ["NPS"]) == "Billing no cumple su objetivo de NPS"
        assert sections._department_targets("Billing", "missed", ["NPS", "CSAT"]).startswith(
            "Billing no cumple sus objetivos de NPS")
    with i18n.using("pt_BR"):
        assert sections._department_targets("Billing", "close", ["CES"]) == "Billing está perto da meta de CES"
        assert sections.day(dt.date(2026, 3, 5)) == "5 de mar. de 2026"
    assert sections._department_targets("Billing", "missed", ["NPS", "CSAT"]) == "Billing misses its NPS and CSAT targets"
    assert sections.day(dt.date(2026, 3, 5)) == "5 Mar 2026"


def _app(database, monkeypatch, page: str, **query) -> AppTest:
    monkeypatch.setenv("CX_DB", str(database))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def test_presentation_mode_and_the_board_pack_page_speak_the_language_of_the_url(packs, monkeypatch):
    at = _app(packs["database"], monkeypatch, "pages/present.py", lang="es", slide="3", period="custom",
              **{"from": DIP[0], "to": DIP[1]})
    bodies = " ".join(h.proto.body for h in at.get("html"))
    assert "RESUMEN DE LOS KPI" in bodies
    assert "Variación frente al periodo anterior" in at.table[0].value.columns
    assert [b.label for b in at.button if b.key in ("present_previous", "present_next")] == ["Atrás", "Siguiente"]
    link = next(e for e in at.get("page_link"))
    assert re.fullmatch(r"Diapositiva 3 de \d+ · salir del modo presentación", link.proto.label)
    board = _app(packs["database"], monkeypatch, "pages/reports.py", lang="pt-BR", period="custom",
                 **{"from": DIP[0], "to": DIP[1]})
    assert board.title[0].value == "Relatório para o conselho"
    assert {b.label for b in board.button if b.key in ("build_pptx", "build_pdf")} == {"Gerar o PowerPoint",
                                                                                       "Gerar o PDF"}
    assert re.fullmatch(r"\d+ slides", board.subheader[-1].value)


def test_an_unknown_language_is_refused_before_any_work(demo_march, tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["report", "--db", str(demo_march), "--out", str(tmp_path / "pack.pdf"), "--lang", "fr"])
    assert refused.value.code == 2
    assert "'fr' is not a language the product speaks: en, es, pt-BR" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
