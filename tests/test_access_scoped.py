"""Scope below the pages: every query narrowed to the user's scope before it runs (and before a cache
key is formed), queries without $filters on an explicit list, rows and exports by role, and the
command line's --as; on the tiny database (tests/conftest.py), whose counts are worked out by hand."""
import dataclasses
import datetime as dt
import io

import pandas as pd
import pytest

from cxdata import db, derive, drill, metrics, report, voice
from cxdata.__main__ import REFUSED, main
from cxdata.access import scoped
from cxdata.access.roles import LOCAL_ADMIN, NOTHING, Scope, User
from cxdata.access.scoped import Refused, ScopedReader
from cxdata.churn import alerts
from cxdata.filters import DIMENSIONS
from cxdata.load.sql import ident
from cxdata.store import Store
from tests.conftest import Q1_2026

ANA = User("ana@example.com", "department_head", Scope.of(department=["Billing"]))
LUIS = User("luis@example.com", "cx_manager", Scope.of(segment=["SMB"]))
BOARD = User("bo@example.com", "board")
VIEWER = User("vera@example.com", "viewer")
EXEC = User("eve@example.com", "executive")

ROLES_TOML = """
[users."ana@example.com"]
role = "department_head"
departments = ["Billing"]

[users."luis@example.com"]
role = "cx_manager"
segments = ["SMB"]

[users."vera@example.com"]
role = "viewer"

[users."bo@example.com"]
role = "board"

[users."eve@example.com"]
role = "executive"

[users."root@example.com"]
role = "admin"
"""


@pytest.fixture
def roles_file(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES_TOML)
    monkeypatch.setenv("CX_ROLES", str(path))
    return path


def _reader(tiny_con, user):
    return ScopedReader(db.Reader(tiny_con), user)


def _values(reader, filters=Q1_2026) -> dict:
    summary = metrics.kpi_summary(reader, filters, min_responses=1).set_index("kpi")
    return {k: summary.loc[k, "value"] for k in ("nps", "csat", "contacts", "sla_compliance")}


# ---- Every file in sql/ is either narrowed or on a list ---------------------------------------------

def test_every_query_takes_filters_or_is_on_exactly_one_list():
    lists = {"REFERENCE": scoped.REFERENCE, "NARROWED_AFTER": set(scoped.NARROWED_AFTER),
             "FOR_LOADERS": scoped.FOR_LOADERS, "BY_CUSTOMER_ID": scoped.BY_CUSTOMER_ID, "WRITES": scoped.WRITES}
    names = sorted(p.stem for p in db.SQL_DIR.glob("*.sql"))
    for name in names:
        on = [label for label, members in lists.items() if name in members]
        takes_filters = "filters" in db.query_params(name)
        assert len(on) + (takes_filters and name not in scoped.WRITES) == 1, (name, on, takes_filters)
    for label, members in lists.items():   # no stale name on a list
        assert set(members) <= set(names), (label, set(members) - set(names))
    assert scoped.CUSTOMER_ROWS | scoped.CONTACT_ROWS <= {n for n in names if "filters" in db.query_params(n)}


def test_a_query_on_no_list_is_refused_for_every_user(tiny_con, monkeypatch):
    monkeypatch.setattr(scoped, "REFERENCE", scoped.REFERENCE - {"data_extent"})
    for user in (LOCAL_ADMIN, EXEC, ANA):
        with pytest.raises(Refused, match="not on the list"):
            _reader(tiny_con, user).run("data_extent")
    with pytest.raises(Refused, match="a write"):
        _reader(tiny_con, LOCAL_ADMIN).run("schema")


# ---- Narrowing: a URL can narrow, never widen --------------------------------------------------------

def test_filters_are_intersected_with_the_scope():
    assert scoped.narrow_params(ANA, {})["department"] == ["Billing"]
    assert scoped.narrow_params(ANA, {"department": ["Billing", "Support"]})["department"] == ["Billing"]
    assert scoped.narrow_params(ANA, {"department": ["Support"]})["department"] == [NOTHING]
    assert scoped.narrow_params(ANA, {"segment": ["SMB"]})["segment"] == ["SMB"]   # narrowing further is fine
    assert scoped.narrow_params(LOCAL_ADMIN, {"department": ["Support"]}) == {
        **{k: [] for k in DIMENSIONS}, "department": ["Support"]}


