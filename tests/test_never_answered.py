"""Who owes an answer (is_answer_due), and what a median reads when over half of those contacts were
never answered: on a small hand-built database shaped like a real export (help-desk tickets most of
which were never answered, delivery legs that carry a promised date but are no conversation, a
channel nobody answers on, a touchpoint that expects no answer, a self-service one), every page,
every slide of the board pack and the command line are searched for inf, nan, None and NaT."""
from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdata import data_status, db, derive, metrics, report, service
from cxdata.__main__ import main
from cxdata.filters import Filters
from cxdata.load import load_files
from tests.conftest import ROOT

# Hand-checked (docs/service-levels.md, "Who owes an answer"):
# - U01-U10: e-mail tickets (Support): U01 answered in 600 s, U02 in 1,200 s, U03-U10 never (8);
# - L01-L04: chats (Sales) answered in 30 s;
# - D01-D10: delivery legs on the web with a promised date (an SLA) and no touchpoint: a fulfilment
#   step, no answer due;
# - S01-S02: tickets by SMS, a channel whose response mode is 'none': no answer due;
# - V01-V02: e-mails on the touchpoint 'survey link', listed as expecting no answer: none due;
# - F01: the self-service touchpoint 'faq': none due.
# Due an answer: 10 + 4 = 14; never answered: 8 (57.1%), so over half. Written channels' median
# (e-mail, web, sms): 600, 1,200 and 8 never answered among 10 due -> "over half never answered
# (n = 10)"; live (chat): 30 s from 4. Today's main judged 28 due and 20 never answered.
# U11, in January, answered in 300 s, makes February a whole month of the data.
ROWS_SQL = """
insert into customers (customer_id, name, segment, region, plan, signup_date)
select printf('C%02d', i), 'Customer ' || i, case when i = 5 then 'Enterprise' else 'SMB' end, 'Europe', 'Plus',
       date '2025-01-01'
from range(1, 6) t(i);
insert into channels values ('sms', 'none'), ('email', 'deferred'), ('chat', 'immediate');
insert into touchpoints values ('ticket', false, null), ('survey link', false, false), ('faq', true, null);
insert into interactions
select printf('U%02d', i), printf('C%02d', 1 + i % 4), timestamp '2026-02-02 08:00:00' + to_days(i), 'email',
       'support', 'ticket', 'Support', 'inquiry', 'back',
       case i when 1 then 600 when 2 then 1200 end, timestamp '2026-02-02 10:00:00' + to_days(i), false, 86400
from range(1, 11) t(i);
insert into interactions values
    ('U11', 'C01', timestamp '2026-01-15 09:00:00', 'email', 'support', 'ticket', 'Support', 'inquiry', 'back', 300,
     timestamp '2026-01-15 11:00:00', false, 86400);
insert into interactions
select 'L0' || i, 'C01', timestamp '2026-02-03 09:00:00', 'chat', 'support', 'ticket', 'Sales', 'inquiry', 'front',
       30, timestamp '2026-02-03 09:10:00', false, 3600
from range(1, 5) t(i);
insert into interactions
select printf('D%02d', i), 'C02', timestamp '2026-02-04 12:00:00', 'web', 'purchase', null, 'Logistics', 'delivery',
       'back', null, timestamp '2026-02-07 12:00:00', false, 5 * 86400
from range(1, 11) t(i);
insert into interactions
select 'S0' || i, 'C03', timestamp '2026-02-05 09:00:00', 'sms', 'support', 'ticket', 'Support', 'inquiry', 'back',
       null, timestamp '2026-02-05 10:00:00', false, 3600
from range(1, 3) t(i);
insert into interactions
select 'V0' || i, 'C04', timestamp '2026-02-06 09:00:00', 'email', 'support', 'survey link', 'Support', 'inquiry',
       'back', null, timestamp '2026-02-06 10:00:00', false, 3600
from range(1, 3) t(i);
insert into interactions values
    ('F01', 'C01', timestamp '2026-02-07 09:00:00', 'web', 'support', 'faq', null, 'inquiry', null, null,
     timestamp '2026-02-07 09:05:00', false, 3600);
insert into feedback
select 'N' || i, printf('C%02d', 1 + i % 4), printf('U%02d', 1 + i % 10), timestamp '2026-02-20 10:00:00', 'nps',
       case when i <= 3 then 10 else 2 end, case when i = 1 then 'never got an answer' end, null, null, null
from range(1, 6) t(i);
insert into transactions (transaction_id, customer_id, occurred_at, amount) values
    ('T1', 'C01', timestamp '2026-02-10', 120.00), ('T2', 'C02', timestamp '2026-03-01', 80.00);
"""
FEB = Filters(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
# A word of a visible text that must never be one of these: a number that was not a number, as
# Python, pandas or NumPy print it (English "none" in lower case is a word, not a leak).
LEAKS = re.compile(r"(?<![\w-])(-?inf|-?Infinity|nan|NaN|None|NaT|<NA>)(?![\w-])")


@pytest.fixture(scope="module")
def unanswered_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("unanswered") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(ROWS_SQL)
    return path


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("empty") / "cx.duckdb"
    with derive.writable_copy(path):
        pass
    return path


def _reader(path):
    return db.Reader(db.connect_readonly(path))


# ---- The rule ------------------------------------------------------------------------------------

def test_only_conversations_owe_an_answer(unanswered_db):
    levels = service.levels(_reader(unanswered_db), FEB)
    total = levels.total
    assert int(total["n_due"]) == 14
    assert int(total["n_unanswered"]) == 8
    assert total["unanswered_rate"] == pytest.approx(800 / 14)


def test_a_median_over_half_never_answered_is_no_number(unanswered_db):
    summary = metrics.kpi_summary(_reader(unanswered_db), FEB).set_index("kpi")
    written, live = summary.loc["first_response_written"], summary.loc["first_response_live"]
    assert bool(written["is_unanswered"]) and written["n"] == 10
    assert pd.isna(written["value"]) and pd.isna(written["moe"]) and pd.isna(written["delta"])
    assert live["value"] == 30 and live["n"] == 4 and not live["is_unanswered"]


# ---- Nothing that is not a number reaches a screen --------------------------------------------------

PAGES = ("pages/overview.py", "pages/trends.py", "pages/journey.py", "pages/voice.py", "pages/churn.py",
         "pages/departments.py", "pages/service.py", "pages/reports.py", "pages/present.py", "pages/data.py")
# Plotly keys whose strings a reader sees (titles, labels, hover text and the values it shows).
FIGURE_TEXT_KEYS = {"text", "title", "name", "hovertext", "ticktext", "customdata", "hovertemplate", "texttemplate",
                    "header", "cells", "values", "label", "labels"}


def _figure_texts(spec, key=None):
    """Every string of a figure a reader sees, and 'None' for a null among the values hover shows."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            yield from _figure_texts(v, k if k in FIGURE_TEXT_KEYS else key if key in FIGURE_TEXT_KEYS else None)
    elif isinstance(spec, list):
        for v in spec:
            yield from _figure_texts(v, key)
    elif key in FIGURE_TEXT_KEYS and isinstance(spec, str):
        yield spec


def _cell_texts(frame, proto):
    """A table's shown cells as the page draws them: a missing value shows as 'None' unless the table
    gives a placeholder for it."""
    missing = proto.placeholder if proto.HasField("placeholder") else "None"
    shown = list(proto.column_order) or list(frame.columns)
    for column in frame.columns:
        if column not in shown:
            continue
        yield str(column)
        for v in frame[column]:
            if not pd.api.types.is_scalar(v):  # a sparkline column: numbers drawn, never written
                continue
            yield missing if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def visible_texts(node):
    """What a person can read in a rendered page: every text, label, table cell and chart text."""
    import json
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for attribute in ("label",):
            if isinstance(getattr(node, attribute, None), str):
                yield node.label
        for child in children.values():
            yield from visible_texts(child)
        return
    kind = getattr(node, "type", "")
    if kind in ("arrow_data_frame", "arrow_table", "dataframe", "table"):
        yield from _cell_texts(node.value, node.proto)
        return
    if kind == "plotly_chart":
        yield from _figure_texts(json.loads(node.proto.spec))
        return
    for attribute in ("label", "value", "delta", "body", "placeholder", "help"):
        try:
            v = getattr(node, attribute, None)
        except Exception:  # an element without that property
            continue
        if isinstance(v, str):
            yield v
    options = getattr(node, "options", None)
    if isinstance(options, list):
        yield from (str(o) for o in options)


def leaks(texts) -> list[str]:
    return sorted({t.strip()[:160] for t in texts if LEAKS.search(t)})


def _render(path, monkeypatch, page, **query_params) -> AppTest:
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in query_params.items():
        at.query_params[key] = value
    return at.switch_page(page).run()   # straight to the page, as a link opens it


VIEWS = {  # the view of February (most contacts due an answer never answered), and a segment with no data
    "feb": {"period": "custom", "from": "2026-02-01", "to": "2026-02-28"},
    "no data": {"period": "custom", "from": "2026-02-01", "to": "2026-02-28", "segment": "Enterprise"},
}


def test_the_pages_say_over_half_never_answered_with_its_n(unanswered_db, monkeypatch):
    at = _render(unanswered_db, monkeypatch, "pages/overview.py", **VIEWS["feb"])
    tiles = {m.label.split(" :")[0]: m.value for m in at.metric}
    assert tiles["First response (written)"] == "Over half never answered"
    assert tiles["First response (live)"] == "30 s"
    assert any(c.value.startswith("n = 10 contacts due an answer") for c in at.caption)
    at = _render(unanswered_db, monkeypatch, "pages/trends.py", **VIEWS["feb"], metric="first_response_written",
                 by="department")
    assert not at.exception
    assert at.metric[0].value == "Over half never answered"   # the selected period, as the overview tile says it
    assert at.metric[1].value == "over half never answered (n = 10)"
    breakdown = at.dataframe[0].value.set_index("Member")
    assert breakdown.loc["Support", "Value"] == "over half never answered (n = 10)"
    at = _render(unanswered_db, monkeypatch, "pages/departments.py", **VIEWS["feb"], card="Support")
    card = next(d.value for d in at.dataframe if "Metric" in d.value.columns).set_index("Metric")
    # the scorecard judges the quarter: U11 of January joins, 8 of 11 never answered
    assert card.loc["First response (written)", "Value"] == "over half never answered (n = 11)"
    at = _render(unanswered_db, monkeypatch, "pages/service.py", **VIEWS["feb"])
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Never answered"] == "57.1%"   # 8 of the 14 contacts due an answer


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("view", VIEWS)
def test_no_page_shows_inf_nan_none_or_nat(unanswered_db, monkeypatch, page, view):
    at = _render(unanswered_db, monkeypatch, page, **VIEWS[view])
    assert not at.exception, at.exception
    assert leaks(visible_texts(at._tree)) == []


@pytest.mark.parametrize("page", PAGES)
def test_no_page_of_an_empty_database_shows_inf_nan_none_or_nat(empty_db, monkeypatch, page):
    at = _render(empty_db, monkeypatch, page)
    assert not at.exception, at.exception
    assert leaks(visible_texts(at._tree)) == []


def _slide_texts(pack):
    """Every word of the board pack as its slides hold it (the PPTX, the PDF and presentation mode all
    draw these), figures' titles, labels and hover text included."""
    yield from (pack.company, pack.period, pack.filters, pack.freshness, pack.footer)
    for slide in pack.slides:
        yield from (slide.title, slide.subtitle, slide.notes, slide.empty or "", slide.headline)
        yield from slide.bullets
        yield from slide.findings
        if slide.table is not None:
            yield from slide.table.columns
            yield from (cell for row in slide.table.rows for cell in row)
        for figure in slide.figures:
            yield from _figure_texts(figure.to_plotly_json())


@pytest.mark.parametrize("view", VIEWS)
def test_no_slide_of_the_board_pack_shows_inf_nan_none_or_nat(unanswered_db, view):
    reader = _reader(unanswered_db)
    facts = data_status.facts(reader)
    chosen = report.view_for(reader, facts, {k: [v] for k, v in VIEWS[view].items()})
    pack = report.build(reader, chosen, facts, metrics.DEFAULT_MIN_RESPONSES, company="Acme")
    texts = list(_slide_texts(pack))
    assert leaks(texts) == []
    if view == "feb":  # the KPI table says what the written median is, with its n
        written = next(row for s in pack.slides if s.key in ("kpis", "kpis_2") for row in s.table.rows
                       if row[0] == "First response (written)")   # the KPI table or its continuation
        assert written[1] == "Over half never answered" and written[4].startswith("n = 10 ")


def _cli(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_command_line_prints_no_inf_nan_none_or_nat(unanswered_db, empty_db, tmp_path, capsys):
    copy = tmp_path / "cx.duckdb"
    copy.write_bytes(unanswered_db.read_bytes())
    outputs = [_cli(capsys, "refresh", "--db", str(copy)),
               _cli(capsys, "churn-eval", "--db", str(copy)),
               _cli(capsys, "bench", "--db", str(copy), "--repeat", "1", "--pages", "service"),
               _cli(capsys, "report", "--db", str(empty_db), "--out", str(tmp_path / "pack.pptx")),
               _cli(capsys, "report", "--db", str(copy), "--out", str(tmp_path / "pack.pptx"),
                    "--segment", "Nobody")]
    assert [code for code, _ in outputs][:1] == [0]
    assert leaks(text for _, text in outputs) == []


# ---- The rule, one macro -------------------------------------------------------------------------

@pytest.mark.parametrize("mode, expects, kind, response, sla, due", [
    ("deferred", True, "inquiry", None, 3600, True),      # a listed touchpoint that expects an answer
    ("deferred", True, "inquiry", None, None, True),      # ... with neither SLA nor response: still due
    ("none", True, "inquiry", 60, 3600, False),           # a channel nobody answers on
    ("immediate", False, "inquiry", 60, 3600, False),     # a touchpoint that expects no answer
    (None, None, "inquiry", None, 3600, True),            # nothing listed: an SLA opens a conversation
    (None, None, "inquiry", None, None, False),           # ... no SLA, no response: a visit, not a contact
    (None, None, "delivery", None, 3600, False),          # a fulfilment step with a promised date
    (None, None, "purchase", 120, None, False),           # a purchase approved after 2 minutes
    (None, None, None, 120, None, True),                  # no kind told, a response: a conversation
])
def test_is_answer_due(mode, expects, kind, response, sla, due):
    con = duckdb.connect()
    db.apply_schema(con)
    assert con.execute("select is_answer_due($m, $e, $k, $r, $s)",
                       {"m": mode, "e": expects, "k": kind, "r": response, "s": sla}).fetchone()[0] is due


def test_touchpoints_listed_without_expects_answer_expect_one_unless_self_service():
    con = duckdb.connect()
    db.apply_schema(con)
    con.execute("insert into touchpoints (touchpoint, is_self_service) values ('ticket', false), ('faq', true)")
    con.execute("insert into touchpoints values ('order', false, false)")
    assert con.execute("select * from answers_expected_of() order by 1").fetchall() == [
        ("faq", False), ("order", False), ("ticket", True)]


# ---- Loading: a mapping says a file's contacts expect no answer; the report counts -------------------

TICKETS = """interaction_id,customer_id,started_at,channel,touchpoint,first_response_seconds,resolved_at,sla_seconds
T1,C1,2026-01-05 09:00,email,ticket,600,2026-01-05 12:00,86400
T2,C1,2026-01-06 09:00,email,ticket,,2026-01-06 12:00,86400
T3,C2,2026-01-07 09:00,email,ticket,,2026-01-07 12:00,86400
"""
# Delivery legs: a promised date (an SLA) and no reply, as a carrier's export has them.
LEGS = """leg_id,customer,shipped,delivered,promised
D1,C1,2026-01-05 10:00,2026-01-08 10:00,2026-01-09 10:00
D2,C2,2026-01-06 10:00,2026-01-10 10:00,2026-01-09 10:00
"""
LEGS_MAPPING = """table = "interactions"
expects_answer = false

[columns]
leg_id = "interaction_id"
customer = "customer_id"
shipped = "started_at"
delivered = "resolved_at"

[constants]
channel = "courier"
touchpoint = "delivery leg"

[derived]
sla_seconds = "date_diff('second', try_cast(shipped as timestamp), try_cast(promised as timestamp))"
"""


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mapping_sets_whether_a_files_contacts_expect_an_answer(tmp_path):
    path = tmp_path / "cx.duckdb"
    tickets = load_files([_write(tmp_path, "tickets.csv", TICKETS)], db_path=path)
    legs = load_files([_write(tmp_path, "legs.csv", LEGS)], db_path=path,
                      mapping=_write(tmp_path, "legs.toml", LEGS_MAPPING))
    # T1 answered, T2 and T3 closed without an answer: 3 due, 2 never answered, over half
    assert (tickets.files[0].n_answer_due, tickets.files[0].n_never_answered) == (3, 2)
    assert "answers: 3 of 3 contacts judged due an answer, 2 of them never answered — over half" \
        in tickets.text()
    assert (legs.files[0].n_answer_due, legs.files[0].n_never_answered) == (0, 0)
    assert "answers: 0 of 2 contacts judged due an answer, 0 of them never answered\n" in legs.text()
    assert "touchpoint(s) delivery leg: expect no answer" in legs.text()
    con = db.connect_readonly(path)
    try:
        assert con.execute("select * from touchpoints").fetchall() == [("delivery leg", False, False)]
        levels = service.levels(db.Reader(con), Filters(dt.date(2026, 1, 1), dt.date(2026, 1, 31))).total
    finally:
        con.close()
    assert (int(levels["n_due"]), int(levels["n_unanswered"])) == (3, 2)


def test_a_touchpoints_file_decides_before_the_contacts_of_the_same_run_are_counted(tmp_path):
    path = tmp_path / "cx.duckdb"
    points = _write(tmp_path, "touchpoints.csv", "touchpoint,is_self_service,expects_answer\nticket,false,false\n")
    result = load_files([_write(tmp_path, "tickets.csv", TICKETS), points], db_path=path)
    tickets = next(f for f in result.files if f.table == "interactions")
    assert (tickets.n_answer_due, tickets.n_never_answered) == (0, 0)


@pytest.mark.parametrize("text, says", [
    ('table = "interactions"\nexpects_answer = false\n[constants]\nchannel = "courier"\n',
     "gives them none: name the touchpoint column under [columns], or set one under [constants]"),
    ('table = "interactions"\nexpects_answer = "no"\n', "expects_answer must be true or false"),
    ('table = "feedback"\nexpects_answer = false\n', "expects_answer is about contacts (the interactions table)"),
])
def test_expects_answer_is_checked_before_anything_loads(tmp_path, text, says):
    from cxdata.load import LoadError
    with pytest.raises(LoadError) as caught:
        load_files([_write(tmp_path, "legs.csv", LEGS)], db_path=tmp_path / "cx.duckdb",
                   mapping=_write(tmp_path, "m.toml", text))
    assert says in str(caught.value)


def test_the_ecommerce_presets_orders_expect_no_answer(tmp_path):
    from cxdata.load.presets import sample_files
    path = tmp_path / "cx.duckdb"
    result = load_files(sample_files("ecommerce"), db_path=path, preset="ecommerce")
    orders = next(f for f in result.files if f.table == "interactions")
    assert (orders.n_loaded, orders.n_answer_due, orders.n_never_answered) == (7, 0, 0)
    con = db.connect_readonly(path)
    try:
        assert con.execute("select touchpoint, expects_answer from touchpoints").fetchall() == [("order", False)]
        assert con.execute("select count(*) from interaction_rows() where is_due").fetchone() == (0,)
    finally:
        con.close()


def test_a_database_written_before_expects_answer_is_upgraded_at_the_next_refresh(unanswered_db, tmp_path):
    from cxdata import derive
    path = tmp_path / "old.duckdb"
    path.write_bytes(unanswered_db.read_bytes())
    con = duckdb.connect(str(path))  # as an earlier release left it: no column, its own derived layer
    con.execute("alter table touchpoints drop column expects_answer")
    con.execute("update derived_info set version = 'older'")
    con.close()
    assert derive.needs_refresh(path)
    assert derive.ensure_current(path)
    con = db.connect_readonly(path)
    try:
        # 'survey link' lost its "expects no answer" with the column: not self-service, so expected
        assert con.execute("select * from touchpoints order by 1").fetchall() == [
            ("faq", True, None), ("survey link", False, None), ("ticket", False, None)]
        total = service.levels(db.Reader(con), FEB).total
    finally:
        con.close()
    assert (int(total["n_due"]), int(total["n_unanswered"])) == (16, 10)
