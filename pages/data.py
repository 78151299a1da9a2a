"""Data & loads: load files, what is loaded, the history of loads, and the rows that were rejected and why."""
import streamlit as st

from cxdata import charts, data_status, db, exports
from cxdata import formatting as fmt
from cxdata.app import audited, frame
from cxdata.i18n import N_, _, n_, p_
from cxdata.load import limits, presets, reasons, upload

frame.current_view()
user = frame.current_user()
st.title(_("Data & loads"))

NO_MAPPING = N_("Column names as they are")
MAPPING_FILE = N_("A mapping file (.toml)")
# The load history's outcomes as data_status words them, translated where shown.
OUTCOMES = (N_("OK"), N_("Some rejected"), N_("Failed"))
if user.may("load"):  # uploads write the company's database: the administrator only
    with st.expander(_("Load files"), icon=":material/upload:"):
        with st.form("upload", clear_on_submit=False, border=False):
            files = st.file_uploader(_("Files (up to {each} MB each, {together} MB together)").format(
                each=fmt.count(limits.UPLOAD_FILE_MB.value()), together=fmt.count(limits.UPLOAD_TOTAL_MB.value())),
                                     type=upload.FILE_TYPES, accept_multiple_files=True)
            how = st.selectbox(_("How their columns map onto the model"),
                               [NO_MAPPING, *presets.preset_names(), MAPPING_FILE],
                               format_func=lambda o: _(o) if o in (NO_MAPPING, MAPPING_FILE) else
                               _("Preset: {name} — {about}").format(name=o, about=presets.preset_about(o)),
                               help=_("Presets and mapping files: docs/loading.md"))
            mapping_file = st.file_uploader(_("Mapping file (only with 'A mapping file')"), type=["toml"])
            # A callback, not the button's value: the frame may rerun the script once (to settle the URL),
            # which would drop a one-run trigger.
            st.form_submit_button(_("Load"), type="primary", on_click=lambda: st.session_state.update(upload_go=True))
        if st.session_state.pop("upload_go", False):
            chosen = (mapping_file.name, mapping_file.getvalue()) if how == MAPPING_FILE and mapping_file else None
            if how == MAPPING_FILE and not chosen:
                st.error(_("Upload the mapping file to use, or choose another way to map the columns."))
            else:
                with st.spinner(_("Loading…")):
                    result = upload.load_uploads([(f.name, f.getvalue()) for f in files or []], db.db_path(),
                                                 preset=how if how in presets.preset_names() else None, mapping=chosen)
                if files:
                    audited.record("upload", {
                        "files": [f"{f.name} ({f.size:,} bytes)" for f in files],
                        "mapping": chosen[0] if chosen else (f"preset {how}" if how in presets.preset_names() else None),
                        "load_id": result.load_id,
                        "outcome": ("failed" if not result.ok else "every row rejected" if result.all_rejected
                                    else "loaded"),  # untranslated: the audit log's record, in English
                        **({} if result.ok else {"reason": result.text.splitlines()[0] if result.text else None})},
                        done=result.ok)
                if not result.ok:
                    st.error(fmt.md(result.text), icon=":material/error:")  # it quotes file names and values
                else:
                    if result.all_rejected:
                        st.warning(_("Every row was rejected, so nothing was loaded: see the reasons below."),
                                   icon=":material/warning:")
                    else:
                        st.success(_("Loaded: the dashboard shows the new data now."), icon=":material/check_circle:")
                    st.code(result.text, language=None, wrap_lines=True)

reader = frame.open_reader()  # after a load above, so the tables below show it
about = _("Database `{path}` · {size}.").format(path=reader.path, size=data_status.file_size(reader.path))
if user.may("load"):
    about += " " + _("Load files above, or with `{command}`; see docs/loading.md.").format(command=frame.LOAD_HINT)
st.caption(about + " " + _("This page shows everything loaded: the sidebar filters do not apply here."))
st.caption(data_status.derived_status(reader))

# Counts as the rest of the dashboard writes them (1,234 / 1.234); a missing value is a blank cell, never
# "None". Streamlit's number format writes English separators only, so in another language the counts
# are shown as text in the locale's style (counts(), below).
ENGLISH = fmt.number_text("1,234") == "1,234"
COUNT = {"format": "%,d", "width": 70}
WHEN = {"format": "YYYY-MM-DD HH:mm", "width": 125}  # untranslated: a date-time layout (ISO), not words
BLANK = ""


def counts(frame, columns):
    """`frame` with its count columns written in the locale's style when the language is not English."""
    if ENGLISH:
        return frame
    return frame.assign(**{c: frame[c].map(fmt.count) for c in columns if c in frame})


def count_column(label, **extra):
    """A right-aligned count in English, its locale text in another language."""
    if ENGLISH:
        return st.column_config.NumberColumn(label, **(COUNT | extra))
    return st.column_config.TextColumn(label, width=extra.get("width", COUNT["width"]), alignment="right")


