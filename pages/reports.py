"""Board pack: the executive review for the current filters, as PowerPoint or PDF, or presented live."""
import streamlit as st

from cxdata import formatting as fmt
from cxdata import overview
from cxdata.access.audit import filters_what
from cxdata.app import audited, board, frame
from cxdata.report import output

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()

st.title("Board pack")
st.caption(f"**{overview.period_line(view)}** · {fmt.md(overview.filters_line(view.filters))} · "
           f"{overview.freshness_line(facts)}")
frame.show_notices(view)

pack = board.current_pack(reader, view, facts, minimum)
summary = pack.slides[1]
st.subheader(fmt.md(summary.title))  # slides are plain text that names departments, segments, stages
st.markdown("\n".join(f"- {fmt.md(s)}" for s in summary.bullets) if summary.bullets else fmt.md(summary.empty))

present, pptx, pdf = st.columns(3, vertical_alignment="center")
present.page_link("pages/present.py", label="Present these slides", icon=":material/present_to_all:",
                  query_params=frame.page_link_params(view, slide="1"),
                  help="Full screen, one slide at a time; ← → step through. The link carries the filters.")
FORMATS = {"pptx": (pptx, ".pptx", "PowerPoint",
                     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
           "pdf": (pdf, ".pdf", "PDF", "application/pdf")}
built = st.session_state.setdefault("report_files", {})
stamp = (str(view.to_query_params()), reader.stamp, pack.company)
pack_what = {  # what the audit log records of a pack: the view it shows
    "filters": filters_what(view.filters), "compare": view.compare, "slides": len(pack.slides)}


def build_file(kind: str, suffix: str) -> None:
    """A button's callback: the file is built before the page is drawn again, so its download shows at once."""
    try:
        with st.spinner(f"Drawing {fmt.plural(len(pack.figure_slots()), 'chart')} and writing the file…"):
            built[kind] = (stamp, output.to_bytes(pack, suffix))
    except output.ReportError as exc:
        built[kind] = (stamp, exc)
    else:
        audited.record_later("board_pack", {"format": kind, **pack_what})


for kind, (column, suffix, name, mime) in FORMATS.items():
    file = built.get(kind)
    if file and file[0] == stamp and isinstance(file[1], bytes):
        file_name = f"board-pack-{view.filters.end:%Y-%m-%d}{suffix}"
        audited.download_button(column, f"Download the {name} ({len(file[1]) / 1e6:.1f} MB)", file[1],
                                file_name=file_name, mime=mime, icon=":material/download:", type="primary",
                                key=f"download_{kind}", what={"file": file_name, "format": kind, **pack_what})
        continue
    column.button(f"Build the {name}", icon=":material/slideshow:", key=f"build_{kind}", on_click=build_file,
                  args=(kind, suffix), help=f"Draws {fmt.plural(len(pack.figure_slots()), 'chart')} (a few seconds)")
    if file and file[0] == stamp:
        st.error(str(file[1]), icon=":material/error:")

st.subheader(fmt.plural(len(pack.slides), "slide"))
st.dataframe([{"#": i, "Section": s.section, "Title": s.title,
               "Shows": s.empty and "no data for this view" or ", ".join(filter(None, [
                   fmt.plural(len(s.figures), "chart") if s.figures else "",
                   "a table" if s.table else "", fmt.plural(len(s.bullets), "point") if s.bullets else ""]))}
              for i, s in enumerate(pack.slides, start=1)], hide_index=True, width="stretch")
st.caption(f"Every slide's footer: {fmt.md(pack.footer)}. "
           + ("The company named on the title slide is set by the administrator."
              if pack.company else "The administrator can name the company on the title slide."))
