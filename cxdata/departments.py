"""Department scorecards and the alignment view: every department on the same customer metrics,
quarter by quarter, against the targets in force, each with its verdict (met, close or missed: the
overview's own rule and words, cxdata.verdict).

The survey, SLA, first-contact and time metrics are the KPI trends page's own queries (sql/trend_*.sql
at quarter grain, broken down by department), so the two pages can never disagree; complaints and
escalations come from sql/department_service.sql and the churn after a bad experience from
sql/department_churn.sql. Targets are the loaded `targets` table, overridden by targets edited on the
page (kept in the store beside the database, kind "target"). docs/departments.md defines each step.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from cxdata import formatting as fmt
from cxdata import metrics, overview, trends, verdict
from cxdata.access.roles import User
from cxdata.access.scoped import require
from cxdata.filters import Filters, is_complete
from cxdata.i18n import N_, _, n_

# The scorecard's metrics in the order a card lists them: the customer's voice, then service.
VOICE_METRICS = ("nps", "csat", "ces", "bad_experience_churn")
SERVICE_METRICS = ("complaint_rate", "sla_compliance", "first_contact_resolution", "first_response_live",
                   "first_response_written", "resolution_time", "escalation_rate")
METRICS = VOICE_METRICS + SERVICE_METRICS
QUERY = {"nps": "trend_surveys", "csat": "trend_surveys", "ces": "trend_surveys",
         "sla_compliance": "trend_service", "first_contact_resolution": "trend_service",
         "first_response_live": "trend_times", "first_response_written": "trend_times",
         "resolution_time": "trend_times", "complaint_rate": "department_service",
         "escalation_rate": "department_service", "bad_experience_churn": "department_churn"}
QUARTERS = 8              # the sparkline's quarters, and how far back a card reads
FOLLOW_DAYS = 90          # churn after a bad experience: lost within this many days of it
STORE_KIND = "target"
STATUS_SCORE = {verdict.MET: 1.0, verdict.CLOSE: 0.5, verdict.MISSED: 0.0}
THIN_BASIS = 3            # an alignment lead on fewer targeted metrics than this is named with its count


def editing_enabled(user: User) -> bool:
    """Targets are edited on the page by the roles that may (admin, executive; the one local user)."""
    return user.may("edit_targets")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or (not isinstance(x, str) and pd.isna(x))


# ---- The company over the view's period ----------------------------------------------------------------

# The scorecard's metrics that the overview shows as tiles: the company row states them for the period.
COMPANY_METRICS = tuple(k for k in METRICS if k in metrics.SUMMARY_KPIS)


def company_row(reader, filters: Filters, min_responses: int = metrics.DEFAULT_MIN_RESPONSES) -> dict[str, str]:
    """The whole view over its period (not a quarter) on COMPANY_METRICS, label -> value worded as the
    overview's tiles word it (overview.period_figures): the departments' quarters sit below it."""
    figures = overview.period_figures(reader, filters, "previous", min_responses, COMPANY_METRICS)
    return {_(metrics.KPIS[k].label): figures[k].text for k in COMPANY_METRICS}


# ---- Reading the series --------------------------------------------------------------------------------

def first_quarter(filters: Filters) -> dt.date:
    """The first quarter a card reads: QUARTERS - 1 quarters before the one holding the filter's end,
    and one more for the first one's change."""
    return trends._step_back(trends.period_start(filters.end, "quarter"), "quarter", QUARTERS)


def quarterly(reader, filters: Filters, newest_on: dt.date | None = None) -> pd.DataFrame:
    """Every scorecard metric per quarter x department: kpi, department, period_start, value, moe, n,
    n_censored (churn only), is_unanswered (a first-response median over half never answered, with no
    value). Each query runs once (trend_times twice: responses, then resolutions)."""
    first = first_quarter(filters)
    base = {**metrics.view_params(filters), "first": first, "grain": "quarter", "by": "department",
            "gross_margin": trends.gross_margin()}
    frames = [reader.run("trend_surveys", base), reader.run("trend_service", base),
              reader.run("trend_times", {**base, "kpi": "first_response_live"}),
              reader.run("trend_times", {**base, "kpi": "resolution_time"}),
              reader.run("department_service", {"first": first, "stop": base["stop"], "filters": base["filters"]})]
    newest = newest_on or filters.end
    frames.append(reader.run("department_churn", {"first": first, "stop": base["stop"], "filters": base["filters"],
                                                  "follow_days": FOLLOW_DAYS, "newest_on": newest}))
    rows = metrics.without_unanswered_medians(pd.concat(frames, ignore_index=True))
    rows = rows[rows["kpi"].isin(METRICS) & rows["member"].notna() & (rows["member"] != "(not set)")]
    rows = rows.rename(columns={"member": "department"})
    rows["period_start"] = pd.to_datetime(rows["period_start"]).dt.date
    if "n_censored" not in rows:
        rows["n_censored"] = math.nan
    return rows[["kpi", "department", "period_start", "value", "moe", "n", "n_censored",
                 "is_unanswered"]].reset_index(drop=True)


