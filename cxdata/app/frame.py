"""The frame around every page: data header, demo banner, and the global filters kept in the URL.

app.py draws the frame on every run and leaves the current view in session state;
pages call `current_view()` to read it. The URL (st.query_params) is the source of
truth when it changes from outside (a shared link, a page link); otherwise the
sidebar widgets are, and the URL is rewritten to match them after every run.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from cxdata import data_status, db, filters, metrics
from cxdata import formatting as fmt
from cxdata.access.roles import User
from cxdata.access.scoped import ScopedReader
from cxdata.app import identity
from cxdata.app.cache import CachedReader, ensure_database, rebuild_failure
from cxdata.filters import COMPARISONS, DIMENSIONS, PRESETS, Filters, ViewState
from cxdata.i18n import _

VIEW = "cx_view"
FRAMED = "cx_framed"   # set by app.py on every run (enter): a page run without it ran alone
_SYNCED = "cx_synced_query_params"
_KEY = {"period": "flt_period", "range": "flt_range", "compare": "flt_compare",
        **{key: f"flt_{key}" for key in DIMENSIONS}}
LOAD_HINT = "python -m cxdata load FILE --map mapping.toml"   # untranslated: a command, typed as it is
# The URL parameters of the global filters; any other parameter belongs to the page (page_choice).
FILTER_KEYS = {"period", "compare", "from", "to", *DIMENSIONS}


def enter() -> None:
    """Mark this session as run through the frame: app.py calls it first, on every run."""
    st.session_state[FRAMED] = True


def require_frame() -> None:
    """Re-enter through app.py when Streamlit ran a page alone in its legacy pages/ mode.

    A fresh server whose first request is a page URL runs that page without app.py
    (no filters, no frame) until some session has called st.navigation. Leaving that
    mode and rerunning makes Streamlit execute app.py, which routes to this same page:
    page ids are derived from the URL path in both modes. The mode is one flag for the whole
    server, so sessions that arrive together all start in it while only the first to get here
    finds it set: each session checks that the frame ran for it (`enter`).
    """
    if PagesManager.uses_pages_directory or not st.session_state.get(FRAMED):
        PagesManager.uses_pages_directory = False
        st.rerun()


def min_responses() -> int:
    """Fewest answers a survey score needs to be shown ($CX_MIN_RESPONSES, default 30)."""
    return metrics.min_responses()


def open_reader() -> ScopedReader:
    """The database as it is now, building the demo first if there is none, read as the signed-in
    user: every query is narrowed to their scope before it runs or is looked up in the cache.

    A database that cannot be read stops the page with one clear message, not a traceback.
    """
    path = Path(db.db_path())
    try:
        ensure_database(path)
        failure = rebuild_failure(path)
        if failure:
            _stop(_("Cannot show `{path}`: {failure}. Fix those rows in the source and load it again, "
                    "or run `python -m cxdata refresh --db {path}` once they are fixed.").format(path=path, failure=failure))
        reader = ScopedReader(CachedReader(path), current_user())
        reader.run("data_source")
        reader.run("data_extent")  # the derived layer is there
    except db.DatabaseBusy as exc:
        _stop(_("Cannot read `{path}` right now: {reason}.").format(path=path, reason=exc))
    except db.SettingError as exc:  # the message names the setting and what it takes
        _stop(str(exc))
    except db.CannotWrite as exc:  # no database yet, and its folder cannot take the demo
        _stop(_("There is no database at `{path}` yet and none can be created there ({reason}): make its "
                "folder writable, or set `CX_DB` to a file in a writable folder.").format(path=path, reason=exc.cause))
    except PermissionError as exc:
        _stop(_("Cannot use `{path}`: {reason}. The app rebuilds the summary tables of a database "
                "written by another version next to it, so its folder must be writable.").format(path=path, reason=exc.strerror))
    except (db.NotADatabase, duckdb.CatalogException, OSError) as exc:
        _stop(_("Cannot read the database `{path}`: {reason}. Set `CX_DB` to another file, "
                "or remove this one to start again with the demo data.").format(path=path, reason=_reason(exc)))
    return reader


def _stop(message: str) -> None:
    st.error(message, icon=":material/error:")
    st.stop()


def _reason(exc: Exception) -> str:
    if isinstance(exc, duckdb.CatalogException):
        return _("it is a DuckDB file but not a cx-cockpit database (its tables are missing)")
    return str(exc).strip().splitlines()[0]


def data_facts(reader: CachedReader) -> dict:
    """Row counts, the data's date span, when it was loaded and whether it is the demo."""
    return data_status.facts(reader)


def draw_header(facts: dict) -> None:
    """One small line in the sidebar, and only for the demo: the page's title and numbers come first.
    It points to the Data & loads page, the one page that may show how to load from the command line."""
    if facts["is_demo"]:
        st.sidebar.caption(":material/info: " + _("Demo data · to see your own, load it on the Data & loads page"))


