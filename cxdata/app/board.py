"""The board pack of the current view, built once per view and data file in a browser session:
the Reports page and presentation mode rerun on every click, the pack need not."""
from __future__ import annotations

import streamlit as st

from cxdata import report
from cxdata.app.cache import CachedReader
from cxdata.filters import ViewState
from cxdata.report.slides import Pack


def current_pack(reader: CachedReader, view: ViewState, facts: dict, min_responses: int) -> Pack:
    key = (str(view.to_query_params()), reader.stamp, min_responses, report.company_name())
    kept = st.session_state.get("cx_pack")
    if kept is None or kept[0] != key:
        kept = (key, report.build(reader, view, facts, min_responses))
        st.session_state["cx_pack"] = kept
    return kept[1]