def loaded_targets(reader, filters: Filters) -> pd.DataFrame:
    """The loaded targets per quarter: period_start, metric, department (None: the company), target."""
    rows = reader.run("trend_targets", {"first": first_quarter(filters), "stop": filters.params()["stop"],
                                        "grain": "quarter"})
    rows["period_start"] = pd.to_datetime(rows["period_start"]).dt.date
    return rows


def edited_targets(store) -> pd.DataFrame:
    """The targets edited on the page (the latest value of each), as loaded_targets' columns."""
    records = store.records(STORE_KIND) if store is not None else {}
    rows = [{"period_start": dt.date.fromisoformat(r["quarter"]), "metric": r["metric"],
             "department": r["department"], "target": float(r["target"])}
            for r in records.values() if r.get("target") is not None]
    return pd.DataFrame(rows, columns=["period_start", "metric", "department", "target"])


def targets_in_force(reader, filters: Filters, store=None, seen=()) -> pd.DataFrame:
    """Each department's target per quarter and metric: an edited one, else its own loaded one, else the
    company's (as the overview holds a department without its own target to the company's), for every
    department with a target of its own and those in `seen` (the departments in the data).
    Columns: period_start, metric, department, target, source ("edited", "loaded", "company")."""
    loaded = loaded_targets(reader, filters)
    edited = edited_targets(store).assign(source="edited")
    own = loaded[loaded["department"].notna()].assign(source="loaded")
    company = loaded[loaded["department"].isna()].drop(columns="department").assign(source="company")
    departments = sorted(set(own["department"]) | set(edited["department"]) | set(seen))
    spread = company.merge(pd.DataFrame({"department": departments}), how="cross")
    keys = ["period_start", "metric", "department"]
    chosen = pd.concat([edited, own, spread], ignore_index=True).drop_duplicates(keys, keep="first")
    return chosen[keys + ["target", "source"]].reset_index(drop=True)


# ---- Scorecards -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scorecards:
    quarter: dt.date                # the quarter judged
    is_running: bool                # it is not over by the filter's end
    cards: pd.DataFrame             # department x metric: value, moe, n, target, source, status, change...
    index: pd.DataFrame             # department x quarter: the alignment index and its two halves
    quarters: list[dt.date]         # the quarters read, oldest first


def scorecards(reader, filters: Filters, min_responses: int = metrics.DEFAULT_MIN_RESPONSES,
               quarter: dt.date | None = None, store=None, newest_on: dt.date | None = None,
               last_complete_on: dt.date | None = None) -> Scorecards:
    """Every department's scorecard for one quarter (default: the one holding the filter's end) and the
    alignment index of every quarter read. The page, the board pack and the bench call this. A quarter
    that is not whole (filters.is_complete: past the filter's end or the data's `last_complete_on`)
    is still running: its cards show its value but no change."""
    series = quarterly(reader, filters, newest_on)
    quarters = trends._periods(first_quarter(filters), filters.end, "quarter")[1:]
    quarter = quarter or quarters[-1]
    stop = filters.end + dt.timedelta(days=1)
    running = not is_complete(quarter, trends._next(quarter, "quarter"), stop, last_complete_on or filters.end)
    coverage = metrics.coverage(reader)
    judged = _without_absent(judge(series, targets_in_force(reader, filters, store, series["department"].unique()),
                                   min_responses), coverage)
    cards = _cards(judged, quarter, quarters, compare=not running)
    missing = [coverage.missing(k, quarter) for k in cards["kpi"]] if not cards.empty else []
    if missing:
        cards["missing"] = missing
        cards.loc[cards["missing"].notna(), "status"] = verdict.NOT_IN_DATA
    index = alignment_index(judged[judged["period_start"].isin(quarters)])
    return Scorecards(quarter, running, cards, index, quarters)


