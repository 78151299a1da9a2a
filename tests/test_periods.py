"""Whole periods (docs/metrics.md, "Whole periods"): a period the data covers only in part, or not at
all, is never compared, on a hand-built database whose data ends on 6 December 2025."""
import datetime as dt

import pytest

from cxdata import data_status, db, departments, derive, metrics, trends, voice
from cxdata.filters import Filters, is_complete

# 40 customers signed up 2025-01-01; 4 churn in October, 2 in November, none after (the data ends).
# Revenue: 1,000.00 a day through 2025-12-06; NPS answers every day to 2025-12-06; one ticket a day.
ROWS = """
insert into customers
select printf('C%02d', i), null, 'SMB', 'Europe', 'ES', 'Plus', date '2025-01-01', 1000, null,
       case when i <= 4 then date '2025-10-15' when i <= 6 then date '2025-11-15' end
from range(1, 41) t(i);
insert into transactions (transaction_id, customer_id, occurred_at, amount)
select 'T' || i, 'C10', timestamp '2025-09-01 12:00:00' + to_days(i), 1000.00
from range(0, 97) t(i);  -- 2025-09-01 .. 2025-12-06
insert into feedback
select 'F' || i, 'C10', null, timestamp '2025-09-01 12:00:00' + to_days(i // 2), 'nps',
       case when i // 2 >= 91 then 0 else 10 end, 'fine', null, null, 'Support'
from range(0, 194) t(i);  -- two answers a day; in December every answer is a 0
insert into interactions
select 'I' || i, 'C10', timestamp '2025-09-01 12:00:00' + to_days(i), 'email', null, null, 'Support',
       'inquiry', 'front', 60, timestamp '2025-09-01 13:00:00' + to_days(i), false, 7200
from range(0, 97) t(i);
"""
LAST_DAY = dt.date(2025, 12, 6)
# A custom range reaching past the data's end into next month.
PAST_END = Filters(dt.date(2025, 10, 1), dt.date(2026, 1, 31))


@pytest.fixture(scope="module")
def ending_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("periods") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS)
    return path


@pytest.fixture(scope="module")
def reader(ending_db):
    con = db.connect_readonly(ending_db)
    yield db.Reader(con)
    con.close()


def test_the_rule_by_hand():
    dec, jan = dt.date(2025, 12, 1), dt.date(2026, 1, 1)
    # December ends after the data's last whole day: partial, whatever the view's range
    assert not is_complete(dec, jan, dt.date(2026, 2, 1), LAST_DAY)
    # a month with no data at all, inside the view's range
    assert not is_complete(jan, dt.date(2026, 2, 1), dt.date(2026, 2, 1), LAST_DAY)
    # November: whole in the data and in the range
    assert is_complete(dt.date(2025, 11, 1), dec, dt.date(2026, 2, 1), LAST_DAY)
    # ... but not when the view's range ends inside it, nor when the data starts inside it
    assert not is_complete(dt.date(2025, 11, 1), dec, dt.date(2025, 11, 20), LAST_DAY)
    assert not is_complete(dt.date(2025, 11, 1), dec, dt.date(2026, 2, 1), LAST_DAY, oldest_on=dt.date(2025, 11, 2))
    # the month the data ends on its last day is whole; no data at all: nothing is
    assert is_complete(dt.date(2025, 11, 1), dec, dec, dt.date(2025, 11, 30))
    assert not is_complete(dt.date(2025, 11, 1), dec, dec, None)


def test_the_sql_macro_says_the_same_as_the_function(ending_db):
    con = db.connect_readonly(ending_db)
    try:
        for start, stop, view_stop in [(dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
                                       (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 1)),
                                       (dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 2, 1)),
                                       (dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2025, 11, 20)),
                                       (dt.date(2025, 8, 1), dt.date(2025, 9, 1), dt.date(2026, 2, 1))]:
            sql = con.execute("select is_complete($a, $b, $c)", {"a": start, "b": stop, "c": view_stop}).fetchone()[0]
            assert sql == is_complete(start, stop, view_stop, LAST_DAY, dt.date(2025, 9, 1)), (start, stop, view_stop)
    finally:
        con.close()


def test_facts_give_the_data_extent(reader):
    facts = data_status.facts(reader)
    assert (facts["oldest_on"], facts["newest_on"], facts["last_complete_on"]) == (dt.date(2025, 9, 1), LAST_DAY, LAST_DAY)


