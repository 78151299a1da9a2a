"""What a slide holds, whatever it is drawn on: the PPTX and PDF writers and presentation mode all
read these plain values, so the three show the same words and numbers."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import plotly.graph_objects as go

from cxdata import charts
from cxdata import formatting as fmt
from cxdata.i18n import _

# The slide's page, in inches (16:9), and its regions, shared by both writers.
WIDTH, HEIGHT = 13.333, 7.5
MARGIN = 0.55
SECTION_TOP = 0.3        # the small section label above the title
TITLE_TOP, TITLE_HEIGHT = 0.55, 0.95
SUBTITLE_TOP = 1.5
BODY_TOP, BODY_BOTTOM = 1.95, 6.75
FOOTER_TOP = 6.92
SIDE_TEXT = 4.3          # the text column beside a figure
PX_PER_INCH = 72         # a figure's CSS pixel is a point on the slide: its 15 px labels print at 15 pt
MAX_PX_PER_INCH = 84     # a figure drawn taller than its place shrinks at most so far that its 14 px labels print at 12 pt


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


# The house colours (cxdata.charts), as RGB for the writers.
TEXT, MUTED, SERIES = _rgb(charts.TEXT), _rgb(charts.MUTED), _rgb(charts.COLORS["series"])
EMPHASIS = {"better": _rgb(charts.COLORS["better"]), "worse": _rgb(charts.COLORS["worse"]), "muted": MUTED, "": TEXT}
# The columns a row's emphasis colours: its value and its change. The target column's own words say
# its verdict, so a met target is never drawn in the colour of a worsening.
EMPHASIZED_COLUMNS = (1, 2)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]          # relative column widths
    emphasis: list[str] = field(default_factory=list)   # per row: "", "better", "worse", "muted"


@dataclass
class Slide:
    """One slide: a title that states the finding, what supports it, and where its numbers come from.

    `findings` are the sentences the executive summary may quote; each names a number this slide
    shows; `headline` the finding that may title the summary. `empty` says why there is nothing to show for this view (the slide then says so).
    """

    key: str
    section: str                  # the small heading above the title: "KPI summary"
    title: str
    subtitle: str = ""
    bullets: list[str] = field(default_factory=list)
    figures: list[go.Figure] = field(default_factory=list)
    table: Table | None = None
    sources: list[str] = field(default_factory=list)    # the sql/ queries behind the numbers
    notes: str = ""
    findings: list[str] = field(default_factory=list)
    empty: str | None = None
    headline: str = ""            # the deck's main finding, for the summary's title (the KPI slide's)

    @property
    def layout(self) -> str:
        """How the writers arrange it: title, empty, table, figure, figure+text, two figures or text."""
        if self.key == "title":
            return "title"
        if self.empty:
            return "empty"
        if self.table is not None:
            return "table"
        if len(self.figures) >= 2:
            return "figures"
        if self.figures:
            return "figure+text" if self.bullets else "figure"
        return "text"


@dataclass(frozen=True)
class Pack:
    """The whole deck for one view, and the lines every footer carries."""

    slides: list[Slide]
    company: str
    period: str        # "Last 90 days, 2 Sep – 30 Nov 2026, against the previous period (...)"
    filters: str       # "All customers, channels and departments"
    freshness: str     # "Data to 30 Nov 2026, loaded 1 Dec 2026 09:12 UTC"
    footer: str        # what every slide's foot says

    def figure_slots(self) -> list[tuple[go.Figure, float, float]]:
        """Every figure of the pack with the size (inches) its slide gives it, in slide order."""
        return [(fig, *figure_box(slide, i)[2:]) for slide in self.slides for i, fig in enumerate(slide.figures)]


def counter(number: int, total: int) -> str:
    """A slide's place in the deck, at its foot: '3 / 12'."""
    # i18n: the slide's number and the deck's count at the foot of each slide
    return _("{number} / {total}").format(number=fmt.count(number), total=fmt.count(total))


def figure_box(slide: Slide, index: int = 0) -> tuple[float, float, float, float]:
    """Where a slide's figure goes: left, top, width, height in inches."""
    body_w, body_h = WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP
    if slide.layout == "figures":
        w = (body_w - 0.3) / 2
        return MARGIN + index * (w + 0.3), BODY_TOP, w, body_h
    if slide.layout == "figure+text":
        return MARGIN, BODY_TOP, body_w - SIDE_TEXT - 0.3, body_h
    return MARGIN, BODY_TOP, body_w, body_h


