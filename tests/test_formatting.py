"""How values read on the tiles."""
import pytest

from cxdata import formatting as fmt


@pytest.mark.parametrize("kpi, x, shown", [
    ("nps", 31.6, "32"), ("nps", -12.0, "-12"), ("csat", 80.25, "80.2%"), ("ces", 5.127, "5.13"),
    ("first_response_live", 42, "42 s"), ("first_response_live", 2520, "42 min"),
    ("first_response_written", 11700, "3 h 15 min"), ("first_response_written", 3 * 86400, "3.0 days"),
    ("revenue", 50_812_345, "50.8 M"), ("revenue", 950, "950"), ("active_customers", 4034, "4,034"),
    ("contacts", 250387, "250,387"), ("nps_passives", 30.0, "30.0%"), ("nps", None, "—"), ("csat", float("nan"), "—"),
])
def test_values(kpi, x, shown):
    assert fmt.value(kpi, x) == shown


@pytest.mark.parametrize("kpi, delta, shown", [
    ("nps", 2.8, "+2.8"), ("csat", -0.44, "−0.4 pts"), ("first_response_written", -600, "−10 min"),
    ("revenue", 1_500_000, "+1.5 M"), ("churn_rate", 0.0, "±0.0 pts"),
])
def test_changes(kpi, delta, shown):
    assert fmt.change(kpi, delta) == shown


def test_margins_and_p_values():
    assert fmt.margin("csat", 1.84) == "±1.8 pts" and fmt.margin("nps", 2.9) == "±2.9"
    assert fmt.p_value(0.0004) == "p < 0.001" and fmt.p_value(0.0312) == "p = 0.031"
