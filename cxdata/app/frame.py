"""The frame around every page: data header, demo banner, and the global filters kept in the URL.

app.py draws the frame on every run and leaves the current view in session state;
pages call `current_view()` to read it. The URL (st.query_params) is the source of
truth when it changes from outside (a shared link, a page link); otherwise the
sidebar widgets are, and the URL is rewritten to match them after every run.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from cxdata import db, filters
from cxdata.app.cache import CachedReader, ensure_database, rebuild_failure
from cxdata.filters import COMPARISONS, DIMENSIONS, PRESETS, Filters, ViewState

VIEW = "cx_view"
_SYNCED = "cx_synced_query_params"
_KEY = {"period": "flt_period", "range": "flt_range", "compare": "flt_compare",
        **{key: f"flt_{key}" for key in DIMENSIONS}}
LOAD_HINT = "python -m cxdata load FILE --map mapping.toml"


def require_frame() -> None:
    """Re-enter through app.py when Streamlit ran a page alone in its legacy pages/ mode.

    A fresh server whose first request is a page URL runs that page without app.py
    (no filters, no frame) until some session has called st.navigation. Leaving that
    mode and rerunning makes Streamlit execute app.py, which routes to this same page:
    page ids are derived from the URL path in both modes.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def min_responses() -> int:
    """Fewest answers a survey score needs to be shown ($CX_MIN_RESPONSES, default 30)."""
    try:
        return max(1, int(os.environ.get("CX_MIN_RESPONSES", "30")))
    except ValueError:
        return 30


def open_reader() -> CachedReader:
    """The database as it is now, building the demo first if there is none.

    A database that cannot be read stops the page with one clear message, not a traceback.
    """
    path = Path(db.db_path())
    try:
        ensure_database(path)
        failure = rebuild_failure(path)
        if failure:
            _stop(f"Cannot show `{path}`: {failure}. Fix those rows in the source and load it again, "
                  f"or run `python -m cxdata refresh --db {path}` once they are fixed.")
        reader = CachedReader(path)
        reader.run("data_source")
        reader.run("data_extent")  # the derived layer is there
    except db.DatabaseBusy as exc:
        _stop(f"Cannot read `{path}` right now: {exc}.")
    except PermissionError as exc:
        _stop(f"Cannot use `{path}`: {exc.strerror}. The app rebuilds the summary tables of a database "
              "written by another version next to it, so its folder must be writable.")
    except (db.NotADatabase, duckdb.CatalogException, OSError) as exc:
        _stop(f"Cannot read the database `{path}`: {_reason(exc)}. Set `CX_DB` to another file, "
              "or remove this one to start again with the demo data.")
    return reader


def _stop(message: str) -> None:
    st.error(message, icon="🛑")
    st.stop()


def _reason(exc: Exception) -> str:
    if isinstance(exc, duckdb.CatalogException):
        return "it is a DuckDB file but not a cx-cockpit database (its tables are missing)"
    return str(exc).strip().splitlines()[0]


def data_facts(reader: CachedReader) -> dict:
    """Row counts, the data's date span and whether it is the demo, for the header."""
    facts = reader.run("data_extent").iloc[0].to_dict()
    for day in ("newest_on", "oldest_on"):  # DuckDB dates arrive in pandas as timestamps
        facts[day] = None if pd.isna(facts[day]) else pd.Timestamp(facts[day]).date()
    facts["is_demo"] = bool(reader.run("data_source").iloc[0]["is_demo"])
    return facts


def draw_header(reader: CachedReader, facts: dict) -> None:
    newest = facts["newest_on"]
    st.caption(
        f"Data: `{reader.path}` · newest record {newest.isoformat() if newest else '—'} · "
        f"{facts['n_customers']:,} customers · {facts['n_interactions']:,} interactions · "
        f"{facts['n_feedback']:,} survey responses · {facts['n_transactions']:,} transactions"
    )
    if facts["is_demo"]:
        st.info(f"You are looking at **demo data**. To see your own, load your exports: `{LOAD_HINT}` "
                "(see *docs/loading.md*); the dashboard picks them up on the next click.", icon="ℹ️")


def sidebar_filters(reader: CachedReader, facts: dict) -> ViewState:
    """Draw the global filters, reconcile them with the URL, and return the view they define."""
    options = filter_options(reader)
    today = facts["newest_on"] or dt.date.today()
    earliest = facts["oldest_on"]
    url = _current_query_params()
    if url and url != st.session_state.get(_SYNCED):
        incoming = filters.from_query_params(url, options, today, earliest)
        _seed_widgets(incoming)
        st.session_state["cx_notices"] = incoming.notices
    elif _KEY["period"] not in st.session_state:
        _seed_widgets(filters.from_query_params({}, options, today, earliest))

    sb = st.sidebar
    sb.header("Filters")
    preset = sb.selectbox("Period", list(PRESETS), format_func=PRESETS.get, key=_KEY["period"])
    if preset == "custom":
        chosen = sb.date_input("From – to", key=_KEY["range"], format="YYYY-MM-DD",
                               min_value=filters.MIN_DAY, max_value=filters.MAX_DAY)
        start, end = chosen if isinstance(chosen, (tuple, list)) and len(chosen) == 2 else (today, today)
    else:
        start, end = filters.preset_range(preset, today)
        st.session_state[_KEY["range"]] = (start, end)
        sb.caption(f"{start:%d %b %Y} – {end:%d %b %Y} (ends on the newest data day)")
    compare = sb.selectbox("Compare with", list(COMPARISONS), format_func=COMPARISONS.get, key=_KEY["compare"])
    chosen = {key: sb.multiselect(dimension.label, options.get(key, []), key=_KEY[key], placeholder="All")
              for key, dimension in DIMENSIONS.items()}
    view = ViewState(Filters(start, end, **chosen), preset, compare)

    wanted = {k: v if isinstance(v, list) else [v] for k, v in view.to_query_params().items()}
    if wanted != url:
        st.query_params.from_dict(view.to_query_params())
    st.session_state[_SYNCED] = wanted
    view.notices = st.session_state.pop("cx_notices", [])
    st.session_state[VIEW] = view
    return view


def current_view() -> ViewState:
    """The view the frame set up for this run; pages call this first."""
    require_frame()
    return st.session_state[VIEW]


def show_notices(view: ViewState) -> None:
    for notice in view.notices:
        st.warning(notice, icon="⚠️")


def link_params(view: ViewState, **narrow: str) -> dict[str, str | list[str]]:
    """The current view's URL parameters with extra filters, for st.page_link."""
    params = view.to_query_params()
    params.update(narrow)
    return params


def filter_options(reader: CachedReader) -> dict[str, list[str]]:
    """The values each filter dimension offers: those that exist in the data."""
    frame = reader.run("filter_options")
    return {key: frame.loc[frame["dimension"] == key, "value"].tolist() for key in DIMENSIONS}


def _current_query_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _seed_widgets(view: ViewState) -> None:
    st.session_state[_KEY["period"]] = view.preset
    st.session_state[_KEY["range"]] = (view.filters.start, view.filters.end)
    st.session_state[_KEY["compare"]] = view.compare
    for key in DIMENSIONS:
        st.session_state[_KEY[key]] = list(view.filters[key])
