"""The pack's first two slides: the title, and the executive summary written by rules.

The summary invents nothing: it quotes the findings each section wrote beside the numbers it shows
(Slide.findings), in the deck's order, and names the slide each comes from, so every sentence can
be checked against a number in the pack. Sections call a change a rise or a fall only when the
samples support it (cxdata.report.sections.kpi_findings).
"""
from __future__ import annotations

import datetime as dt

from cxdata.filters import ViewState
from cxdata.i18n import _
from cxdata.report.sections import against, capitalized, day
from cxdata.report.slides import Slide

SUMMARY_SENTENCES = 8
FIRST_CONTENT_SLIDE = 3     # after the title and the summary


def title_slide(company: str, period: str, filters: str, freshness: str, facts: dict, today: dt.date) -> Slide:
    prepared = (_("Prepared {date} with cx-cockpit · demo data") if facts.get("is_demo") else
                _("Prepared {date} with cx-cockpit")).format(date=day(today))
    return Slide("title", company or _("Board pack"), _("Customer experience review"), period,
                 bullets=[filters, freshness, prepared])


def executive_summary(content: list[Slide], view: ViewState) -> Slide:
    """The sections' findings in the deck's order, each with the slide that shows its numbers."""
    # Every slide's first finding before any slide's second, then back in the deck's order.
    ranked = sorted((rank, number, _("{finding} (slide {number})").format(finding=finding, number=number))
                    for number, slide in enumerate(content, start=FIRST_CONTENT_SLIDE)
                    for rank, finding in enumerate(slide.findings))
    sentences = [text for _rank, _number, text in sorted(ranked[:SUMMARY_SENTENCES], key=lambda r: (r[1], r[0]))]
    headline = next((s.headline for s in content if s.headline), _("Executive summary"))
    versus = capitalized(against(view))
    if not sentences:
        return Slide("summary", _("Executive summary"), headline, versus,
                     empty=_("Nothing in this view supports a finding: too few answers, or no activity."))
    return Slide("summary", _("Executive summary"), headline, versus, bullets=sentences,
                 notes=_("Written by rules from the figures on the slides named: a change is called a rise or a "
                         "fall only when it is significant at the 95% level."))
