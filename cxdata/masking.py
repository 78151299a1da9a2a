"""Personal data masked out of free text before anyone sees it: e-mail addresses (also written
"ana(at)correo.es", "ana [at] correo [dot] es" or with a full-width ＠), phone numbers (also with a
letter typed after them), card-like numbers, bank accounts (IBAN, in capitals or not) and national
ids (Brazilian CPF, Spanish DNI and NIE).

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

# An e-mail address, also as people hide it from robots: "ana(at)correo.es", "ana [at] correo [dot] es",
# a full-width or small @ (＠, ﹫) or a full-width dot (．).
_AT = r"(?:@|＠|﹫|\s*[(\[{]\s*at\s*[)\]}]\s*)"
_DOT = r"(?:\.|．|\s*[(\[{]\s*dot\s*[)\]}]\s*)"
_EMAIL = re.compile(rf"[\w.%+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)
# An IBAN in capitals or not; one with fewer than IBAN_DIGITS digits is a word run, not an account.
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){3,7}(?:[ -]?[A-Za-z0-9]{1,3})?\b")
IBAN_DIGITS = 10
_CPF = re.compile(r"(?<![\w.-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w-])")
_DNI = re.compile(r"(?<![\w-])(?:[XYZxyz][ -]?\d{7}|\d{8})[ -]?[A-Za-z](?![\w-])")
# A run of digits with single spaces, dashes, dots or parentheses between them, optionally after
# a "+": a phone or card number when it holds enough digits (decided in _number).
# A letter typed straight after the last digit ("612345678x") still ends a number.
_NUMBER = re.compile(r"(?<![\w.,:-])\+?\(?\d(?:[ \-.()/]{0,2}\d){6,22}(?:[A-Za-z](?!\w))?(?!\w)")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}(?::\d{2}){0,2})?$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_DECIMAL = re.compile(r"^[\d,]*\d\.\d{1,2}$|^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def mask(text):
    """The text with personal data replaced by [email], [phone], [card], [account] or [id]; not text: as it came."""
    if not isinstance(text, str) or not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _IBAN.sub(_account, text)
    text = _CPF.sub(ID, text)
    text = _DNI.sub(ID, text)
    return _NUMBER.sub(_number, text)


def _account(match: re.Match) -> str:
    """An IBAN, without the words after it that only look like its groups ("... 1332 gracias")."""
    parts = re.split(r"([ -])", match.group(0))
    tail = ""
    while len(parts) > 1 and not any(c.isdigit() for c in parts[-1]):
        tail = parts[-2] + parts[-1] + tail
        del parts[-2:]
    body = "".join(parts)
    return (ACCOUNT if sum(c.isdigit() for c in body) >= IBAN_DIGITS else body) + tail


def _number(match: re.Match) -> str:
    raw = match.group(0)
    digits = sum(c.isdigit() for c in raw)
    core = raw[:-1] if raw[-1].isalpha() else raw   # "2026-10-02h" is still a date
    if _DATE_TIME.match(core) or _DECIMAL.match(core):
        return raw
    if 13 <= digits <= 19 and not raw.startswith("+"):
        return CARD
    if 9 <= digits <= 15:
        return PHONE
    return raw
