"""Executive words: no shell command, setting name, file path or statistical term reaches an executive
page, the board pack or presentation mode (the Data & loads page may show commands). Every page is
drawn by the real app under AppTest on the default demo, and every slide of the pack is read as text;
method details live in the Definitions page and each page's "How this is computed" section, both
drawn from one glossary (docs/definitions.md)."""
from __future__ import annotations

import json
import re

import pytest
from google.protobuf.descriptor import FieldDescriptor
from streamlit.testing.v1 import AppTest

from cxdata import data_status, db, glossary, metrics, overview, report, trends
from tests.conftest import ROOT

# Developer words, matched as written, and statistical terms, matched in any case.
DEVELOPER_WORDS = ("CX_", "python -m", "sql/", "docs/", ".md")
JARGON = ("log-odds", "informative prior", "benjamini", "robust deviation", "censored", "sla_seconds", "z-test",
          "z-score")

EXECUTIVE_PAGES = ["pages/overview.py", "pages/trends.py", "pages/journey.py", "pages/voice.py", "pages/churn.py",
                   "pages/departments.py", "pages/service.py", "pages/reports.py", "pages/definitions.py"]


def offending(text: str) -> list[str]:
    """Each forbidden word found in `text`, with the words around it, so a failure says where."""
    found = []
    for word in DEVELOPER_WORDS:
        found += [text[max(0, m.start() - 60):m.end() + 60] for m in re.finditer(re.escape(word), text)]
    for word in JARGON:
        found += [text[max(0, m.start() - 60):m.end() + 60] for m in re.finditer(re.escape(word), text, re.I)]
    return found


def _strings(message) -> list[str]:
    """Every text field of a Streamlit element's message, nested ones too; a Plotly chart's spec is
    read as the figure it is (titles, axes, labels, legend, hover text; JSON keys are names, not text),
    a table's bytes are skipped (its cells are read from the frame)."""
    out = []
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                out += _strings(item)
            elif field.type == FieldDescriptor.TYPE_STRING:
                if item.startswith("{"):   # a chart's spec, a table's column labels: values only, not keys
                    out += _json_strings(json.loads(item))
                elif field.name not in ("id", "form_id", "key"):
                    out.append(item)
    return out


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "template" for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def visible_text(at: AppTest) -> str:
    """What the run put on screen, sidebar included: every element's text and every table's headers and cells."""
    texts = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.extend(_strings(proto))
        if type(node).__name__ == "Dataframe":
            frame, labelled = node.value, json.loads(node.proto.columns or "{}")
            texts.extend(str(c) for c in frame.columns if "label" not in labelled.get(str(c), {}))
            texts.extend(str(cell) for cell in frame.to_numpy().ravel())
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at.main)
    walk(at.sidebar)
    return "\n".join(texts)


