"""Drivers of NPS: which touchpoints, departments and channels go with customers' likelihood to recommend.

sql/nps_drivers.sql gives, per driver, the NPS of the respondents who had a good and a bad experience
there and the CSAT there. This module judges each driver: its importance (the NPS gap) with a
significance test, its quadrant against the view's own figures, and whether the sample supports
it at all; then says the finding in words. An association, not a cause: docs/metrics.md,
"Drivers of NPS".
"""
from __future__ import annotations

import pandas as pd

from cxdata import formatting as fmt
from cxdata.filters import Filters
from cxdata.i18n import N_, _
from cxdata.metrics import (DEFAULT_MIN_RESPONSES, benjamini_hochberg_cutoff, query_name, significance,
                            view_params)

DIMENSIONS = ("touchpoint", "department", "channel")
DIMENSION_LABELS = {"touchpoint": N_("Touchpoint"), "department": N_("Department"), "channel": N_("Channel")}
DIMENSION_PLURALS = {"touchpoint": N_("touchpoints"), "department": N_("departments"), "channel": N_("channels")}
# A driver in a sentence: a department by its name, the others as "the invoice touchpoint".
_DRIVER_NAMES = {"touchpoint": N_("the {member} touchpoint"), "channel": N_("the {member} channel")}
# The quadrants, in the order a reader acts on them: important = a significant gap larger than the
# view's own; weak = CSAT significantly below the view's.
QUADRANTS = (N_("fix first"), N_("keep up"), N_("watch"), N_("maintain"))
COLUMNS = ["dimension", "member", "n_respondents", "n_good", "n_bad", "nps_good", "nps_good_moe", "nps_bad",
           "nps_bad_moe", "importance", "importance_moe", "p_value", "is_significant", "performance",
           "performance_moe", "performance_n", "is_weak", "reach", "quadrant", "is_supported", "reason",
           "importance_line", "performance_line", "n_nps_respondents"]


def nps_drivers(reader, filters: Filters, min_responses: int = DEFAULT_MIN_RESPONSES,
                reference: bool = False) -> pd.DataFrame:
    """One row per driver dimension x member (touchpoint, department, channel), most urgent first.

    importance = NPS(good experience there) - NPS(bad), in NPS points, with its 95% margin and a
    two-sided z-test; is_significant after Benjamini-Hochberg over every supported driver (at most
    5% false alarms). performance = CSAT there (%), on performance_n answers. reach = % of the view's
    NPS respondents with an experience there. is_weak: CSAT there significantly below the view's
    (z-test, p < 0.05), so a hair under the line is not called weak. A driver with fewer than `min_responses` respondents in
    either group is not supported: no importance, no quadrant, and `reason` says why.
    importance_line and performance_line are the view's own figures the quadrants are cut at: the
    NPS gap between respondents whose experiences were all good and those with any bad one, and
    the view's CSAT.
    """
    rows = reader.run(query_name("nps_drivers", reference), view_params(filters))
    company = rows[rows["dimension"] == "company"]
    df = rows[rows["dimension"].isin(DIMENSIONS)].copy()
    if company.empty:  # no CSAT answer in view: nothing to judge
        return pd.DataFrame(columns=COLUMNS)
    overall = company.iloc[0]
    df["importance_line"] = _gap(overall, min_responses)
    df["performance_line"] = overall["csat"]
    df["n_nps_respondents"] = overall["n_nps_respondents"]

    df["is_supported"] = (df["n_good"] >= min_responses) & (df["n_bad"] >= min_responses)
    df["reason"] = [None if ok else _too_few(good, bad, min_responses)
                    for ok, good, bad in zip(df["is_supported"], df["n_good"], df["n_bad"])]
    changes = [significance(g, gm, b, bm) if ok else None for ok, g, gm, b, bm in
               zip(df["is_supported"], df["nps_good"], df["nps_good_moe"], df["nps_bad"], df["nps_bad_moe"])]
    df["importance"] = [c.delta if c else None for c in changes]
    df["importance_moe"] = [(gm ** 2 + bm ** 2) ** 0.5 if ok else None
                            for ok, gm, bm in zip(df["is_supported"], df["nps_good_moe"], df["nps_bad_moe"])]
    df["p_value"] = [c.p_value if c else None for c in changes]
    tested = df["p_value"].dropna().tolist()
    cutoff = benjamini_hochberg_cutoff(tested) if tested else -1.0
    df["is_significant"] = df["p_value"].notna() & (df["p_value"] <= cutoff)
    for group in ("good", "bad"):  # a group's NPS under the minimum is not a score to show
        under = df[f"n_{group}"] < min_responses
        df.loc[under, [f"nps_{group}", f"nps_{group}_moe"]] = None
    df = df.rename(columns={"csat": "performance", "csat_moe": "performance_moe", "n_csat": "performance_n"})
    df["is_weak"] = [significance(v, m, overall["csat"], overall["csat_moe"]).is_significant and v < overall["csat"]
                     for v, m in zip(df["performance"], df["performance_moe"])]
    df["quadrant"] = [_quadrant(row) if row.is_supported else None for row in df.itertuples()]

    order = {q: i for i, q in enumerate(QUADRANTS)}
    df = df.assign(_dim=df["dimension"].map(DIMENSIONS.index), _q=df["quadrant"].map(order).fillna(len(order)),
                   _weight=-(df["importance"].astype(float) * df["reach"]).fillna(0))
    df = df.sort_values(["_dim", "_q", "_weight", "member"], ignore_index=True)
    return df[COLUMNS]


