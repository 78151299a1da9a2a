"""Why a row was rejected, what looks implausible, and what a load did, in the reader's language.

The loader stores each rejected row's reason in English (rejected_rows.reason; the report groups by
it, the page searches it, tests and other tools read it): the stored text is a record and does not
change with the language of whoever loaded the file. It is translated when it is shown: each
reason the loader writes has an English template below (the catalog's key), and a stored reason
that fits one is written again from that template's translation with the same values (a column, a
line, a value as loaded). A reason that fits none (DuckDB's own words for a broken row) is shown as
stored. The plausibility warnings (load_warnings) and a load's summary (loads.message) are kept
in English the same way and translated here when shown.
"""
from __future__ import annotations

import functools
import re

from cxdata import formatting as fmt
from cxdata.i18n import N_, _

# The English templates, exactly as validate.py, files.py and repeats.py write the reasons; fields in
# braces are values kept as stored, except {number...} (written in the locale's separators) and
# {reason} (itself a reason, translated in turn). More specific templates come first.
TEMPLATES = (
    N_("missing value (required)"),
    N_("not a date-time (expected e.g. 2024-05-31 14:30:00 or 31/05/2024 14:30; other layouts need "
       "[formats] in a mapping)"),
    N_("not a date (expected e.g. 2024-05-31 or 31/05/2024; other layouts need [formats] in a mapping)"),
    N_("not a number (use . for decimals, no thousands separators or currency signs)"),
    N_("not a whole number"),
    N_("not a yes/no value (expected true/false, yes/no, y/n or 1/0)"),
    N_("time zone not understood (an offset out of range or with seconds, an unknown zone name, or an "
       "ambiguous abbreviation)"),
    N_("time-zone offset {value} has seconds: give hours and minutes (+05:30)"),
    N_("time-zone offset {value} is out of range (-12:00 to +14:00)"),
    N_("unknown time zone {value}: use a name of the time-zone database, e.g. Europe/Madrid"),
    N_("time-zone abbreviation {value} names several zones: give an offset (-08:00) or a zone name "
       "(America/Los_Angeles)"),
    N_("before {year} (the earliest year the loader accepts: a typing slip or a placeholder date?)"),
    N_("in the future"),
    N_("must be {number} or more"),
    N_("more than ten years ({number} seconds): a unit mix-up?"),
    N_("not front or back"),
    N_("unknown survey (expected nps, csat or ces)"),
    N_("not immediate, deferred or none"),
    N_("unknown metric; allowed: {allowed}"),
    N_("unknown metric {value}; allowed: {allowed}"),
    N_("out of range for the survey"),
    N_("out of range for the metric"),
    N_("out of range for {metric} (a rate can not be negative: {low} to {high})"),
    N_("out of range for {metric} (a rate can not be negative: at least {low})"),
    N_("out of range for {metric} (at least {low})"),
    N_("out of range for {metric} ({low} to {high})"),
    N_("out of range for {metric} ({low}-{high})"),
    N_("a date-time, not a number of seconds: derive the duration in the mapping, e.g. [derived] {column} = "
       "\"date_diff('second', created_at, first_reply_at)\" (docs/loading.md)"),
    N_("too large for the column (at most 999,999,999,999.99)"),
    N_("not a finite number (NaN, infinity, or too large to hold)"),
    N_("too large (at most {number})"),
    N_("no {table} row with this {match} (lookup for {column})"),
    N_("no {table} row with {match} {value} (lookup for {column})"),
    N_("its {table} row was skipped (lookup for {column})"),
    N_("its {table} row was skipped as {skip}"),
    N_("its {table} row {key} was skipped as {skip} (line {line} of {file}; lookup for {column})"),
    N_("unknown department (not in the interactions or feedback loaded)"),
    N_("unknown department {value} (not in the interactions or feedback loaded)"),
    N_("overlaps another target for the same metric and department"),
    N_("duplicate key of a row an earlier file of this run loaded"),
    N_("duplicate key {key}: duplicate of line {line} (the first valid row with a key loads)"),
    N_("duplicate key {key}: duplicate of {file} line {line} (the first valid row with a key loads)"),
    N_("duplicate key"),
    N_("malformed row (see rejected_rows for the text)"),
    N_("more values than the header has columns (quote values that contain the delimiter)"),
    N_("fewer values than the header has columns"),
    N_("a quote is not closed or is followed by other text"),
    N_("a quote is not closed (a value starts with \" and has no closing one)"),
    N_("the row is longer than {number} MB"),
    N_("malformed row: {reason}"),
    N_("before {column}"),
    N_("not a KPI an initiative is measured on; allowed: {allowed}"),
    N_("not a KPI an initiative is measured on: {value}; allowed: {allowed}"),
    N_("no initiative with this name (load the initiatives file first)"),
    N_("no initiative named {value} (load the initiatives file first)"),
)