def compact_layout() -> None:
    """Less empty space above the page and a title smaller than a KPI value, so a 1280 x 720
    projector shows every headline tile and the top of "What needs attention" on the first screen."""
    st.html("<style>"
            ".stMainBlockContainer { padding: 1.8rem 2rem 2rem 2rem; }"
            "h1 { font-size: 1.6rem !important; padding: 0 0 0.25rem 0 !important; }"
            "[data-testid='stMetricValue'] { font-size: 1.85rem; }"
            "[data-testid='stSidebar'] { width: 264px !important; min-width: 264px !important; }"
            "[class*='st-key-tile_'] { padding: 6px 12px; }"   # the overview's tiles
            ".st-key-tiles { gap: 6px; }"
            "[class*='st-key-tile_'] [data-testid='stBaseButton-tertiary'] { min-height: 0; height: 22px; padding: 0; }"   # an icon, a caption line tall
            "[data-testid='stMetricValue'] > div { line-height: 1.1; }"
            "[class*='st-key-tile_'] [data-testid='stCaptionContainer'] p { font-size: 13px; display: -webkit-box; "
            "-webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }"   # a long reason: two lines
            # the overview's three first attention items, one line each, the whole line in its hover
            ".cx-first { font-size: 14px; margin: -6px 0 0 0; display: grid; grid-template-columns: 10.5rem minmax(0, 1fr); }"
            ".cx-first ul { list-style: none; padding: 0; margin: 0; }"
            ".cx-first li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: 1.45; margin: 0; }"
            "[data-testid='stMetricLabel'] p { white-space: normal; }"
            "[data-testid='stSidebarHeader'] { height: 2.5rem; margin-bottom: 0; }"
            # a page title longer than the sidebar (Spanish, Portuguese) wraps rather than ending in "…"
            "[data-testid='stSidebarNavLink'] { height: auto !important; min-height: 2rem; }"
            "[data-testid='stSidebarNavLink'] .stMarkdownEllipsis, [data-testid='stSidebarNavLink'] .stMarkdownEllipsis p "
            "{ white-space: normal !important; text-overflow: clip !important; line-height: 1.3; }"
            # a sidebar box's choice is one line of text: smaller, it holds "mismo periodo del año anterior"
            "[data-testid='stSidebar'] [data-testid='stSelectbox'] input { font-size: 12px; padding-right: 0; }"
            # a tile's trend link: an icon as tall as the caption beside it
            "[data-testid='stMainBlockContainer'] [data-testid='stPageLink'] a { padding: 0; min-height: 0; line-height: 1.2; }"
            "</style>")


# The global controls a page can use: the period (with its custom range), the comparison, and one per
# filter dimension. A page declares the ones that act on it (app.py, CONTROLS); the others are not drawn.
ALL_CONTROLS = frozenset({"period", "compare", *DIMENSIONS})


def sidebar_filters(reader: CachedReader, facts: dict, controls: frozenset[str] = ALL_CONTROLS) -> ViewState:
    """Draw the global filters that act on this page (`controls`), reconcile them with the URL, and
    return the view they define.

    A control the page does not use is not drawn, and keeps its value: the view carries it, the URL
    too, and it is as it was on a page that shows it. With no control at all (a page the filters do
    not apply to) nothing is drawn and the URL is left alone.
    """
    options = filter_options(reader)
    today = facts["last_complete_on"] or dt.date.today()  # presets end on the newest whole day
    earliest = facts["oldest_on"]
    everything = _current_query_params()
    url = {k: v for k, v in everything.items() if k in FILTER_KEYS}   # a page's own choices ride along
    if not controls:
        view = st.session_state.get(VIEW) or filters.from_query_params(url, options, today, earliest)
        st.session_state[VIEW] = view
        st.session_state.pop(_SYNCED, None)  # coming back, a link's filters are read again
        return view
    if url and url != st.session_state.get(_SYNCED):
        base = filters.from_query_params(url, options, today, earliest)
        _seed_widgets(base, ALL_CONTROLS)
        st.session_state["cx_notices"] = base.notices
    else:
        base = st.session_state.get(VIEW) or filters.from_query_params({}, options, today, earliest)
        # a control hidden on the last page lost its widget state: it starts again from the view
        _seed_widgets(base, {c for c in controls if _KEY[c] not in st.session_state})

    sb = st.sidebar
    sb.header(_("Filters"))
    preset, start, end = base.preset, base.filters.start, base.filters.end
    if "period" in controls:
        preset = sb.selectbox(_("Period"), list(PRESETS), format_func=filters.preset_label, key=_KEY["period"],
                              on_change=_preset_comparison)
        if preset == "custom":
            chosen = sb.date_input(_("From – to"), key=_KEY["range"], format="YYYY-MM-DD",
                                   min_value=filters.MIN_DAY, max_value=filters.MAX_DAY)
            start, end = chosen if isinstance(chosen, (tuple, list)) and len(chosen) == 2 else (today, today)
        else:
            start, end = filters.preset_range(preset, today)
            st.session_state[_KEY["range"]] = (start, end)
            newest = facts["newest_on"]   # None while only customers are loaded (no activity yet)
            if newest is None or today == newest:
                sb.caption(_("{period} (ends on the newest whole day of data)").format(
                    period=fmt.date_range(start, end)))
            else:
                sb.caption(_("{period} (ends on the newest whole day of data; {day} is partial)").format(
                    period=fmt.date_range(start, end), day=fmt.day_month(newest)))
    elif preset != "custom":  # a hidden preset still ends on the newest whole day of this data
        start, end = filters.preset_range(preset, today)
    # A hidden control keeps the value its widget had, or a callback gave it (a new preset's comparison).
    compare = st.session_state.get(_KEY["compare"], base.compare)
    if "compare" in controls:
        compare = sb.selectbox(_("Compare with"), list(COMPARISONS), format_func=filters.comparison_label,
                               key=_KEY["compare"])
    chosen = {key: sb.multiselect(_(dimension.label), options.get(key, []), key=_KEY[key], placeholder=_("All"))
              if key in controls else list(st.session_state.get(_KEY[key], base.filters[key]))
              for key, dimension in DIMENSIONS.items()}
    view = ViewState(Filters(start, end, **chosen), preset, compare)

    wanted = {k: v if isinstance(v, list) else [v] for k, v in view.to_query_params().items()}
    if wanted != url:
        st.query_params.from_dict({**view.to_query_params(),
                                   **{k: v for k, v in everything.items() if k not in FILTER_KEYS}})
    st.session_state[_SYNCED] = wanted
    view.notices = st.session_state.pop("cx_notices", [])
    st.session_state[VIEW] = view
    return view


