"""Presentation mode: the board pack's slides live, full screen and in large type, one at a time.

← and → (or the buttons) step through; the URL carries the filters and the slide, so the link
opens the same slide of the same view for anyone.
"""
from html import escape

import pandas as pd
import streamlit as st

from cxdata import charts
from cxdata import formatting as fmt
from cxdata.app import board, frame
from cxdata.i18n import _
from cxdata.report.slides import EMPHASIS, EMPHASIZED_COLUMNS

view = frame.current_view()
reader = frame.open_reader()
facts = frame.data_facts(reader)
pack = board.current_pack(reader, view, facts, frame.min_responses())
count = len(pack.slides)


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
    dense = (" cx-wide" if slide.layout == "text" else
             " cx-dense" if sum(len(b) for b in items) > DENSE_TEXT else "")
    st.html(f"<div class='cx-body{dense}'>" + ("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in items) + "</ul>"
                                                if len(items) > 1 else f"<p>{escape(items[0])}</p>") + "</div>")


def _chart(fig, key: str, height: int) -> None:
    """The figure at the size the slide's layout gives it on the stage (cxdata.app.board)."""
    width = board.figure_width(slide)
    drawn = charts.for_slide(fig)
    drawn.update_layout(width=width, height=height)
    # its frame, like its width (cxdata.app.board), is measured on screen: shrunk by the stage's scale
    st.html(f"<style>.st-key-{key} [data-testid='stFullScreenFrame'] "
            f"{{ height: calc({height}px / var(--cx-scale)); }}</style>")
    st.plotly_chart(drawn, width=width, theme=None, key=key, config={"displayModeBar": False})


DENSE_TEXT = 450   # characters of text beside a chart above which it is set a size smaller (still 17 px)

where, back, forward = st.columns([8, 1.3, 1.3], vertical_alignment="center")
back.button(_("Back"), icon=":material/arrow_back:", shortcut="Left", on_click=_go,  # untranslated: a key's name
            args=(-1,), help=_("Previous slide (←)"), disabled=number == 1, key="present_previous", width="stretch")
forward.button(_("Next"), icon=":material/arrow_forward:", shortcut="Right",  # untranslated: a key's name
               on_click=_go, args=(1,), help=_("Next slide (→)"), disabled=number == count, key="present_next",
               width="stretch")
where.page_link("pages/reports.py", label=_("Slide {number} of {count} · leave presentation mode").format(
                    number=fmt.count(number), count=fmt.count(count)),
                icon=":material/close:", query_params=frame.page_link_params(view))

height = board.body_height(slide, pack.footer)
if slide.layout == "title":
    st.html(f"<div class='cx-section'>{escape(slide.section)}</div><div class='cx-cover'>{escape(slide.title)}</div>"
            f"<div class='cx-sub' style='font-size:26px'>{escape(slide.subtitle)}</div>")
    with st.container(key="cx_body"):
        st.html("".join(f"<div class='cx-sub'>{escape(line)}</div>" for line in slide.bullets))
else:
    long = " cx-long" if len(slide.title) > board.LONG_TITLE else ""
    st.html(f"<div class='cx-head'><div class='cx-section'>{escape(slide.section.upper())}</div>"
            f"<div class='cx-title{long}'>{escape(slide.title)}</div><div class='cx-sub'>{escape(slide.subtitle)}</div>"
            "</div>")
    with st.container(key="cx_body"):
        if slide.layout == "empty":
            st.html(f"<div class='cx-empty'>{escape(slide.empty)}</div>")
        elif slide.layout == "figure+text":
            with st.container(horizontal=True, horizontal_alignment="distribute", gap=None):
                _chart(slide.figures[0], "present_figure", height)
                with st.container(width=board.CONTENT_WIDTH - board.figure_width(slide) - board.GAP):
                    _bullets(slide.bullets)
        elif slide.layout in ("figure", "figures"):
            with st.container(horizontal=True, horizontal_alignment="distribute", gap=None):
                for i, fig in enumerate(slide.figures):
                    _chart(fig, f"present_figure_{i}", height)
        else:
            if slide.bullets:
                _bullets(slide.bullets)
            if slide.table is not None:
                # st.table reads its cells as Markdown: two amounts ($22 k … $26 k) would typeset as math
                table = pd.DataFrame([[fmt.md(cell) for cell in row] for row in slide.table.rows],
                                     columns=slide.table.columns)
                colours = slide.table.emphasis or [""] * len(table)
                st.table(table.style.apply(lambda row: [f"color: rgb{EMPHASIS[colours[row.name]]}"
                                                        if j in EMPHASIZED_COLUMNS else "" for j in range(len(row))],
                                           axis=1).hide(axis="index"))

st.html(f"<div class='cx-foot'>{escape(pack.footer)}</div>")
