"""The collapsed "How this is computed" section at the foot of a page: the glossary's entries the
page relies on (cxdata.glossary), so the method is one click away and never crowds the numbers."""
import streamlit as st

from cxdata import glossary
from cxdata.i18n import _


def how_computed(*terms: str, note: str = "") -> None:
    """The named glossary entries in a collapsed section; `note` adds what holds for this page only
    (a threshold in force, what the filters do here), in the same plain words."""
    with st.expander(_("How this is computed"), icon=":material/info:"):
        if note:
            st.markdown(note)
        st.markdown(glossary.as_markdown(glossary.pick(*terms)))
        st.page_link("pages/definitions.py", label=_("Every definition"), icon=":material/menu_book:")