def judge(series: pd.DataFrame, targets: pd.DataFrame, min_responses: int) -> pd.DataFrame:
    """The series with the target in force and the status of each quarter's value."""
    merged = series.merge(targets.rename(columns={"metric": "kpi"}), on=["period_start", "kpi", "department"],
                          how="left")
    merged["is_enough"] = [(n if pd.notna(n) else 0) >= (min_responses if k in metrics.SURVEY_KPIS else 1)
                           for k, n in zip(merged["kpi"], merged["n"])]
    if "is_unanswered" not in merged:  # a series of scores only
        merged["is_unanswered"] = False
    tolerance = verdict.tolerance()
    # a median over half never answered is slower than any target: off target
    merged["status"] = [(verdict.NO_TARGET if _missing(r.target) else verdict.MISSED) if r.is_unanswered
                        else verdict.status(r.kpi, r.value, r.target, r.moe, r.n,
                                            min_responses if r.kpi in metrics.SURVEY_KPIS else 1, tolerance)
                        for r in merged.itertuples()]
    return merged


def _without_absent(judged: pd.DataFrame, coverage: metrics.Coverage) -> pd.DataFrame:
    """The quarters in which the data does not provide a metric's columns (metrics.Coverage) hold no
    value and no status against target: not in your data, never 0% or 100%."""
    gone = pd.Series([coverage.missing(k, q) is not None for k, q in zip(judged["kpi"], judged["period_start"])],
                     index=judged.index, dtype=bool)
    judged = judged.copy()
    judged.loc[gone, ["value", "moe", "n"]] = math.nan
    judged.loc[gone, "is_enough"] = False
    judged.loc[gone, "status"] = verdict.NOT_IN_DATA
    return judged


def _cards(judged: pd.DataFrame, quarter: dt.date, quarters: list[dt.date], compare: bool = True) -> pd.DataFrame:
    """One row per department x metric; `compare` False (a running quarter): no change is judged."""
    previous = trends._step_back(quarter, "quarter", 1)
    rows = []
    departments = sorted(judged["department"].unique())
    by_key = {(r.department, r.kpi, r.period_start): r for r in judged.itertuples()}
    for d in departments:
        for k in METRICS:
            now, then = by_key.get((d, k, quarter)), by_key.get((d, k, previous)) if compare else None
            rows.append(_card_row(d, k, now, then, [by_key.get((d, k, q)) for q in quarters if q <= quarter]))
    return pd.DataFrame(rows)


def _card_row(department: str, kpi: str, now, then, history) -> dict:
    k = metrics.KPIS[kpi]
    usable = now is not None and then is not None and now.is_enough and then.is_enough
    change = (metrics.significance(now.value, now.moe, then.value, then.moe, k.is_sample) if usable
              else metrics.Change(None, None, False))
    better = None if change.delta in (None, 0) or not change.is_significant else (change.delta > 0) == k.higher_is_better
    return {
        "department": department, "kpi": kpi, "label": _(k.label),
        "value": None if now is None or not now.is_enough else now.value,
        "is_unanswered": now is not None and bool(now.is_unanswered),
        "moe": None if now is None else now.moe, "n": 0 if now is None or pd.isna(now.n) else int(now.n),
        "n_censored": None if now is None or pd.isna(now.n_censored) else int(now.n_censored),
        "target": None if now is None or pd.isna(now.target) else now.target,
        "source": None if now is None or pd.isna(now.target) else now.source,
        "status": verdict.NO_DATA if now is None else now.status,
        "delta": change.delta, "verdict": change.verdict, "is_better": better,
        # quarters without a value are left out: a sparkline cell draws numbers only
        "spark": [float(r.value) for r in history if r is not None and r.is_enough and pd.notna(r.value)],
    }


def alignment_index(judged: pd.DataFrame) -> pd.DataFrame:
    """Per department and quarter: the share of its targeted metrics on target (met 1, close 1/2,
    missed 0), each weighted by its n (the contacts or answers it covers: how many customer moments it
    touches); overall, for the customer's voice (NPS, CSAT, CES, churn) and for service. Metrics
    without a target, or too few to judge, do not count. NaN when none counts."""
    scored = judged[judged["status"].isin(list(STATUS_SCORE))].copy()
    scored["score"] = scored["status"].map(STATUS_SCORE)
    scored["weight"] = scored["n"].astype(float)
    scored["part"] = scored["kpi"].map(lambda k: "voice" if k in VOICE_METRICS else "service")

    def weighted(g: pd.DataFrame) -> float:
        w = g["weight"].sum()
        return 100.0 * (g["score"] * g["weight"]).sum() / w if w > 0 else math.nan

    out = []
    for (d, q), g in scored.groupby(["department", "period_start"]):
        out.append({"department": d, "period_start": q, "index": weighted(g),
                    "voice_index": weighted(g[g["part"] == "voice"]),
                    "service_index": weighted(g[g["part"] == "service"]),
                    "n_metrics": len(g), "n_met": int((g["status"] == verdict.MET).sum()),
                    "n_missed": int((g["status"] == verdict.MISSED).sum())})
    return pd.DataFrame(out, columns=["department", "period_start", "index", "voice_index", "service_index",
                                      "n_metrics", "n_met", "n_missed"])


