"""Masking personal data in free text before a page shows it: e-mail addresses and phone numbers.

Comments are shown to whoever opens the dashboard, so an address or a number a customer typed into
a survey must not be. Dates, amounts, percentages and short numbers (order ids, scores) are kept:
they are what makes a comment useful. Plain Python, no Streamlit.
"""
from __future__ import annotations

import re

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[phone]"

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.UNICODE)
# A run of digit groups joined by spaces, dots, dashes or brackets, optionally led by + or 00.
_PHONE = re.compile(r"(?<![\w#.,/-])(?:\+|00)?\(?\d[\d\s().-]{5,}\d(?!\w|[.,/-]\d)")
# What looks like a phone number but is not: dates (2026-03-01, 01.03.2026) and times.
_DATE = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15
MIN_UNBROKEN_DIGITS = 9  # a bare run of digits is a phone number only this long (or led by + or 00): ids are shorter


def mask(text: str) -> str:
    """The text with every e-mail address replaced by [e-mail] and every phone number by [phone]."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(_phone_or_not, text)


def _phone_or_not(match: re.Match) -> str:
    candidate = match.group(0)
    digits = sum(ch.isdigit() for ch in candidate)
    bare = candidate.strip()
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS or _DATE.match(bare):
        return candidate
    if bare.isdigit() and digits < MIN_UNBROKEN_DIGITS:
        return candidate
    return PHONE_MASK + (" " if candidate.endswith(" ") else "")
