"""How values read on the tiles: every magnitude from 0 to 10⁹, both signs."""
import pytest

from cxdata import formatting as fmt


@pytest.fixture(autouse=True)
def default_currency(monkeypatch):
    """Amounts read in the default currency unless a test sets one."""
    monkeypatch.delenv(fmt.CURRENCY_ENV, raising=False)


@pytest.mark.parametrize("kpi, x, shown", [
    ("nps", 31.6, "32"), ("nps", -12.0, "-12"), ("nps", -0.4, "0"), ("csat", 80.25, "80.2%"),
    ("ces", 5.127, "5.13"), ("first_response_live", 42, "42 s"), ("first_response_live", 2520, "42 min"),
    ("first_response_written", 11700, "3 h 15 min"), ("first_response_written", 15599, "4 h 20 min"),
    ("first_response_written", 3 * 86400, "3.0 days"), ("contacts", 250387, "250,387"), ("nps_passives", 30.0, "30.0%"), ("revenue", 50_812_345, "$50.8 M"), ("revenue", 41_000_000, "$41.0 M"),
    ("revenue", 950, "$950"), ("clv", 12_345, "$12.3 k"), ("annual_value_lost", -48_496, "-$48.5 k"), ("active_customers", 4034, "4,034"), ("nps", None, "—"), ("csat", float("nan"), "—"),
])
def test_values(kpi, x, shown):
    assert fmt.value(kpi, x) == shown


@pytest.mark.parametrize("x, shown", [
    (0, "0"), (0.4, "0"), (-0.4, "0"), (7, "7"), (950, "950"), (1_234, "1,234"), (9_999, "9,999"),
    (9_999.6, "10.0 k"), (10_000, "10.0 k"), (12_345, "12.3 k"), (48_496, "48.5 k"), (88_197, "88.2 k"),
    (99_960, "100 k"), (123_456, "123 k"), (999_499, "999 k"), (999_999, "1.00 M"), (1_000_000, "1.00 M"),
    (4_560_000, "4.56 M"), (41_000_000, "41.0 M"), (50_812_345, "50.8 M"), (999_999_999, "1.00 B"),
    (1e9, "1.00 B"), (2.5e10, "25.0 B"), (-48_496, "-48.5 k"), (-1_234, "-1,234"), (-999_999, "-1.00 M"),
    (None, "—"),
])
def test_compact_amounts_across_magnitudes(x, shown):
    assert fmt.compact(x) == shown


@pytest.mark.parametrize("kpi, delta, reference, shown", [
    ("nps", 2.8, None, "+2.8 pts"), ("nps", -16.6, None, "-16.6 pts"), ("csat", -0.44, None, "-0.4 pts"),
    ("csat", -0.04, None, "±0.0 pts"), ("churn_rate", 0.0, None, "±0.0 pts"), ("churn_rate", 0.04, None, "±0.0 pts"),
    ("ces", -0.123, None, "-0.12"), ("active_customers", 162, None, "+162"), ("active_customers", -3, None, "-3"),
    ("revenue", 1_500_000, None, "+$1.50 M"), ("revenue", 88_197, None, "+$88.2 k"), ("revenue", -48_496, None, "-$48.5 k"),
    ("revenue", 0.2, None, "±$0"), ("revenue", 19_500_000, None, "+$19.5 M"),
    # durations change in the unit of the value they change, on every view
    ("first_response_written", -600, 2520, "-10 min"), ("first_response_written", 79, 2520, "+1.3 min"),
    ("first_response_written", 540, 2520, "+9.0 min"), ("first_response_written", 12, 45, "+12 s"),
    ("first_response_written", 1200, 15600, "+20 min"), ("first_response_written", 2, 2520, "±0.0 min"),
])
def test_changes(kpi, delta, reference, shown):
    assert fmt.change(kpi, delta, reference) == shown


def test_a_fall_starts_with_an_ascii_minus():
    """Streamlit reads a delta as negative only from an ASCII '-': a Unicode minus drew falls green."""
    for kpi, delta in (("nps", -16.6), ("csat", -3.0), ("ces", -0.3), ("sla_compliance", -10.0),
                       ("revenue", -88_197), ("first_response_written", -90)):
        assert fmt.change(kpi, delta, 2520).startswith("-")


def test_a_value_beside_its_target_never_reads_as_equal():
    assert fmt.value_beside("sla_compliance", 89.989, 90.0) == "89.99%"
    assert fmt.value_beside("sla_compliance", 90.004, 90.0) == "90.004%"
    assert fmt.value_beside("sla_compliance", 85.0, 90.0) == "85.0%"
    assert fmt.value_beside("nps", 29.6, 30.0) == "29.6"
    assert fmt.value_beside("csat", 80.0, 80.0) == "80.0%"


def test_margins_and_p_values():
    assert fmt.margin("csat", 1.84) == "±1.8 pts" and fmt.margin("nps", 2.9) == "±2.9 pts"
    assert fmt.margin("first_response_written", 78, 2520) == "±1.3 min"
    # a margin that rounds to nothing in the value's unit is given in seconds
    assert fmt.margin("first_response_live", 0.5, 120) == "±0.5 s" and fmt.margin("first_response_live", 2, 120) == "±2.0 s"
    assert fmt.p_value(0.0004) == "p < 0.001" and fmt.p_value(0.0312) == "p = 0.031"


# ---- Money in the company's currency, thousands separators, plurals ---------------------------------------