def alignment(cards: Scorecards) -> pd.DataFrame:
    """The alignment matrix of the quarter judged: one row per department (best index first), one
    column per metric holding (status, value text), plus the index and its rank."""
    idx = cards.index[cards.index["period_start"] == cards.quarter].set_index("department")
    rows = []
    for d, g in cards.cards.groupby("department"):
        row = {"department": d, "index": idx["index"].get(d, math.nan), "n_metrics": idx["n_metrics"].get(d, 0),
               "service_index": idx["service_index"].get(d, math.nan),
               "voice_index": idx["voice_index"].get(d, math.nan)}
        for r in g.itertuples():
            row[r.kpi] = (r.status, _(metrics.NOT_IN_DATA) if r.status == verdict.NOT_IN_DATA
                          else _(fmt.UNANSWERED) if r.is_unanswered else value_text(r.kpi, r.value))
        rows.append(row)
    out = pd.DataFrame(rows).sort_values(["index", "department"], ascending=[False, True], na_position="last")
    out["rank"] = out["index"].rank(ascending=False, method="min")
    return out.reset_index(drop=True)


def value_text(kpi: str, value) -> str:
    if _missing(value):
        return "—"
    return fmt.duration(value) if metrics.KPIS[kpi].unit == "s" else fmt.value(kpi, value)


# Where a target in force comes from, beside it on the card (a loaded one of the department's own says nothing).
SOURCES = {"edited": N_("{target} (edited)"), "company": N_("{target} (company)")}


def target_text(kpi: str, target, source: str | None) -> str:
    """A target in force as the card and the targets line write it: '90.0%', '90.0% (edited)', '25 (company)'."""
    shown = value_text(kpi, target)
    return _(SOURCES[source]).format(target=shown) if source in SOURCES else shown


def card_table(cards: pd.DataFrame, department: str) -> pd.DataFrame:
    """One department's scorecard as the page shows it."""
    g = cards[cards["department"] == department]
    return pd.DataFrame({
        _("Metric"): g["label"],
        _("Value"): [fmt.unanswered(n) if u else value_text(k, v) if not _missing(v) else _(verdict.LABELS[s])
                     if s in (verdict.TOO_FEW, verdict.NO_DATA, verdict.NOT_IN_DATA) else "—"
                     for k, v, s, n, u in zip(g["kpi"], g["value"], g["status"], g["n"], g["is_unanswered"])],
        "n": [fmt.count(n) for n in g["n"]],
        _("Target"): [_(verdict.LABELS[verdict.NO_TARGET]) if _missing(t) else target_text(k, t, src)
                      for k, t, src in zip(g["kpi"], g["target"], g["source"])],
        _("Status"): [_("{status}: {reason}").format(status=_(verdict.LABELS[s]), reason=m) if s == verdict.NOT_IN_DATA
                      else _(verdict.LABELS[s])
                      for s, m in zip(g["status"], g["missing"] if "missing" in g else [None] * len(g))],
        _("Change"): [_change_text(r) for r in g.itertuples()],
        _("Trend"): g["spark"],
    }).reset_index(drop=True)


def _change_text(r) -> str:
    if r.delta is None or _missing(r.delta):
        return _("no comparison")
    shown = fmt.duration_change(r.delta, r.value) if metrics.KPIS[r.kpi].unit == "s" else fmt.change(r.kpi, r.delta, r.value)
    if shown.startswith("±"):
        return _(fmt.NO_CHANGE)
    if r.is_better:
        return _("{change} · better").format(change=shown)
    if r.is_better is False:
        return _("{change} · worse").format(change=shown)
    return _("{change} · not significant").format(change=shown)


