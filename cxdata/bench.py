"""`python -m cxdata bench`: how long each page's queries take on the database at hand.

Every page registers the queries it runs for a view in PAGES (the frame's queries run on every
page, so they count in each). For a fixed list of standard views the bench times each page's
query set cold (a fresh connection, no Streamlit cache), warm (the same view again on that
connection) and from raw rows (the sql/raw_*.sql twins, on a connection already warmed by them),
and reports p50 and p95 per page, the speed-up (raw p95 / cold p95) and the process's peak memory.
Goals are checked here, on a large demo, never in timed tests.
"""
from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from cxdata import churn, customer, data_status, db, departments, journey, metrics, overview, service, trends, voice
from cxdata.filters import Filters, preset_range
from cxdata.store import Store

PageQueries = Callable[[db.Reader, Filters, str, bool], None]


def frame_queries(reader: db.Reader) -> None:
    """What app.py runs before any page: the data's extent, the demo flag, the filter choices."""
    for name in ("data_extent", "data_source", "filter_options"):
        reader.run(name)


def overview_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    overview.load(reader, filters, compare, metrics.DEFAULT_MIN_RESPONSES, reference=reference)
    if not reference:  # comments have no raw-row twin: their analysis exists only in the derived layer
        voice.detractor_headline(reader, filters, compare, metrics.DEFAULT_MIN_RESPONSES)
        churn.alerts.overview_line(reader, filters, Store(_NO_STORE))  # revenue at risk and open alerts
        _followup_line(reader, filters)   # the follow-up of unhappy customers


def trends_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The trends page as it opens: NPS per month, broken down by segment."""
    _trend(reader, filters, trends.DEFAULT_METRIC, trends.DEFAULT_GRAIN, trends.DEFAULT_BREAKDOWN)


def trends_median_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The trends page's slowest choice: a median (written first response) per week by department,
    read from the daily histogram of every dimension."""
    _trend(reader, filters, "first_response_written", "week", "department")


def _trend(reader: db.Reader, filters: Filters, kpi: str, grain: str, by: str) -> None:
    oldest = reader.run("data_extent").iloc[0]["oldest_on"].date()
    trends.load(reader, filters, kpi, grain, by, trends.DEFAULT_VERSUS, metrics.DEFAULT_MIN_RESPONSES, oldest)


def data_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    data_status.table_stats(reader)
    data_status.load_history(reader)
    data_status.rejected_reasons(reader)
    data_status.rejected_rows(reader)
    data_status.monthly_volume(reader)


def journey_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The journey page: map, paths, moments of truth, and the drill-down of its top moment's stage."""
    newest = reader.run("data_extent").iloc[0]["newest_on"].date()
    data = journey.load(reader, filters, newest, metrics.DEFAULT_MIN_RESPONSES)
    stage = data.moments.iloc[0]["stage"] if not data.moments.empty else (data.order.stages or [None])[0]
    if stage is None:
        return
    journey.drill_trend(reader, filters, stage, None)
    journey.drill_owners(reader, filters, stage, None)
    journey.recent_comments(reader, filters, stage, None)


def voice_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The page's queries with the verbatim table searched, as a user does."""
    voice.load(reader, filters, compare)
    voice.verbatims(reader, filters)
    voice.verbatim_count(reader, filters)   # the page counts them when the table is cut at its limit
    voice.verbatims(reader, filters, search="atencion")


_NO_STORE = Path("/nonexistent/cx-bench.state.sqlite")  # an unwritten store reads as empty, creating nothing


def churn_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The churn page: model info, revenue at risk, the alert list (with an empty store) and the chart's points."""
    rules = churn.alerts.Rules()
    churn.model_info(reader)
    churn.revenue_at_risk(reader, filters, rules)
    reader.run("churn_alerts", rules.params(filters))
    reader.run("dataset_id")
    churn.risk_points(reader, filters, rules)


def departments_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The scorecards page as it opens: every department's card and the alignment index by quarter."""
    newest = reader.run("data_extent").iloc[0]["newest_on"].date()
    cards = departments.scorecards(reader, filters, metrics.DEFAULT_MIN_RESPONSES, newest_on=newest)
    departments.alignment(cards)
    shown = cards.cards["department"].dropna()   # the page details one department: the first
    if not shown.empty:
        _followup_line(reader, filters.replace(department=[shown.iloc[0]]))


def service_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The service levels page: levels by every breakdown, the resolution histogram, the 24-hour backlog."""
    service.levels(reader, filters)
    service.resolution_histogram(reader, filters)
    service.backlog(reader, filters, 24)


def followup_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The follow-up page as it opens, on an empty store: its KPIs and pickers, and the first cases of
    its list (open ones, oldest first) with names. Every case is read only for a download."""
    from cxdata import followup
    newest = reader.run("data_extent").iloc[0]["newest_on"].date()
    now = dt.datetime.now(dt.timezone.utc)
    followup.measures.summary(reader, Store(_NO_STORE), filters, newest, now=now)
    followup.case_list.first_page(reader, Store(_NO_STORE), newest, filters, now=now, statuses=("new", "contacted"))


