"""The board pack: the executive review as slides, from the same numbers and figures as the pages.

`build(reader, view, facts, min_responses)` runs every registered section (cxdata.report.sections)
for one view and returns a Pack of plain slides: presentation mode draws them live, and
`cxdata.report.output.write` renders their figures in one Kaleido batch and writes a PPTX or PDF.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Callable

from cxdata import data_status, filters, overview
from cxdata.filters import ViewState
from cxdata.i18n import _
from cxdata.report import summary
from cxdata.report.sections import SECTIONS, Context
from cxdata.report.slides import Pack, Slide, paginate

COMPANY_ENV = "CX_COMPANY"


def company_name() -> str:
    """The company named on the title slide: $CX_COMPANY, else none."""
    return os.environ.get(COMPANY_ENV, "").strip()


def build(reader, view: ViewState, facts: dict, min_responses: int, company: str | None = None,
          progress: Callable[[str], None] | None = None, store=None) -> Pack:
    """Every section's slides for this view, after a title slide and the executive summary. `store`
    is the database's state store (cxdata.store.Store.beside), where the app keeps edited targets."""
    ctx = Context(facts, min_responses, store)
    company = company_name() if company is None else company
    slides: list[Slide] = []
    for section in SECTIONS:
        if progress:
            progress(_(section.label))
        slides += [part for slide in section.build(reader, view, ctx) for part in paginate(slide)]
    period, filters_text = overview.period_line(view), overview.filters_line(view.filters)
    freshness = overview.freshness_line(facts)
    title = summary.title_slide(company, period, filters_text, freshness, facts, dt.date.today())
    slides = [title, summary.executive_summary(slides, view)] + slides
    return Pack(slides, company, period, filters_text, freshness, f"{filters_text} · {period} · {freshness}")


class UnknownChoice(ValueError):
    """A filter value or period the data does not have; the message names what it has."""


def view_for(reader, facts: dict, params: dict[str, list[str]]) -> ViewState:
    """The view a set of link-style parameters (period, from, to, compare, segment, ...) names, read
    exactly as the app reads a shared link; anything the app would ignore with a notice is an error here."""
    options = data_status.filter_options(reader)
    for key, values in params.items():
        if key in filters.DIMENSIONS:
            unknown = [v for v in values if v not in options[key]]
            if unknown:
                raise UnknownChoice(_("no {dimension} {values} in the data; it has {options}").format(
                    dimension=_(filters.DIMENSIONS[key].label).lower(), values=", ".join(map(repr, unknown)),
                    options=", ".join(options[key]) or _("none")))
    today = facts["last_complete_on"]
    if today is None:
        raise UnknownChoice(_("the database has no interactions, answers or transactions yet"))
    view = filters.from_query_params(params, options, today, facts["oldest_on"])
    if view.notices:
        raise UnknownChoice(" ".join(view.notices))
    return view
