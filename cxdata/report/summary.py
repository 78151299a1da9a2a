"""The pack's first two slides: the title, and the executive summary written by rules.

The summary invents nothing: it quotes the findings each section wrote beside the numbers it shows
(Slide.findings), in the deck's order, and names the slide each comes from, so every sentence can
be checked against a number in the pack. Sections call a change a rise or a fall only when the
samples support it (cxdata.report.sections.kpi_findings).
"""
from __future__ import annotations

import datetime as dt

from cxdata.filters import COMPARISONS, ViewState
from cxdata.report.slides import Slide

SUMMARY_SENTENCES = 8
FIRST_CONTENT_SLIDE = 3     # after the title and the summary


def title_slide(company: str, period: str, filters: str, freshness: str, facts: dict, today: dt.date) -> Slide:
    demo = " · demo data" if facts.get("is_demo") else ""
    return Slide("title", company or "Board pack", "Customer experience review", period,
                 bullets=[filters, freshness, f"Prepared {today.day} {today:%b %Y} with cx-cockpit{demo}"])


def executive_summary(content: list[Slide], view: ViewState) -> Slide:
    """The sections' findings in the deck's order, each with the slide that shows its numbers."""
    # Every slide's first finding before any slide's second, then back in the deck's order.
    ranked = sorted((rank, number, f"{finding} (slide {number})")
                    for number, slide in enumerate(content, start=FIRST_CONTENT_SLIDE)
                    for rank, finding in enumerate(slide.findings))
    sentences = [text for _, _, text in sorted(ranked[:SUMMARY_SENTENCES], key=lambda r: (r[1], r[0]))]
    headline = next((s.headline for s in content if s.headline), "Executive summary")
    if not sentences:
        return Slide("summary", "Executive summary", headline, f"Against the {COMPARISONS[view.compare]}",
                     empty="Nothing in this view supports a finding: too few answers, or no activity.")
    return Slide("summary", "Executive summary", headline, f"Against the {COMPARISONS[view.compare]}",
                 bullets=sentences,
                 notes="Written by rules from the figures on the slides named: a change is called a rise or a "
                       "fall only when it is significant at the 95% level.")
