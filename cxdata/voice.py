"""What the voice-of-the-customer page shows: what customers write, as themes, sentiment and verbatims.

Every number comes from the voice queries of sql/ (voice_*.sql), which read the comments the derived
layer analysed once (cxdata.comments). This module judges the changes and the gaps (two independent
shares with their 95% margins, metrics.significance; many themes at once, Benjamini-Hochberg) and says
what they mean in plain words; the page (pages/voice.py) lays them out, the overview borrows
`detractor_headline`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cxdata import exports, metrics
from cxdata import formatting as fmt
from cxdata.access.roles import User
from cxdata.access.scoped import require
from cxdata.filters import Filters, is_complete
from cxdata.i18n import N_, _, n_
from cxdata.sentiment import fold

SENTIMENTS = ("negative", "neutral", "positive", "unknown")
# The words shown for the keys the data holds (N_): translated where shown, sentiment_word() and
# language_name().
SENTIMENT_WORDS = {"negative": N_("negative"), "neutral": N_("neutral"), "positive": N_("positive"),
                   "unknown": N_("unknown")}
LANGUAGE_NAMES = {"en": N_("English"), "es": N_("Spanish"), "pt": N_("Portuguese"), "und": N_("undetermined")}
VERBATIM_LIMIT = 500
SURVEY_SCALES = {"nps": N_("NPS (0–10)"), "csat": N_("CSAT (1–5)"), "ces": N_("CES (1–7)")}   # the comment table's score columns
PHRASES_SHOWN = 10
PHRASE_MIN_COMMENTS = 5     # a phrase in fewer comments is an anecdote, not a pattern
PHRASE_PRIOR = 500.0        # the Dirichlet prior's total count (log_odds_z): larger shrinks rare phrases more
SEARCH_MAX = 100
QUOTE_CHARS = 160           # the overview quotes one comment on one line


@dataclass(frozen=True)
class VoiceData:
    """Every query result the page draws from, for one view."""

    summary: pd.DataFrame     # one row per period (voice_summary)
    themes: pd.DataFrame      # one row per theme x period (voice_themes)
    monthly: pd.DataFrame     # trend month x theme x sentiment (voice_monthly)
    breakdown: pd.DataFrame   # dimension x member x theme (voice_breakdown)
    phrases: pd.DataFrame     # phrases typical of detractors or promoters (voice_phrases)


def sentiment_word(key: str) -> str:
    """A sentiment as the table shows it ("negative"), in the language of this run."""
    return _(SENTIMENT_WORDS[key]) if key in SENTIMENT_WORDS else key


def language_name(code: str) -> str:
    """A comment's language by name ("Spanish"), in the language of this run."""
    return _(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


def _labelled(themes: pd.DataFrame) -> pd.DataFrame:
    """Theme labels are the product's words (cxdata/themes.toml): shown in the language of this run;
    a label the catalogs do not hold (a company's own theme) stays as written."""
    return themes.assign(label=themes["label"].map(lambda label: _(label) if isinstance(label, str) and label else label))


def _params(filters: Filters, compare: str) -> dict:
    return {**metrics.period_params(filters, compare), "min_comments": PHRASE_MIN_COMMENTS,
            "prior": PHRASE_PRIOR, "limit": PHRASES_SHOWN}


def load(reader, filters: Filters, compare: str) -> VoiceData:
    """Run the page's queries: the page and the bench call this, so they run the same set."""
    params = _params(filters, compare)
    return VoiceData(summary=reader.run("voice_summary", params).set_index("period"),
                     themes=_labelled(reader.run("voice_themes", params)),
                     monthly=reader.run("voice_monthly", params),
                     breakdown=reader.run("voice_breakdown", params),
                     phrases=reader.run("voice_phrases", params))


def verbatims(reader, filters: Filters, theme: str = "", sentiment: str = "", language: str = "",
              nps_group: str = "", search: str = "", limit: int | None = None) -> pd.DataFrame:
    """The comments in view, newest first, masked, at most `limit` (default VERBATIM_LIMIT); `search`
    ignores case and accents ("atencion" finds "atención")."""
    params = {**_narrowing(filters, theme, sentiment, language, nps_group, search),
              "limit": VERBATIM_LIMIT if limit is None else limit}
    rows = reader.run("voice_verbatims", params)
    rows["themes"] = rows["themes"].map(lambda t: ", ".join(_(label) for label in t) if t is not None and len(t) else "")
    rows["language"] = rows["language"].map(language_name)
    rows["sentiment"] = rows["sentiment"].map(sentiment_word)
    for survey in SURVEY_SCALES:   # NPS, CSAT and CES are on different scales: one column each, never mixed
        rows[f"score_{survey}"] = [f"{score:.0f}" if asked == survey else ""    # as text: blank, never "None"
                                   for score, asked in zip(rows["score"], rows["survey"])]
    return rows


def comments_csv(rows: pd.DataFrame, user: User) -> bytes:
    """The comments listed (masked, as `verbatims` gives them) as a CSV, for a role that may export rows."""
    require(user, "export_rows")
    return exports.csv_bytes(rows.drop(columns=[f"score_{s}" for s in SURVEY_SCALES]))


def verbatim_count(reader, filters: Filters, theme: str = "", sentiment: str = "", language: str = "",
                   nps_group: str = "", search: str = "") -> int:
    """How many comments `verbatims` would list without its limit, so a table cut at the newest
    VERBATIM_LIMIT can say how many there are."""
    found = reader.run("voice_verbatims_count", _narrowing(filters, theme, sentiment, language, nps_group, search))
    return int(found["n_comments"].iloc[0])


def quotes(reader, filters: Filters, theme: str = "", sentiment: str = "", nps_group: str = "",
           limit: int = 1) -> list[str]:
    """Up to `limit` masked comments to quote, newest first, each a different text: a comment many
    customers wrote word for word is quoted once, and fewer distinct texts give fewer quotes."""
    params = {**filters.params(), "theme": theme, "sentiment": sentiment, "nps_group": nps_group, "limit": limit}
    return reader.run("voice_quotes", params)["comment"].tolist()


def _narrowing(filters: Filters, theme: str, sentiment: str, language: str, nps_group: str, search: str) -> dict:
    return {**filters.params(), "theme": theme, "sentiment": sentiment, "language": language,
            "nps_group": nps_group, "search": search_text(search)}


def search_text(search: str) -> str:
    """A search as the stored search text reads: folded (no case, no accents), spaces collapsed."""
    return " ".join(fold(search or "").split())[:SEARCH_MAX]


def has_comments(data: VoiceData) -> bool:
    return "current" in data.summary.index and int(data.summary.loc["current", "n_comments"]) > 0


# ---- Sentiment -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    """A share of comments (%) with its margin and n, now and before, and whether it really moved."""

    value: float | None
    moe: float | None
    n: int
    prev_value: float | None
    prev_moe: float | None
    prev_n: int
    change: metrics.Change


def negative_share(data: VoiceData, min_n: int = metrics.DEFAULT_MIN_RESPONSES) -> Share:
    """The share of comments whose sentiment is negative, of those whose sentiment could be read."""
    def part(period: str):
        if period not in data.summary.index:
            return None, None, 0
        row = data.summary.loc[period]
        n = int(row["n_comments"] - row["n_unknown"])
        if n < min_n:
            return None, None, n
        p = row["n_negative"] / n
        return 100 * p, _pct_moe(p, n), n
    value, moe, n = part("current")
    prev_value, prev_moe, prev_n = part("previous")
    return Share(value, moe, n, prev_value, prev_moe, prev_n,
                 metrics.significance(value, moe, prev_value, prev_moe))


def _pct_moe(p: float, n: int) -> float:
    """The Agresti-Coull margin of sql/macros.sql's pct_moe, for a share computed here from its parts."""
    adjusted = (p * n + 2) / (n + 4)
    return 100 * metrics.Z95 * (adjusted * (1 - adjusted) / (n + 4)) ** 0.5


# ---- Themes that drive detractors ----------------------------------------------------------------

def drivers(data: VoiceData, min_n: int = metrics.DEFAULT_MIN_RESPONSES) -> pd.DataFrame:
    """Per theme, this period: its share among detractor comments against promoter comments (NPS 0-6
    against 9-10), the gap, and whether the gap is significant after Benjamini-Hochberg across themes.
    Empty when either group has fewer than `min_n` comments. Sorted by the detractor share."""
    now = data.themes[data.themes["period"] == "current"].copy()
    if now.empty or min(now["n_detractor_comments"].iloc[0], now["n_promoter_comments"].iloc[0]) < min_n:
        return now.iloc[0:0].assign(gap=[], p_value=[], is_significant=[])
    tests = [metrics.significance(r.detractor_share, r.detractor_share_moe, r.promoter_share, r.promoter_share_moe)
             for r in now.itertuples()]
    now["gap"] = now["detractor_share"] - now["promoter_share"]
    now["p_value"] = [t.p_value for t in tests]
    cutoff = metrics.benjamini_hochberg_cutoff([p for p in now["p_value"] if p is not None])
    now["is_significant"] = now["p_value"].map(lambda p: p is not None and p <= cutoff)
    return now.sort_values(["detractor_share", "position"], ascending=[False, True]).reset_index(drop=True)


def top_driver(driving: pd.DataFrame) -> pd.Series | None:
    """The theme named most often by detractors, more than by promoters beyond chance; None if none is."""
    worse = driving[driving["is_significant"] & (driving["gap"] > 0)]
    return None if worse.empty else worse.iloc[0]


def drivers_title(driving: pd.DataFrame) -> str:
    top = top_driver(driving) if not driving.empty else None
    if top is None:
        return _("No theme sets detractors apart from promoters") if not driving.empty else _("Themes among detractors")
    return _("{theme} is named in {detractors} of detractor comments, against {promoters} of promoters'").format(
        theme=top["label"], detractors=fmt.percent(top["detractor_share"], 0),
        promoters=fmt.percent(top["promoter_share"], 0))


# ---- Emerging themes -----------------------------------------------------------------------------

def emerging(data: VoiceData, min_n: int = metrics.DEFAULT_MIN_RESPONSES) -> pd.DataFrame:
    """Per theme: its share of all comments now and in the comparison period, the change in points,
    and whether it is significant after Benjamini-Hochberg across the themes. Growing fastest first.
    Empty when either period has fewer than `min_n` comments."""
    wide = data.themes.pivot(index=["theme", "label", "position"], columns="period",
                             values=["n", "share", "share_moe", "n_comments"])
    if wide.empty or "previous" not in wide["n_comments"] or \
            min(wide["n_comments"]["current"].iloc[0], wide["n_comments"]["previous"].iloc[0]) < min_n:
        return pd.DataFrame(columns=["theme", "label", "n", "prev_n", "share", "prev_share", "delta", "p_value",
                                     "is_significant"])
    out = pd.DataFrame({
        "n": wide["n"]["current"], "prev_n": wide["n"]["previous"],
        "share": wide["share"]["current"], "prev_share": wide["share"]["previous"],
        "moe": wide["share_moe"]["current"], "prev_moe": wide["share_moe"]["previous"]}).reset_index()
    tests = [metrics.significance(r.share, r.moe, r.prev_share, r.prev_moe) for r in out.itertuples()]
    out["delta"] = [t.delta for t in tests]
    out["p_value"] = [t.p_value for t in tests]
    cutoff = metrics.benjamini_hochberg_cutoff([p for p in out["p_value"] if p is not None])
    out["is_significant"] = out["p_value"].map(lambda p: p is not None and p <= cutoff)
    return out.sort_values(["delta", "position"], ascending=[False, True]).reset_index(drop=True)


def emerging_title(changes: pd.DataFrame, versus: str) -> str:
    """The finding of the themes' changes; `versus` names the comparison ("previous period"), translated."""
    rising = changes[changes["is_significant"] & (changes["delta"] > 0)]
    if changes.empty:
        return _("Themes against the comparison period")
    if rising.empty:
        return _("No theme grew significantly against the {versus}").format(versus=versus)
    top = rising.iloc[0]
    return _("{theme} is growing: {share} of comments against {before} in the {versus}").format(
        theme=top["label"], share=fmt.percent(top["share"], 0), before=fmt.percent(top["prev_share"], 0), versus=versus)


# ---- Over time and by group ----------------------------------------------------------------------

def monthly_sentiment(data: VoiceData, end: dt.date, theme: str = "",
                      last_complete_on: dt.date | None = None, oldest_on: dt.date | None = None) -> pd.DataFrame:
    """One row per trend month: comments by sentiment (n_negative, ...), their total, the negative
    share of those whose sentiment could be read, and whether the month is whole (filters.is_complete:
    inside the period, which ends on `end`, and the data, from `oldest_on` to `last_complete_on`);
    `theme` '' for every comment."""
    rows = data.monthly[data.monthly["theme"] == theme]
    wide = rows.pivot_table(index="month_start", columns="sentiment", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(SENTIMENTS), fill_value=0)
    wide.columns = [f"n_{c}" for c in wide.columns]
    wide["n"] = wide.sum(axis=1)
    read = wide["n"] - wide["n_unknown"]
    wide["negative_share"] = (100 * wide["n_negative"] / read).where(read > 0)
    wide = wide.reset_index()
    starts = pd.to_datetime(wide["month_start"]).dt.date
    stop = end + dt.timedelta(days=1)
    wide["is_complete"] = [is_complete(m, (pd.Timestamp(m) + pd.offsets.MonthBegin(1)).date(), stop,
                                       last_complete_on or end, oldest_on) for m in starts]
    return wide


def sentiment_title(monthly: pd.DataFrame, theme: str | None = None,
                    min_n: int = metrics.DEFAULT_MIN_RESPONSES) -> str:
    """The finding of the monthly chart: the complete month with the highest negative share against
    the share over every complete month shown ("Negative comments peaked in Dec 2025: 31% against 22%");
    `theme` names the theme charted (its label, shown in lower case), None for every comment."""
    whole = monthly[monthly["is_complete"] & ((monthly["n"] - monthly["n_unknown"]) >= min_n)]
    if len(whole) < 2:
        if theme:
            return _("Comments on {theme} by month and sentiment").format(theme=theme.lower())
        return _("Comments by month and sentiment")
    peak = whole.loc[whole["negative_share"].idxmax()]
    overall = 100 * whole["n_negative"].sum() / (whole["n"] - whole["n_unknown"]).sum()
    fields = {"month": fmt.month(pd.Timestamp(peak["month_start"])), "peak": fmt.percent(peak["negative_share"], 0),
              "overall": fmt.percent(overall, 0)}
    if theme:
        return _("Negative comments on {theme} peaked in {month}: {peak} against {overall} over the months "
                 "shown").format(theme=theme.lower(), **fields)
    return _("Negative comments peaked in {month}: {peak} against {overall} over the months shown").format(**fields)


def theme_breakdown(data: VoiceData, dimension: str, min_n: int = metrics.DEFAULT_MIN_RESPONSES) -> pd.DataFrame:
    """One row per member x theme of a dimension: the share (%) of the member's comments naming the
    theme, and the negative share of those; members with fewer than `min_n` comments are left out."""
    rows = data.breakdown[(data.breakdown["dimension"] == dimension) & (data.breakdown["theme"] != "")
                          & (data.breakdown["n_member"] >= min_n)].copy()
    labels = data.themes.drop_duplicates("theme").set_index("theme")
    rows["label"] = rows["theme"].map(labels["label"])
    rows["position"] = rows["theme"].map(labels["position"])
    rows["share"] = 100 * rows["n"] / rows["n_member"]
    rows["negative_share"] = 100 * rows["n_negative"] / rows["n"]
    return rows.sort_values(["position", "member"]).reset_index(drop=True)


# ---- The overview's line --------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    text: str            # markdown
    verbatim: str | None  # one masked detractor comment naming the theme


def detractor_headline(reader, filters: Filters, compare: str,
                       min_n: int = metrics.DEFAULT_MIN_RESPONSES) -> Headline | None:
    """The theme that drives most detractors this period, with one masked verbatim; None when there are
    too few comments to say, or no theme sets detractors apart."""
    themes = _labelled(reader.run("voice_themes", _params(filters, compare)))
    top = top_driver(drivers(VoiceData(pd.DataFrame(), themes, pd.DataFrame(), pd.DataFrame(), pd.DataFrame()),
                             min_n))
    if top is None:
        return None
    said = quotes(reader, filters, theme=top["theme"], nps_group="detractor", sentiment="negative")
    n = int(top["n_detractor_comments"])
    text = n_("**{theme}** drives most detractors: named in {detractors} of their {n} comment, against {promoters} "
              "of promoters'.",
              "**{theme}** drives most detractors: named in {detractors} of their {n} comments, against {promoters} "
              "of promoters'.", n).format(theme=top["label"], detractors=fmt.percent(top["detractor_share"], 0),
                                          n=fmt.count(n), promoters=fmt.percent(top["promoter_share"], 0))
    return Headline(text, _shortened(said[0]) if said else None)


def _shortened(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote short enough for one line of the overview, cut at a word."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
