"""The board pack of the current view, built once per view and data file in a browser session:
the Reports page and presentation mode rerun on every click, the pack need not."""
from __future__ import annotations

import streamlit as st

from cxdata import charts, report
from cxdata.app.cache import CachedReader
from cxdata.filters import ViewState
from cxdata.store import Store
from cxdata.report.slides import Pack


def current_pack(reader: CachedReader, view: ViewState, facts: dict, min_responses: int) -> Pack:
    key = (str(view.to_query_params()), reader.stamp, min_responses, report.company_name())
    kept = st.session_state.get("cx_pack")
    if kept is None or kept[0] != key:
        kept = (key, report.build(reader, view, facts, min_responses, store=Store.beside(reader.path)))
        st.session_state["cx_pack"] = kept
    return kept[1]


FULL_SCREEN = {"present"}   # url paths of the pages drawn without the sidebar, in large type


def full_screen() -> None:
    """Presentation mode's look, set by the frame before it draws the sidebar, so the sidebar never shows."""
    st.html("<style>"
            "[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'] "
            "{ display: none; }"
            ".stMainBlockContainer { padding: 1.2rem 3rem 1rem 3rem; max-width: 100%; }"
            f".cx-section {{ color: {charts.COLORS['series']}; font-weight: 700; letter-spacing: .06em; font-size: 1.05rem; }}"
            ".cx-title { font-size: 2.5rem; font-weight: 700; line-height: 1.15; margin: .1rem 0 .3rem 0; }"
            ".cx-cover { font-size: 3.6rem; font-weight: 700; margin-top: 12vh; }"
            f".cx-sub {{ color: {charts.MUTED}; font-size: 1.2rem; }}"
            ".cx-body li, .cx-body p { font-size: 1.45rem; line-height: 1.4; }"
            f".cx-empty {{ color: {charts.MUTED}; font-size: 1.8rem; text-align: center; margin: 18vh 0; }}"
            "[data-testid='stTable'] td, [data-testid='stTable'] th { font-size: 1.15rem; }"
            f".cx-foot {{ color: {charts.MUTED}; font-size: .85rem; }}"
            "</style>")
