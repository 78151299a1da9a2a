"""Presentation mode: the board pack's slides live, full screen and in large type, one at a time.

← and → (or the buttons) step through; the URL carries the filters and the slide, so the link
opens the same slide of the same view for anyone.
"""
from html import escape

import pandas as pd
import streamlit as st

from cxdata import charts
from cxdata.app import board, frame
from cxdata.report.slides import EMPHASIS, EMPHASIZED_COLUMNS

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
pack = board.current_pack(reader, view, facts, frame.min_responses())
count = len(pack.slides)
FIGURE_HEIGHT = 500  # px: a slide's chart and its title fit one 1280 x 720 screen


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


def _bullets(items: list[str]) -> None:
    st.html("<div class='cx-body'>" + ("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in items) + "</ul>"
                                        if len(items) > 1 else f"<p>{escape(items[0])}</p>") + "</div>")


where, back, forward = st.columns([8, 1.3, 1.3], vertical_alignment="center")
back.button("Back", icon=":material/arrow_back:", shortcut="Left", on_click=_go, args=(-1,),
            help="Previous slide (←)", disabled=number == 1, key="present_previous", width="stretch")
forward.button("Next", icon=":material/arrow_forward:", shortcut="Right", on_click=_go, args=(1,),
               help="Next slide (→)", disabled=number == count, key="present_next", width="stretch")
where.page_link("pages/reports.py", label=f"Slide {number} of {count} · leave presentation mode",
                icon=":material/close:", query_params=frame.page_link_params(view))

if slide.layout == "title":
    st.html(f"<div class='cx-section'>{escape(slide.section)}</div><div class='cx-cover'>{escape(slide.title)}</div>"
            f"<div class='cx-sub' style='font-size:1.6rem'>{escape(slide.subtitle)}</div>")
    st.html("".join(f"<div class='cx-sub'>{escape(line)}</div>" for line in slide.bullets))
else:
    st.html(f"<div class='cx-section'>{escape(slide.section.upper())}</div>"
            f"<div class='cx-title'>{escape(slide.title)}</div><div class='cx-sub'>{escape(slide.subtitle)}</div>")
    if slide.layout == "empty":
        st.html(f"<div class='cx-empty'>{escape(slide.empty)}</div>")
    elif slide.layout == "figure+text":
        chart, words = st.columns([2, 1], gap="large")
        chart.plotly_chart(charts.for_slide(slide.figures[0], max_height=FIGURE_HEIGHT), width="stretch", theme=None,
                           key="present_figure")
        with words:
            _bullets(slide.bullets)
    else:
        if slide.bullets:
            _bullets(slide.bullets)
        for i, fig in enumerate(slide.figures):
            st.plotly_chart(charts.for_slide(fig, max_height=FIGURE_HEIGHT), width="stretch", theme=None,
                            key=f"present_figure_{i}")
        if slide.table is not None:
            table = pd.DataFrame(slide.table.rows, columns=slide.table.columns)
            colours = slide.table.emphasis or [""] * len(table)
            st.table(table.style.apply(lambda row: [f"color: rgb{EMPHASIS[colours[row.name]]}"
                                                    if j in EMPHASIZED_COLUMNS else "" for j in range(len(row))],
                                       axis=1).hide(axis="index"))

st.html(f"<div class='cx-foot'>{escape(pack.footer)}</div>")