@pytest.fixture
def start(demo_march, monkeypatch):
    monkeypatch.setenv("CX_DB", str(demo_march))
    for name in ("CX_COMPANY", "CX_EDIT_TARGETS", "CX_CHURN_THRESHOLD", "CX_CHURN_SIGNALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)

    def run(page: str, **query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        return at
    return run


def test_the_check_finds_what_it_looks_for():
    text = "Set `CX_EDIT_TARGETS=1` (docs/departments.md); run python -m cxdata refresh; sql/macros.sql; Censored"
    assert len(offending(text)) == 6   # CX_, python -m, sql/, docs/, .md and censored
    assert offending("Target editing is switched off by the administrator.") == []


@pytest.mark.parametrize("page", EXECUTIVE_PAGES)
def test_no_developer_words_or_jargon_on_an_executive_page(start, page):
    at = start(page)
    text = visible_text(at)
    assert len(text) > 500, page   # the page was drawn, not an empty state
    assert offending(text) == [], page


@pytest.mark.parametrize("metric", ["clv", "first_response_live", "sla_compliance"])
def test_no_developer_words_on_the_trends_page_of_any_metric(start, metric):
    at = start("pages/trends.py", metric=metric, by="segment")
    assert offending(visible_text(at)) == [], metric


def test_no_developer_words_in_presentation_mode_on_any_slide(start):
    at = start("pages/present.py", slide="1")
    count = int(re.search(r"Slide 1 of (\d+)", visible_text(at)).group(1))
    assert "Customer experience review" in visible_text(at)   # the slide itself is read, not only the controls
    for number in range(1, count + 1):
        text = visible_text(at)
        assert f"Slide {number} of {count}" in text
        assert offending(text) == [], number
        if number < count:
            at.button(key="present_next").click().run()
            assert not at.exception


def _slide_texts(slide) -> list[str]:
    texts = [slide.section, slide.title, slide.subtitle, slide.empty or "", *slide.bullets, *slide.findings]
    if slide.table is not None:
        texts += [*slide.table.columns, *(str(cell) for row in slide.table.rows for cell in row)]
    for figure in slide.figures:
        texts += _json_strings(json.loads(figure.to_json()))
    return texts


@pytest.mark.parametrize("query", [{}, {"period": "custom", "from": "2025-12-01", "to": "2026-01-31"},
                                   {"period": "12m", "segment": "SMB"}])
def test_no_developer_words_on_any_board_pack_slide(demo_march, monkeypatch, query):
    monkeypatch.delenv("CX_COMPANY", raising=False)
    con = db.connect_readonly(demo_march)
    try:
        reader = db.Reader(con)
        facts = data_status.facts(reader)
        view = report.view_for(reader, facts, {k: [v] for k, v in query.items()})
        pack = report.build(reader, view, facts, metrics.DEFAULT_MIN_RESPONSES)
    finally:
        con.close()
    assert any(s.key.startswith("definitions") for s in pack.slides)   # the appendix is read too
    for slide in pack.slides:
        assert offending("\n".join([*_slide_texts(slide), pack.footer])) == [], slide.key


# ---- The glossary: one text for the docs, the Definitions page and "How this is computed" -------------

def test_the_glossary_defines_every_headline_and_trend_kpi_in_plain_words():
    terms = {e.term for e in glossary.entries()}
    for key in set(overview.TILE_ORDER) | set(trends.METRICS):
        assert glossary.kpi_term(metrics.KPIS[key].label) in terms, key
    for entry in glossary.entries():
        assert entry.text and offending(entry.text) == [], entry.term
    with pytest.raises(KeyError, match="not in the glossary: Quantum"):
        glossary.pick("NPS", "Quantum")


def test_the_definitions_page_shows_the_glossary_file_and_finds_a_term(start):
    at = start("pages/definitions.py")
    source = (ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")
    assert [s.value for s in at.subheader] == re.findall(r"^## (.+)$", source, flags=re.M)
    nps = glossary.pick("NPS")[0]
    assert any(m.value == f"**NPS**  \n{nps.text}" for m in at.markdown)
    assert not at.sidebar.multiselect   # the global filters do not act here, so they are not drawn
    at.text_input(key="definitions_find").input("retention").run()
    shown = [m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")]
    assert shown and all("retention" in (t + glossary.pick(t)[0].text).lower() for t in shown)
    assert "Net revenue retention" in shown and "NPS" not in shown


@pytest.mark.parametrize("page, term", [("pages/overview.py", "Status against target"),
                                        ("pages/journey.py", "Moments of truth"),
                                        ("pages/voice.py", "Phrases that set detractors apart"),
                                        ("pages/service.py", "Answered immediately"),
                                        ("pages/departments.py", "Alignment index"),
                                        ("pages/churn.py", "Risk score"),
                                        ("pages/trends.py", "Break from recent history")])
def test_each_page_explains_its_method_in_a_collapsed_section_quoting_the_glossary(start, page, term):
    at = start(page)
    section = [e for e in at.expander if e.label == "How this is computed"]
    assert len(section) == 1 and not section[0].proto.expanded
    assert any(glossary.pick(term)[0].text in m.value for m in section[0].markdown)


def test_the_demo_banner_in_the_sidebar_points_to_the_data_page_not_a_command(start):
    at = start("pages/overview.py")
    banner = [c.value for c in at.sidebar.caption if "Demo data" in c.value]
    assert banner == [":material/info: Demo data · to see your own, load it on the Data & loads page"]
