"""Definitions: every KPI and method in plain words, the glossary the pages' "How this is computed"
sections quote (one text, cxdata.glossary)."""
import streamlit as st

from cxdata import formatting as fmt
from cxdata import glossary
from cxdata.app import frame
from cxdata.i18n import _

frame.require_frame()   # a first visit straight to this page goes through the frame, and its sign-in, first
st.title(_("Definitions"))
st.caption(_("What each number on these pages means and how it is worked out, in plain words."))
find = st.text_input(_("Find a term"), key="definitions_find", placeholder=_("e.g. churn, margin, target"),
                     max_chars=60).strip().lower()
shown = 0
for group, items in glossary.groups().items():
    items = [e for e in items if not find or find in e.term.lower() or find in e.text.lower()]
    if not items:
        continue
    st.subheader(group)
    for entry in items:
        st.markdown(f"**{entry.term}**  \n{entry.text}")
    shown += len(items)
if not shown:
    st.info(_("No definition mentions “{text}”.").format(text=fmt.md(find)), icon=":material/search_off:")