def test_a_range_past_the_data_end_compares_the_last_whole_month(reader):
    # Revenue: November 30 x 1,000 = 30,000 against October 31,000; December (6 days) and January
    # (none) are partial: never "fell to 6,000 in December".
    data = trends.load(reader, PAST_END, "revenue", "month", "none", "previous", 30, dt.date(2025, 9, 1), LAST_DAY)
    by = data.series.set_index("period_start")
    assert by.loc[dt.date(2025, 12, 1), "value"] == pytest.approx(6000.0)
    assert not by.loc[dt.date(2025, 12, 1), "is_complete"] and not by.loc[dt.date(2026, 1, 1), "is_complete"]
    assert by.loc[dt.date(2025, 11, 1), "is_complete"]
    c = data.changes["previous"]
    assert (c.period, c.other, c.value, c.other_value) == (dt.date(2025, 11, 1), dt.date(2025, 10, 1), 30000.0, 31000.0)
    headline = trends.headline(data)
    assert "November 2025" in headline and "December" not in headline and "January" not in headline
    assert not data.series.loc[~data.series["is_complete"], "is_anomaly"].any()


def test_a_month_with_no_data_is_not_a_churn_change(reader):
    # January 2026 has no data: today's code reads "Churn rate fell ... to 0.0%" there.
    data = trends.load(reader, PAST_END, "churn_rate", "month", "none", "previous", 1, dt.date(2025, 9, 1), LAST_DAY)
    assert data.changes["previous"].period == dt.date(2025, 11, 1)
    assert "January" not in trends.headline(data) and "December" not in trends.headline(data)


def test_the_month_the_data_ends_inside_is_not_compared(reader):
    # NPS: every December answer is a 0 (NPS -100 on 12 answers): a fall that must not be reported.
    view = Filters(dt.date(2025, 9, 1), LAST_DAY)
    data = trends.load(reader, view, "nps", "month", "none", "previous", 1, dt.date(2025, 9, 1), LAST_DAY)
    by = data.series.set_index("period_start")
    assert by.loc[dt.date(2025, 12, 1), "value"] == pytest.approx(-100.0)
    assert not by.loc[dt.date(2025, 12, 1), "is_complete"]
    assert data.changes["previous"].period == dt.date(2025, 11, 1)
    assert trends.headline(data) == "NPS is 100 in November 2025, no significant change"


def test_the_overview_lines_mark_partial_months(reader):
    monthly = metrics.kpi_trends(reader, PAST_END)
    revenue = monthly[monthly["kpi"] == "revenue"].set_index("month_start")
    complete = {m.date(): bool(v) for m, v in revenue["is_complete"].items()}
    assert complete[dt.date(2025, 11, 1)] and complete[dt.date(2025, 10, 1)]
    assert not complete[dt.date(2025, 12, 1)]
    assert complete[dt.date(2025, 9, 1)]  # the data starts on its first day


def test_voice_marks_the_month_the_data_ends_inside(reader):
    view = Filters(dt.date(2025, 9, 1), dt.date(2025, 12, 31))
    months = voice.monthly_sentiment(voice.load(reader, view, "previous"), view.end, "", LAST_DAY, dt.date(2025, 9, 1))
    complete = dict(zip(months["month_start"].map(lambda m: m.date() if hasattr(m, "date") else m), months["is_complete"]))
    assert complete[dt.date(2025, 11, 1)] and not complete[dt.date(2025, 12, 1)]


def test_a_department_quarter_the_data_ends_inside_is_running_and_not_compared(reader):
    # Q4 2025 ends on 31 Dec, the data on 6 Dec: the quarter is running, its cards carry no change.
    view = Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    cards = departments.scorecards(reader, view, 1, newest_on=LAST_DAY, last_complete_on=LAST_DAY)
    assert cards.quarter == dt.date(2025, 10, 1) and cards.is_running
    nps = cards.cards[(cards.cards["department"] == "Support") & (cards.cards["kpi"] == "nps")].iloc[0]
    assert nps["delta"] is None and nps["n"] == 2 * (31 + 30 + 6)
    # Q3 2025 (whole in the data) is compared: nothing to compare it with before September, though
    whole = departments.scorecards(reader, view, 1, quarter=dt.date(2025, 7, 1), newest_on=LAST_DAY,
                                   last_complete_on=LAST_DAY)
    assert not whole.is_running


def test_the_overview_withholds_changes_a_period_past_the_data_cannot_support(reader):
    from cxdata import overview
    from cxdata.filters import ViewState
    view = ViewState(PAST_END, "custom")
    facts = data_status.facts(reader)
    gaps = overview.comparison_gaps(view, facts)
    assert any("a day the data covers only in part" in g for g in gaps)
    data = overview.load(reader, view.filters, view.compare, 1)
    tiles = {t.kpi: t for t in overview.tiles(data, view, 1, withhold_counts=bool(gaps))}
    # churn over 6 days of data in a 123-day period reads low: its change is withheld with the counts
    assert tiles["churn_rate"].delta is None and tiles["revenue"].delta is None
    assert tiles["nps"].delta is not None   # a score still compares