# The plausibility warnings, as checks.py writes them.
WARNINGS = (
    N_("the median first response is {number} days over {number_contacts} contacts: more than {days} days is "
       "implausible (is the contact's start a purchase or order date rather than when the customer got in touch?)"),
    N_("SLA compliance is {number}% over {number_contacts} contacts: every one met its deadline, which is "
       "implausible (check the promised time and the dates it runs between)"),
    N_("SLA compliance is {number}% over {number_contacts} contacts: every one missed its deadline, which is "
       "implausible (check the promised time and the dates it runs between)"),
    N_("{number} of {number_linked} answers are dated before the contact they answer (by up to {number_days} "
       "days): one of the two dates is not what it seems"),
    N_("{number} of {number_linked} answers are dated before the contact they answer (by up to {number_hours} "
       "hours): one of the two dates is not what it seems"),
    N_("{column} is empty in {number} of {number_rows} rows ({number_share}%): is it the right column of the file?"),
    N_("{column}: all {number} values fall on midnight, so the file gives dates without times and every "
       "duration measured from them is in whole days (is there a column with the time?)"),
    N_("{column}: {values} not in the data loaded, so the initiative's scope matches nothing there (a typing "
       "slip, or a value named differently in the data?)"),
)
# Where a warning says to look, as checks.Source.look_at writes it (several are joined with "; ").
PLACES = (
    N_("{file}, line {line}: {label}"),
    N_("{file}, column {column}"),
)
# A load's summary, sentence by sentence, as report.LoadReport.summary writes it.
SUMMARY = (
    N_("Loaded {number_files} file(s) in {number_seconds}s: {number_read} rows read, {number_new} new, "
       "{number_updated} updated, {number_unchanged} unchanged, {number_rejected} rejected."),
    N_("Loaded {number_files} file(s) in {number_seconds}s: {number_read} rows read, {number_new} new, "
       "{number_updated} updated, {number_unchanged} unchanged, {number_rejected} rejected "
       "(see the rejected_rows table)."),
    N_("Loaded {number_files} file(s) in {number_seconds}s: {number_read} rows read, {number_new} new, "
       "{number_updated} updated, {number_unchanged} unchanged, {number_rejected} rejected, "
       "{number_skipped} skipped ({skips})."),
    N_("Loaded {number_files} file(s) in {number_seconds}s: {number_read} rows read, {number_new} new, "
       "{number_updated} updated, {number_unchanged} unchanged, {number_rejected} rejected "
       "(see the rejected_rows table), {number_skipped} skipped ({skips})."),
    N_("Every row was rejected: nothing loaded."),
    N_("{number} plausibility warning(s): see the Data & loads page."),
    N_("Run {run}."),
)


NUMBER = r"-?[0-9][0-9,]*(?:\.[0-9]+)?"  # a number as the loader writes it in English: 1,204 or 0.3


@functools.lru_cache(maxsize=None)
def _patterns(templates: tuple[str, ...]) -> tuple[tuple[re.Pattern, str], ...]:
    """Each template as a pattern that reads a stored text back into its fields."""
    found = []
    for template in templates:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{NUMBER if part.startswith('number') else '.+?'})"
                        for i, part in enumerate(parts))
        found.append((re.compile(regex, re.DOTALL), template))
    return tuple(found)


def _again(templates: tuple[str, ...], text: str | None) -> str | None:
    """`text` written again from the translation of the template it fits, or as it is."""
    if not text or not isinstance(text, str):
        return text
    for pattern, template in _patterns(templates):
        fits = pattern.fullmatch(text)
        if fits:
            return _(template).format(**{name: _field(name, value) for name, value in fits.groupdict().items()})
    return text


def shown(reason: str | None) -> str | None:
    """A stored reason in the language of this run (as stored when no template fits, or in English)."""
    return _again(TEMPLATES, reason)


def warning_shown(message: str | None) -> str | None:
    """A stored plausibility warning in the language of this run."""
    return _again(WARNINGS, message)


def look_at_shown(places: str | None) -> str | None:
    """Where a warning says to look, in the language of this run."""
    if not places or not isinstance(places, str):
        return places
    return "; ".join(_again(PLACES, place) for place in places.split("; "))


def message_shown(message: str | None) -> str | None:
    """A load's stored summary in the language of this run, sentence by sentence; a failed load's
    message (said in the language of the run that failed) as it is."""
    if not message or not isinstance(message, str):
        return message
    said, at = [], 0
    while at < len(message):
        for pattern, template in _patterns(SUMMARY):
            fits = pattern.match(message, at)
            if fits and (fits.end() == len(message) or message[fits.end()] == " "):
                said.append(_(template).format(**{n: _field(n, v) for n, v in fits.groupdict().items()}))
                at = fits.end() + 1
                break
        else:
            return message if not said else " ".join(said + [message[at:]])
    return " ".join(said)


def _field(name: str, value: str) -> str:
    if name.startswith("number"):
        return fmt.number_text(value)
    if name == "reason":
        return shown(value)
    if name == "skips":  # "reason: 3, other reason: 1", as report._skips writes them
        return ", ".join(_skip(part) for part in value.split(", "))
    return value


def _skip(part: str) -> str:
    reason, _sep, n = part.rpartition(": ")
    return f"{shown(reason)}: {fmt.number_text(n)}" if reason and re.fullmatch(NUMBER, n) else part
