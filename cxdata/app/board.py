"""The board pack of the current view, built once per view and data file in a browser session:
the Reports page and presentation mode rerun on every click, the pack need not."""
from __future__ import annotations

import streamlit as st

from cxdata import charts, report
from cxdata.app.cache import CachedReader
from cxdata.filters import ViewState
from cxdata.i18n import language
from cxdata.store import Store
from cxdata.report.slides import Pack


def current_pack(reader: CachedReader, view: ViewState, facts: dict, min_responses: int) -> Pack:
    key = (str(view.to_query_params()), reader.stamp, min_responses, report.company_name(), language())
    kept = st.session_state.get("cx_pack")
    if kept is None or kept[0] != key:
        kept = (key, report.build(reader, view, facts, min_responses, store=Store.beside(reader.path)))
        st.session_state["cx_pack"] = kept
    return kept[1]


FULL_SCREEN = {"present"}   # url paths of the pages drawn without the sidebar, in large type

# Presentation mode draws every slide on a 1280 x 720 stage (CSS px) and scales the stage to fill the
# window, letterboxed: at 1920 x 1080 everything, chart labels included, is 1.5 times as large, and
# what fits 1280 x 720 fits every 16:9 window. The heading keeps room for two lines of title and one
# of subtitle, the footer two, so the body (chart, text, table) has a known height; the slide's text stays >= 14 px.
STAGE_WIDTH, STAGE_HEIGHT = 1280, 720
CONTENT_WIDTH = STAGE_WIDTH - 2 * 44
BODY_HEIGHT = 470          # px: what the navigation, heading and footer leave (measured, with a little spare)
LINE = {"title": (32 * 1.15, 68), "long": (27 * 1.15, 84), "sub": (17 * 1.4, 135), "foot": (14 * 1.3, 165)}
LONG_TITLE = 120           # characters of title above which it is set smaller, to keep to two lines
GAP = 32                   # px between a chart and what stands beside it


def _lines(text: str, kind: str) -> int:
    return max(1, -(-len(text) // LINE[kind][1]))


def body_height(slide, footer: str) -> int:
    """The px the slide's body has on the stage, less what a long subtitle or footer takes from it."""
    kind = "long" if len(slide.title) > LONG_TITLE else "title"
    extra = (max(_lines(slide.title, kind) - 2, 0) * LINE[kind][0] + max(_lines(slide.subtitle, "sub") - 1, 0)
             * LINE["sub"][0] + max(_lines(footer, "foot") - 2, 0) * LINE["foot"][0])
    return int(BODY_HEIGHT - extra)


def figure_width(slide) -> int:
    """The px a slide's chart is drawn at: beside its text, half the width for two, else all of it.
    Set, not measured: the browser measures the scaled stage, so a chart left to stretch would be
    drawn 1.5 times too large at 1920 x 1080."""
    if slide.layout == "figure+text":
        return int(CONTENT_WIDTH * 0.64)
    if slide.layout == "figures":
        return (CONTENT_WIDTH - GAP) // 2
    return CONTENT_WIDTH


def full_screen() -> None:
    """Presentation mode's look, set by the frame before it draws the sidebar, so the sidebar never shows."""
    st.html("<style>"
            "[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'] "
            "{ display: none; }"
            f":root {{ --cx-scale: min(calc(100vw / {STAGE_WIDTH}px), calc(100vh / {STAGE_HEIGHT}px)); }}"
            "[data-testid='stMain'] { overflow: hidden; }"   # the stage is scaled to fit: nothing to scroll to
            f".stMainBlockContainer {{ width: {STAGE_WIDTH}px; height: {STAGE_HEIGHT}px; max-width: none; "
            "flex: none; padding: 10px 44px 8px 44px; margin: 0 auto; transform-origin: top center; "
            "transform: scale(var(--cx-scale)); }"
            # A chart is drawn as wide as its frame measures on screen, which is the stage's scale times its
            # width on the stage: a frame narrowed by that scale makes the chart exactly its place on the stage.
            ".st-key-cx_body [data-testid='stFullScreenFrame']:has(.stPlotlyChart) "
            "{ width: calc(100% / var(--cx-scale)); overflow: visible; }"
            ".st-key-cx_body .stPlotlyChart, .st-key-cx_body .js-plotly-plot, "
            ".st-key-cx_body .stElementContainer:has(.stPlotlyChart) { overflow: visible !important; }"
            ".stMainBlockContainer > [data-testid='stVerticalBlock'] { height: 100%; flex-wrap: nowrap; gap: 6px; }"
            "[data-testid='stLayoutWrapper']:has(> .st-key-cx_body) { flex: 1 1 0; min-height: 0; }"
            "[data-testid='stBaseButton-secondary'] kbd { display: none; }"   # the icon is the one arrow
            f".cx-section {{ color: {charts.COLORS['series']}; font-weight: 700; letter-spacing: .06em; font-size: 15px; }}"
            ".cx-head { min-height: 126px; }"   # the section, two lines of title and one of subtitle
            ".cx-title { font-size: 32px; font-weight: 700; line-height: 1.15; margin: 2px 0 4px 0; }"
            ".cx-title.cx-long { font-size: 27px; }"
            ".cx-cover { font-size: 56px; font-weight: 700; margin-top: 150px; }"
            f".cx-sub {{ color: {charts.MUTED}; font-size: 17px; line-height: 1.4; }}"
            ".cx-body li, .cx-body p { font-size: 19px; line-height: 1.35; margin-bottom: 4px; }"
            ".cx-body.cx-dense li, .cx-body.cx-dense p { font-size: 17px; }"
            ".cx-body.cx-wide li, .cx-body.cx-wide p { font-size: 22px; margin-bottom: 8px; }"
            f".cx-empty {{ color: {charts.MUTED}; font-size: 28px; text-align: center; margin: 120px 0; }}"
            "[data-testid='stTable'] table { width: 100%; }"
            "[data-testid='stTable'] td > div { max-width: none !important; }"   # a definition uses the width it has
            "[data-testid='stTable'] td, [data-testid='stTable'] th { font-size: 18px; padding: 7px 12px; line-height: 1.35; }"
            f".cx-foot {{ color: {charts.MUTED}; font-size: 14px; line-height: 1.3; min-height: 2.6em; }}"
            "</style>")
