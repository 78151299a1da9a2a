"""Data & loads: what is loaded, the history of loads, and the rows that were rejected and why."""
import streamlit as st

from cxdata import charts, data_status
from cxdata.app import frame

frame.current_view()
reader = frame.open_reader()

st.title("Data & loads")
st.caption(f"Database `{reader.path}` · {data_status.file_size(reader.path)}. "
           f"Load files with `{frame.LOAD_HINT}`; see docs/loading.md. "
           "This page shows everything loaded: the sidebar filters do not apply here. "
           + data_status.derived_status(reader))

st.subheader("What is loaded")
st.dataframe(data_status.table_stats(reader), hide_index=True, column_config={
    "table_name": "Table", "n_rows": st.column_config.NumberColumn("Rows", format="localized"),
    "first_on": st.column_config.DateColumn("From"), "last_on": st.column_config.DateColumn("To"),
    "dated_by": "Dated by"})
volume = data_status.monthly_volume(reader)
if volume.empty:
    st.info("No interactions, feedback or transactions loaded yet: rows per month show here after the first load.",
            icon="📭")
else:
    # theme=None: the figure keeps the house template, so the page looks like the board pack.
    st.plotly_chart(charts.monthly_volume(volume, data_status.volume_headline(volume),
                                          "Rows per month by record date (see Dated by) · all loaded data "
                                          "· pale: a month the data covers in part · ✕ no rows"),
                    width="stretch", theme=None)

st.subheader("Load history")
history = data_status.load_history(reader)
if history.empty:
    st.info("No loads recorded yet.")
else:
    st.dataframe(history, hide_index=True, column_order=[
        "started_at", "files", "target_table", "outcome", "n_read", "n_loaded", "n_updated", "n_unchanged",
        "n_rejected", "message", "finished_at"], column_config={
        "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm:ss"),
        "finished_at": st.column_config.DatetimeColumn("Finished", format="YYYY-MM-DD HH:mm:ss"),
        "files": "Files", "target_table": "Table", "n_read": "Read", "n_loaded": "New",
        "n_updated": "Updated", "n_unchanged": "Unchanged", "n_rejected": "Rejected",
        "outcome": "Outcome", "message": "Message"})

st.subheader("Rejected rows")
reasons = data_status.rejected_reasons(reader)
if reasons.empty:
    st.success("No rejected rows: every row of every load passed validation.", icon="✅")
    st.stop()
st.dataframe(reasons.drop(columns=["load_id"]), hide_index=True, column_config={
    "loaded_at": st.column_config.DatetimeColumn("Load", format="YYYY-MM-DD HH:mm"),
    "target_table": "Table", "column_name": "Column", "reason": "Reason",
    "n_rows": st.column_config.NumberColumn("Rows", format="localized"), "first_line": "First line"})

loads = history[history["n_rejected"].fillna(0) > 0]
pick_load, pick_table, pick_column, pick_text = st.columns(4)
load_id = pick_load.selectbox(
    "Load", [""] + loads["load_id"].tolist(),
    format_func=lambda lid: "All loads" if not lid else
    f"{loads.set_index('load_id').loc[lid, 'started_at']:%Y-%m-%d %H:%M} · {loads.set_index('load_id').loc[lid, 'files']}")
table = pick_table.selectbox("Table", [""] + sorted(reasons["target_table"].dropna().unique()),
                             format_func=lambda t: t or "All tables")
column = pick_column.selectbox("Column", [""] + sorted(reasons["column_name"].dropna().unique()),
                               format_func=lambda c: c or "All columns")
search = pick_text.text_input("Reason contains", max_chars=100)

rows = data_status.rejected_rows(reader, load_id, table, column, search.strip())
shown = f"{len(rows):,} rejected cells" + (" (first 50,000)" if len(rows) == data_status.REJECTED_LIMIT else "")
st.caption(f"{shown}. Fix them in the source file at the line shown and load it again: loads are idempotent.")
st.dataframe(rows, hide_index=True, height=320, column_order=[
    "source_file", "line", "column_name", "value", "reason", "target_table", "loaded_at", "raw"], column_config={
    "source_file": "File", "line": "Line", "column_name": "Column", "value": "Value", "reason": "Reason",
    "target_table": "Table", "loaded_at": st.column_config.DatetimeColumn("Load", format="YYYY-MM-DD HH:mm"),
    "raw": "Whole row (JSON)"})
st.download_button("Download these rejected rows (CSV)", rows.to_csv(index=False).encode("utf-8"),
                   file_name="rejected_rows.csv", mime="text/csv", disabled=rows.empty)
