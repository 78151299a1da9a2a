"""The worked cases' state, folded from the store's history once per process and kept up to date.

Every view of the overview, the department scorecards and the follow-up page binds the state of every
case someone worked (sql/followup_kpis.sql). At 10 M interactions the store holds over a million
changes, which take seconds to read and fold; a view must not pay that. So the fold is kept per store
file and dataset, and a later call folds again only the cases changed since (by their whole history,
so the result is the same as a fold from scratch; tests/test_followup_worked.py).
"""
from __future__ import annotations

import threading
from typing import Callable

import pandas as pd

from cxdata import db
from cxdata.followup.rules import KIND
from cxdata.store import Store

EDITABLE = ("status", "root_cause", "note")
COLUMNS = [*EDITABLE, "changed_at", "changed_by", "first_contact_at", "version"]
REFOLD_AT_MOST = 10_000   # more cases changed than this since the last fold: fold everything again

_lock = threading.Lock()
_folds: dict[tuple, tuple[int, pd.DataFrame]] = {}        # (store file, prefix) -> (newest event, state)
_bound: dict[tuple, tuple[pd.DataFrame, dict]] = {}       # (store file, prefix, build) -> (state, parameters)


def state(store: Store, prefix: str = "") -> pd.DataFrame:
    """Per case key (starting with `prefix`): latest status, root cause and note, when and by whom it
    last changed, its version, and its first contact (when its status first left "new"). The frame is
    shared between callers: read it, never change it."""
    return _current(store, prefix)[1]


def _current(store: Store, prefix: str) -> tuple[int, pd.DataFrame]:
    """The fold and the newest change it holds."""
    slot = (_identity(store), prefix)
    newest = store.newest_event()   # read first: a change made meanwhile is folded again next time
    with _lock:
        known = _folds.get(slot)
    if known is not None and known[0] == newest:
        return known
    touched = store.keys_changed_after(KIND, known[0]) if known is not None and known[0] < newest else None
    if touched is not None and len(touched) <= REFOLD_AT_MOST:
        touched = [key for key in touched if key.startswith(prefix)]
        kept = known[1].drop(index=touched, errors="ignore")
        folded = pd.concat([kept, fold(store.history(KIND, keys=touched), prefix)]) if touched else kept
    else:
        folded = fold(store.history(KIND), prefix)
    with _lock:
        _folds[slot] = (newest, folded)
    return newest, folded


def bound(store: Store, prefix: str, build: Callable[[pd.DataFrame, str], dict]) -> dict:
    """`build(state, prefix)`: the parameters a query binds of the state (lists of every worked case),
    computed again only when the state changed, with db.LISTS_VERSION naming that state exactly, so a
    cache keys on it instead of hashing a quarter of a million values on every view."""
    newest, found = _current(store, prefix)
    slot = (_identity(store), prefix, build)
    with _lock:
        known = _bound.get(slot)
    if known is not None and known[0] is found:
        return known[1]
    built = build(found, prefix)
    value = {**built, db.LISTS_VERSION: (f"{'/'.join(map(str, slot[0]))}:{prefix}:{newest}", tuple(sorted(built)))}
    with _lock:
        _bound[slot] = (found, value)
    return value


def fold(history: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """The state of the cases whose changes (all of each one's) HISTORY holds, oldest first."""
    history = history[history["key"].str.startswith(prefix)] if not history.empty else history
    if history.empty:
        return pd.DataFrame(columns=COLUMNS, index=pd.Index([], dtype=object, name="case_id"))
    history = history.assign(at=pd.to_datetime(history["changed_at"], utc=True, format="ISO8601"))
    latest = history.groupby(["key", "field"])["value"].last().unstack().reindex(columns=list(EDITABLE))
    last = history.groupby("key").agg(changed_at=("at", "max"), changed_by=("changed_by", "last"),
                                      version=("event_id", "max"))
    left_new = history[(history["field"] == "status") & (history["value"] != "new")]
    first = left_new.groupby("key")["at"].min().rename("first_contact_at")
    return latest.join(last).join(first)[COLUMNS].rename_axis("case_id")


def _identity(store: Store) -> tuple:
    """The store file as it is on disk: a store rebuilt in its place (a new demo) is another file."""
    try:
        info = store.path.stat()
    except OSError:
        return str(store.path), 0, 0
    return str(store.path.resolve()), info.st_dev, info.st_ino
