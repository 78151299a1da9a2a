"""Comparison periods that follow the preset, and presets that end on the newest whole day."""
import datetime as dt

import pytest

from cxdata import filters
from cxdata.filters import Filters


@pytest.mark.parametrize("start, end, compare, cmp_start, cmp_end", [
    # this quarter to date (61 days) against the previous quarter to date, not the 61 days before it
    ("2026-10-01", "2026-11-30", "quarter", "2026-07-01", "2026-08-30"),
    ("2026-04-01", "2026-05-31", "quarter", "2026-01-01", "2026-02-28"),   # 31 May -> 28 Feb
    ("2026-10-01", "2026-11-30", "previous", "2026-08-01", "2026-09-30"),
    ("2026-01-01", "2026-11-30", "year", "2025-01-01", "2025-11-30"),
    ("2024-01-01", "2024-02-29", "year", "2023-01-01", "2023-02-28"),
])
def test_comparison_periods(start, end, compare, cmp_start, cmp_end):
    previous = Filters(dt.date.fromisoformat(start), dt.date.fromisoformat(end)).comparison(compare)
    assert (previous.start, previous.end) == (dt.date.fromisoformat(cmp_start), dt.date.fromisoformat(cmp_end))


@pytest.mark.parametrize("preset, compare", [("quarter", "quarter"), ("ytd", "year"), ("90d", "previous"),
                                             ("30d", "previous"), ("12m", "previous"), ("custom", "previous")])
def test_a_preset_brings_its_natural_comparison_unless_the_link_names_one(preset, compare):
    today = dt.date(2026, 11, 30)
    params = {"period": [preset]} if preset != "custom" else {"period": [preset], "from": ["2026-01-01"],
                                                               "to": ["2026-02-01"]}
    assert filters.from_query_params(params, {}, today).compare == compare
    assert filters.from_query_params({**params, "compare": ["year"]}, {}, today).compare == "year"


def test_the_newest_day_counts_only_when_the_data_was_taken_after_it():
    newest = dt.date(2026, 12, 1)
    # loaded at 14:05 on the newest day itself: that day holds only its morning
    assert filters.last_complete_day(newest, dt.datetime(2026, 12, 1, 14, 5)) == dt.date(2026, 11, 30)
    # loaded the next morning: the newest day is whole
    assert filters.last_complete_day(newest, dt.datetime(2026, 12, 2, 6, 0)) == newest
    # no record of a load (rows written by hand): taken as whole
    assert filters.last_complete_day(newest, None) == newest
