"""Board pack: the executive review for the current filters, as PowerPoint or PDF, or presented live."""
import streamlit as st

from cxdata import formatting as fmt
from cxdata import overview
from cxdata.access.audit import filters_what
from cxdata.app import audited, board, frame
from cxdata.i18n import _, language, n_, using
from cxdata.report import output

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()

st.title(_("Board pack"))
st.caption(f"**{overview.period_line(view)}** · {fmt.md(overview.filters_line(view.filters))} · "
           f"{overview.freshness_line(facts)}")
frame.show_notices(view)

pack = board.current_pack(reader, view, facts, minimum)
summary = pack.slides[1]
st.subheader(fmt.md(summary.title))  # slides are plain text that names departments, segments, stages
st.markdown("\n".join(f"- {fmt.md(s)}" for s in summary.bullets) if summary.bullets else fmt.md(summary.empty))

present, pptx, pdf = st.columns(3, vertical_alignment="center")
present.page_link("pages/present.py", label=_("Present these slides"), icon=":material/present_to_all:",
                  query_params=frame.page_link_params(view, slide="1"),
                  help=_("Full screen, one slide at a time; ← → step through. The link carries the filters."))
# The buttons' words per format: whole phrases, as the format's name may take an article or a gender.
FORMATS = {"pptx": (pptx, ".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
           "pdf": (pdf, ".pdf", "application/pdf")}
BUILD = {"pptx": _("Build the PowerPoint"), "pdf": _("Build the PDF")}
DOWNLOAD = {"pptx": _("Download the PowerPoint ({size} MB)"), "pdf": _("Download the PDF ({size} MB)")}
built = st.session_state.setdefault("report_files", {})
stamp = (str(view.to_query_params()), reader.stamp, pack.company, language())
charts_count = len(pack.figure_slots())
pack_what = {  # what the audit log records of a pack: the view it shows
    "filters": filters_what(view.filters), "compare": view.compare, "slides": len(pack.slides)}


def build_file(kind: str, suffix: str, lang: str) -> None:
    """A button's callback: the file is built before the page is drawn again, so its download shows at once.
    Callbacks run before the frame sets the run's language: the page's own is passed in."""
    with using(lang):
        try:
            with st.spinner(n_("Drawing {n} chart and writing the file…", "Drawing {n} charts and writing the file…",
                               charts_count).format(n=fmt.count(charts_count))):
                built[kind] = (stamp, output.to_bytes(pack, suffix))
        except output.ReportError as exc:
            built[kind] = (stamp, exc)
        else:
            audited.record_later("board_pack", {"format": kind, **pack_what})


for kind, (column, suffix, mime) in FORMATS.items():
    file = built.get(kind)
    if file and file[0] == stamp and isinstance(file[1], bytes):
        file_name = f"board-pack-{view.filters.end:%Y-%m-%d}{suffix}"
        audited.download_button(column, DOWNLOAD[kind].format(size=fmt.number(len(file[1]) / 1e6, 1)), file[1],
                                file_name=file_name, mime=mime, icon=":material/download:", type="primary",
                                key=f"download_{kind}", what={"file": file_name, "format": kind, **pack_what})
        continue
    column.button(BUILD[kind], icon=":material/slideshow:", key=f"build_{kind}", on_click=build_file,
                  args=(kind, suffix, language()),
                  help=n_("Draws {n} chart (a few seconds)", "Draws {n} charts (a few seconds)", charts_count)
                  .format(n=fmt.count(charts_count)))
    if file and file[0] == stamp:
        st.error(str(file[1]), icon=":material/error:")


def shows(slide) -> str:
    """What a slide shows, for the list of slides: '1 chart, 4 points'."""
    if slide.empty:
        return _("no data for this view")
    parts = [n_("{n} chart", "{n} charts", len(slide.figures)).format(n=fmt.count(len(slide.figures)))
             if slide.figures else "",
             _("a table") if slide.table else "",
             n_("{n} point", "{n} points", len(slide.bullets)).format(n=fmt.count(len(slide.bullets)))
             if slide.bullets else ""]
    return ", ".join(filter(None, parts))


st.subheader(n_("{n} slide", "{n} slides", len(pack.slides)).format(n=fmt.count(len(pack.slides))))
st.dataframe([{"#": i, _("Section"): s.section, _("Title"): s.title, _("Shows"): shows(s)}
              for i, s in enumerate(pack.slides, start=1)], hide_index=True, width="stretch")
st.caption((_("Every slide's footer: {footer}. The company named on the title slide is set by the administrator.")
            if pack.company else
            _("Every slide's footer: {footer}. The administrator can name the company on the title slide."))
           .format(footer=fmt.md(pack.footer)))
