"""Definitions: every KPI and method in plain words, the glossary the pages' "How this is computed"
sections quote (one text, cxdata.glossary)."""
import streamlit as st

from cxdata import glossary
from cxdata.app import frame

frame.require_frame()   # a first visit straight to this page goes through the frame, and its sign-in, first
st.title("Definitions")
st.caption("What each number on these pages means and how it is worked out, in plain words.")
find = st.text_input("Find a term", key="definitions_find", placeholder="e.g. churn, margin, target",
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
    st.info(f"No definition mentions “{find}”.", icon=":material/search_off:")