def test_each_user_reads_only_their_scope(tiny_con):
    # all: 10 contacts (6 Support chats on time, 4 Billing emails of which 2 late), NPS 30 from 100 answers
    everything = _values(_reader(tiny_con, EXEC))
    assert (everything["contacts"], everything["nps"], everything["sla_compliance"]) == (10, 30, 80)
    # Billing: its 4 emails (2 on time: 50%), its 40 CSAT answers (30 at 4-5: 75%), no NPS answer
    billing = _values(_reader(tiny_con, ANA))
    assert (billing["contacts"], billing["sla_compliance"], billing["csat"]) == (4, 50, 75)
    assert pd.isna(billing["nps"])
    # a link asking for Support gets nothing, never Support's rows
    tampered = _values(_reader(tiny_con, ANA), Q1_2026.replace(department=["Support"]))
    assert tampered["contacts"] == 0 and pd.isna(tampered["nps"]) and pd.isna(tampered["csat"])
    # SMB (C01-C10): 50 promoters and 30 passives, the 20 detractors are Enterprise's: NPS 62.5
    assert _values(_reader(tiny_con, LUIS))["nps"] == 62.5
    assert _values(_reader(tiny_con, LUIS), Q1_2026.replace(segment=["Enterprise"]))["contacts"] == 0


def test_the_sidebar_choices_and_targets_are_narrowed_to_the_scope(tiny_con):
    options = _reader(tiny_con, ANA).run("filter_options")
    assert options.loc[options["dimension"] == "department", "value"].tolist() == ["Billing"]
    assert set(options.loc[options["dimension"] == "segment", "value"]) == {"SMB", "Enterprise"}
    targets = _reader(tiny_con, ANA).run("kpi_targets", Q1_2026.params())
    assert targets["department"].isna().all() and targets["target"].tolist() == [25]   # not Support's 35
    assert len(_reader(tiny_con, EXEC).run("kpi_targets", Q1_2026.params())) == 2


def test_the_cache_key_is_formed_after_narrowing():
    """The app's reader keys its cache on the parameters it is given: the narrowed ones."""
    seen = []

    class Recording:
        path, stamp = "x", (1, 2, 3)

        def run(self, name, params=None):
            seen.append(params)
            return pd.DataFrame()

    ScopedReader(Recording(), ANA).run("kpi_summary", metrics.period_params(Q1_2026, "previous"))
    ScopedReader(Recording(), EXEC).run("kpi_summary", metrics.period_params(Q1_2026, "previous"))
    assert seen[0]["filters"]["department"] == ["Billing"] and seen[1]["filters"]["department"] == []


def test_a_warmed_cache_is_never_served_to_a_narrower_user(tiny_db):
    from cxdata.app import cache, warmup

    cache._run.clear()
    warmup.warm(tiny_db)   # the default view (last 90 days to 5 Mar 2026) for a user with all data
    view = dt.date(2025, 12, 6), dt.date(2026, 3, 5)
    filters = Q1_2026.replace(start=view[0], end=view[1])
    everyone = metrics.kpi_summary(ScopedReader(cache.CachedReader(tiny_db), EXEC), filters).set_index("kpi")
    billing = metrics.kpi_summary(ScopedReader(cache.CachedReader(tiny_db), ANA), filters).set_index("kpi")
    assert everyone.loc["contacts", "value"] == 10 and billing.loc["contacts", "value"] == 4


# ---- Rows by role -----------------------------------------------------------------------------------

def test_rows_by_role(tiny_con):
    rules = alerts.Rules(1.0)
    for user in (BOARD, VIEWER):   # aggregates only: no answers, contacts or customers
        for kpi in ("nps", "contacts", "churn_rate", "revenue"):
            assert not drill.can_drill(kpi, user)
            with pytest.raises(Refused):
                drill.rows(_reader(tiny_con, user), Q1_2026, kpi)
    # a department head sees their department's answers, and no single customer
    answers = drill.rows(_reader(tiny_con, ANA), Q1_2026, "csat")
    assert answers.n == 40 and set(answers.rows["Department"]) == {"Billing"}
    assert drill.rows(_reader(tiny_con, ANA), Q1_2026.replace(department=["Support"]), "nps").n == 0
    for kpi in ("churn_rate", "revenue"):
        assert not drill.can_drill(kpi, ANA)
        with pytest.raises(Refused, match="single customers"):
            drill.rows(_reader(tiny_con, ANA), Q1_2026, kpi)
    with pytest.raises(Refused):
        _reader(tiny_con, ANA).run("churn_alerts", rules.params(Q1_2026))
    # a cx manager of SMB: its transactions only (T1, 100.00 of C01), never Enterprise's
    revenue = drill.rows(_reader(tiny_con, LUIS), Q1_2026, "revenue")
    assert revenue.n == 1 and revenue.rows["Customer"].tolist() == ["C01"]
    assert drill.rows(_reader(tiny_con, LUIS), Q1_2026.replace(segment=["Enterprise"]), "revenue").n == 0
    # the backlog's counts are an aggregate, its rows are not
    with pytest.raises(Refused):
        _reader(tiny_con, BOARD).run("service_backlog", {"filters": {}, "hours": 24, "limit": 10})
    assert len(_reader(tiny_con, BOARD).run("service_backlog", {"filters": {}, "hours": 24, "limit": 0})) == 1
    # load diagnostics (rejected cells, answers without a contact) are for who loads
    for user in (EXEC, ANA, BOARD):
        with pytest.raises(Refused, match="those who load"):
            _reader(tiny_con, user).run("answers_without_contact", {"limit": 10})