def _followup_line(reader: db.Reader, filters: Filters) -> None:
    """The follow-up line of the overview and a department's card (its KPIs), on an empty store."""
    from cxdata.followup import measures
    measures.summary_line(reader, Store(_NO_STORE), filters, reader.run("data_extent").iloc[0]["newest_on"].date())


def customer_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The Customer page as a CCO opens it from the at-risk list: a search by part of a name, then the
    record (header, risk over time, timeline with alert and case history) of the customer with the
    most revenue at risk under the view's filters (else the search's first match)."""
    newest = reader.run("data_extent").iloc[0]["newest_on"].date()
    found = customer.search(reader, "an")
    top = churn.risk_points(reader, filters, limit=1)["customer_id"].tolist() or found.rows["customer_id"].tolist()
    if top:
        customer.record(reader, Store(_NO_STORE), str(top[0]), newest)


# page -> (its queries for a view, whether they have a raw-row twin to compare with)
def report_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The board pack's sections (the Reports page and presentation mode), without drawing charts."""
    from cxdata import report
    from cxdata.filters import ViewState

    facts = data_status.facts(reader)
    report.build(reader, ViewState(filters, "custom", compare), facts, metrics.DEFAULT_MIN_RESPONSES, company="")


def initiatives_queries(reader: db.Reader, filters: Filters, compare: str, reference: bool) -> None:
    """The initiatives page: every initiative (with an empty store of edits), its checkpoints judged, its
    effect measured and its return; each is measured on its own scope, so the view's filters do not apply."""
    import tempfile
    from cxdata import initiatives
    from cxdata.store import Store

    today = data_status.facts(reader)["newest_on"]
    store = Store(Path(tempfile.gettempdir()) / "cx-bench-no-edits.state.sqlite")   # never written: reads as empty
    for plan in initiatives.plans(reader, today, store):
        initiatives.payback(reader, plan, initiatives.measure(reader, plan, today))


PAGES: dict[str, tuple[PageQueries, bool]] = {
    "overview": (overview_queries, True),
    "trends": (trends_queries, False),
    "trends-median": (trends_median_queries, False),
    "data": (data_queries, False),
    "journey": (journey_queries, False),
    "voice": (voice_queries, False),
    "churn": (churn_queries, False),
    "departments": (departments_queries, False),
    "service": (service_queries, False),
    "reports": (report_queries, False),
    "initiatives": (initiatives_queries, False),
    "followup": (followup_queries, False),
    "customer": (customer_queries, False),
}


def standard_views(newest: dt.date, options: dict[str, list[str]]) -> dict[str, tuple[Filters, str]]:
    """The views every bench run times: two presets, a narrow filter, a custom range vs last year."""
    def first(key: str, preferred: str) -> list[str]:
        values = options.get(key, [])
        return [preferred] if preferred in values else values[:1]

    last_90 = Filters(*preset_range("90d", newest))
    custom_end = newest - dt.timedelta(days=60)
    return {
        "last 90 days": (last_90, "previous"),
        "last 12 months": (Filters(*preset_range("12m", newest)), "previous"),
        "90 days, one segment + channel + department": (last_90.replace(
            segment=first("segment", "SMB"), channel=first("channel", "chat"),
            department=first("department", "Support")), "previous"),
        "custom 6 months vs same period last year": (
            Filters(custom_end - dt.timedelta(days=181), custom_end), "year"),
    }


@dataclass
class PageResult:
    page: str
    cold_p50_s: float
    cold_p95_s: float
    warm_p50_s: float
    warm_p95_s: float
    raw_p50_s: float | None
    raw_p95_s: float | None
    speedup: float | None
    peak_rss_mb: float   # the process's peak while timing every page (before the raw-row runs)
    views: dict[str, dict[str, float | None]]  # view -> cold_s, warm_s, raw_s


