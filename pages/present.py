"""Presentation mode: the board pack's slides live, full screen and in large type, one at a time.

← and → (or the buttons) step through; the URL carries the filters and the slide, so the link
opens the same slide of the same view for anyone.
"""
import pandas as pd
import streamlit as st

from cxdata import charts
from cxdata.app import board, frame
from cxdata.report.slides import EMPHASIS

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
pack = board.current_pack(reader, view, facts, frame.min_responses())
count = len(pack.slides)
FIGURE_HEIGHT = 500  # px: a slide's chart and its title fit one 1280 x 720 screen

st.html("<style>"
        "[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'] "
        "{ display: none; }"
        ".stMainBlockContainer { padding: 1.2rem 3rem 1rem 3rem; max-width: 100%; }"
        ".cx-section { color: #1F4E79; font-weight: 700; letter-spacing: .06em; font-size: 1.05rem; }"
        ".cx-title { font-size: 2.5rem; font-weight: 700; line-height: 1.15; margin: .1rem 0 .3rem 0; }"
        ".cx-cover { font-size: 3.6rem; font-weight: 700; margin-top: 12vh; }"
        ".cx-sub { color: #5B6670; font-size: 1.2rem; }"
        ".cx-body li, .cx-body p { font-size: 1.45rem; line-height: 1.4; }"
        ".cx-empty { color: #5B6670; font-size: 1.8rem; text-align: center; margin: 18vh 0; }"
        "[data-testid='stTable'] td, [data-testid='stTable'] th { font-size: 1.15rem; }"
        ".cx-foot { color: #5B6670; font-size: .85rem; }"
        "</style>")


def _go(step: int) -> None:
    st.session_state["present_slide"] = min(max(st.session_state["present_slide"] + step, 1), count)


raw = st.query_params.get("slide")
if raw != st.session_state.get("present_synced"):  # a link chose the slide
    st.session_state["present_slide"] = min(max(int(raw), 1), count) if (raw or "").isdigit() else 1
st.session_state.setdefault("present_slide", 1)
st.session_state["present_slide"] = min(st.session_state["present_slide"], count)
number = st.session_state["present_slide"]
st.query_params["slide"] = str(number)
st.session_state["present_synced"] = str(number)
slide = pack.slides[number - 1]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bullets(items: list[str]) -> None:
    st.html("<div class='cx-body'>" + ("<ul>" + "".join(f"<li>{_escape(b)}</li>" for b in items) + "</ul>"
                                        if len(items) > 1 else f"<p>{_escape(items[0])}</p>") + "</div>")


where, back, forward = st.columns([8, 1.3, 1.3], vertical_alignment="center")
back.button("Back", icon=":material/arrow_back:", shortcut="Left", on_click=_go, args=(-1,), help="Previous slide (←)",
            disabled=number == 1, key="present_previous", width="stretch")
forward.button("Next", icon=":material/arrow_forward:", shortcut="Right", on_click=_go, args=(1,),
               help="Next slide (→)", disabled=number == count, key="present_next", width="stretch")
where.page_link("pages/reports.py", label=f"Slide {number} of {count} · leave presentation mode",
                icon=":material/close:", query_params=frame.page_link_params(view))

if slide.layout == "title":
    st.html(f"<div class='cx-section'>{_escape(slide.section)}</div><div class='cx-cover'>{_escape(slide.title)}</div>"
            f"<div class='cx-sub' style='font-size:1.6rem'>{_escape(slide.subtitle)}</div>")
    _bullets(slide.bullets)
else:
    st.html(f"<div class='cx-section'>{_escape(slide.section.upper())}</div>"
            f"<div class='cx-title'>{_escape(slide.title)}</div><div class='cx-sub'>{_escape(slide.subtitle)}</div>")
    if slide.layout == "empty":
        st.html(f"<div class='cx-empty'>{_escape(slide.empty)}</div>")
    elif slide.layout == "figure+text":
        chart, words = st.columns([2, 1], gap="large")
        chart.plotly_chart(charts.for_slide(slide.figures[0], max_height=FIGURE_HEIGHT), width="stretch", theme=None, key="present_figure")
        with words:
            _bullets(slide.bullets)
    else:
        if slide.bullets:
            _bullets(slide.bullets)
        for i, fig in enumerate(slide.figures):
            st.plotly_chart(charts.for_slide(fig, max_height=FIGURE_HEIGHT), width="stretch", theme=None, key=f"present_figure_{i}")
        if slide.table is not None:
            table = pd.DataFrame(slide.table.rows, columns=slide.table.columns)
            colours = slide.table.emphasis or [""] * len(table)
            st.table(table.style.apply(lambda row: [f"color: rgb{EMPHASIS[colours[row.name]]}"
                                                    if j in (1, 2, 3) else "" for j in range(len(row))], axis=1)
                     .hide(axis="index"))

st.html(f"<div class='cx-foot'>{_escape(pack.footer)}</div>")
