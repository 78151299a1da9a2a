"""Data & loads: load files, what is loaded, the history of loads, and the rows that were rejected and why."""
import streamlit as st

from cxdata import charts, data_status, db, exports
from cxdata import formatting as fmt
from cxdata.app import audited, frame
from cxdata.load import limits, presets, upload

frame.current_view()
user = frame.current_user()
st.title("Data & loads")

NO_MAPPING = "Column names as they are"
MAPPING_FILE = "A mapping file (.toml)"
if user.may("load"):  # uploads write the company's database: the administrator only
    with st.expander("Load files", icon=":material/upload:"):
        with st.form("upload", clear_on_submit=False, border=False):
            files = st.file_uploader(f"Files (up to {limits.UPLOAD_FILE_MB.value():,} MB each, "
                                     f"{limits.UPLOAD_TOTAL_MB.value():,} MB together)",
                                     type=upload.FILE_TYPES, accept_multiple_files=True)
            how = st.selectbox("How their columns map onto the model",
                               [NO_MAPPING, *presets.preset_names(), MAPPING_FILE],
                               format_func=lambda o: o if o in (NO_MAPPING, MAPPING_FILE) else
                               f"Preset: {o} — {presets.preset_about(o)}",
                               help="Presets and mapping files: docs/loading.md")
            mapping_file = st.file_uploader("Mapping file (only with 'A mapping file')", type=["toml"])
            # A callback, not the button's value: the frame may rerun the script once (to settle the URL),
            # which would drop a one-run trigger.
            st.form_submit_button("Load", type="primary", on_click=lambda: st.session_state.update(upload_go=True))
        if st.session_state.pop("upload_go", False):
            chosen = (mapping_file.name, mapping_file.getvalue()) if how == MAPPING_FILE and mapping_file else None
            if how == MAPPING_FILE and not chosen:
                st.error("Upload the mapping file to use, or choose another way to map the columns.")
            else:
                with st.spinner("Loading…"):
                    result = upload.load_uploads([(f.name, f.getvalue()) for f in files or []], db.db_path(),
                                                 preset=how if how in presets.preset_names() else None, mapping=chosen)
                if files:
                    audited.record("upload", {
                        "files": [f"{f.name} ({f.size:,} bytes)" for f in files],
                        "mapping": chosen[0] if chosen else (f"preset {how}" if how in presets.preset_names() else None),
                        "load_id": result.load_id,
                        "outcome": ("failed" if not result.ok else "every row rejected" if result.all_rejected
                                    else "loaded"),
                        **({} if result.ok else {"reason": result.text.splitlines()[0] if result.text else None})},
                        done=result.ok)
                if not result.ok:
                    st.error(fmt.md(result.text), icon=":material/error:")  # it quotes file names and values
                else:
                    if result.all_rejected:
                        st.warning("Every row was rejected, so nothing was loaded: see the reasons below.",
                                   icon=":material/warning:")
                    else:
                        st.success("Loaded: the dashboard shows the new data now.", icon=":material/check_circle:")
                    st.code(result.text, language=None, wrap_lines=True)

reader = frame.open_reader()  # after a load above, so the tables below show it
st.caption(f"Database `{reader.path}` · {data_status.file_size(reader.path)}. "
           + (f"Load files above, or with `{frame.LOAD_HINT}`; see docs/loading.md. " if user.may("load") else "")
           + "This page shows everything loaded: the sidebar filters do not apply here.")
st.caption(data_status.derived_status(reader))

# Counts as the rest of the dashboard writes them (1,234); a missing value is a blank cell, never "None".
COUNT = {"format": "%,d", "width": 70}
WHEN = {"format": "YYYY-MM-DD HH:mm", "width": 125}
BLANK = ""

st.subheader("What is loaded")
st.dataframe(data_status.table_stats(reader), hide_index=True, placeholder=BLANK, column_config={
    "table_name": "Table", "n_rows": st.column_config.NumberColumn("Rows", **COUNT),
    "first_on": st.column_config.DateColumn("From"), "last_on": st.column_config.DateColumn("To"),
    "dated_by": "Dated by"})