def headline(matrix: pd.DataFrame) -> str:
    """The alignment matrix's title, from the rows it draws (`alignment()`): who leads and who trails
    the index as the matrix writes it (whole numbers, so a tie on screen is a tie in words), a lead
    resting on fewer than THIN_BASIS targeted metrics named with its count."""
    judged = matrix.dropna(subset=["index"])
    if judged.empty:
        return _("No department has a targeted metric to judge in this quarter")
    shown = judged["index"].map(lambda v: int(round(v)))
    top, bottom = shown.max(), shown.min()
    leaders, trailers = judged[shown == top], judged[shown == bottom]
    thin = [(d, n_("{n} targeted metric", "{n} targeted metrics", n).format(n=fmt.count(n)))
            for d, n in zip(leaders["department"], leaders["n_metrics"]) if n < THIN_BASIS]
    if not thin:
        basis = ""
    elif len(leaders) == 1:
        basis = " " + _("(on {metrics})").format(metrics=thin[0][1])
    else:
        basis = " ({})".format("; ".join(_("{department} on {metrics}").format(department=d, metrics=n) for d, n in thin))
    fields = dict(top=fmt.count(top), bottom=fmt.count(bottom), basis=basis, n=fmt.count(len(judged)),
                  leaders=fmt.and_list(leaders["department"]), trailers=fmt.and_list(trailers["department"]))
    if top == bottom:
        if len(judged) == 1:
            return _("{department}'s alignment index is {top} of 100{basis}").format(
                department=judged["department"].iloc[0], **fields)
        if len(judged) == len(matrix):
            return _("All {n} departments judged are level at {top} of 100{basis}").format(**fields)
        return _("The {n} departments judged are level at {top} of 100{basis}").format(**fields)
    if len(leaders) == 1 and len(trailers) == 1:
        said = _("{leaders} leads alignment at {top} of 100{basis}; {trailers} trails at {bottom}")
    elif len(leaders) == 1:
        said = _("{leaders} leads alignment at {top} of 100{basis}; {trailers} trail at {bottom}")
    elif len(trailers) == 1:
        said = _("{leaders} share the lead in alignment at {top} of 100{basis}; {trailers} trails at {bottom}")
    else:
        said = _("{leaders} share the lead in alignment at {top} of 100{basis}; {trailers} trail at {bottom}")
    return said.format(**fields)


# ---- Editing targets -----------------------------------------------------------------------------------

class TargetError(ValueError):
    """A target typed on the page that can't be kept (the message says why and what is allowed)."""


def quarter_end(quarter: dt.date) -> dt.date:
    return trends._next(quarter, "quarter") - dt.timedelta(days=1)


def set_target(store, metric: str, department: str, quarter: dt.date, target: float, user: User) -> None:
    """Keep a department's target for a quarter in the store (the user's e-mail and when in its
    history), after checking the user may edit it and it lies in the metric's range."""
    require(user, "edit_targets")
    if user.scope["department"] is not None and department not in user.scope["department"]:
        raise TargetError(_("{department} is outside your scope; its targets were not changed.").format(
            department=department))
    if metric not in metrics.KPIS:
        raise TargetError(_("There is no metric called {metric}.").format(metric=repr(metric)))
    low, high = metrics.target_range(metric)
    if _missing(target) or target < low or (high is not None and target > high):
        fields = dict(kpi=_(metrics.KPIS[metric].label), low=_plain(low), high=_plain(high),
                      target=_plain(target))
        seconds = metrics.KPIS[metric].unit == "s"
        if high is None:
            said = (_("The {kpi} target must be at least {low} seconds; {target} was refused.") if seconds
                    else _("The {kpi} target must be at least {low}; {target} was refused."))
        else:
            said = (_("The {kpi} target must be between {low} and {high} seconds; {target} was refused.") if seconds
                    else _("The {kpi} target must be between {low} and {high}; {target} was refused."))
        raise TargetError(said.format(**fields))
    quarter = trends.period_start(quarter, "quarter")
    store.change(STORE_KIND, target_key(metric, department, quarter),
                 {"metric": metric, "department": department, "quarter": quarter.isoformat(),
                  "period_end": quarter_end(quarter).isoformat(), "target": float(target)}, user.email)


def _plain(x) -> str:
    """A number typed or allowed, in its shortest form (95, 92.5, -100) with the locale's decimal mark."""
    return "" if _missing(x) else fmt.number_text(format(float(x), "g"))


def target_key(metric: str, department: str, quarter: dt.date) -> str:
    return f"{department}|{metric}|{quarter.isoformat()}"


def target_history(store) -> pd.DataFrame:
    """Every edit of a target, newest first: when, who, department, metric, quarter, target."""
    events = store.history(STORE_KIND)
    if events.empty:
        return pd.DataFrame(columns=["changed_at", "changed_by", "department", "metric", "quarter", "target"])
    keys = ["key", "changed_at", "changed_by"]  # one edit: the fields one change() wrote together
    wide = events.groupby(keys + ["field"])["value"].first().unstack("field")
    wide = wide.join(events.groupby(keys)["event_id"].max()).reset_index()
    wide = wide.sort_values("event_id", ascending=False)
    return wide[["changed_at", "changed_by", "department", "metric", "quarter", "target"]].reset_index(drop=True)