def text_box(slide: Slide) -> tuple[float, float, float, float]:
    """Where a slide's bullets go: beside a figure, above a table, or the whole body."""
    body_w = WIDTH - 2 * MARGIN
    if slide.layout == "figure+text":
        return WIDTH - MARGIN - SIDE_TEXT, BODY_TOP, SIDE_TEXT, BODY_BOTTOM - BODY_TOP
    if slide.layout == "table":
        return MARGIN, BODY_TOP, body_w, 0.5 * len(slide.bullets)
    return MARGIN, BODY_TOP, body_w, BODY_BOTTOM - BODY_TOP


def table_box(slide: Slide) -> tuple[float, float, float, float]:
    top = BODY_TOP + text_box(slide)[3] + (0.15 if slide.bullets else 0)
    return MARGIN, top, WIDTH - 2 * MARGIN, BODY_BOTTOM - top


def title_size(title: str) -> int:
    """Points for a slide title: two lines at most across the slide, three for the longest (a Spanish
    or Portuguese finding runs a quarter longer than the English), all within TITLE_HEIGHT."""
    n = len(title)
    return 28 if n <= 75 else 24 if n <= 110 else 20 if n <= 160 else 18 if n <= 250 else 16


def text_size(bullets: list[str], width: float) -> int:
    """Points for a slide's text: as large as fits its box."""
    chars = sum(len(b) for b in bullets) * (12.2 / width)
    return 20 if chars <= 500 else 18 if chars <= 800 else 16 if chars <= 1200 else 14


def table_size(table: Table) -> int:
    """Points for a table's text: smaller as rows are added, so twelve KPIs still fit above the footer."""
    return 14 if len(table.rows) <= 8 else 13 if len(table.rows) <= 10 else 12


# What one slide's body holds, in table lines, as presentation mode draws it on its 1280 x 720 stage
# (18 px text, 40 px a one-line row, 24 px each further line; 470 px of body) and as the writers
# draw it at 14 pt: a longer table continues on the next slide rather than shrinking its type.
BODY_LINES = 11.5
ROW_CHARS = 125            # characters across the whole width of a table row at 18 px
TEXT_CHARS = 105           # characters of 19 px text across the body


def _row_lines(row: list[str], widths: list[float]) -> float:
    """A row's height in one-line rows: each further wrapped line adds 0.6 of one."""
    total = sum(widths)
    lines = max(math.ceil(len(cell) / max(ROW_CHARS * w / total, 1)) for cell, w in zip(row, widths))
    return 1 + 0.6 * (lines - 1)


def paginate(slide: Slide) -> list[Slide]:
    """The slide, or, when its table is longer than a slide holds, the slide and its continuations:
    rows split evenly, the header on each, the text and findings on the first, "(continued)" after."""
    table = slide.table
    if table is None:
        return [slide]
    text = sum(math.ceil(len(b) / TEXT_CHARS) for b in slide.bullets) * 0.8
    room = BODY_LINES - text - 1            # less the text above the table and the header row
    heights = [_row_lines(row, table.widths) for row in table.rows]
    parts = math.ceil(sum(heights) / room) if heights else 1
    if parts <= 1:
        return [slide]
    share = sum(heights) / parts
    chunks, current, used = [], [], 0.0
    for i, h in enumerate(heights):
        if current and (used + h > room or used >= share * 0.999):
            chunks.append(current)
            current, used = [], 0.0
        current.append(i)
        used += h
    chunks.append(current)
    out = []
    for n, rows in enumerate(chunks):
        part = Table(table.columns, [table.rows[i] for i in rows], table.widths,
                     [table.emphasis[i] for i in rows] if table.emphasis else [])
        out.append(dataclasses.replace(slide, table=part) if n == 0 else dataclasses.replace(
            slide, key=f"{slide.key}_{n + 1}", title=_("{title} (continued)").format(title=slide.title), bullets=[],
            table=part,
            findings=[], headline="", notes=""))
    return out