def _gap(overall: pd.Series, min_responses: int) -> float | None:
    """The view's own NPS gap (all-good against any-bad experiences), when both groups are big enough."""
    if overall["n_good"] < min_responses or overall["n_bad"] < min_responses:
        return None
    return float(overall["nps_good"] - overall["nps_bad"])


def _too_few(n_good: int, n_bad: int, minimum: int) -> str:
    fields = dict(good=fmt.count(n_good), bad=fmt.count(n_bad), minimum=fmt.count(minimum))
    if n_good < minimum and n_bad < minimum:
        return _("only {good} with a good and {bad} with a bad experience here ({minimum} of each needed)").format(
            **fields)
    if n_good < minimum:
        return _("only {good} with a good experience here ({minimum} of each needed)").format(**fields)
    return _("only {bad} with a bad experience here ({minimum} of each needed)").format(**fields)


def _quadrant(row) -> str:
    """Important: a significant gap larger than the view's own; weak: CSAT significantly below the view's."""
    important = bool(row.is_significant) and pd.notna(row.importance_line) and row.importance > row.importance_line
    weak = bool(row.is_weak)
    return {(True, True): "fix first", (True, False): "keep up",  # untranslated: quadrant codes (QUADRANTS marks them)
            (False, True): "watch", (False, False): "maintain"}[(important, weak)]


def driver_name(dimension: str, member: str) -> str:
    """How a driver reads in a sentence: 'Billing', 'the invoice touchpoint', 'the email channel'."""
    if dimension not in _DRIVER_NAMES:
        return member
    return _(_DRIVER_NAMES[dimension]).format(member=str(member).replace("_", " "))


def top_fix(df: pd.DataFrame) -> pd.Series | None:
    """The 'fix first' driver that weighs most: the largest importance x reach."""
    fix = df[df["quadrant"] == "fix first"]
    if fix.empty:
        return None
    return fix.loc[(fix["importance"].astype(float) * fix["reach"]).idxmax()]


def drivers_headline(df: pd.DataFrame) -> str:
    """The drivers chart's title, from the rows the chart draws (one dimension's, or every driver):
    the fix-first driver that weighs most; else a bubble that sits in the shaded corner without being
    clearly fix-first, and why; else nothing to fix among the drivers drawn, counted against all."""
    top = top_fix(df)
    if top is not None:
        return _("Fix first: {driver} — a bad experience there goes with an NPS {gap} points lower").format(
            driver=driver_name(top["dimension"], top["member"]), gap=fmt.number(top["importance"], 0))
    drawn = df[df["is_supported"].astype(bool)]
    if drawn.empty:
        return _("Too few answers to tell what drives NPS")
    corner = drawn[(drawn["performance"].astype(float) < drawn["performance_line"].astype(float))
                   & (drawn["importance"].astype(float) > drawn["importance_line"].astype(float))]
    if not corner.empty:
        c = corner.loc[(corner["importance"].astype(float) * corner["reach"]).idxmax()]
        driver = driver_name(c["dimension"], c["member"])
        if not c["is_significant"]:
            return _("Nothing clearly to fix first: {driver} sits in the corner, but its NPS gap is within the "
                     "noise").format(driver=driver)
        return _("Nothing clearly to fix first: {driver} sits in the corner, but its CSAT is not clearly below the "
                 "view's").format(driver=driver)
    kinds = df["dimension"].unique()
    noun = _(DIMENSION_PLURALS[kinds[0]]) if len(kinds) == 1 else _("drivers")
    if len(drawn) == len(df):
        return _("Nothing to fix first among all {n} {noun}").format(n=fmt.count(len(df)), noun=noun)
    return _("Nothing to fix first among the {shown} of {n} {noun} with enough answers").format(
        shown=fmt.count(len(drawn)), n=fmt.count(len(df)), noun=noun)


def drivers_sentence(df: pd.DataFrame) -> str:
    """The finding in plain words, with its numbers and sample sizes."""
    if df.empty or not df["is_supported"].any():
        return _("Too few answers to tell what drives NPS: no touchpoint, department or channel has enough "
                 "respondents with both a good and a bad experience there. Widen the period or the filters.")
    top = top_fix(df)
    line = df["performance_line"].iloc[0]
    if top is None:
        return _("Nothing to fix first: no touchpoint, department or channel is both more important than a bad "
                 "experience anywhere and clearly below the view's CSAT of {csat}.").format(csat=fmt.percent(line, 0))
    return _("Fix first: {driver} — customers with a bad experience there score NPS {gap} points lower than those "
             "with a good one (NPS {bad} against {good}, a gap of {gap} ± {margin} points; n = {n_bad} with a bad "
             "and {n_good} with a good experience), and only {satisfied} are satisfied there (CSAT {csat} across "
             "the view, n = {n} answers there).").format(
        driver=driver_name(top["dimension"], top["member"]), gap=fmt.number(top["importance"], 0),
        bad=fmt.number(top["nps_bad"], 0), good=fmt.number(top["nps_good"], 0),
        margin=fmt.number(top["importance_moe"], 0), n_bad=fmt.count(top["n_bad"]), n_good=fmt.count(top["n_good"]),
        satisfied=fmt.percent(top["performance"], 0), csat=fmt.percent(line, 0), n=fmt.count(top["performance_n"]))
