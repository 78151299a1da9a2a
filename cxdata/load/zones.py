"""Time zones in loaded files: the company's own zone (CX_TIMEZONE, UTC by default), the clock
timestamps are stored on and date-only deadlines end on, and the zone a value may name itself (an
offset or a tz-database name), converted to that clock."""
from __future__ import annotations

import os

from cxdata.i18n import _
from cxdata.load.errors import LoadError

DEFAULT_TIMEZONE = "UTC"

# The end of a timestamp, after its time of day (so the "-31" of 2024-05-31 is no offset):
OFFSET = r"^(.*:\d{2}(?:[.,]\d+)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)$"         # +02:00, -0500, +02, Z
OFFSET_SECONDS = r"^.*:\d{2}(?:[.,]\d+)?\s*([+-]\d{2}:?\d{2}:?\d{2})$"     # +05:30:45 (refused)
NAMED = r"^(.*\d)\s+([A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)+|UTC|GMT)$"  # Europe/Madrid
ABBREVIATION = r"^.*\d\s*([A-Za-z]{2,5})$"                                  # PST, CET (refused)
CLOCK_WORDS = ["AM", "PM"]  # 10:00 PM ends in letters that are no zone
# What every value with a zone has (and few without one): letters at the end, a plus sign, or a
# minus sign after the time.
ZONE_HINT = r"[A-Za-z]$|\+|:\d{2}(?:[.,]\d+)?\s*-\d"


def company_timezone() -> str:
    """CX_TIMEZONE, UTC when unset (a run checks it first: check_company_timezone)."""
    return os.environ.get("CX_TIMEZONE", "").strip() or DEFAULT_TIMEZONE


def zone_names(con) -> list[str]:
    """The zone names a value may end with: the tz database's Area/City names, UTC and GMT.
    Abbreviations (PST, IST, CST) are left out on purpose: each names several zones."""
    return [name for (name,) in con.execute(
        "select name from pg_timezone_names() where contains(name, '/') or name in ('UTC', 'GMT') "
        "order by 1").fetchall()]


def check_company_timezone(con) -> str:
    """The company's zone, or a LoadError naming the setting when the database does not know it."""
    name = company_timezone()
    if name not in zone_names(con):
        raise LoadError(None, _("CX_TIMEZONE={name} is not a time zone of the tz database — set it to "
                                "a name such as Europe/Madrid, America/Sao_Paulo or UTC (an abbreviation "
                                "like CET or PST names several zones and is not accepted)").format(name=repr(name)))
    return name


def use_timezone(con, name: str) -> None:
    """Make the company's zone the one the loader's SQL macros read (sql/load_macros.sql)."""
    con.execute("set variable cx_timezone = $tz", {"tz": name})  # untranslated: SQL
    con.execute(_macros())


def _macros() -> str:
    from cxdata import db  # sql files are read through db

    return db.sql_text("load_macros")