def run(path: Path, repeat: int = 3, pages: list[str] | None = None,
        progress: Callable[[str], None] | None = None) -> list[PageResult]:
    """Time every page (or those named) on every standard view: `repeat` cold and warm runs each,
    raw once warmed. PROGRESS is told each page's stage as it starts."""
    progress = progress or (lambda stage: None)
    probe = db.connect_readonly(path)
    try:
        reader = db.Reader(probe)
        newest = reader.run("data_extent").iloc[0]["newest_on"].date()
        options = reader.run("filter_options").groupby("dimension")["value"].apply(list).to_dict()
    finally:
        probe.close()
    views = standard_views(newest, options)

    chosen = {page: spec for page, spec in PAGES.items() if not pages or page in pages}
    timings = {}
    for page, (queries, _) in chosen.items():
        progress(f"timing the {page} page")
        timings[page] = _time_derived(path, queries, views, repeat)
    peak = _peak_rss_mb()  # before any raw-row run, which needs far more memory than the pages do
    raw = {}
    for page, (queries, has_reference) in chosen.items():
        if has_reference:
            progress(f"timing the {page} page from raw rows")
        raw[page] = _time_raw(path, queries, views) if has_reference else {name: None for name in views}
    return [_summarise(page, timings[page], raw[page], peak) for page in chosen]


def _time_derived(path: Path, queries: PageQueries, views: dict, repeat: int) -> dict[str, dict[str, list[float]]]:
    """Per view: `repeat` cold runs (each on a fresh connection) and as many warm ones (again at once)."""
    timings: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": []} for name in views}
    for _ in range(repeat):
        for name, (filters, compare) in views.items():
            con = db.connect_readonly(path)
            try:
                reader = db.Reader(con)
                timings[name]["cold"].append(_timed(lambda: _page(reader, queries, filters, compare, False)))
                timings[name]["warm"].append(_timed(lambda: _page(reader, queries, filters, compare, False)))
            finally:
                con.close()
    return timings


def _time_raw(path: Path, queries: PageQueries, views: dict) -> dict[str, float | None]:
    """Per view: the same numbers from raw rows, timed after one untimed run has warmed their data."""
    raw: dict[str, float | None] = {}
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        for name, (filters, compare) in views.items():
            _page(reader, queries, filters, compare, True)
            raw[name] = _timed(lambda: _page(reader, queries, filters, compare, True))
    finally:
        con.close()
    return raw


def _page(reader: db.Reader, queries: PageQueries, filters: Filters, compare: str, reference: bool) -> None:
    frame_queries(reader)
    queries(reader, filters, compare, reference)


def _timed(work: Callable[[], None]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): with few samples, the slowest but the outliers."""
    ranked = sorted(values)
    return ranked[max(0, -(-95 * len(ranked) // 100) - 1)]


def _summarise(page: str, timings: dict, raw: dict, peak: float) -> PageResult:
    cold = [t for v in timings.values() for t in v["cold"]]
    warm = [t for v in timings.values() for t in v["warm"]]
    raw_values = [t for t in raw.values() if t is not None]
    cold_p95 = _p95(cold)
    raw_p95 = _p95(raw_values) if raw_values else None
    return PageResult(
        page=page, cold_p50_s=statistics.median(cold), cold_p95_s=cold_p95,
        warm_p50_s=statistics.median(warm), warm_p95_s=_p95(warm),
        raw_p50_s=statistics.median(raw_values) if raw_values else None, raw_p95_s=raw_p95,
        speedup=raw_p95 / cold_p95 if raw_p95 else None, peak_rss_mb=peak,
        views={name: {"cold_s": statistics.median(v["cold"]), "warm_s": statistics.median(v["warm"]),
                      "raw_s": raw[name]} for name, v in timings.items()})


def to_json(results: list[PageResult]) -> str:
    return json.dumps([{k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(r).items()}
                       for r in results], indent=2)


def to_text(path: Path, results: list[PageResult]) -> str:
    probe = db.connect_readonly(path)
    try:
        extent = db.Reader(probe).run("data_extent").iloc[0]
    finally:
        probe.close()
    lines = [f"{path}: {extent['n_interactions']:,} interactions, {extent['n_feedback']:,} survey responses, "
             f"{extent['n_customers']:,} customers",
             "", f"{'page':<14} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} "
                 f"{'raw p50':>9} {'raw p95':>9} {'speed-up':>9} {'peak MB':>8}"]
    for r in results:
        lines.append(f"{r.page:<14} {_s(r.cold_p50_s)} {_s(r.cold_p95_s)} {_s(r.warm_p50_s)} {_s(r.warm_p95_s)} "
                     f"{_s(r.raw_p50_s)} {_s(r.raw_p95_s)} "
                     f"{(f'{r.speedup:.0f}x' if r.speedup else '—'):>9} {r.peak_rss_mb:>8,.0f}")
    lines += ["", "per view (median of the runs): cold / warm / raw"]
    for r in results:
        for name, v in r.views.items():
            lines.append(f"  {r.page:<14} {name:<46} {_s(v['cold_s'])} {_s(v['warm_s'])} {_s(v['raw_s'])}")
    return "\n".join(lines)


def _s(seconds: float | None) -> str:
    if seconds is None:
        return f"{'—':>9}"
    return f"{seconds * 1000:>7.0f}ms" if seconds < 1 else f"{seconds:>8.2f}s"
