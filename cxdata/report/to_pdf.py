"""The pack as a PDF (fpdf2), drawn directly from the same slides and images as the PPTX: one 16:9
page per slide, so a board member reading it by e-mail sees what the room saw; no office suite needed."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from cxdata.i18n import _
from cxdata.report import slides as geometry
from cxdata.report.slides import EMPHASIS, EMPHASIZED_COLUMNS, HEIGHT, MARGIN, MUTED, SERIES, TEXT, WIDTH, Pack, Slide

# A Unicode sans font (minus signs, en dashes, quotes, €); without one, the PDF's built-in Helvetica
# with those characters spelled in Latin-1.
FONT_FILES = [
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]
LATIN1 = str.maketrans({"−": "-", "–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...",
                        "•": "-", "≥": ">=", "≤": "<=", "✓": "", "⚑": "", "€": "EUR"})
POINT = 1 / 72  # inches


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="L", unit="in", format=(HEIGHT, WIDTH))
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.family, self.unicode = "Helvetica", False   # untranslated: a font's name
        for regular, bold in FONT_FILES:
            if Path(regular).exists() and Path(bold).exists():
                self.add_font("Sans", "", regular)   # untranslated: a font's name
                self.add_font("Sans", "B", bold)   # untranslated: a font's name
                self.family, self.unicode = "Sans", True   # untranslated: a font's name
                break

    def text_of(self, text: str) -> str:
        return text if self.unicode else text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, color=TEXT, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*color)

    def block(self, left, top, width, text, size, color=TEXT, bold=False, align="L", gap: float = 0.6) -> float:
        """Paragraphs from (left, top); returns where the text ends."""
        self.style(size, color, bold)
        self.set_xy(left, top)
        for paragraph in text if isinstance(text, list) else [text]:
            self.set_x(left)
            self.multi_cell(width, size * POINT * 1.25, self.text_of(paragraph), align=align)
            self.set_y(self.get_y() + size * POINT * gap)
        return self.get_y()


def write(pack: Pack, images: list[list[Path]], path: Path) -> None:
    doc = _Document()
    doc.set_title(doc.text_of(_("{company}: customer experience review").format(
        company=pack.company or _("Customer experience"))))
    doc.set_creator("cx-cockpit")
    for number, (slide, pictures) in enumerate(zip(pack.slides, images), start=1):
        doc.add_page()
        if slide.layout == "title":
            _title_page(doc, slide)
        else:
            _heading(doc, slide)
            _body(doc, slide, pictures)
        _footer(doc, pack, number)
    doc.output(str(path))


def _title_page(doc: _Document, slide: Slide) -> None:
    width = WIDTH - 2 * MARGIN
    doc.block(MARGIN, 1.7, width, slide.section, 24, SERIES, bold=True)
    doc.block(MARGIN, 2.3, width, slide.title, 44, TEXT, bold=True)
    doc.block(MARGIN, 3.5, width, slide.subtitle, 20, TEXT)
    doc.block(MARGIN, 4.5, width, slide.bullets, 16, MUTED)


def _heading(doc: _Document, slide: Slide) -> None:
    width = WIDTH - 2 * MARGIN
    doc.block(MARGIN, geometry.SECTION_TOP, width, slide.section.upper(), 12, SERIES, bold=True)
    doc.block(MARGIN, geometry.TITLE_TOP, width, slide.title, geometry.title_size(slide.title), TEXT, bold=True,
              gap=0)
    if slide.subtitle:
        doc.block(MARGIN, geometry.SUBTITLE_TOP, width, slide.subtitle, 14, MUTED)


def _body(doc: _Document, slide: Slide, pictures: list[Path]) -> None:
    if slide.layout == "empty":
        left, top, width, height = geometry.text_box(slide)
        doc.block(left, top + height / 2 - 0.5, width, slide.empty, 24, MUTED, align="C")
        return
    for i, picture in enumerate(pictures):
        left, top, width, height = geometry.figure_box(slide, i)
        doc.image(str(picture), x=left, y=top, w=width, h=height, keep_aspect_ratio=True)
    if slide.bullets:
        left, top, width, _height = geometry.text_box(slide)
        size = 16 if slide.layout == "table" else geometry.text_size(slide.bullets, width)
        doc.block(left, top, width, [f"• {b}" if len(slide.bullets) > 1 else b for b in slide.bullets], size)
    if slide.table is not None:
        _table(doc, slide)


def _table(doc: _Document, slide: Slide) -> None:
    spec = slide.table
    left, top, width, _height = geometry.table_box(slide)
    size = geometry.table_size(spec)
    doc.set_xy(left, top)
    doc.style(size)
    doc.set_draw_color(0xE3, 0xE7, 0xEC)
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=SERIES)
    with doc.table(width=min(width, doc.epw), col_widths=spec.widths, align="LEFT", text_align="LEFT", line_height=size * POINT * 1.3,
                   headings_style=heading, padding=(0.04, 0.08), borders_layout="HORIZONTAL_LINES") as table:
        header = table.row()
        for name in spec.columns:
            header.cell(doc.text_of(name))
        for i, cells in enumerate(spec.rows):
            emphasis = spec.emphasis[i] if spec.emphasis else ""
            row = table.row()
            for j, text in enumerate(cells):
                color = EMPHASIS[emphasis] if j in EMPHASIZED_COLUMNS else TEXT
                row.cell(doc.text_of(text), style=FontFace(emphasis="BOLD" if j == 0 else None, color=color))


def _footer(doc: _Document, pack: Pack, number: int) -> None:
    doc.block(MARGIN, geometry.FOOTER_TOP, WIDTH - 2 * MARGIN - 0.9, pack.footer, 12, MUTED)
    doc.block(WIDTH - MARGIN - 0.8, geometry.FOOTER_TOP, 0.8, geometry.counter(number, len(pack.slides)), 12, MUTED, align="R")
