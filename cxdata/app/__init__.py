"""The only Streamlit-aware modules of cxdata: the frame around every page and the caches."""