def _alert_rows():
    return pd.DataFrame([
        {"customer_id": "C01", "name": "Customer 1", "segment": "SMB", "region": "Europe", "plan": "Plus",
         "owner": "ana@example.com", "account_owner": "Ana", "rules": ["score"], "reasons": ["x"], "status": "new",
         "note": "", "band": "high", "score": 80.0, "value_at_risk": 800.0, "annual_value": 1000.0,
         "next_renewal_on": None, "expected_purchase_on": None},
        {"customer_id": "C11", "name": "Customer 11", "segment": "Enterprise", "region": "North America",
         "plan": "Plus", "owner": "Ana", "account_owner": "Ana", "rules": ["score"], "reasons": ["x"],
         "status": "new", "note": "", "band": "high", "score": 80.0, "value_at_risk": 800.0, "annual_value": 1000.0,
         "next_renewal_on": None, "expected_purchase_on": None}])


def test_exports_refuse_roles_without_row_exports_and_mask_names_for_roles_without_names():
    rows = _alert_rows()
    for user in (BOARD, VIEWER):
        with pytest.raises(Refused, match="may not export rows"):
            alerts.to_csv(rows, user)
        with pytest.raises(Refused, match="may not export rows"):
            alerts.to_excel(rows, user)
        with pytest.raises(Refused, match="may not export rows"):
            voice.comments_csv(pd.DataFrame({"comment": ["ok"], "score_nps": [""], "score_csat": [""],
                                             "score_ces": [""]}), user)
    named = pd.read_csv(io.BytesIO(alerts.to_csv(rows, EXEC)), encoding="utf-8-sig")
    assert named["Customer"].tolist() == ["Customer 1", "Customer 11"]
    masked = pd.read_csv(io.BytesIO(alerts.to_csv(rows, ANA)), encoding="utf-8-sig")   # a role without names
    assert masked["Customer"].tolist() == ["C01", "C11"]
    assert not masked.astype(str).apply(lambda c: c.str.contains("Customer 1")).any().any()


