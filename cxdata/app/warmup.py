"""Warm start: the default view is computed in the background, so nobody opens the dashboard to a spinner.

`python -m cxdata serve` starts it before the server opens its port and waits for its first pass
(cxdata.app.serve); under `streamlit run`, which has no "server started" hook, the first session starts
it once its page is drawn. One background thread per database file (a cached resource). It runs the default overview through the same cached queries
the page uses, then watches the file: when a load or a demo build swaps in a new database, it
warms the default view of the new file before anyone asks for it.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

import streamlit as st
from streamlit.logger import get_logger

from cxdata import filters, overview
from cxdata.access.roles import LOCAL_ADMIN
from cxdata.access.scoped import ScopedReader
from cxdata.app import frame
from cxdata.app.cache import CachedReader, file_stamp

POLL_SECONDS = 2.0
RETRY_SECONDS = 60.0
log = get_logger(__name__)  # Streamlit's handlers: `--logger.level info` shows each warm-up


@st.cache_resource(show_spinner=False)
def start(path: str) -> threading.Event | None:
    """Start the warm-up thread for this database file, once per server process; the event is set when
    its first pass is over (the default view of the file as it was is warm, or could not be computed).

    CX_WARMUP=0 turns it off (the AppTest suite does: a polling thread would outlive each test).
    """
    if os.environ.get("CX_WARMUP", "1") == "0":
        return None
    first_pass = threading.Event()
    threading.Thread(target=_watch, args=(Path(path), first_pass), name="cx-warmup", daemon=True).start()
    return first_pass


def warm(path: Path) -> None:
    """Compute what a first visitor with all data in scope sees: the frame and the overview under the
    default filters. The scoped reader narrows before the cache key is formed, so a narrower user's
    view has other keys and is never served this one."""
    reader = ScopedReader(CachedReader(path), LOCAL_ADMIN)
    facts = frame.data_facts(reader)
    view = filters.from_query_params({}, frame.filter_options(reader), facts["last_complete_on"] or dt.date.today(),
                                     facts["oldest_on"])
    overview.load(reader, view.filters, view.compare, frame.min_responses())
    _warm_followup(reader, path, view.filters, facts["newest_on"])


def _warm_followup(reader, path: Path, view_filters, newest_on) -> None:
    """The follow-up KPIs of the default view (the overview's line; counted inside the database with the
    store's worked cases, so a case worked since makes another cache entry, computed when asked)."""
    from cxdata.followup import measures, rules
    from cxdata.store import Store, StoreError
    try:
        if newest_on:
            measures.kpis(reader, Store.beside(path), view_filters, newest_on)
    except (rules.FollowupSettingError, StoreError):
        return   # the page and the line say it; nothing to warm


def _watch(path: Path, first_pass: threading.Event) -> None:
    warmed, failed, retry_at = None, None, 0.0
    while True:
        try:
            stamp = file_stamp(path)
            if stamp != warmed and (stamp != failed or time.monotonic() >= retry_at):
                began = time.perf_counter()
                try:
                    warm(path)
                    warmed = stamp
                    log.info("warmed the default view of %s in %.2f s", path,  # untranslated: a log line for developers
                             time.perf_counter() - began)
                except Exception as exc:  # e.g. a busy database: said once per file state, retried a minute on
                    if stamp != failed:
                        log.warning("could not warm the default view of %s: %s", path, exc)  # untranslated: a log line
                    failed, retry_at = stamp, time.monotonic() + RETRY_SECONDS
        except OSError:  # the file is being swapped in, or was removed: look again later
            pass
        first_pass.set()
        time.sleep(POLL_SECONDS)
