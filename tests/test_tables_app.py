"""The service and journey pages' tables read like a finance deck: a dash for a missing value, never
"None" or "nan", and thousands separators on every number that can reach four digits (AppTest, demo data)."""
import json

import pandas as pd
import pytest

from cxdata import formatting as fmt
from tests.test_app import _starter

NEVER = {"None", "none", "nan", "NaN", "NaT", "<NA>", "inf", "-inf"}


def _problems(table) -> list[str]:
    """What the grid would show wrongly: missing values without a placeholder, the words above in a
    text cell, and a number column without separators whose values reach 1,000."""
    df, config = table.value, json.loads(table.proto.columns or "{}")
    found = []
    if df.isna().any().any() and table.proto.placeholder != fmt.MISSING:
        found.append(f"missing values shown as {table.proto.placeholder or 'None'!r}")
    for column in df.columns:
        values = df[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            bad = [v for v in values.dropna().astype(str) if v.strip() in NEVER]
            found += [f"{column}: {v!r}" for v in bad[:1]]
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            shape = config.get(str(column), {}).get("type_config", {}).get("format", "")
            if values.abs().max() >= 1000 and "," not in shape and shape != "localized":
                found.append(f"{column}: {values.abs().max():.0f} shown without separators ({shape or 'no format'})")
    return found


@pytest.fixture
def demo_app(demo_march, monkeypatch):
    return _starter(demo_march, monkeypatch)


@pytest.mark.parametrize("page, params", [
    ("service", {}), ("service", {"by": "channel"}),     # the kiosk channel: no contact due an answer, so no rates
    ("journey", {}), ("journey", {"segment": "SMB", "period": "30d"}),
])
def test_service_and_journey_tables_show_no_none_or_nan(demo_app, page, params):
    at = demo_app(f"pages/{page}.py", **params)
    assert not at.exception
    assert len(at.dataframe) >= 1
    problems = {i: _problems(t) for i, t in enumerate(at.dataframe)}
    assert not any(problems.values()), problems
    if params.get("by") == "channel":   # the case that printed "None": the rates of a channel with nothing due
        levels = next(t for t in at.dataframe if "Channel" in t.value.columns)
        assert levels.value["SLA %"].isna().any() and levels.proto.placeholder == fmt.MISSING