volume = data_status.monthly_volume(reader)
if volume.empty:
    st.info("No interactions, feedback or transactions loaded yet: rows per month show here after the first load.",
            icon=":material/inbox:")
else:
    # theme=None: the figure keeps the house template, so the page looks like the board pack.
    st.plotly_chart(charts.monthly_volume(volume, data_status.volume_headline(volume),
                                          "Rows per month by record date (see Dated by) · all loaded data "
                                          "· pale: a month the data covers in part · ✕ no rows"),
                    width="stretch", theme=None)

absent = data_status.metrics_not_in_data(reader)
if not absent.empty:
    st.subheader("What your data does not provide")
    st.caption("These metrics read \"not in your data\" on every page and in the board pack, never 0% or 100%: "
               "load a file with the column named and they appear.")
    st.dataframe(absent, hide_index=True, placeholder=BLANK, column_config={
        "metric": st.column_config.TextColumn("Metric", width=200),
        "shown_as": st.column_config.TextColumn("Shown", width=130),
        "why": st.column_config.TextColumn("Why", width="large")})

warnings = data_status.load_warnings(reader)
if not warnings.empty:
    st.subheader("Plausibility warnings")
    st.caption("Results that loaded but look wrong, from each table's latest load: check the mapping line or "
               "column named, fix it and load again. Warnings never stop a load.")
    st.dataframe(warnings, hide_index=True, placeholder=BLANK, column_order=[
        "table_name", "message", "look_at", "loaded_at"], column_config={
        "table_name": st.column_config.TextColumn("Table", width=90),
        "message": st.column_config.TextColumn("What looks wrong", width="large"),
        "look_at": st.column_config.TextColumn("Look at", width="large"),
        "loaded_at": st.column_config.DatetimeColumn("Load started (UTC)", **WHEN)})

st.subheader("Load history")
history = data_status.load_history(reader)
if history.empty:
    st.info("No loads recorded yet.")
else:
    st.dataframe(history, hide_index=True, placeholder=BLANK, column_order=[
        "started_at", "files", "target_table", "outcome", "n_read", "n_loaded", "n_updated", "n_unchanged",
        "n_rejected", "message"], column_config={
        # pinned: scrolled right to a long message, the row still says which load it is
        "started_at": st.column_config.DatetimeColumn("Started (UTC)", pinned=True, **WHEN),
        "files": st.column_config.TextColumn("Files", width=130, help="File names; the loads table keeps the "
                                             "full paths"),
        "target_table": st.column_config.TextColumn("Table", width=85),
        "outcome": st.column_config.TextColumn("Outcome", width=100),
        "n_read": st.column_config.NumberColumn("Read", **COUNT),
        "n_loaded": st.column_config.NumberColumn("New", **COUNT),
        "n_updated": st.column_config.NumberColumn("Updated", **COUNT),
        "n_unchanged": st.column_config.NumberColumn("Unchanged", **(COUNT | {"width": 85})),
        "n_rejected": st.column_config.NumberColumn("Rejected", **COUNT),
        "message": st.column_config.TextColumn("Message", width="large")})

if not user.may("load"):
    st.info("Loading files, and the rows a load rejected, are for the administrator.", icon=":material/lock:")
    st.stop()