@pytest.mark.parametrize("setting, code, symbol, shown", [
    (None, "USD", "$", "$49.7 M"), ("EUR", "EUR", "€", "€49.7 M"), (" gbp ", "GBP", "£", "£49.7 M"),
    ("CHF", "CHF", "CHF", "CHF 49.7 M"), ("SEK:kr", "SEK", "kr", "kr 49.7 M"), ("JPY", "JPY", "¥", "¥49.7 M"),
    # an unusable setting falls back to the default rather than printing it
    ("euro", "USD", "$", "$49.7 M"), ("EU", "USD", "$", "$49.7 M"), ("EUR:toolongsymbol", "USD", "$", "$49.7 M"),
])
def test_the_currency_setting_is_shown_on_every_amount(monkeypatch, setting, code, symbol, shown):
    if setting is not None:
        monkeypatch.setenv(fmt.CURRENCY_ENV, setting)
    assert (fmt.currency().code, fmt.currency().sign()) == (code, symbol)
    assert fmt.money(49_712_000) == shown
    for kpi in ("revenue", "revenue_per_active", "clv", "annual_value_lost"):   # every money KPI
        assert fmt.value(kpi, 49_712_000) == shown


@pytest.mark.parametrize("x, shown", [
    (0, "€0"), (-0.4, "€0"), (950, "€950"), (9_999, "€9,999"), (12_345, "€12.3 k"), (-48_496, "-€48.5 k"),
    (999_999, "€1.00 M"), (2.5e10, "€25.0 B"), (None, "—"), (float("nan"), "—"),
])
def test_money_across_magnitudes_in_euros(monkeypatch, x, shown):
    monkeypatch.setenv(fmt.CURRENCY_ENV, "EUR")
    assert fmt.money(x) == shown


def test_money_changes_and_table_columns_carry_the_symbol(monkeypatch):
    monkeypatch.setenv(fmt.CURRENCY_ENV, "EUR")
    assert fmt.change("revenue", 1_500_000) == "+€1.50 M" and fmt.change("clv", -48_496) == "-€48.5 k"
    assert fmt.change("revenue", 0.2) == "±€0"
    assert fmt.money_column() == "€%,.0f"
    monkeypatch.setenv(fmt.CURRENCY_ENV, "CHF")
    assert fmt.money_column() == "CHF %,.0f"


@pytest.mark.parametrize("kpi, delta, significant, shown", [
    ("ces", 0.001, False, "no change"), ("csat", -0.04, False, "no change"), ("nps", 0.04, True, "no change"),
    ("csat", 0.44, False, "+0.4 pts · not significant"), ("nps", -16.6, True, "-16.6 pts"),
    ("revenue", 0.3, False, "no change"), ("contacts", 3256, True, "+3,256"),
])
def test_a_change_that_rounds_to_nothing_reads_no_change(kpi, delta, significant, shown):
    assert fmt.change_judged(kpi, delta, None, significant) == shown


def test_thousands_separators_and_plurals():
    assert fmt.value("active_customers", 1_234_567) == "1,234,567" and fmt.count(12345.0) == "12,345"
    assert fmt.change("contacts", -12_345) == "-12,345"
    assert fmt.plural(1, "chart") == "1 chart" and fmt.plural(1, "point") == "1 point"
    assert fmt.plural(2, "point") == "2 points" and fmt.plural(0, "slide") == "0 slides"
    assert fmt.plural(1_204, "answer") == "1,204 answers" and fmt.plural(2, "missed SLA", "missed SLAs") == "2 missed SLAs"
    assert fmt.and_list(["IT"]) == "IT" and fmt.and_list(["IT", "Sales"]) == "IT and Sales"
    assert fmt.and_list(["IT", "Marketing", "Sales"]) == "IT, Marketing and Sales"


@pytest.mark.parametrize("value, expected", [
    # hand-checked: every mark that would make a link, an image, HTML, emphasis, math or a block is escaped
    ("![](https://example.invalid/x.png)", "\\!\\[\\](https:\u2060//example.invalid/x.png)"),
    # Markdown links a bare address, www. and an e-mail even when escaped: a word joiner breaks each
    ("see https://evil.example/x or www.evil.example, ana@example.com",
     "see https:\u2060//evil.example/x or www\u2060.evil.example, ana@\u2060example.com"),
    ('<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
     r'\<iframe srcdoc="\<script\>parent.alert(1)\</script\>"\>\</iframe\>'),
    ("<style>*{position:fixed}</style>", r"\<style\>\*{position:fixed}\</style\>"),
    ("**bold** _it_ ~~gone~~ `code` $x$ a|b &amp;", r"\*\*bold\*\* \_it\_ \~\~gone\~\~ \`code\` \$x\$ a\|b \&amp;"),
    ("# heading", r"\# heading"), ("> quote", r"\> quote"), ("- item", r"\- item"), ("1. item", r"1\. item"),
    ("submitted_at, Sign-up, 3.5, O'Brien (SMB): ok", "submitted_at, Sign-up, 3.5, O'Brien (SMB): ok"),
    ("line one\n\n  line   two", "line one  \nline two"),
    (None, "—"), (float("nan"), "—"), (42, "42"),
])
def test_md_shows_a_data_value_as_its_text(value, expected):
    assert fmt.md(value) == expected


def test_unmarked_undoes_md_and_drops_emphasis():
    for text in ("![](https://example.invalid/x.png)", "a*b_c_ $5", "O'Brien & Co <b>", "www.x.com ana@x.com"):
        assert fmt.unmarked(fmt.md(text)) == text
    assert fmt.unmarked(f"**{fmt.md('Sign-up *new*')}** loses most") == "Sign-up *new* loses most"