st.subheader(_("What is loaded"))
st.dataframe(counts(data_status.table_stats(reader), ["n_rows"]), hide_index=True, placeholder=BLANK, column_config={
    "table_name": _("Table"), "n_rows": count_column(_("Rows")),
    "first_on": st.column_config.DateColumn(_("From")), "last_on": st.column_config.DateColumn(_("To")),
    "dated_by": _("Dated by")})
volume = data_status.monthly_volume(reader)
if volume.empty:
    st.info(_("No interactions, feedback or transactions loaded yet: rows per month show here after the first load."),
            icon=":material/inbox:")
else:
    # theme=None: the figure keeps the house template, so the page looks like the board pack.
    st.plotly_chart(charts.monthly_volume(volume, data_status.volume_headline(volume),
                                          _("Rows per month by record date (see Dated by) · all loaded data "
                                            "· pale: a month the data covers in part · ✕ no rows")),
                    width="stretch", theme=None)

absent = data_status.metrics_not_in_data(reader)
if not absent.empty:
    st.subheader(_("What your data does not provide"))
    st.caption(_("These metrics read \"not in your data\" on every page and in the board pack, never 0% or 100%: "
                 "load a file with the column named and they appear."))
    st.dataframe(absent, hide_index=True, placeholder=BLANK, column_config={
        "metric": st.column_config.TextColumn(_("Metric"), width=200),
        "shown_as": st.column_config.TextColumn(_("Shown"), width=130),
        "why": st.column_config.TextColumn(_("Why"), width="large")})

warnings = data_status.load_warnings(reader)
if not warnings.empty:
    st.subheader(_("Plausibility warnings"))
    st.caption(_("Results that loaded but look wrong, from each table's latest load: check the mapping line or "
                 "column named, fix it and load again. Warnings never stop a load."))
    warnings = warnings.assign(message=warnings["message"].map(reasons.warning_shown),
                               look_at=warnings["look_at"].map(reasons.look_at_shown))
    st.dataframe(warnings, hide_index=True, placeholder=BLANK, column_order=[
        "table_name", "message", "look_at", "loaded_at"], column_config={
        "table_name": st.column_config.TextColumn(_("Table"), width=90),
        "message": st.column_config.TextColumn(_("What looks wrong"), width="large"),
        "look_at": st.column_config.TextColumn(_("Look at"), width="large"),
        "loaded_at": st.column_config.DatetimeColumn(_("Load started (UTC)"), **WHEN)})

st.subheader(_("Load history"))
history = data_status.load_history(reader)
if history.empty:
    st.info(_("No loads recorded yet."))
else:
    shown_history = counts(history.assign(outcome=history["outcome"].map(_),
                                          message=history["message"].map(reasons.message_shown)),
                           ["n_read", "n_loaded", "n_updated", "n_unchanged", "n_rejected"])
    st.dataframe(shown_history, hide_index=True, placeholder=BLANK, column_order=[
        "started_at", "files", "target_table", "outcome", "n_read", "n_loaded", "n_updated", "n_unchanged",
        "n_rejected", "message"], column_config={
        # pinned: scrolled right to a long message, the row still says which load it is
        "started_at": st.column_config.DatetimeColumn(_("Started (UTC)"), pinned=True, **WHEN),
        "files": st.column_config.TextColumn(_("Files"), width=130, help=_("File names; the loads table keeps the "
                                                                          "full paths")),
        "target_table": st.column_config.TextColumn(_("Table"), width=85),
        "outcome": st.column_config.TextColumn(_("Outcome"), width=140),  # "Algunas rechazadas" whole
        "n_read": count_column(_("Read")),
        "n_loaded": count_column(p_("rows", "New")),
        "n_updated": count_column(_("Updated"), width=85),
        "n_unchanged": count_column(_("Unchanged"), width=95),
        "n_rejected": count_column(_("Rejected"), width=85),
        "message": st.column_config.TextColumn(_("Message"), width="large")})

if not user.may("load"):
    st.info(_("Loading files, and the rows a load rejected, are for the administrator."), icon=":material/lock:")
    st.stop()