n_orphans, orphans = data_status.answers_without_contact(reader)
if n_orphans:
    st.subheader("Answers whose contact is not loaded")
    st.caption(f"{n_orphans:,} answers name a contact (interaction_id) that is not loaded: it was rejected, "
               "skipped by a mapping, or is in no file loaded. They count for the company, but for no department, "
               "so the department scorecards cover fewer answers than the overview. Load their contacts (see the "
               "rejected rows) and they count for their department."
               + (f" The newest {data_status.ANSWERS_LIMIT:,} are listed." if n_orphans > len(orphans) else ""))
    st.dataframe(orphans, hide_index=True, placeholder=BLANK, column_config={
        "feedback_id": st.column_config.TextColumn("Answer", width=110),
        "interaction_id": st.column_config.TextColumn("Contact it names", width=130),
        "customer_id": st.column_config.TextColumn("Customer", width=110),
        "submitted_at": st.column_config.DateColumn("Answered on"),
        "survey": st.column_config.TextColumn("Survey", width=70),
        "score": st.column_config.NumberColumn("Score", format="%d", width=60),
        "journey_stage": st.column_config.TextColumn("Stage", width=90),
        "touchpoint": st.column_config.TextColumn("Touchpoint", width=100)})

st.subheader("Rejected rows")
reasons = data_status.rejected_reasons(reader)
if reasons.empty:
    st.success("No rejected rows: every row of every load passed validation.", icon=":material/check_circle:")
    st.stop()
st.dataframe(reasons, hide_index=True, placeholder=BLANK, column_order=[
    "loaded_at", "target_table", "column_name", "n_rows", "first_line", "reason"], column_config={
    "loaded_at": st.column_config.DatetimeColumn("Load started (UTC)", **WHEN),
    "target_table": st.column_config.TextColumn("Table", width=90),
    "column_name": st.column_config.TextColumn("Column", width=110),
    "n_rows": st.column_config.NumberColumn("Rows", **COUNT),
    "first_line": st.column_config.NumberColumn("First line", format="%d", width=80),
    "reason": st.column_config.TextColumn("Reason", width="large")})

loads = history[history["n_rejected"].fillna(0) > 0].set_index("load_id")
pick_load, pick_table, pick_column, pick_text = st.columns(4)
load_id = pick_load.selectbox(
    "Load", [""] + loads.index.tolist(),
    format_func=lambda lid: "All loads" if not lid else
    f"{loads.loc[lid, 'started_at']:%Y-%m-%d %H:%M} UTC · {loads.loc[lid, 'files']}")
table = pick_table.selectbox("Table", [""] + sorted(set(reasons["target_table"]) - {""}),
                             format_func=lambda t: t or "All tables")
column = pick_column.selectbox("Column", [""] + sorted(set(reasons["column_name"]) - {""}),
                               format_func=lambda c: c or "All columns")
search = pick_text.text_input("Reason contains", max_chars=100)

rows = data_status.rejected_rows(reader, load_id, table, column, search.strip())
shown = f"{len(rows):,} rejected cells" + (" (first 50,000)" if len(rows) == data_status.REJECTED_LIMIT else "")
st.caption(f"{shown}. Fix them in the source file at the line shown and load it again: loads are idempotent.")
st.dataframe(rows, hide_index=True, placeholder=BLANK, column_order=[
    "file_name", "line", "column_name", "value", "reason", "target_table", "loaded_at", "raw"], column_config={
    "file_name": st.column_config.TextColumn("File", width=150, help="The download has the full path"),
    "line": st.column_config.NumberColumn("Line", format="%d", width=60),
    "column_name": st.column_config.TextColumn("Column", width=110),
    "value": st.column_config.TextColumn("Value", width=100),
    "reason": st.column_config.TextColumn("Reason", width="large"),
    "target_table": st.column_config.TextColumn("Table", width=90),
    "loaded_at": st.column_config.DatetimeColumn("Load started (UTC)", **WHEN),
    "raw": st.column_config.TextColumn("Whole row (JSON)", width="large")})
audited.download_button(st, "Download these rejected rows (CSV)",
                        exports.csv_bytes(rows.drop(columns=["file_name"])),
                        file_name="rejected_rows.csv", mime="text/csv", disabled=rows.empty, action="export",
                        what={"file": "rejected_rows.csv", "format": "csv", "list": "Rejected rows", "rows": len(rows),
                              "load": load_id or None, "table": table or None, "column": column or None,
                              "reason_contains": search.strip() or None})