def _preset_comparison() -> None:
    """A new period preset brings its natural comparison (this quarter against the previous
    quarter to date, year to date against last year); the user may still change it after."""
    st.session_state[_KEY["compare"]] = filters.default_comparison(st.session_state[_KEY["period"]])


def focus(dimension: str, member: str) -> None:
    """Narrow the view to one group, as if chosen in the sidebar (a button's on_click): the
    sidebar then shows it, the URL carries it, and the next sidebar change keeps it."""
    st.session_state[_KEY[dimension]] = [member]


def page_choice(key: str, label: str, options: dict[str, str], default: str, widget=st.selectbox,
                follows=None, **kwargs) -> str:
    """A page's own choice (a metric, a grain) drawn as `widget` and kept in the URL beside the
    filters (?metric=csat), so a shared link opens the same view. A value in the URL that is not
    an option gives a notice and the default, never an error. When `follows` (what the default is
    derived from, such as the period's end) changes, the choice goes back to the default, unless a
    link names one in the same run."""
    state, synced = f"pg_{key}", f"pg_{key}_synced"
    raw = st.query_params.get(key)
    if follows is not None:
        seen, st.session_state[f"pg_{key}_follows"] = st.session_state.get(f"pg_{key}_follows"), follows
        if seen is not None and seen != follows and raw == st.session_state.get(synced):
            st.session_state.pop(state, None)
            raw = None
    if raw is not None and raw != st.session_state.get(synced):
        if raw in options:
            st.session_state[state] = raw
        else:
            st.warning(fmt.md(_("Ignored unknown {choice} {value}; showing {default}.").format(
                choice=label.lower(), value=filters.shown(raw), default=options[default])), icon=":material/warning:")
    if st.session_state.get(state) not in options:
        st.session_state[state] = default
    value = widget(label, list(options), format_func=options.get, key=state, **kwargs)
    if st.query_params.get(key) != value:
        st.query_params[key] = value
    st.session_state[synced] = value
    return value


def page_link_params(view: ViewState, **choices: str) -> dict[str, str | list[str]]:
    """The query parameters of a link to another page that keeps this view's filters."""
    return {**view.to_query_params(), **choices}


def current_user() -> User:
    """The user of this run, as app.py found them (identity.current_user, asked once per run: it
    draws the account box). Pages, readers and widgets ask this; it is never taken from a widget."""
    require_frame()
    return identity.this_user()


def current_view() -> ViewState:
    """The view the frame set up for this run, narrowed to the user's scope (so a department head's
    captions name their departments); pages call this first."""
    require_frame()
    view = st.session_state[VIEW]
    scope = current_user().scope
    return view if scope.is_all else dataclasses.replace(view, filters=scope.narrow(view.filters))


def show_notices(view: ViewState) -> None:
    for notice in view.notices:  # they echo values from the URL: shown as text, never as Markdown
        st.warning(fmt.md(notice), icon=":material/warning:")


def filter_options(reader: CachedReader) -> dict[str, list[str]]:
    """The values each filter dimension offers: those that exist in the data."""
    return data_status.filter_options(reader)


def _current_query_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _seed_widgets(view: ViewState, controls) -> None:
    """Set the widgets of `controls` to the view's values (before they are drawn)."""
    if "period" in controls:
        st.session_state[_KEY["period"]] = view.preset
        st.session_state[_KEY["range"]] = (view.filters.start, view.filters.end)
    if "compare" in controls:
        st.session_state[_KEY["compare"]] = view.compare
    for key in DIMENSIONS:
        if key in controls:
            st.session_state[_KEY[key]] = list(view.filters[key])
