"""The drill-down in the real app (AppTest, tiny database): a tile opens the rows behind its number, with the
count the tile states and CSV and Excel downloads; the overview and trends offer what they show."""
from __future__ import annotations

import re

import pytest

from tests.test_app import _starter


@pytest.fixture
def app(tiny_db, monkeypatch):
    return _starter(tiny_db, monkeypatch)


_COUNT_LINE = re.compile(r"^\*\*[^*]+\*\* · .+: [\d,]+ (answer|contact|customer|transaction)s?$")


def _dialog_line(at) -> str:
    """The dialog's first line: what the number is, its period and how many rows are behind it."""
    return next(m.value for m in at.markdown if _COUNT_LINE.match(m.value))


def test_the_nps_tile_opens_its_answers(app):
    at = app()   # last 90 days, 6 Dec 2025 – 5 Mar 2026: the 100 NPS answers of 15 Jan 2026
    assert not at.exception
    at.button(key="rows_nps").click().run()
    assert not at.exception
    assert _dialog_line(at) == "**NPS** · 6 Dec 2025 – 5 Mar 2026: 100 answers"
    table = next(d.value for d in at.dataframe if "Counts as" in d.value.columns)
    assert len(table) == 100
    classes = table["Counts as"].value_counts()
    assert (classes["promoter"], classes["detractor"]) == (50, 20)        # NPS 30, as the tile says
    assert {b.label for b in at.get("download_button")} >= {"CSV", "Excel"}
    assert "None" not in table.to_csv() and "nan" not in table.to_csv()
    # each customer's id opens their record (the administrator of local mode sees single customers)
    assert table["Customer"].str.fullmatch(r"customer\?customer=C\d\d").all()


def test_the_sla_tile_under_a_department_filter_opens_the_judged_contacts(app):
    at = app(department="Billing")
    at.button(key="rows_sla_compliance").click().run()
    assert not at.exception
    assert _dialog_line(at).endswith(": 4 contacts")
    table = next(d.value for d in at.dataframe if "Resolved on time" in d.value.columns)
    assert sorted(table["Resolved on time"]) == ["no", "no", "yes", "yes"]   # 50%


def test_every_drillable_tile_has_its_button_and_the_overview_downloads(app):
    at = app()
    keys = {b.key for b in at.button}
    assert {f"rows_{k}" for k in ("nps", "csat", "ces", "contacts", "sla_compliance", "churn_rate",
                                  "active_customers", "revenue")} <= keys
    assert "rows_net_revenue_retention" not in keys            # a two-year cohort: no rows to list
    assert {b.key for b in at.get("download_button")} >= {"overview_download_csv", "overview_download_xlsx"}


def test_trends_downloads_its_series_and_opens_a_periods_rows(app):
    at = app()
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    assert {b.key for b in at.get("download_button")} >= {"trend_download_csv", "trend_download_xlsx"}
    # the sidebar's period opens the same rows as the overview's tile
    at.button(key="rows_selected").click().run()
    assert _dialog_line(at) == "**NPS** · 6 Dec 2025 – 5 Mar 2026: 100 answers"
    # the newest month with answers is January 2026: its 100 NPS answers, the point the line draws
    assert at.selectbox(key="trend_rows_period").value.isoformat() == "2026-01-01"
    at.button(key="rows_trend").click().run()
    assert not at.exception
    assert _dialog_line(at) == "**NPS** · January 2026 · 1 Jan 2026 – 31 Jan 2026: 100 answers"


def test_a_scorecard_cell_opens_the_rows_of_that_department_and_quarter(app):
    at = app()
    at.switch_page("pages/departments.py").run()
    assert not at.exception
    at.selectbox(key="cell_department").set_value("Billing")
    at.selectbox(key="cell_metric").set_value("sla_compliance").run()
    at.button(key="rows_cell").click().run()
    assert not at.exception
    # Billing's 4 e-mails of 10 Jan 2026, two resolved late: the cell's 50%
    assert _dialog_line(at) == "**SLA compliance** · Billing, Q1 2026 · 1 Jan 2026 – 5 Mar 2026: 4 contacts"
    table = next(d.value for d in at.dataframe if "Resolved on time" in d.value.columns)
    assert sorted(table["Resolved on time"]) == ["no", "no", "yes", "yes"]
    assert set(table["Department"]) == {"Billing"}
    at.selectbox(key="cell_metric").set_value("csat").run()
    at.button(key="rows_cell").click().run()
    assert _dialog_line(at).endswith(": 40 answers")          # Billing's CSAT answers: 30 of 40 satisfied


def test_the_service_page_opens_the_contacts_judged_against_an_sla(app):
    at = app()
    at.switch_page("pages/service.py").run()
    assert not at.exception
    at.button(key="rows_sla_compliance").click().run()
    assert not at.exception
    assert _dialog_line(at) == "**SLA compliance** · 6 Dec 2025 – 5 Mar 2026: 10 contacts"


def test_a_clicked_bar_names_its_member():
    from cxdata.app.drill import bar_member

    assert bar_member({"points": [{"x": 61.2, "y": "chat", "curve_number": 0}]}) == "chat"      # horizontal
    assert bar_member({"points": [{"x": "Billing", "y": 50.0}]}) == "Billing"                   # vertical
    assert bar_member({"points": []}) is None and bar_member(None) is None
    # the chart holds a name as literal text; the click gives it back as the data has it
    assert bar_member({"points": [{"x": 1.0, "y": "&lt;b&gt;R&amp;D&lt;/b&gt;"}]}) == "<b>R&D</b>"