def test_an_alert_is_changed_by_its_owner_cx_managers_in_scope_and_executives(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    smb, enterprise = (r.to_dict() for _, r in _alert_rows().iterrows())
    alerts.change(store, "d:C01", LUIS, ["score"], status="plan", alert=smb)           # SMB is in Luis's scope
    with pytest.raises(Refused):
        alerts.change(store, "d:C11", LUIS, ["score"], status="plan", alert=enterprise)  # Enterprise is not
    alerts.change(store, "d:C11", EXEC, ["score"], status="acknowledged", alert=enterprise)
    owner = User("ana@example.com", "viewer")   # the alert's owner, whatever their role
    alerts.change(store, "d:C01", owner, ["score"], note="called", alert=smb)
    for user in (BOARD, VIEWER, ANA):
        with pytest.raises(Refused):
            alerts.change(store, "d:C11", user, ["score"], status="lost", alert=enterprise)
    history = store.history(alerts.KIND)
    assert sorted(set(zip(history["key"], history["changed_by"]))) == [
        ("d:C01", "ana@example.com"), ("d:C01", "luis@example.com"), ("d:C11", "eve@example.com")]


# ---- The command line: --as ---------------------------------------------------------------------------

def test_without_a_roles_file_the_command_line_acts_as_admin(tiny_db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CX_ROLES", raising=False)
    path = tmp_path / "cx.duckdb"
    path.write_bytes(tiny_db.read_bytes())
    assert main(["refresh", "--db", str(path)]) == 0
    assert main(["refresh", "--db", str(path), "--as", "ana@example.com"]) == REFUSED
    assert "needs a roles file" in capsys.readouterr().err


@pytest.mark.parametrize("argv, says", [
    (["refresh"], "say who runs the command with --as EMAIL"),
    (["refresh", "--as", "nobody@example.com"], "nobody@example.com is not in the roles file"),
    (["refresh", "--as", "vera@example.com"], "vera@example.com is a viewer and may not load"),
    (["demo", "--as", "eve@example.com"], "eve@example.com is an executive and may not load"),
    (["report", "--out", "p.pdf"], "say who runs the command with --as EMAIL"),
])
def test_with_a_roles_file_the_user_is_named_known_and_allowed(roles_file, tiny_db, tmp_path, argv, says, capsys):
    path = tmp_path / "cx.duckdb"
    path.write_bytes(tiny_db.read_bytes())
    before = path.read_bytes()
    assert main([*argv, "--db", str(path)]) == REFUSED
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert path.read_bytes() == before


def test_a_viewer_may_not_load(roles_file, tiny_db, tmp_path, capsys):
    path = tmp_path / "cx.duckdb"
    path.write_bytes(tiny_db.read_bytes())
    file = tmp_path / "customers.csv"
    file.write_text("customer_id,segment\nZZ1,SMB\n")
    assert main(["load", str(file), "--db", str(path), "--as", "vera@example.com"]) == REFUSED
    assert main(["load", str(file), "--db", str(path), "--as", "root@example.com"]) == 0
    con = db.connect_readonly(path)
    try:
        assert con.execute("select count(*) from customers where customer_id = 'ZZ1'").fetchone()[0] == 1
    finally:
        con.close()


@pytest.fixture(scope="module")
def depts_db(tiny_db, tmp_path_factory):
    """The tiny database with its Support department renamed Fieldwork: a name no journey stage shares."""
    path = tmp_path_factory.mktemp("depts") / "cx.duckdb"
    path.write_bytes(tiny_db.read_bytes())
    with derive.writable_copy(path) as con:
        for table in ("interactions", "feedback", "targets"):   # identifiers from this fixed tuple only
            con.execute(f"update {ident(table)} set department = 'Fieldwork' where department = 'Support'")
    return path


def _pack_text(pack) -> str:
    parts = [pack.footer, pack.filters]
    for slide in pack.slides:
        parts += [slide.title, slide.subtitle, slide.section, slide.empty or "", slide.notes, *slide.bullets,
                  *slide.findings, *(fig.to_json() for fig in slide.figures)]
        if slide.table is not None:
            parts += [*slide.table.columns, *(cell for row in slide.table.rows for cell in row)]
    return "\n".join(map(str, parts))


def test_a_department_heads_board_pack_names_no_other_department(depts_db):
    con = db.connect_readonly(depts_db)
    try:
        facts = report.data_status.facts(db.Reader(con))
        params = {"period": ["custom"], "from": ["2026-01-01"], "to": ["2026-03-31"]}

        def pack_for(user):
            reader = _reader(con, user)
            view = report.view_for(reader, facts, params)
            view = dataclasses.replace(view, filters=user.scope.narrow(view.filters))
            return _pack_text(report.build(reader, view, facts, 1, company=""))

        everything, billing = pack_for(EXEC), pack_for(ANA)
    finally:
        con.close()
    assert "Fieldwork" in everything and "Product" in everything   # the check can see a department named
    assert "Billing" in billing and "Fieldwork" not in billing and "Product" not in billing


def test_report_as_a_department_head_writes_a_pack_of_their_department(roles_file, depts_db, tmp_path, capsys):
    from pptx import Presentation

    out = tmp_path / "ana.pptx"
    assert main(["report", "--db", str(depts_db), "--as", "ana@example.com", "--from", "2026-01-01",
                 "--to", "2026-03-31", "--out", str(out)]) == 0
    words = []
    for slide in Presentation(str(out)).slides:
        words += [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        words.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    text = "\n".join(words)
    assert "Department: Billing" in text and "Fieldwork" not in text and "Product" not in text
    # asking for another department is refused as a value the data (in their scope) does not have
    assert main(["report", "--db", str(depts_db), "--as", "ana@example.com", "--department", "Fieldwork",
                 "--out", str(tmp_path / "x.pptx")]) == 2
    assert "it has Billing" in capsys.readouterr().err
