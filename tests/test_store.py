"""The follow-up store: changes persist, history is append-only, the later of two writers wins."""
import multiprocessing
import sqlite3
from datetime import datetime, timezone

import pytest

from cxdata.store import Store, StoreError, store_path


def test_store_sits_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("CX_STORE", raising=False)
    assert store_path(tmp_path / "cx.duckdb") == tmp_path / "cx.state.sqlite"
    monkeypatch.setenv("CX_STORE", str(tmp_path / "elsewhere.sqlite"))
    assert store_path(tmp_path / "cx.duckdb") == tmp_path / "elsewhere.sqlite"


def test_an_unwritten_store_reads_empty_and_creates_no_file(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    assert store.records("alert") == {}
    assert list(store.history("alert").columns) == ["event_id", "key", "field", "value", "changed_at", "changed_by"]
    assert not (tmp_path / "s.sqlite").exists()


def test_changes_keep_types_the_latest_value_and_every_event(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    t1 = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    store.change("target", "billing|sla|2026Q1", {"value": 90.0, "note": "board ask"}, "ana", at=t1)
    store.change("target", "billing|sla|2026Q1", {"value": 92.5}, "ben")
    store.change("alert", "c1", {"status": "new"}, "")
    assert store.records("target") == {"billing|sla|2026Q1": {"value": 92.5, "note": "board ask"}}
    assert store.records("alert") == {"c1": {"status": "new"}}
    history = store.history("target", "billing|sla|2026Q1")
    assert history["value"].tolist() == [90.0, "board ask", 92.5]
    assert history["changed_by"].tolist() == ["ana", "ana", "ben"]
    assert history["changed_at"].iloc[0] == "2026-01-01T09:00:00+00:00"
    assert store.history("alert")["changed_by"].tolist() == ["unknown"]
    with sqlite3.connect(tmp_path / "s.sqlite") as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


def _write(path, who, n):
    store = Store(path)
    for i in range(n):
        store.change("alert", "c1", {"status": f"{who}-{i}"}, who)


def test_two_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "s.sqlite"
    Store(path).change("alert", "c0", {"status": "new"}, "setup")
    workers = [multiprocessing.Process(target=_write, args=(path, who, 40)) for who in ("ana", "ben")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    store = Store(path)
    events = store.history("alert", "c1")
    assert len(events) == 80
    assert store.records("alert")["c1"]["status"] == events["value"].iloc[-1]


def test_an_unopenable_store_is_a_clear_error(tmp_path):
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(StoreError, match="can't be opened"):
        Store(tmp_path / "dir.sqlite").change("alert", "c1", {"status": "new"}, "ana")


def test_a_save_on_an_outdated_view_changes_only_its_fields_and_never_overwrites(tmp_path):
    """Issue 23's lost update: Luis sets "Plan in place"; Ana, whose page is older, edits only the
    note and saves: the status stays "plan". Her later status change from that old page is refused."""
    from cxdata.access.roles import User
    from cxdata.churn import alerts
    from cxdata.store import Conflict
    store = Store(tmp_path / "cx.state.sqlite")
    ana, luis, alert = User("ana@example.com", "executive"), User("luis@example.com", "executive"), {}
    key = "demo:C1"
    alerts.change(store, key, ana, ["score"], status="acknowledged", owner="Ana", note="", alert=alert)
    seen = store.versions(alerts.KIND)[key]            # both pages drawn now
    alerts.change(store, key, luis, ["score"], alert=alert, **alerts.edited({"status": "acknowledged", "owner": "Ana",
                                                                "note": ""}, {"status": "plan", "owner": "Ana",
                                                                              "note": ""}), seen=seen)
    ana_edits = alerts.edited({"status": "acknowledged", "owner": "Ana", "note": ""},
                              {"status": "acknowledged", "owner": "Ana", "note": "Called, no answer"})
    assert ana_edits == {"note": "Called, no answer"}
    alerts.change(store, key, ana, ["score"], **ana_edits, alert=alert, seen=seen)
    assert store.records(alerts.KIND)[key] | {"rules": None} == {"status": "plan", "owner": "Ana",
                                                                 "note": "Called, no answer", "rules": None}
    with pytest.raises(Conflict, match=r"^The status was changed by luis@example.com at \d{4}-\d\d-\d\d \d\d:\d\d UTC .*reload"):
        alerts.change(store, key, ana, ["score"], status="lost", alert=alert, seen=seen)
    assert store.records(alerts.KIND)[key]["status"] == "plan"
    assert list(store.history(alerts.KIND, key)["changed_by"]).count("ana@example.com") == 6   # 4 fields, then note + rules; the refused one wrote nothing
    fresh = store.versions(alerts.KIND)[key]           # reloaded: the change goes through
    alerts.change(store, key, ana, ["score"], status="lost", alert=alert, seen=fresh)
    assert store.records(alerts.KIND)[key]["status"] == "lost"
