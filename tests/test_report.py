"""The board pack: built once on the March demo (its December-January dip) and written as PPTX and PDF,
then opened with python-pptx and pypdf; its numbers checked against the app's pages; bad inputs."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from cxdata import data_status, db, metrics, overview, report
from cxdata.__main__ import main
from cxdata.filters import Filters, ViewState
from cxdata.report import output, sections
from cxdata.report.slides import HEIGHT, WIDTH
from tests.conftest import ROOT

# The planted dip: December-January against the two months before.
DIP = {"period": "custom", "from": "2025-12-01", "to": "2026-01-31"}


def _params(query: dict) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in query.items()}


@pytest.fixture(scope="module")
def dip(demo_march, tmp_path_factory):
    """The pack for the dip, written as PPTX and PDF by one command-line run (one browser for both),
    and built again in-process for what the tests compare."""
    folder = tmp_path_factory.mktemp("pack")
    cli = subprocess.run([sys.executable, "-m", "cxdata", "report", "--db", str(demo_march), "--out",
                          str(folder / "pack.pptx"), "--out", str(folder / "pack.pdf"), "--from", DIP["from"],
                          "--to", DIP["to"], "--company", "Acme Telecom"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    con = db.connect_readonly(demo_march)
    reader = db.Reader(con)
    facts = data_status.facts(reader)
    view = report.view_for(reader, facts, _params(DIP))
    pack = report.build(reader, view, facts, metrics.DEFAULT_MIN_RESPONSES, company="Acme Telecom")
    yield {"pack": pack, "view": view, "facts": facts, "reader": reader, "folder": folder, "cli": cli}
    con.close()


def _shape_texts(slide) -> str:
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) + " " + " ".join(
        c.text for s in slide.shapes if s.has_table for row in s.table.rows for c in row.cells)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_deck_has_every_section_in_order_with_findings_as_titles(dip):
    keys = [s.key for s in dip["pack"].slides]
    assert keys[:4] == ["title", "summary", "kpis", "kpis_2"]   # 12 KPIs: the table continues on a second slide
    # missed targets first, then significant worsenings (CES 5.24 is close to its 5.50 target: not missed)
    assert [k for k in keys if k.startswith("trend_")] == ["trend_nps", "trend_csat", "trend_sla_compliance",
                                                           "trend_first_response_written", "trend_ces"]
    assert keys[-11:] == ["journey_map", "journey_moments", "churn", "departments", "service", "voice",
                          "initiatives", "definitions_1", "definitions_2", "samples", "samples_2"]
    summary, kpis = dip["pack"].slides[1:3]
    targets = "NPS, CSAT and 2 other KPIs miss their targets; CES is close to its target"   # as the badges say
    assert summary.title.startswith(f"NPS, CSAT and 4 other KPIs worsened significantly; {targets}; Billing misses")
    assert kpis.title == f"6 of 12 KPIs worsened significantly; {targets}"
    assert [row[3] for row in kpis.table.rows][:3] == ["missed · target 30", "missed · target 80.0%",
                                                        "close · target 5.50"]
    assert dip["pack"].slides[0].section == "Acme Telecom"


def test_pptx_opens_16_9_with_titles_pictures_footers_and_notes(dip):
    assert dip["cli"].returncode == 0, dip["cli"].stderr
    deck = Presentation(str(dip["folder"] / "pack.pptx"))
    pack = dip["pack"]
    assert (round(deck.slide_width.inches, 2), round(deck.slide_height.inches, 2)) == (round(WIDTH, 2), HEIGHT)
    assert len(deck.slides) == len(pack.slides)
    for number, (page, slide) in enumerate(zip(deck.slides, pack.slides), start=1):
        text = _shape_texts(page)
        assert slide.title in text
        assert pack.filters in text and pack.freshness in text and f"{number} / {len(pack.slides)}" in text
        pictures = [s for s in page.shapes if s.shape_type == 13]
        assert len(pictures) == len(slide.figures), slide.key
        for sql in slide.sources:
            assert sql in page.notes_slide.notes_text_frame.text
            assert (ROOT / sql).exists()
    trend = deck.slides[[s.key for s in pack.slides].index("trend_nps")]
    picture = next(s for s in trend.shapes if s.shape_type == 13)
    assert picture.image.size[0] >= 1200   # sharp enough for a projector


def test_pdf_has_a_page_per_slide_with_its_words(dip):
    assert dip["cli"].returncode == 0, dip["cli"].stderr
    assert "Wrote" in dip["cli"].stdout and "Rendering the charts" in dip["cli"].stderr
    pdf = PdfReader(dip["folder"] / "pack.pdf")
    pack = dip["pack"]
    assert len(pdf.pages) == len(pack.slides)
    box = pdf.pages[0].mediabox
    assert round(float(box.width) / float(box.height), 3) == round(WIDTH / HEIGHT, 3)
    for page, slide in zip(pdf.pages, pack.slides):
        text = _flat(page.extract_text())
        assert _flat(slide.title) in text, slide.key
        assert "Data to 14 Mar 2026" in text
    assert sum(len(p.images) for p in pdf.pages) == sum(len(s.figures) for s in pack.slides)
    summary = _flat(pdf.pages[1].extract_text())
    assert "NPS fell 18.9 pts to 18" in summary and "Acme Telecom" in _flat(pdf.pages[0].extract_text())
    assert not list(dip["folder"].glob(".*"))   # no temporary file left beside the pack


def test_pptx_and_pdf_print_no_text_under_12_pt(dip):
    """Footers, table cells, subtitles: every run of text in both files is 12 pt or more."""
    from pptx.util import Pt

    deck = Presentation(str(dip["folder"] / "pack.pptx"))
    runs = [run for page in deck.slides for shape in page.shapes for frame in
            ([shape.text_frame] if shape.has_text_frame else
             [cell.text_frame for row in shape.table.rows for cell in row.cells] if shape.has_table else [])
            for paragraph in frame.paragraphs for run in paragraph.runs if run.text.strip()]
    assert runs and all(run.font.size is not None for run in runs)
    assert min(run.font.size for run in runs) >= Pt(12)
    sizes = []
    for page in PdfReader(dip["folder"] / "pack.pdf").pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.append(size * abs(tm[3]) * abs(cm[3]))
                          if text.strip() else None)
    assert sizes and min(sizes) >= 12, sorted(sizes)[:5]


def _font_sizes(spec) -> list[float]:
    """Every font size set in a figure (as plain data), and every inline `font-size:..px` in its labels."""
    if isinstance(spec, dict):
        own = [spec["size"]] if "size" in spec and isinstance(spec.get("size"), (int, float)) and (
            "family" in spec or "color" in spec) else []
        return own + [s for k, v in spec.items() if k != "marker" for s in _font_sizes(v)]
    if isinstance(spec, (list, tuple)):
        return [s for v in spec for s in _font_sizes(v)]
    if isinstance(spec, str):
        return [float(m) for m in re.findall(r"font-size:\s*(\d+(?:\.\d+)?)px", spec)]
    return []


def test_chart_labels_print_at_12_pt_or_more(dip):
    """A chart's pixels become points on the slide (output.pixels_per_inch): its smallest label,
    raised to 14 px for slides, still prints at 12 pt or more in the journey map squeezed to its place."""
    from cxdata import charts

    page_fig = next(s for s in dip["pack"].slides if s.key == "journey_map").figures[0]
    assert min(_font_sizes(page_fig.to_plotly_json())) < 14   # the page's own figure has 12 px notes
    for fig, _, height in dip["pack"].figure_slots():
        drawn = charts.for_slide(fig)
        smallest = min(_font_sizes(drawn.to_plotly_json()))
        assert smallest >= charts.SLIDE_MIN_FONT
        assert smallest * 72 / output.pixels_per_inch(fig, height) >= 12


def test_summary_sentences_name_a_slide_that_shows_their_numbers(dip):
    pack = dip["pack"]
    bullets = pack.slides[1].bullets
    assert 4 <= len(bullets) <= 8
    for sentence in bullets:
        found = re.search(r"^(.*) \(slide (\d+)\)$", sentence)
        assert found, sentence
        assert found.group(1) in pack.slides[int(found.group(2)) - 1].findings
    # every section with a finding is quoted before any section's second one
    assert any("(slide 3)" in b for b in bullets) and any("moment" in b or "churn within 90 days" in b for b in bullets)


def test_a_change_is_called_a_rise_or_fall_only_when_significant(dip):
    rows = overview.load(dip["reader"], dip["view"].filters, dip["view"].compare,
                         metrics.DEFAULT_MIN_RESPONSES).summary.set_index("kpi")
    summary = " ".join(dip["pack"].slides[1].bullets)
    for key in sections.SUMMARY_KPIS:
        label = metrics.KPIS[key].label if key != "churn_rate" else "churn"
        moved = re.search(rf"\b{re.escape(label)} (rose|fell)\b", summary)
        assert bool(moved) == (rows.loc[key, "verdict"] == "significant change"), key
    assert "churn (2.6%) shows no significant change" in summary.lower()


def _app(demo_march, monkeypatch, page: str | None = None, **query) -> AppTest:
    monkeypatch.setenv("CX_DB", str(demo_march))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)   # the first run opens it, as a link does
    at.run()
    assert not at.exception
    return at


def _url(at, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def _chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_exported_numbers_equal_the_pages(dip, demo_march, monkeypatch):
    pack = dip["pack"]
    at = _app(demo_march, monkeypatch, **DIP)
    tiles = {m.label.split(" :")[0]: (m.value, m.delta or "—") for m in at.metric}
    rows = [row for s in pack.slides if s.key in ("kpis", "kpis_2") for row in s.table.rows]
    assert len(rows) == len(overview.TILE_ORDER)
    for label, value, change, *_ in rows:
        assert tiles[label] == (value, change), label
    journey_page = _app(demo_march, monkeypatch, "pages/journey.py", **DIP)
    titles = _chart_titles(journey_page)
    for key in ("journey_map", "journey_moments"):
        assert next(s for s in pack.slides if s.key == key).title in titles
    voice_page = _app(demo_march, monkeypatch, "pages/voice.py", **DIP)
    assert next(s for s in pack.slides if s.key == "voice").title in _chart_titles(voice_page)
    churn_page = _app(demo_march, monkeypatch, "pages/churn.py", **DIP)
    at_risk = next(m for m in churn_page.metric if m.label == "Revenue at risk").value
    churn = next(s for s in pack.slides if s.key == "churn")
    assert churn.title.startswith(f"{at_risk} of annual value is at risk of churning in the next 90 days")
    assert churn.figures[0].layout.title.text in _chart_titles(churn_page)
    # how the score held up: the slide's bullet says what the page says, without the page's bold
    held_up = next(b for b in churn.bullets if b.startswith("How the score has held up: Of the "))
    said = held_up.removeprefix("How the score has held up: ")
    assert any(said in m.value.replace("**", "") for m in churn_page.markdown)
    for page, key in (("pages/departments.py", "departments"), ("pages/service.py", "service")):
        slide = next(s for s in pack.slides if s.key == key)
        assert slide.figures[0].layout.title.text == slide.title
        assert slide.title in _chart_titles(_app(demo_march, monkeypatch, page, **DIP)), key
    # the demo's planted shortfall: Billing trails the alignment index and resolves the least within its SLA
    assert re.fullmatch(r"\w+ leads alignment at \d+ of 100; Billing trails at \d+",
                        next(s for s in pack.slides if s.key == "departments").title)
    service = next(s for s in pack.slides if s.key == "service")
    assert service.title.startswith("Billing: ") and service.findings[0].startswith("Service levels: Billing resolves")
    trend_page = _app(demo_march, monkeypatch, "pages/trends.py", metric="sla_compliance", grain="month", **DIP)
    trend = next(s for s in pack.slides if s.key == "trend_sla_compliance")
    assert trend.figures[0].layout.title.text == _chart_titles(trend_page)[0]   # the page's own figure
    assert trend.title == "SLA compliance fell 10.7 pts to 79.3% against the previous period and misses its 90.0% target"


def test_verbatims_on_the_voice_slide_are_masked(dip):
    voice = next(s for s in dip["pack"].slides if s.key == "voice")
    quotes = [b for b in voice.bullets if b.startswith("“")]
    assert len(quotes) == sections.QUOTES_SHOWN
    assert not any(re.search(r"@\w|\d{9,}", q) for q in quotes)


@pytest.mark.parametrize("name, says", [
    ("pack.ppt", "unknown extension '.ppt'; write the pack as .pptx or .pdf"),
    ("pack", "unknown extension '(none)'"),
    ("missing/pack.pdf", "the folder"),
])
def test_a_bad_output_path_is_a_clear_error_and_writes_nothing(demo_march, tmp_path, capsys, name, says):
    assert main(["report", "--db", str(demo_march), "--out", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_permission_is_a_clear_error(demo_march, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:   # root writes anywhere: an immutable folder refuses even root
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(locked)]).returncode:
            pytest.skip("cannot make a folder unwritable for root here")
    else:
        locked.chmod(0o500)
    try:
        assert main(["report", "--db", str(demo_march), "--out", str(locked / "pack.pdf")]) == 2
        assert "no permission to write in the folder" in capsys.readouterr().err
        assert list(locked.iterdir()) == []
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)])
        locked.chmod(0o700)


def test_an_unknown_filter_value_or_lone_date_is_refused(demo_march, tmp_path, capsys):
    assert main(["report", "--db", str(demo_march), "--out", str(tmp_path / "p.pdf"), "--segment", "Nobody"]) == 2
    assert "no segment 'Nobody' in the data; it has" in capsys.readouterr().err
    assert main(["report", "--db", str(demo_march), "--out", str(tmp_path / "p.pdf"), "--from", "2026-01-01"]) == 2
    assert "give both --from and --to" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_no_chromium_is_a_clear_error_and_leaves_no_file(dip, tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    with pytest.raises(output.ReportError, match="no Chromium was found: install it"):
        output.write(dip["pack"], tmp_path / "pack.pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_chart_chromium_fails_to_draw_is_drawn_again_then_reported(dip, tmp_path, monkeypatch):
    """Kaleido logs a chart it could not draw and goes on; the export draws it once more, then says so."""
    calls = []
    monkeypatch.setattr(output, "_draw", lambda slots, files: calls.append(len(files)))   # draws nothing
    with pytest.raises(output.ReportError, match=r"Chromium did not draw \d+ of the \d+ charts"):
        output.write(dip["pack"], tmp_path / "pack.pptx")
    assert calls == [len(dip["pack"].figure_slots())] * output.RENDER_ATTEMPTS
    assert list(tmp_path.iterdir()) == []


def test_a_view_some_sections_have_no_data_for_says_so(tiny_db, tmp_path):
    """The tiny database has answers but no comments: the voice slide says so; a year before any data,
    every section does, and the pack is still written."""
    con = db.connect_readonly(tiny_db)
    try:
        reader = db.Reader(con)
        facts = data_status.facts(reader)
        view = ViewState(Filters(dt.date(2025, 12, 6), dt.date(2026, 3, 5)), "custom")
        pack = report.build(reader, view, facts, metrics.DEFAULT_MIN_RESPONSES)
        voice = next(s for s in pack.slides if s.key == "voice")
        assert voice.empty == "No survey comments match these filters in this period."
        assert next(s for s in pack.slides if s.key == "kpis").empty is None
        nothing = report.build(reader, ViewState(Filters(dt.date(2010, 1, 1), dt.date(2010, 3, 31)), "custom"),
                               facts, metrics.DEFAULT_MIN_RESPONSES)
    finally:
        con.close()
    empty = [s.key for s in nothing.slides if s.empty]
    assert {"kpis", "trends", "journey", "voice"} <= set(empty)
    # churn risk is scored as of the newest data, whatever the period (as on the churn page): the only finding
    churn_slide = 1 + [s.key for s in nothing.slides].index("churn")
    assert all(b.endswith(f"(slide {churn_slide})") for b in nothing.slides[1].bullets)
    assert [s.key for s in nothing.slides if s.figures] == ["churn"]
    output.write(nothing, tmp_path / "empty.pdf")
    text = _flat(" ".join(p.extract_text() for p in PdfReader(tmp_path / "empty.pdf").pages))
    assert "No survey comments match these filters in this period." in text


def test_reports_page_builds_a_pdf_to_download(demo_march, monkeypatch):
    at = _app(demo_march, monkeypatch, "pages/reports.py", **DIP)
    assert at.title[0].value == "Board pack"
    assert any("NPS fell 18.9 pts to 18" in m.value for m in at.markdown)
    next(b for b in at.button if b.key == "build_pdf").click().run()
    assert not at.exception and not at.error
    assert any(b.key == "build_pptx" for b in at.button)   # the other format is still to build
    downloads = [e for e in at.get("download_button")]
    assert len(downloads) == 1 and "Download the PDF" in downloads[0].proto.label


def test_presentation_mode_steps_through_slides_and_keeps_them_in_the_url(dip, demo_march, monkeypatch):
    at = _app(demo_march, monkeypatch, "pages/present.py", slide="3", **DIP)
    assert _url(at, "slide") == "3" and _url(at, "from") == DIP["from"]
    assert any("KPI SUMMARY" in h.proto.body for h in at.get("html"))
    next(b for b in at.button if b.key == "present_next").click().run()
    assert _url(at, "slide") == "4"
    assert any("(continued)" in h.proto.body for h in at.get("html"))   # the KPI table's second slide
    next(b for b in at.button if b.key == "present_next").click().run()
    assert _url(at, "slide") == "5"
    assert any("NPS fell 18.9 pts to 18 against the previous period" in h.proto.body for h in at.get("html"))
    next(b for b in at.button if b.key == "present_previous").click().run()
    next(b for b in at.button if b.key == "present_previous").click().run()
    assert _url(at, "slide") == "3"
    last = _app(demo_march, monkeypatch, "pages/present.py", slide="99", **DIP)
    assert _url(last, "slide") == str(len(dip["pack"].slides))
    assert next(b for b in last.button if b.key == "present_next").disabled


def test_the_sample_sizes_give_active_customers_the_count_it_rests_on(tiny_con):
    """Active customers is a count on the period's last day, with no n of its own: the appendix shows
    that count, never a dash. Tiny data: 20 customers; C11 left 1 Nov 2025, C01 and C02 left 15 Feb
    2026, C20 joined 1 Feb 2026, so 18 were active on 31 Dec 2025 and 17 on 31 Mar 2026."""
    reader = db.Reader(tiny_con)
    view = ViewState(Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31)), "custom", "previous")
    context = sections.Context(facts=data_status.facts(reader), min_responses=metrics.DEFAULT_MIN_RESPONSES)
    samples = next(s for s in sections.appendix(reader, view, context) if s.key == "samples")
    rows = {row[0]: row[1:] for row in samples.table.rows}
    assert rows["Active customers"] == ["17", "18", "customers on the last day", "none: a full count"]
    assert rows["Contacts"][:3] == ["10", "—", "interactions"]   # 10 contacts now, none in Q4 2025
