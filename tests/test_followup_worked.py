"""The worked cases' state (cxdata/followup/worked.py): folded once, then kept up to date from the changes
made since, and always equal to a fold of the whole history; the store is read whole only once."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxdata.followup import case_list, worked
from cxdata.followup.rules import KIND
from cxdata.store import Store

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path) -> Store:
    """Three worked cases of dataset d1 and one of another dataset, d0."""
    store = Store(tmp_path / "cx.state.sqlite")
    store.change(KIND, "d1:answer:F1", {"status": "contacted", "note": "called"}, "ana@example.com", at=T0)
    store.change(KIND, "d1:answer:F1", {"status": "resolved", "root_cause": "billing"}, "ana@example.com",
                 at=T0 + dt.timedelta(hours=5))
    store.change(KIND, "d1:answer:F2", {"status": "unreachable"}, "bo@example.com", at=T0 + dt.timedelta(hours=1))
    store.change(KIND, "d1:answer:F3", {"note": "looked at it"}, "bo@example.com", at=T0 + dt.timedelta(hours=2))
    store.change(KIND, "d0:answer:F1", {"status": "resolved"}, "cy@example.com", at=T0)
    return store


def from_scratch(store: Store, prefix: str) -> pd.DataFrame:
    return worked.fold(store.history(KIND), prefix).sort_index()


def test_the_fold_reads_each_case_as_its_history_says(store):
    found = worked.state(store, "d1:")
    assert list(found.index) == ["d1:answer:F1", "d1:answer:F2", "d1:answer:F3"]
    f1 = found.loc["d1:answer:F1"]
    assert (f1["status"], f1["root_cause"], f1["note"], f1["changed_by"]) == ("resolved", "billing", "called",
                                                                             "ana@example.com")
    assert f1["changed_at"] == pd.Timestamp(T0 + dt.timedelta(hours=5))
    assert f1["first_contact_at"] == pd.Timestamp(T0)            # when it first left "new"
    assert pd.isna(found.loc["d1:answer:F3", "status"]) and pd.isna(found.loc["d1:answer:F3", "first_contact_at"])


def test_later_changes_are_folded_in_without_reading_the_whole_history(store, monkeypatch):
    before = worked.state(store, "d1:")
    assert worked.state(store, "d1:") is before                  # nothing changed: the same fold
    read = []
    history = store.history
    monkeypatch.setattr(store, "history", lambda kind, key=None, keys=None: read.append(keys) or history(kind, key, keys))
    store.change(KIND, "d1:answer:F2", {"status": "contacted", "note": "reached at last"}, "ana@example.com",
                 at=T0 + dt.timedelta(days=1))
    store.change(KIND, "d1:answer:F4", {"status": "resolved"}, "bo@example.com", at=T0 + dt.timedelta(days=1))
    store.change(KIND, "d0:answer:F9", {"status": "resolved"}, "cy@example.com", at=T0 + dt.timedelta(days=1))
    after = worked.state(store, "d1:")
    assert read == [["d1:answer:F2", "d1:answer:F4"]]             # only the cases changed since, of this dataset
    pd.testing.assert_frame_equal(after.sort_index(), from_scratch(store, "d1:"), check_dtype=False)
    assert after.loc["d1:answer:F2", "status"] == "contacted"
    assert after.loc["d1:answer:F2", "first_contact_at"] == pd.Timestamp(T0 + dt.timedelta(hours=1))
    assert after.loc["d1:answer:F4", "version"] == store.newest_event() - 1


def test_the_bound_lists_follow_the_changes(store):
    params = case_list.worked_params(store, "d1:")
    assert dict(zip(params["worked_ids"], params["worked_status"])) == {
        "answer:F1": "resolved", "answer:F2": "unreachable", "answer:F3": "new"}
    assert dict(zip(params["worked_ids"], params["worked_root_cause"]))["answer:F1"] == "billing"
    assert dict(zip(params["worked_ids"], params["worked_first_contact"])) == {
        "answer:F1": T0.replace(tzinfo=None), "answer:F2": (T0 + dt.timedelta(hours=1)).replace(tzinfo=None),
        "answer:F3": None}
    assert case_list.worked_params(store, "d1:") is params
    store.change(KIND, "d1:answer:F3", {"status": "contacted"}, "bo@example.com", at=T0 + dt.timedelta(days=2))
    again = case_list.worked_params(store, "d1:")
    assert dict(zip(again["worked_ids"], again["worked_status"]))["answer:F3"] == "contacted"


def test_a_store_rebuilt_in_its_place_is_folded_afresh(store, tmp_path):
    assert len(worked.state(store, "d1:")) == 3
    store.path.unlink()
    for suffix in ("-wal", "-shm"):
        store.path.with_name(store.path.name + suffix).unlink(missing_ok=True)
    rebuilt = Store(store.path)
    rebuilt.change(KIND, "d1:answer:F7", {"status": "resolved"}, "ana@example.com", at=T0)
    assert list(worked.state(rebuilt, "d1:").index) == ["d1:answer:F7"]
