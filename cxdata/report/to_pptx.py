"""The pack as a PowerPoint deck (python-pptx): 16:9, large type, the footer on every slide, each
slide's sources and notes in its speaker notes."""
from __future__ import annotations

from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from cxdata.i18n import _
from cxdata.report import slides as geometry
from cxdata.report.slides import EMPHASIS, EMPHASIZED_COLUMNS, HEIGHT, MARGIN, MUTED, SERIES, TEXT, WIDTH, Pack, Slide

BLANK_LAYOUT = 6


def write(pack: Pack, images: list[list[Path]], path: Path) -> None:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(WIDTH), Inches(HEIGHT)
    for number, (slide, pictures) in enumerate(zip(pack.slides, images), start=1):
        page = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
        if slide.layout == "title":
            _title_page(page, slide)
        else:
            _heading(page, slide)
            _body(page, slide, pictures)
        _footer(page, pack, number)
        page.notes_slide.notes_text_frame.text = notes_text(slide)
    deck.save(str(path))


def notes_text(slide: Slide) -> str:
    """What the presenter's notes carry: the slide's notes and the queries its numbers come from."""
    parts = [slide.notes] if slide.notes else []
    if slide.sources:
        parts.append(_("Sources: {queries}").format(queries=", ".join(slide.sources)))
    return "\n".join(parts)


def _box(page, left, top, width, height, text, size, color=TEXT, bold=False, align=PP_ALIGN.LEFT,
         anchor=MSO_ANCHOR.TOP):
    frame = page.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0)
    lines = text if isinstance(text, list) else [text]
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(size * 0.6)
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, RGBColor(*color)
    return frame


def _title_page(page, slide: Slide) -> None:
    _box(page, MARGIN, 1.7, WIDTH - 2 * MARGIN, 0.6, slide.section, 24, SERIES, bold=True)
    _box(page, MARGIN, 2.3, WIDTH - 2 * MARGIN, 1.1, slide.title, 44, TEXT, bold=True)
    _box(page, MARGIN, 3.5, WIDTH - 2 * MARGIN, 0.9, slide.subtitle, 20, TEXT)
    _box(page, MARGIN, 4.5, WIDTH - 2 * MARGIN, 1.8, slide.bullets, 16, MUTED)


def _heading(page, slide: Slide) -> None:
    width = WIDTH - 2 * MARGIN
    _box(page, MARGIN, geometry.SECTION_TOP, width, 0.3, slide.section.upper(), 12, SERIES, bold=True)
    _box(page, MARGIN, geometry.TITLE_TOP, width, geometry.TITLE_HEIGHT, slide.title, geometry.title_size(slide.title),
         TEXT, bold=True)
    if slide.subtitle:
        _box(page, MARGIN, geometry.SUBTITLE_TOP, width, 0.4, slide.subtitle, 14, MUTED)


def _body(page, slide: Slide, pictures: list[Path]) -> None:
    layout = slide.layout
    if layout == "empty":
        left, top, width, height = geometry.text_box(slide)
        _box(page, left, top, width, height - 0.5, slide.empty, 24, MUTED, align=PP_ALIGN.CENTER,
             anchor=MSO_ANCHOR.MIDDLE)
        return
    for i, picture in enumerate(pictures):
        left, top, width, height = geometry.figure_box(slide, i)
        page.shapes.add_picture(str(picture), Inches(left), Inches(top), Inches(width), Inches(height))
    if slide.bullets:
        left, top, width, height = geometry.text_box(slide)
        _box(page, left, top, width, height, [f"• {b}" if len(slide.bullets) > 1 else b for b in slide.bullets],
             16 if layout == "table" else geometry.text_size(slide.bullets, width))
    if slide.table is not None:
        _table(page, slide)


def _table(page, slide: Slide) -> None:
    spec = slide.table
    left, top, width, height = geometry.table_box(slide)
    size = geometry.table_size(spec)
    row_height = min(height / (len(spec.rows) + 1), 0.5)
    shape = page.shapes.add_table(len(spec.rows) + 1, len(spec.columns), Inches(left), Inches(top),
                                  Inches(width), Inches(row_height * (len(spec.rows) + 1)))
    table = shape.table
    total = sum(spec.widths)
    for j, w in enumerate(spec.widths):
        table.columns[j].width = Inches(width * w / total)
    for j, name in enumerate(spec.columns):
        _cell(table.cell(0, j), name, size, (255, 255, 255), bold=True, fill=SERIES)
    for i, row in enumerate(spec.rows, start=1):
        emphasis = spec.emphasis[i - 1] if spec.emphasis else ""
        for j, text in enumerate(row):
            color = EMPHASIS[emphasis] if j in EMPHASIZED_COLUMNS else TEXT
            _cell(table.cell(i, j), text, size, color, bold=j == 0,
                  fill=(0xF3, 0xF5, 0xF7) if i % 2 == 0 else (255, 255, 255))


def _cell(cell, text: str, size: int, color, bold: bool = False, fill=None) -> None:
    cell.text = text
    cell.margin_top = cell.margin_bottom = Inches(0.04)
    run = cell.text_frame.paragraphs[0].runs[0] if cell.text_frame.paragraphs[0].runs else None
    if run is not None:
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, RGBColor(*color)
    if fill is not None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor(*fill)


def _footer(page, pack: Pack, number: int) -> None:
    _box(page, MARGIN, geometry.FOOTER_TOP, WIDTH - 2 * MARGIN - 0.9, 0.5, pack.footer, 12, MUTED)
    _box(page, WIDTH - MARGIN - 0.8, geometry.FOOTER_TOP, 0.8, 0.3, geometry.counter(number, len(pack.slides)), 12, MUTED,
         align=PP_ALIGN.RIGHT)