n_orphans, orphans = data_status.answers_without_contact(reader)
if n_orphans:
    st.subheader(_("Answers whose contact is not loaded"))
    said = n_("{n} answer names a contact (interaction_id) that is not loaded: it was rejected, skipped by a "
              "mapping, or is in no file loaded. It counts for the company, but for no department, so the "
              "department scorecards cover fewer answers than the overview. Load its contact (see the rejected "
              "rows) and it counts for its department.",
              "{n} answers name a contact (interaction_id) that is not loaded: it was rejected, skipped by a "
              "mapping, or is in no file loaded. They count for the company, but for no department, so the "
              "department scorecards cover fewer answers than the overview. Load their contacts (see the "
              "rejected rows) and they count for their department.", n_orphans).format(n=fmt.count(n_orphans))
    if n_orphans > len(orphans):
        said += " " + _("The newest {n} are listed.").format(n=fmt.count(data_status.ANSWERS_LIMIT))
    st.caption(said)
    st.dataframe(orphans, hide_index=True, placeholder=BLANK, column_config={
        "feedback_id": st.column_config.TextColumn(_("Answer"), width=110),
        "interaction_id": st.column_config.TextColumn(_("Contact it names"), width=130),
        "customer_id": st.column_config.TextColumn(_("Customer"), width=110),
        "submitted_at": st.column_config.DateColumn(_("Answered on")),
        "survey": st.column_config.TextColumn(_("Survey"), width=70),
        "score": st.column_config.NumberColumn(_("Score"), format="%d", width=60),
        "journey_stage": st.column_config.TextColumn(_("Stage"), width=90),
        "touchpoint": st.column_config.TextColumn(_("Touchpoint"), width=100)})

st.subheader(_("Rejected rows"))
reasons_counted = data_status.rejected_reasons(reader)
if reasons_counted.empty:
    st.success(_("No rejected rows: every row of every load passed validation."), icon=":material/check_circle:")
    st.stop()
st.dataframe(counts(reasons_counted.assign(reason=reasons_counted["reason"].map(reasons.shown)), ["n_rows"]),
             hide_index=True, placeholder=BLANK, column_order=[
    "loaded_at", "target_table", "column_name", "n_rows", "first_line", "reason"], column_config={
    "loaded_at": st.column_config.DatetimeColumn(_("Load started (UTC)"), **WHEN),
    "target_table": st.column_config.TextColumn(_("Table"), width=90),
    "column_name": st.column_config.TextColumn(_("Column"), width=110),
    "n_rows": count_column(_("Rows")),
    "first_line": st.column_config.NumberColumn(_("First line"), format="%d", width=90),
    "reason": st.column_config.TextColumn(_("Reason"), width="large")})

loads = history[history["n_rejected"].fillna(0) > 0].set_index("load_id")
pick_load, pick_table, pick_column, pick_text = st.columns(4)
load_id = pick_load.selectbox(
    p_("a past load", "Load"), [""] + loads.index.tolist(),
    format_func=lambda lid: _("All loads") if not lid else
    f"{loads.loc[lid, 'started_at']:%Y-%m-%d %H:%M} UTC · {loads.loc[lid, 'files']}")
table = pick_table.selectbox(_("Table"), [""] + sorted(set(reasons_counted["target_table"]) - {""}),
                             format_func=lambda t: t or _("All tables"))
column = pick_column.selectbox(_("Column"), [""] + sorted(set(reasons_counted["column_name"]) - {""}),
                               format_func=lambda c: c or _("All columns"))
# i18n: the search runs over the reasons as stored, in English
search = pick_text.text_input(_("Reason contains"), max_chars=100, help=_("Searches the reasons in English, as "
                                                                          "the database keeps them."))

rows = data_status.rejected_rows(reader, load_id, table, column, search.strip())
if len(rows) == data_status.REJECTED_LIMIT:
    shown = _("{n} rejected cells (first {limit})").format(n=fmt.count(len(rows)),
                                                          limit=fmt.count(data_status.REJECTED_LIMIT))
else:
    shown = n_("{n} rejected cell", "{n} rejected cells", len(rows)).format(n=fmt.count(len(rows)))
st.caption(_("{shown}. Fix them in the source file at the line shown and load it again: loads are "
             "idempotent.").format(shown=shown))
st.dataframe(rows.assign(reason=rows["reason"].map(reasons.shown)), hide_index=True, placeholder=BLANK,
             column_order=[
    "file_name", "line", "column_name", "value", "reason", "target_table", "loaded_at", "raw"], column_config={
    "file_name": st.column_config.TextColumn(_("File"), width=150, help=_("The download has the full path")),
    "line": st.column_config.NumberColumn(_("Line"), format="%d", width=60),
    "column_name": st.column_config.TextColumn(_("Column"), width=110),
    "value": st.column_config.TextColumn(_("Value"), width=100),
    "reason": st.column_config.TextColumn(_("Reason"), width="large"),
    "target_table": st.column_config.TextColumn(_("Table"), width=90),
    "loaded_at": st.column_config.DatetimeColumn(_("Load started (UTC)"), **WHEN),
    "raw": st.column_config.TextColumn(_("Whole row (JSON)"), width="large")})
audited.download_button(st, _("Download these rejected rows (CSV)"),
                        exports.csv_bytes(rows.drop(columns=["file_name"])),
                        file_name="rejected_rows.csv", mime="text/csv", disabled=rows.empty, action="export",
                        what={"file": "rejected_rows.csv", "format": "csv", "list": "Rejected rows", "rows": len(rows),
                              "load": load_id or None, "table": table or None, "column": column or None,
                              "reason_contains": search.strip() or None})  # untranslated: the audit log's record
