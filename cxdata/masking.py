"""Personal data masked out of free text before anyone sees it: e-mail addresses, phone numbers,
card-like numbers, bank accounts (IBAN) and national ids (Brazilian CPF, Spanish DNI and NIE).

Every place a comment or a rejected row's raw text surfaces reads it through `mask`, so a customer's
card number typed into a survey never reaches a screen, a download or the board pack. Dates, times,
amounts and the project's own ids (C000123, I0004711) are left alone.
"""
from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
ACCOUNT = "[account]"
ID = "[id]"

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){3,7}(?:[ -]?[A-Z0-9]{1,3})?\b")
_CPF = re.compile(r"(?<![\w.-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w-])")
_DNI = re.compile(r"(?<![\w-])(?:[XYZxyz][ -]?\d{7}|\d{8})[ -]?[A-Za-z](?![\w-])")
# A run of digits with single spaces, dashes, dots or parentheses between them, optionally after
# a "+": a phone or card number when it holds enough digits (decided in _number).
_NUMBER = re.compile(r"(?<![\w.,:-])\+?\(?\d(?:[ \-.()/]{0,2}\d){6,22}(?![\w])")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}(?::\d{2}){0,2})?$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_DECIMAL = re.compile(r"^[\d,]*\d\.\d{1,2}$|^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def mask(text):
    """The text with personal data replaced by [email], [phone], [card], [account] or [id]; not text: as it came."""
    if not isinstance(text, str) or not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(ACCOUNT, text)
    text = _CPF.sub(ID, text)
    text = _DNI.sub(ID, text)
    return _NUMBER.sub(_number, text)


def _number(match: re.Match) -> str:
    raw = match.group(0)
    digits = sum(c.isdigit() for c in raw)
    if _DATE_TIME.match(raw) or _DECIMAL.match(raw):
        return raw
    if 13 <= digits <= 19 and not raw.startswith("+"):
        return CARD
    if 9 <= digits <= 15:
        return PHONE
    return raw
