"""Every Plotly figure of the app and the board pack, drawn with one template: "cx" over "plotly_white".

The page (st.plotly_chart with theme=None) and the board pack (Kaleido images) get the same
figure, so the board reads what the CCO saw. Every word a figure adds is translated (cxdata.i18n) and
every number, date and amount is written in the language of the run (cxdata.formatting); names that
are data (a department, a channel) and the titles callers pass in arrive as they are to be shown.
Colours are colour-blind safe (Okabe-Ito): better is blue and worse is vermillion (orange-red),
never green against red; "no significant change" is grey; a target is a near-black dashed line; a
KPI's own line is the app's navy with its 95% band in a pale tint of it. Plain Python: no Streamlit here.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import textwrap

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from cxdata import formatting as fmt
from cxdata import verdict
from cxdata.i18n import N_, _, language, n_
from cxdata.metrics import DEFAULT_MIN_RESPONSES, KPIS, MONEY_KPIS, SURVEY_KPIS

# "plotly_white+cx" merged once (below): given as "plotly_white+cx", Plotly merges the two again for every
# figure, 25 ms each, and the overview draws fourteen.
TEMPLATE = "cx_white"
COLORS = {
    "better": "#0072B2",            # Okabe-Ito blue
    "worse": "#D55E00",             # Okabe-Ito vermillion
    "neutral": "#9AA3AD",           # grey: not judged, or no significant change
    "target": "#1B1F24",            # drawn dashed
    "band": "rgba(31, 78, 121, 0.15)",  # the 95% interval around a series line
    "series": "#1F4E79",            # a KPI's own line or bars: the app's primary colour
    "selected": "rgba(154, 163, 173, 0.18)",  # the view's period, shaded behind a longer history
}
LEGEND = {"better": N_("Better"), "worse": N_("Worse"), "neutral": N_("No significant change")}
# What a reader calls each colour, for every legend, caption or subtitle that names one: vermillion
# reads as orange on screen and on a projector, so text never calls it red.
COLOR_WORDS = {"better": N_("blue"), "worse": N_("orange"), "neutral": N_("grey"), "target": N_("dashed black"),
               "series": N_("navy")}
TEXT, MUTED, GRID = "#1B1F24", "#5B6670", "#E3E7EC"
# Quoted: an unquoted "Source Sans 3" is invalid CSS and would drop the browser to a serif font.
FONT = '"Source Sans", "Source Sans Pro", "Source Sans 3", "Helvetica Neue", Arial, "Liberation Sans", sans-serif'  # untranslated: CSS font list
_HOVER = "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"

pio.templates["cx"] = go.layout.Template(layout=dict(
    font=dict(family=FONT, size=15, color=TEXT),
    title=dict(font=dict(size=20, color=TEXT), x=0, xref="container", xanchor="left", pad=dict(l=16),
               y=0.97, yref="container", yanchor="top",
               subtitle=dict(font=dict(size=14, color=MUTED))),
    colorway=[COLORS["series"], "#E69F00", "#009E73", "#CC79A7", "#56B4E9", COLORS["worse"]],
    margin=dict(l=16, r=32, t=96, b=16),
    xaxis=dict(showgrid=False, zeroline=False, showline=True, linecolor=MUTED, ticks="outside", separatethousands=True,
               tickcolor=MUTED, ticklen=5, automargin=True, title=dict(standoff=10, font=dict(color=MUTED))),
    yaxis=dict(showgrid=True, gridcolor=GRID, nticks=6, zeroline=False, showline=False, ticks="", separatethousands=True,
               automargin=True, title=dict(standoff=10, font=dict(color=MUTED))),
    legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom", font=dict(size=14)),
    hoverlabel=dict(bgcolor="white", bordercolor=GRID, font=dict(family=FONT, size=14, color=TEXT)),
    hovermode="closest",
    showlegend=False,
))
pio.templates[TEMPLATE] = pio.templates.merge_templates("plotly_white", "cx")


DRIVER_CSAT_SPAN = 10.0   # points: the driver matrix's CSAT axis is never narrower, so close CSATs look close

# A subtitle line longer than this is cut off at the right of a half-width column at 1280 px (about
# 450 px for the text, at 14 px about 6 px a character, kept under with room for wide letters):
# subtitle_wrapped breaks it at words and gives each added line room above the plot.
SUBTITLE_CHARS = 64
SUBTITLE_LINE_PX = 20
PLOTLY_HEIGHT = 450   # the height a figure that sets none is drawn at
_NUMBER_SPACE, _NBSP = re.compile(r"(?<=\d) (?=\w)"), "\u00a0"


_LITERAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MARKUP = re.compile(r"[<>&]")
_ENTITY = re.compile(r"&(amp|lt|gt);")


def literal(text: str) -> str:
    """`text` as Plotly shows it, character for character: Plotly reads every text it draws (titles,
    ticks, hovers, legends, annotations) as a small HTML subset, so a name's <, > and & become
    entities, which it draws as the characters themselves."""
    return text.translate(_LITERAL)


def plain(text: str) -> str:
    """The value `literal` made `text` from: what a click on a chart's bar names, back as the data has it."""
    return _ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m[1]], text)


def _literal_value(value):
    if isinstance(value, str):
        return literal(value) if _MARKUP.search(value) else value
    if isinstance(value, tuple):
        return tuple(_literal_value(v) for v in value)
    return value


def _marked(values) -> bool:
    return any(isinstance(v, str) and _MARKUP.search(v) for v in values)


def _literal_index(index: pd.Index) -> pd.Index:
    flat = index.to_flat_index() if isinstance(index, pd.MultiIndex) else index
    if not any(_marked(v if isinstance(v, tuple) else (v,)) for v in flat):
        return index
    return index.map(_literal_value)


def _literal_series(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        if _marked(series.cat.categories):
            series = series.cat.rename_categories(_literal_value)
    elif (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)) and _marked(series.dropna()):
        series = series.map(_literal_value).astype(series.dtype)
    return series.set_axis(_literal_index(series.index))


def _literal_data(value):
    """Every string in a builder's argument as literal text: a DataFrame's or Series's values, index
    and column labels, a list's, tuple's or set's items, a dict's keys and values."""
    if isinstance(value, str):
        return _literal_value(value)
    if isinstance(value, pd.DataFrame):
        out = value.copy(deep=False)
        for i in range(out.shape[1]):
            out.isetitem(i, _literal_series(out.iloc[:, i]))
        out.columns, out.index = _literal_index(out.columns), _literal_index(out.index)
        return out
    if isinstance(value, pd.Series):
        return _literal_series(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_literal_data(v) for v in value)
    if isinstance(value, dict):
        return {_literal_data(k): _literal_data(v) for k, v in value.items()}
    return value


def subtitle_wrapped(build):
    """Decorates every figure builder. Every string it is given (the data's names, the title and the
    subtitle, which are plain text) reaches it as literal text (see `literal`): a department called
    <a href=...> is drawn as those characters, never as a link, while the markup the builder writes
    itself (<b>, <br>, <span>) still works. Its subtitle (lines broken with <br>) is then wrapped at
    words to SUBTITLE_CHARS, the top margin and the height grown by the lines the wrapping added, so
    the subtitle never runs off the chart nor over its legend, whatever the column's width. Its
    numbers (ticks, hovers, d3 formats) take the decimal and group marks of the run's language."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> go.Figure:
        fig = build(*(_literal_data(a) for a in args), **{k: _literal_data(v) for k, v in kwargs.items()})
        fig.update_layout(separators=fmt.plotly_separators())
        text = fig.layout.title.subtitle.text
        if not text:
            return fig
        lines = [wrapped.replace(_NBSP, " ") for line in text.split("<br>")   # a number stays with its unit
                 for wrapped in (textwrap.wrap(_NUMBER_SPACE.sub(_NBSP, line), SUBTITLE_CHARS,
                                               break_long_words=False) or [""])]
        added = len(lines) - len(text.split("<br>"))
        if added:
            top = fig.layout.margin.t if fig.layout.margin.t is not None else pio.templates["cx"].layout.margin.t
            fig.update_layout(title_subtitle_text="<br>".join(lines), margin_t=top + added * SUBTITLE_LINE_PX,
                              height=(fig.layout.height or PLOTLY_HEIGHT) + added * SUBTITLE_LINE_PX)
        return fig
    wrapper.wraps_subtitle = True
    return wrapper


# Point labels on a trend ("anomaly", "incomplete") sit just below or above their point. Where they go
# is worked out on a plot assumed PLOT_PX wide and tall (the narrowest the page and the slides draw
# it): a label is a 13 px word about 56 px wide and 16 px tall, an anomaly's ring 22 px across.
ABOVE, BELOW = 24, -24
PLOT_PX = (760, 240)
LABEL_PX, RING_PX = (56, 16), 22

# A time axis per grain: its title, and how English ticks are written (Plotly's own month names are
# English; other languages get ticks written by Babel, see _time_axis).
GRAIN_AXIS = {"week": (N_("Week (starting Monday)"), "%d %b %Y"), "month": (N_("Month"), "%b %Y"),
              "quarter": (N_("Quarter"), "%b %Y")}
TIME_TICKS = 8   # the most period names a time axis writes in a language Plotly has no month names for
# About how many characters of tick text a full-width time axis holds side by side (a plot about 880 px
# wide at 1280 px, some 8 px a character with the gap between ticks): "sept 2025" fits seven times,
# Portuguese's "fev. de 2025" five, its weeks ("20 de out. de 2025") four. A panel of n holds 1/n.
TIME_TICK_CHARS = 80


def _period_name(day, grain: str) -> str:
    """A period as a hover names it: "week of 08 Sep 2026", "September 2026", "quarter from Jul 2026"."""
    if grain == "week":
        return _("week of {date}").format(date=fmt.date(day))
    if grain == "quarter":
        return _("quarter from {month}").format(month=fmt.month(day))
    return fmt.month_name(day)


def _tick_name(day, grain: str) -> str:
    """A period as a time axis's tick names it, in a language other than English."""
    return fmt.date(day) if grain == "week" else fmt.quarter(day) if grain == "quarter" else fmt.month(day)


def _time_axis(fig: go.Figure, days, grain: str, english: str | None = None, nticks: int | None = None,
               panels: int = 1, **where) -> None:
    """Ticks on a time axis. In English, Plotly's own with `english` (default: the grain's format). Plotly
    knows only English month names and Streamlit cannot load its locale files, so in other languages
    the ticks are the periods themselves, named by Babel ("sept 2026", "T3 2026"), counted back from
    the latest: at most `nticks` (TIME_TICKS), and no more than the names fit side by side on one of
    `panels` plots sharing the width (TIME_TICK_CHARS), so they never overlap nor tilt."""
    if language() == "en":
        fig.update_xaxes(tickformat=english or GRAIN_AXIS[grain][1], **({"nticks": nticks} if nticks else {}),
                         **where)
        return
    periods = sorted(set(pd.to_datetime(pd.Series(list(days), dtype=object)).dropna()))
    names = {d: _tick_name(d, grain) for d in periods}
    longest = max((len(n) for n in names.values()), default=1)
    most = max(2, min(nticks or TIME_TICKS, TIME_TICK_CHARS // max(panels, 1) // (longest + 2)))
    step = max(1, math.ceil(len(periods) / most))
    shown = periods[::-1][::step][::-1]
    fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=[names[d] for d in shown], tickangle=0, **where)


def _label(kpi: str) -> str:
    """A KPI's name in the run's language."""
    return _(KPIS[kpi].label)


def _percent_suffix() -> str:
    """The percent sign written after an axis's ticks: "%" (en, pt-BR), " %" (es)."""
    return fmt.percent_sign("")


def _money_ticks() -> dict:
    """The currency around an axis's ticks where the locale writes it: "$" or "R$ " before (English,
    pt-BR), " €" after (Spanish); the settings Plotly calls tickprefix and ticksuffix."""
    before, _sep, after = fmt.currency().place("\0").partition("\0")
    return dict(tickprefix=before, ticksuffix=after)


def _money_axis(fig: go.Figure, axis: str, values, log: bool = False, **more) -> None:
    """An axis of amounts. In English, Plotly's own ticks in SI letters with the symbol before ("$1.2M").
    Plotly's letters are English ("k", "G"), so in other languages the ticks are round amounts within
    `values`' span (on a log axis, the powers of ten) written as every other amount is, by fmt.money:
    "500 mil US$", "1,2 M €", "R$ 1,2 mi"."""
    if language() == "en":
        fig.update_layout({f"{axis}axis": dict(tickformat="~s", **_money_ticks(), **more)})
        return
    known = [float(v) for v in values if v is not None and fmt.is_number(float(v))]
    ticks = (_log_ticks(min(known), max(known)) if log else _round_ticks(min(known), max(known))) if known else []
    fig.update_layout({f"{axis}axis": dict(tickmode="array", tickvals=ticks, ticktext=[fmt.money(t) for t in ticks],
                                           tickprefix="", ticksuffix="", **more)})


def _round_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    if not high > low:
        return [low]
    raw = (high - low) / count
    size = 10 ** math.floor(math.log10(raw))
    step = next(m * size for m in (1, 2, 2.5, 5, 10) if m * size >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int(math.floor((high - first) / step + 1e-9)) + 1)]


def _log_ticks(low: float, high: float) -> list[float]:
    """The powers of ten from the one at or below `low` to the one at or above `high` (low > 0)."""
    low = max(low, 1.0)
    return [10.0 ** e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(max(high, low))) + 1)]


def _signed_number(x: float, decimals: int) -> str:
    """A change written with its sign and the locale's decimal mark: +2.5, -0.4."""
    shown = f"{abs(x):.{decimals}f}"
    return ("-" if x < 0 and float(shown) != 0 else "+") + fmt.number(abs(x), decimals)


@subtitle_wrapped
def kpi_trend(trend: pd.DataFrame, kpi: str, title: str, subtitle: str = "", target: float | None = None,
              min_n: int = DEFAULT_MIN_RESPONSES, grain: str = "month", targets: pd.Series | None = None,
              period: tuple[dt.date, dt.date, str] | None = None, markers: pd.DataFrame | None = None) -> go.Figure:
    """A KPI period by period with its 95% band, its target and the periods it cannot vouch for.

    `trend` has period_start, value, moe (NaN: no band), n, is_enough (False: drawn hollow,
    not a score) and is_complete (False: dotted and labelled "incomplete"); with is_anomaly and
    expected (cxdata.trends.anomalies) the anomalies are ringed. `target` is one target for every
    period; `targets` (period start -> target) one per period, drawn as steps. `period` (first day,
    last day, label) is shaded behind the line: the view's period, whose value the label states.
    `markers` (on, kind "start" | "checkpoint", name, text, state) are initiatives on this KPI: a
    dotted line at each start labelled with its name, a small diamond at the foot for each checkpoint.
    """
    df = trend.sort_values("period_start").reset_index(drop=True)
    x = pd.to_datetime(df["period_start"])
    placed = df["value"].notna()
    shown = placed & df["is_enough"].astype(bool)
    complete = df["is_complete"].astype(bool)
    scale = _Scale(kpi, [df["value"] + df["moe"].fillna(0), [target]])
    y, moe = df["value"] / scale.divisor, df["moe"] / scale.divisor
    fig = _figure(title, subtitle)
    if not placed.any():
        return _empty(fig, _("No {kpi} values in this period").format(kpi=_label(kpi)))

    banded = shown & moe.notna()
    for run in _runs(banded):
        if run.sum() < 2:
            continue  # a lone month's interval is an error bar on its marker, below
        fig.add_scatter(x=x[run], y=(y - moe)[run], mode="lines", line=dict(width=0), hoverinfo="skip",
                        name=_("95% interval (lower)"))
        fig.add_scatter(x=x[run], y=(y + moe)[run], mode="lines", line=dict(width=0), fill="tonexty",
                        fillcolor=COLORS["band"], hoverinfo="skip", name=_("95% interval"))
    # The line joins the scores across a hollow month: those points float beside it, not on it.
    fig.add_scatter(x=x[shown & complete], y=y[shown & complete], mode="lines", hoverinfo="skip",
                    line=dict(color=COLORS["series"], width=3), name=_label(kpi))
    for i in df.index[shown & ~complete]:
        before = df.index[shown & complete & (df.index < i)]
        if len(before):
            lead = [before[-1], i]
            fig.add_scatter(x=x[lead], y=y[lead], mode="lines", hoverinfo="skip",
                            line=dict(color=COLORS["series"], width=3, dash="dot"), name=_("incomplete"))
    odd = df["is_anomaly"].fillna(False).astype(bool) if "is_anomaly" in df else pd.Series(False, index=df.index)
    labels = PointLabels(x, y, [y - moe.fillna(0), y + moe.fillna(0), [target / scale.divisor] if target else []],
                         rings=df.index[odd & placed])
    for i in df.index[placed & ~complete]:  # always said: above, or below when a ring is in the way
        shift = BELOW if not labels.free(i, ABOVE) and labels.free(i, BELOW) else ABOVE
        labels.take(i, shift)
        fig.add_annotation(x=x[i], y=y[i], text=_("incomplete"), showarrow=False, yshift=shift,
                           font=dict(size=13, color=MUTED))

    hover = [[_period_name(day, grain), _trend_hover(kpi, row, min_n)] for day, (_i, row) in zip(x, df.iterrows())]
    custom = pd.Series(hover, index=df.index)
    lone = banded & ~banded.shift(1, fill_value=False) & ~banded.shift(-1, fill_value=False)
    fig.add_scatter(x=x[shown], y=y[shown], mode="markers", customdata=custom[shown].tolist(),
                    hovertemplate=_HOVER, name=_label(kpi),
                    marker=dict(color=COLORS["series"], size=9, line=dict(color="white", width=1.5)),
                    error_y=dict(array=moe.where(lone)[shown].tolist(), color=COLORS["band"], thickness=8,
                                 width=0, visible=bool(lone.any())))
    hollow = placed & ~shown
    fig.add_scatter(x=x[hollow], y=y[hollow], mode="markers", customdata=custom[hollow].tolist(),
                    hovertemplate=_HOVER, name=_("under the minimum of {n}").format(n=fmt.count(min_n)),
                    marker=dict(symbol="circle-open", color=COLORS["series"], size=11, line=dict(width=2)))
    if "is_anomaly" in df:
        fig.add_scatter(x=x[odd], y=y[odd], mode="markers", name=_("anomaly"), hoverinfo="skip",
                        marker=dict(symbol="circle-open", size=22, color=COLORS["worse"], line=dict(width=3)))
        for i in df.index[odd & placed]:  # below the ring, else above it, else unlabelled: labels never overlap
            shift = next((s for s in (BELOW, ABOVE) if labels.free(i, s)), None)
            if shift is not None:
                labels.take(i, shift)
                fig.add_annotation(x=x[i], y=y[i], text=_("anomaly"), showarrow=False, yshift=shift,
                                   font=dict(size=13, color=COLORS["worse"]))
    if target is not None:
        _target_line(fig, kpi, target / scale.divisor, target, axis="y")
        fig.update_layout(margin_r=96)  # room for the target's label beside the plot
    elif targets is not None and not targets.empty:
        _target_steps(fig, kpi, targets, scale.divisor)
    if period is not None:
        first, last, label = period
        fig.add_vrect(x0=pd.Timestamp(first), x1=pd.Timestamp(last), fillcolor=COLORS["selected"], line_width=0,
                      layer="below", annotation_text=label,
                      annotation_position="top left",  # untranslated: a Plotly setting
                      annotation_font=dict(size=13, color=MUTED))
    if markers is not None and not markers.empty:
        _initiative_markers(fig, x, markers, period)
    fig.update_xaxes(title_text=_(GRAIN_AXIS[grain][0]))
    _time_axis(fig, x, grain)
    scale.label_axis(fig, "y")
    return fig


class PointLabels:
    """Where the words beside a trend's points may go without printing over each other or over an
    anomaly's ring: points and labels placed in pixels on a PLOT_PX plot."""

    def __init__(self, x: pd.Series, y: pd.Series, extent: list, rings) -> None:
        span = (x.max() - x.min()) or pd.Timedelta(days=1)
        values = pd.concat([pd.Series(v, dtype=float) for v in [y, *extent]]).dropna()
        low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
        self.px = {i: (PLOT_PX[0] * (x[i] - x.min()) / span,
                       PLOT_PX[1] * ((y[i] - low) / (high - low) if high > low else 0.5)) for i in y.dropna().index}
        self.rings = [self.px[i] for i in rings if i in self.px]
        self.boxes: list[tuple[float, float]] = []   # the middles of the labels placed

    def _middle(self, i, shift: int) -> tuple[float, float]:
        px, py = self.px[i]
        return px, py + shift

    def free(self, i, shift: int) -> bool:
        mx, my = self._middle(i, shift)
        (w, h), r = LABEL_PX, RING_PX / 2
        clear_of_labels = all(abs(mx - bx) >= w or abs(my - by) >= h for bx, by in self.boxes)
        clear_of_rings = all(abs(mx - rx) >= w / 2 + r or abs(my - ry) >= h / 2 + r
                             for rx, ry in self.rings if (rx, ry) != self.px[i])
        return clear_of_labels and clear_of_rings

    def take(self, i, shift: int) -> None:
        self.boxes.append(self._middle(i, shift))


def _target_steps(fig: go.Figure, kpi: str, targets: pd.Series, divisor: float) -> None:
    """Targets that may change from period to period, as a dashed step line labelled at its end."""
    x = pd.to_datetime(pd.Series(targets.index))
    fig.add_scatter(x=x, y=targets.to_numpy() / divisor, mode="lines", line=dict(color=COLORS["target"], dash="dash",
                    width=2, shape="hv"), name=_("target"),
                    customdata=[[_("Target from {date}").format(date=fmt.date(day)), fmt.value(kpi, t)]
                                for day, t in zip(x, targets)],
                    hovertemplate=_HOVER)
    last = targets.iloc[-1]
    fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=8, y=last / divisor, showarrow=False, align="left",
                       text=_("Target<br>{value}").format(value=fmt.value(kpi, last)),
                       font=dict(size=14, color=COLORS["target"]))
    fig.update_layout(margin_r=96)


@subtitle_wrapped
def small_multiples(per_member: pd.DataFrame, kpi: str, members: list[str], title: str, subtitle: str = "",
                    grain: str = "month", min_n: int = DEFAULT_MIN_RESPONSES) -> go.Figure:
    """One small panel per member on a shared axis, so members compare at a glance: each member's
    line with its 95% band, periods under the minimum left out (a gap), n in every hover.

    `per_member` has member, period_start, value, moe, n, is_enough and is_complete.
    """
    fig = make_subplots(rows=1, cols=max(len(members), 1), shared_yaxes=True, subplot_titles=members,
                        horizontal_spacing=0.03)
    fig.update_layout(template=TEMPLATE, title=_title(title, subtitle), height=330, margin_t=120)
    if not members:
        return _empty(fig, _("No member to draw"))
    values = per_member[per_member["member"].isin(members)]
    scale = _Scale(kpi, [values["value"] + values["moe"].fillna(0)])
    for col, member in enumerate(members, start=1):
        df = values[(values["member"] == member) & values["is_complete"]].sort_values("period_start")
        x = pd.to_datetime(df["period_start"])
        y = (df["value"] / scale.divisor).where(df["is_enough"])
        moe = (df["moe"] / scale.divisor).where(df["is_enough"])
        if moe.notna().any():
            fig.add_scatter(x=x, y=y - moe, mode="lines", line=dict(width=0), hoverinfo="skip", row=1, col=col)
            fig.add_scatter(x=x, y=y + moe, mode="lines", line=dict(width=0), fill="tonexty", fillcolor=COLORS["band"],
                            hoverinfo="skip", row=1, col=col)
        hover = [[f"{member} · {_period_name(day, grain)}", _trend_hover(kpi, row, min_n)]
                 for day, (_i, row) in zip(x, df.iterrows())]
        fig.add_scatter(x=x, y=y, mode="lines", connectgaps=False, line=dict(color=COLORS["series"], width=2.5),
                        customdata=hover, hovertemplate=_HOVER, row=1, col=col)
    for label in fig.layout.annotations:
        label.update(font=dict(size=15, color=TEXT))
    fig.update_xaxes(showgrid=False)
    _time_axis(fig, values.loc[values["is_complete"], "period_start"], grain, nticks=3, panels=len(members))
    fig.update_yaxes(showgrid=True, gridcolor=GRID)
    scale.label_axis(fig, "y")
    fig.update_yaxes(title_text=None)
    fig.update_yaxes(title_text=scale.axis_title(), row=1, col=1)
    return fig


@subtitle_wrapped
def ranked_bars(breakdown: pd.DataFrame, kpi: str, title: str, subtitle: str = "", target: float | None = None,
                dimension: str = "") -> go.Figure:
    """A breakdown as horizontal bars, highest at the top, coloured better/worse/neutral if judged.

    `breakdown` has member, value and n, and optionally is_better (True, False, or None for no
    significant change). Each member's n is written under its name, clear of the target line.
    A member without a value (too few responses) is listed at the bottom.
    """
    df = breakdown.reset_index(drop=True)
    has = df["value"].notna()
    ranked = pd.concat([df[~has], df[has].sort_values("value", kind="stable")])  # bottom to top
    has = ranked["value"].notna()
    scale = _Scale(kpi, [df["value"], [target]])
    fig = _figure(title, subtitle)
    if not has.any():
        return _empty(fig, _("No values to rank"))

    judged = "is_better" in df.columns
    groups = ranked[has].assign(group=ranked["is_better"].map(_judgement) if judged else "series")
    for group in ("better", "worse", "neutral", "series"):
        rows = groups[groups["group"] == group]
        if rows.empty:
            continue
        values = [fmt.value(kpi, v) for v in rows["value"]]
        counts = [_n_text(n) for n in rows["n"]]
        fig.add_bar(x=rows["value"] / scale.divisor, y=rows["member"], orientation="h", name=_(LEGEND[group]) if group in LEGEND else "",
                    marker=dict(color=COLORS[group]), text=values,
                    textposition="outside", cliponaxis=False, textfont=dict(size=14, color=TEXT),
                    customdata=[[m, f"{_label(kpi)} {v}<br>{n}"] for m, v, n in zip(rows["member"], values, counts)],
                    hovertemplate=_HOVER)
    for _i, row in ranked[~has].iterrows():
        fig.add_annotation(x=0, y=row["member"], text=_("too few responses to show a score"),
                           showarrow=False, xanchor="left", xshift=8, font=dict(size=13, color=MUTED))
    if target is not None:
        _target_line(fig, kpi, target / scale.divisor, target, axis="x")
    fig.update_layout(showlegend=judged, bargap=0.3, height=150 + 52 * len(ranked))
    members = ranked["member"].tolist()
    fig.update_yaxes(categoryorder="array", categoryarray=members, showgrid=False, title_text=dimension,
                     range=[-0.8, len(members) - 0.5],  # the bottom member's n clear of the x axis
                     tickvals=members, ticktext=[f"{m}<br><span style='font-size:13px;color:{MUTED}'>{_n_text(n)}</span>"
                                                 for m, n in zip(members, ranked["n"])])
    fig.update_xaxes(showgrid=True, gridcolor=GRID, showline=False, ticks="", range=_room_for_labels(
        [0, target / scale.divisor if target is not None else 0, *(ranked["value"][has] / scale.divisor)]))
    scale.label_axis(fig, "x")
    return fig


@subtitle_wrapped
def monthly_volume(volume: pd.DataFrame, title: str = "", subtitle: str = "") -> go.Figure:
    """Rows per month, one small panel per table with its own scale, so feedback is not flattened
    by ten times as many interactions. A month with no rows inside a table's span is marked ✕;
    a month the data covers only in part is drawn pale, so its short bar is not read as a drop.

    `volume` has table_name, month_start, n_rows (0 for a gap) and optionally is_complete;
    tables are drawn in the order they come.
    """
    title = title or _("Rows loaded per month")
    tables = list(dict.fromkeys(volume["table_name"]))
    if not tables:
        return _empty(_figure(title, subtitle), _("No rows loaded yet"))
    fig = make_subplots(rows=len(tables), cols=1, shared_xaxes=True, vertical_spacing=0.36 / len(tables),
                        subplot_titles=tables)
    fig.update_layout(template=TEMPLATE, title=_title(title, subtitle), height=120 + 160 * len(tables),
                      bargap=0.2, margin_t=110)
    for row, table in enumerate(tables, start=1):
        rows = volume[volume["table_name"] == table]
        x = pd.to_datetime(rows["month_start"])
        whole = rows["is_complete"].astype(bool) if "is_complete" in rows else pd.Series(True, index=rows.index)
        custom = [[f"{table} · {fmt.month_name(day)}",
                   (n_("{n} row", "{n} rows", n).format(n=fmt.count(n)) if n else _("no rows: a gap"))
                   + ("" if full else "<br>" + _("partial month: the data starts or ends inside it"))]
                  for day, n, full in zip(x, rows["n_rows"], whole)]
        fig.add_bar(x=x, y=rows["n_rows"], customdata=custom, hovertemplate=_HOVER, name=table, row=row, col=1,
                    marker=dict(color=[COLORS["series"] if full else COLORS["band"] for full in whole],
                                line=dict(color=COLORS["series"], width=1.5)))
        gap = (rows["n_rows"] == 0).to_numpy()
        if gap.any():
            fig.add_scatter(x=x[gap], y=[0] * int(gap.sum()), mode="markers",
                            name=_("{table}: no rows").format(table=table),
                            marker=dict(symbol="x-thin", size=12, line=dict(width=2.5, color=COLORS["worse"])),
                            customdata=[c for c, g in zip(custom, gap) if g], hovertemplate=_HOVER,
                            cliponaxis=False, row=row, col=1)
        fig.update_yaxes(rangemode="tozero", tickformat="~s", nticks=3, row=row, col=1)
    for label in fig.layout.annotations:  # subplot titles: left-aligned over their panel, like headings
        label.update(x=0, xanchor="left", font=dict(size=15, color=TEXT))
    _time_axis(fig, volume["month_start"], "month")
    fig.update_xaxes(title_text=_("Month"), row=len(tables), col=1)
    return fig


# The least a sparkline's axis spans, so a 0.5-point wobble never fills a tile like a swing:
# points for scores and percentages; a share of the mean for durations, counts and money.
SPARK_MIN_SPAN = {"nps": 20.0, "ces": 1.0}
SPARK_MIN_SPAN_PCT = 10.0
SPARK_MIN_SPAN_SHARE = 0.4


def sparkline(trend: pd.DataFrame, kpi: str, min_n: int = DEFAULT_MIN_RESPONSES, height: int = 46) -> go.Figure:
    """A tile's last complete months as a small line, its axis ends written at the right as the scale.

    `trend` has month_start, value, n and is_complete. Only complete months are drawn, and a
    survey month under `min_n` answers is left as a gap (its score is not one to show). The hover
    names the month and gives the value as the tile writes it, with n.
    """
    df = trend[trend["is_complete"].astype(bool)].sort_values("month_start").reset_index(drop=True)
    if kpi in SURVEY_KPIS:
        df["value"] = df["value"].where(df["n"].fillna(0) >= min_n)
    fig = go.Figure(layout=dict(template=TEMPLATE, height=height, margin=dict(l=0, r=SPARK_END_PX, t=8, b=8),
                                hovermode="x", hoverlabel=dict(font=dict(size=13)),
                                separators=fmt.plotly_separators()))
    values = df["value"].dropna()
    if values.empty:  # a small line of text from the left edge: centred at 16 px it was cut off in a tile
        fig.add_annotation(text=_("No complete month yet"), x=0, xanchor="left", y=0.5, xref="paper", yref="paper",
                           showarrow=False, font=dict(size=12, color=MUTED))
        return fig.update_layout(margin=dict(l=0, r=0, t=0, b=0)).update_xaxes(visible=False).update_yaxes(visible=False)
    low, high = _spark_range(kpi, values)
    months = pd.to_datetime(df["month_start"])
    hover = [f"{fmt.month(m)}: {fmt.value(kpi, v)}" + ("" if pd.isna(n) else " · " + _n_text(n))
             if pd.notna(v) else f"{fmt.month(m)}: "
             + (_("under {n} answers").format(n=fmt.count(min_n)) if pd.notna(n) else _("no data"))
             for m, v, n in zip(months, df["value"], df["n"])]
    fig.add_scatter(x=months, y=df["value"], mode="lines+markers", connectgaps=False, text=hover,
                    hovertemplate="%{text}<extra></extra>", line=dict(color=COLORS["series"], width=2),
                    marker=dict(size=4, color=COLORS["series"]))
    fig.update_xaxes(visible=False, fixedrange=True)
    pad = (high - low) * 0.04  # Plotly drops a tick lying exactly on the range's end
    fig.update_yaxes(range=[low - pad, high + pad], side="right", showgrid=False, fixedrange=True, tickvals=[low, high],
                     ticktext=[_axis_end(kpi, low), _axis_end(kpi, high)], tickfont=dict(size=12, color=MUTED),
                     ticks="", showline=False, automargin=False, ticklabeloverflow="allow")
    fig.update_layout(margin_r=_spark_margin(fig.layout.yaxis.ticktext))
    return fig


# Room at a sparkline's right for its axis ends: 48 px holds English's longest ("$19.0 M", "5.6 h");
# other languages write some longer ("19,0 M US$", "2,5 días"), at about 7 px a 12 px character.
SPARK_END_PX, SPARK_CHAR_PX = 48, 7


def _spark_margin(ends) -> int:
    if language() == "en":
        return SPARK_END_PX
    return max(SPARK_END_PX, SPARK_CHAR_PX * max(len(e) for e in ends))


def _axis_end(kpi: str, x: float) -> str:
    return fmt.duration_short(x) if KPIS[kpi].unit == "s" else fmt.value(kpi, x)


def _spark_range(kpi: str, values: pd.Series) -> tuple[float, float]:
    """The values' range widened, about its middle, to the KPI's least span."""
    low, high = float(values.min()), float(values.max())
    k = KPIS[kpi]
    span = SPARK_MIN_SPAN.get(kpi, SPARK_MIN_SPAN_PCT if k.unit == "%" else
                              SPARK_MIN_SPAN_SHARE * abs(float(values.mean())))
    if high - low < span:
        middle = (high + low) / 2
        low, high = middle - span / 2, middle + span / 2
    if k.unit == "%":
        low, high = max(low, 0.0), min(high, 100.0)
    elif low < 0 <= float(values.min()):
        low = 0.0
    return low, high


@subtitle_wrapped
def nps_composition(summary: pd.DataFrame, versus: str) -> go.Figure:
    """NPS as what it is made of: promoters, passives and detractors as shares of the answers, now
    and in the comparison period, one stacked bar each. NPS = promoters - detractors."""
    rows = summary.set_index("kpi")
    nps = rows.loc["nps"]
    parts = (("nps_promoters", _("Promoters (9–10)"), COLORS["better"]),
             ("nps_passives", _("Passives (7–8)"), COLORS["neutral"]),
             ("nps_detractors", _("Detractors (0–6)"), COLORS["worse"]))
    fig = _figure(_nps_title(rows), _("Share of NPS answers, this period against the {versus}").format(versus=versus))
    if pd.isna(nps["value"]):
        return _empty(fig, _("Too few NPS answers to split"))
    periods = [_("Before"), _("Now")]
    for key, label, color in parts:
        shares = [rows.loc[key, "prev_value"], rows.loc[key, "value"]]
        headers = [_("{group}, before").format(group=label), _("{group}, now").format(group=label)]
        fig.add_bar(y=periods, x=shares, orientation="h", name=label, marker=dict(color=color),
                    text=[fmt.percent(v, 0) if pd.notna(v) else "" for v in shares], textposition="inside",
                    insidetextanchor="middle", textfont=dict(size=15, color="white"),
                    customdata=[[h, _("{share} of {n} answers").format(share=fmt.value(key, v), n=_n_text(n))]
                                for h, v, n in zip(headers, shares, [nps["prev_n"], nps["n"]])],
                    hovertemplate=_HOVER)
    fig.update_layout(barmode="stack", showlegend=True, height=250, bargap=0.35, margin=dict(t=110),
                      legend=dict(traceorder="normal"))
    fig.update_xaxes(range=[0, 100], ticksuffix=_percent_suffix(), title_text=_("Share of answers (%)"), showgrid=True,
                     gridcolor=GRID)
    fig.update_yaxes(categoryorder="array", categoryarray=periods, showgrid=False)
    return fig


def _nps_title(rows: pd.DataFrame) -> str:
    p, d = rows.loc["nps_promoters", "value"], rows.loc["nps_detractors", "value"]
    if pd.isna(p):
        return _("NPS composition")
    return _("NPS {nps} = {promoters} promoters − {detractors} detractors").format(
        nps=fmt.value("nps", rows.loc["nps", "value"]), promoters=fmt.percent(p, 0), detractors=fmt.percent(d, 0))


@subtitle_wrapped
def channel_mix(mix: pd.DataFrame, versus: str) -> go.Figure:
    """Contacts by channel as shares of all contacts, now (bars, live channels in the series colour,
    written ones paler) and in the comparison period (a tick on each bar)."""
    df = mix[mix["n"] + mix["prev_n"] > 0].sort_values("share")
    live = df.loc[df["is_live"], "share"].sum()
    total = int(df["n"].sum())
    title = (n_("Live channels carry {share} of {n} contact", "Live channels carry {share} of {n} contacts", total)
             .format(share=fmt.percent(live, 0), n=fmt.count(total)) if total else _("Contacts by channel"))
    fig = _figure(title, _("Share of contacts by channel; ticks: the {versus}").format(versus=versus))
    if not total:
        return _empty(fig, _("No contacts in this period"))
    for is_live, name, color in ((True, _("Live"), COLORS["series"]), (False, _("Written"), "#7FA7C9")):
        rows = df[df["is_live"] == is_live]
        fig.add_bar(y=rows["channel"], x=rows["share"], orientation="h", name=name, marker=dict(color=color),
                    text=[fmt.percent(v, 1) for v in rows["share"]], textposition="outside", cliponaxis=False,
                    customdata=[[c, _("{share} of contacts ({n}); before {before} ({n_before})").format(
                                     share=fmt.percent(v, 1), n=fmt.count(n), before=fmt.percent(pv, 1),
                                     n_before=fmt.count(pn))]
                                for c, v, n, pv, pn in zip(rows["channel"], rows["share"], rows["n"],
                                                           rows["prev_share"], rows["prev_n"])],
                    hovertemplate=_HOVER)
    fig.add_scatter(y=df["channel"], x=df["prev_share"], mode="markers", name=_("The {versus}").format(versus=versus),
                    marker=dict(symbol="line-ns", size=22, line=dict(width=3, color=COLORS["target"])),
                    hoverinfo="skip")
    fig.update_layout(barmode="overlay", showlegend=True, height=max(280, 150 + 34 * len(df)), bargap=0.3)
    fig.update_xaxes(title_text=_("Share of contacts (%)"), ticksuffix=_percent_suffix(), showgrid=True, gridcolor=GRID,
                     range=_room_for_labels([0, *df["share"], *df["prev_share"]]))
    channels = df["channel"].tolist()
    fig.update_yaxes(categoryorder="array", categoryarray=channels, tickmode="array", tickvals=channels,
                     ticktext=[c.replace("_", " ") for c in channels], showgrid=False)
    return fig


class _Scale:
    """How a KPI's values are drawn on an axis: durations in s, min or h by size, % with a suffix,
    money with the currency's symbol."""

    def __init__(self, kpi: str, values: list) -> None:
        self.kpi = KPIS[kpi]
        self.values = pd.concat([pd.Series(v, dtype=float) for v in values]).dropna()
        self.divisor, self.unit = 1, self.kpi.unit
        if self.kpi.key in MONEY_KPIS:
            self.unit = fmt.currency().code
        if self.kpi.unit == "s":
            biggest = pd.concat([pd.Series(v, dtype=float) for v in values]).abs().max()
            self.divisor, self.unit = ((3600, N_("hours")) if biggest >= 3 * 3600 else
                                       (60, N_("minutes")) if biggest >= 120 else (1, N_("seconds")))

    def axis_title(self) -> str:
        """"CSAT (%)", "Revenue (EUR)", "First response (written) (minutes)": the unit word translated."""
        label = _(self.kpi.label)
        unit = _(self.unit) if self.kpi.unit == "s" else self.unit
        return f"{label} ({unit})" if unit else label

    def label_axis(self, fig: go.Figure, axis: str) -> None:
        """The axis's title and its ticks' unit; amounts by _money_axis, over the axis's range when the
        builder set one, else over the values drawn with a margin (ticks outside the plot are not drawn)."""
        if self.kpi.key in MONEY_KPIS:
            span = fig.layout[f"{axis}axis"].range
            if span is None and len(self.values):
                low, high = float(self.values.min()), float(self.values.max())
                pad = 0.15 * (high - low or abs(high) or 1)
                span = [low - pad, high + pad]
            _money_axis(fig, axis, list(span or []), title_text=self.axis_title())
            return
        fig.update_layout({f"{axis}axis": dict(title_text=self.axis_title(), tickformat="", tickprefix="",
                                               ticksuffix=_percent_suffix() if self.unit == "%" else "")})


def _figure(title: str, subtitle: str) -> go.Figure:
    return go.Figure(layout=dict(template=TEMPLATE, title=_title(title, subtitle)))


def _title(title: str, subtitle: str) -> dict:
    return dict(text=title, subtitle=dict(text=subtitle))


def _empty(fig: go.Figure, message: str) -> go.Figure:
    """A figure that says there is nothing to draw, rather than empty axes that look broken."""
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=16, color=MUTED))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _room_for_labels(values: list[float], share: float = 0.25) -> list[float]:
    """An axis range with room beyond the bars' ends for the values written there."""
    low, high = min(values), max(values)
    pad = share * (high - low or 1)
    return [low - pad if low < 0 else low, high + pad if high > 0 else high]


def _target_line(fig: go.Figure, kpi: str, at: float, target: float, axis: str) -> None:
    """A dashed target line, labelled beside the plot (right of a trend, above a bar chart)."""
    line = dict(color=COLORS["target"], dash="dash", width=2)
    font = dict(size=14, color=COLORS["target"])
    value = fmt.value(kpi, target)
    if axis == "y":
        fig.add_hline(y=at, line=line, layer="below")
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=8, y=at, showarrow=False, align="left",
                           text=_("Target<br>{value}").format(value=value), font=font)
    else:
        fig.add_vline(x=at, line=line, layer="below")
        fig.add_annotation(x=at, y=1, yref="paper", yanchor="bottom", showarrow=False,
                           text=_("Target {value}").format(value=value), font=font)


def _trend_hover(kpi: str, row: pd.Series, min_n: int) -> str:
    """The words under a month's date: value and margin, n, and why a point is hollow or dotted."""
    k = KPIS[kpi]
    if not row["is_enough"]:
        text = _("{n}, under the minimum of {minimum}: not shown as a score").format(
            n=_n_text(row["n"]), minimum=fmt.count(min_n))
    else:
        sample = _n_text(row["n"]) if k.is_sample or pd.notna(row["n"]) else _("a count, not a sample")
        text = f"{_label(kpi)} {fmt.value(kpi, row['value'])} {fmt.margin(kpi, row['moe'], row['value'])}".rstrip() + f"<br>{sample}"
    if not row["is_complete"]:
        text += "<br>" + _("incomplete: the data ends inside this month")
    return text


def _n_text(n) -> str:
    return "n = —" if pd.isna(n) else "n = " + fmt.count(n)


def _judgement(is_better) -> str:
    if is_better is None or pd.isna(is_better):
        return "neutral"
    return "better" if is_better else "worse"


def _runs(mask: pd.Series) -> list[pd.Series]:
    """The stretches of consecutive True values, each as a mask of its own."""
    ids = (mask != mask.shift()).cumsum()
    return [ids == run for run in ids[mask].unique()]


# ---- Drivers of NPS -------------------------------------------------------------------------------
DRIVER_QUADRANT_LABELS = {"fix first": N_("Fix first"), "keep up": N_("Keep up"), "watch": N_("Watch"),
                          "maintain": N_("Maintain")}
# The words that name a driver dimension in the drivers chart, each a whole phrase so every language
# can put its article and plural where they belong.
DRIVER_CSAT_AXIS = {"touchpoint": N_("CSAT at the touchpoint (% of answers 4–5)"),
                    "department": N_("CSAT at the department (% of answers 4–5)"),
                    "channel": N_("CSAT at the channel (% of answers 4–5)")}
DRIVER_NONE = {"touchpoint": N_("No touchpoint has enough respondents with a good and a bad experience"),
               "department": N_("No department has enough respondents with a good and a bad experience"),
               "channel": N_("No channel has enough respondents with a good and a bad experience")}
DRIVER_CSAT_AXIS_ANY = N_("CSAT there (% of answers 4–5)")
DRIVER_NONE_ANY = N_("No driver has enough respondents with a good and a bad experience")


@subtitle_wrapped
def nps_drivers(df: pd.DataFrame, dimension: str, title: str, subtitle: str = "") -> go.Figure:
    """Importance x performance for one driver dimension (cxdata.drivers.nps_drivers): x = CSAT there,
    y = the NPS gap between a good and a bad experience there, bubble area = reach. The lines are the
    view's CSAT and its own NPS gap; the "fix first" quadrant (important and weak) is shaded. A gap
    the samples cannot tell from noise is hollow; unsupported drivers are not drawn, only counted."""
    rows = df[df["dimension"] == dimension]
    shown = rows[rows["is_supported"].astype(bool)]
    hidden = len(rows) - len(shown)
    notes = [_("{orange}: fix first, judged on the margins, not the lines alone; hollow: a gap within the noise")
             .format(orange=_(COLOR_WORDS["worse"]))]
    if hidden:
        notes.append(_hidden_drivers(dimension, hidden, _minimum_words(rows)))
    subtitle = "<br>".join([s for s in (subtitle, "; ".join(notes)) if s])
    fig = _figure(title, subtitle)
    if shown.empty:
        return _empty(fig, _(DRIVER_NONE.get(dimension, DRIVER_NONE_ANY)))

    x_line, y_line = float(rows["performance_line"].iloc[0]), rows["importance_line"].iloc[0]
    y_line = None if pd.isna(y_line) else float(y_line)
    xs = [*shown["performance"], x_line]
    ys = [*shown["importance"], *([y_line] if y_line is not None else []), 0.0]
    x_range = _padded(*_at_least_span(min(xs), max(xs), DRIVER_CSAT_SPAN, 0.0, 100.0), 0.12)
    y_range = _padded(min(ys), max(ys), 0.15)
    y_range[1] += 0.15 * (max(ys) - min(ys) or 1)   # room above the top bubble for its name, under the view's CSAT
    if y_line is not None:  # the "fix first" quadrant: left of the CSAT line, above the gap line
        fig.add_shape(type="rect", x0=x_range[0], x1=x_line, y0=y_line, y1=y_range[1], layer="below",
                      fillcolor="rgba(213, 94, 0, 0.08)", line=dict(width=0))
        fig.add_hline(y=y_line, line=dict(color=COLORS["target"], dash="dash", width=1.5), layer="below")
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=8, y=y_line, showarrow=False, align="left",
                           text=_("View's gap<br>{n} pts").format(n=fmt.number(y_line, 0)),
                           font=dict(size=13, color=COLORS["target"]))
    fig.add_vline(x=x_line, line=dict(color=COLORS["target"], dash="dash", width=1.5), layer="below")
    fig.add_annotation(x=x_line, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=_("View's CSAT {csat}").format(csat=fmt.percent(x_line, 0)),
                       font=dict(size=13, color=COLORS["target"]))
    corners = (("fix first", 0, 1, "left", "top"), ("keep up", 1, 1, "right", "top"),  # untranslated: quadrant keys
               ("watch", 0, 0, "left", "bottom"), ("maintain", 1, 0, "right", "bottom"))
    for quadrant, x, y, xanchor, yanchor in corners:
        color = COLORS["worse"] if quadrant == "fix first" else MUTED
        fig.add_annotation(x=x, y=y, xref="paper", yref="paper", xanchor=xanchor, yanchor=yanchor, showarrow=False,
                           text=f"<b>{_(DRIVER_QUADRANT_LABELS[quadrant])}</b>", font=dict(size=15, color=color),
                           xshift=6 if x == 0 else -6)

    biggest = float(shown["reach"].max()) or 1.0
    for significant, name in ((True, _("gap significant")), (False, _("gap not significant"))):
        part = shown[shown["is_significant"].astype(bool) == significant]
        if part.empty:
            continue
        colors = [COLORS["worse"] if q == "fix first" else COLORS["series"] for q in part["quadrant"]]
        fig.add_scatter(
            x=part["performance"], y=part["importance"], mode="markers+text", name=name,
            text=[str(m).replace("_", " ") for m in part["member"]], textposition="top center",
            textfont=dict(size=13, color=TEXT), cliponaxis=False,
            marker=dict(size=[12 + 40 * (r / biggest) ** 0.5 for r in part["reach"]], sizemode="diameter",
                        color=colors if significant else "rgba(0,0,0,0)", opacity=0.75 if significant else 1,
                        line=dict(color=colors, width=2 if not significant else 1)),
            customdata=[[f"{row.member} · {_(DRIVER_QUADRANT_LABELS[row.quadrant]).lower()}", _driver_hover(row)]
                        for row in part.itertuples()],
            hovertemplate=_HOVER)
    fig.update_layout(height=560, margin=dict(t=124, r=96))
    fig.update_xaxes(title_text=_(DRIVER_CSAT_AXIS.get(dimension, DRIVER_CSAT_AXIS_ANY)),
                     ticksuffix=_percent_suffix(), range=x_range, tickformat=".0f", showgrid=True, gridcolor=GRID)
    fig.update_yaxes(title_text=_("Importance: NPS gap, good vs bad experience (points)"), range=y_range)
    return fig


def _hidden_drivers(dimension: str, hidden: int, minimum: str) -> str:
    """'3 touchpoints not shown: under 30 respondents with a good or with a bad experience'."""
    n = fmt.count(hidden)
    if dimension == "touchpoint":
        text = n_("{n} touchpoint not shown: under {minimum}", "{n} touchpoints not shown: under {minimum}", hidden)
    elif dimension == "department":
        text = n_("{n} department not shown: under {minimum}", "{n} departments not shown: under {minimum}", hidden)
    elif dimension == "channel":
        text = n_("{n} channel not shown: under {minimum}", "{n} channels not shown: under {minimum}", hidden)
    else:
        text = n_("{n} driver not shown: under {minimum}", "{n} drivers not shown: under {minimum}", hidden)
    return text.format(n=n, minimum=minimum)


_NEEDED = re.compile(r"\(\s*(\d[\d.,\u00a0\u202f ]*\d|\d)")


def _minimum_words(rows: pd.DataFrame) -> str:
    """Why drivers are left out, with the number the first reason names in its parentheses
    ('... (30 of each needed)', in whichever language the reason is written)."""
    reason = rows.loc[~rows["is_supported"].astype(bool), "reason"].dropna()
    found = [m.group(1) for m in _NEEDED.finditer(str(reason.iloc[0]))] if len(reason) else []
    if not found:
        return _("the minimum of respondents with a good or with a bad experience")
    return _("{n} respondents with a good or with a bad experience").format(n=found[-1])


def _at_least_span(low: float, high: float, span: float, floor: float, ceiling: float) -> tuple[float, float]:
    """[low, high] widened about its middle to at least `span`, moved inside [floor, ceiling]: CSATs of
    83.3% and 83.6% on an axis 0.3 points wide would look far apart."""
    if high - low >= span:
        return low, high
    middle = (low + high) / 2
    low, high = middle - span / 2, middle + span / 2
    shift = max(floor - low, 0.0) - max(high - ceiling, 0.0)
    return low + shift, high + shift


def _padded(low: float, high: float, share: float) -> list[float]:
    pad = share * (high - low or 1)
    return [low - pad, high + pad]


def _driver_hover(row) -> str:
    """What a driver's bubble says: the gap with its margin and test, both groups' NPS and n, CSAT, reach."""
    p = "p = " + fmt.number(row.p_value, 3)
    test = p if row.is_significant else _("{p}, not significant").format(p=p)
    csat = dict(csat=fmt.percent(row.performance, 1), moe=fmt.number(row.performance_moe, 1),
                n=fmt.count(row.performance_n))
    return "<br>".join([
        _("NPS {gap} points with a good experience (± {moe}; {test})").format(
            gap=_signed_number(row.importance, 0), moe=fmt.number(row.importance_moe, 0), test=test),
        _("good: NPS {good}, n = {n_good} · bad: NPS {bad}, n = {n_bad}").format(
            good=fmt.number(row.nps_good, 0), n_good=fmt.count(row.n_good), bad=fmt.number(row.nps_bad, 0),
            n_bad=fmt.count(row.n_bad)),
        (_("CSAT here {csat} ± {moe} (n = {n} answers), clearly below the view") if row.is_weak
         else _("CSAT here {csat} ± {moe} (n = {n} answers)")).format(**csat),
        _("reach: {reach} of {n} NPS respondents").format(reach=fmt.percent(row.reach, 0),
                                                          n=fmt.count(row.n_nps_respondents))])

# ---- Journey map (pages/journey.py) --------------------------------------------------------------

_VS_COLOR = {"worse": COLORS["worse"], "better": COLORS["better"], "neutral": TEXT}


@subtitle_wrapped
def journey_map(cells: pd.DataFrame, stages: list[str], summaries: dict[str, str], flagged: set[str],
                title: str, subtitle: str = "") -> go.Figure:
    """Stages across, their touchpoints below as cards: contacts, CSAT, CES, complaints and SLA missed,
    each written in vermillion when its 95% interval is worse than the whole view's value and in blue
    when better; a card with any worse measure gets a vermillion edge. A stage with no data keeps its
    column, empty. `cells` is cxdata.journey.touchpoint_map; `summaries` one line per stage."""
    fig = _figure(title, subtitle)
    points = cells[~cells["is_stage"] & ~cells["is_total"]]
    depth = max([1, *points.groupby("stage").size().tolist()])
    card_h, gap = 1.0, 0.15
    for x, stage in enumerate(stages):
        name = ("⚑ " if stage in flagged else "") + stage.capitalize()
        summary = summaries.get(stage, "").replace(" · ", "<br>")
        fig.add_annotation(x=x, y=0.12, text=f"<b>{name}</b><br><span style='font-size:12px;color:{MUTED}'>"
                           f"{summary}</span>", showarrow=False, yanchor="bottom",
                           font=dict(size=15, color=TEXT))
        mine = points[points["stage"] == stage]
        if mine.empty:
            fig.add_annotation(x=x, y=-0.5, text=_("no contacts<br>in this period"), showarrow=False,
                               font=dict(size=13, color=MUTED))
        for k, row in enumerate(mine.itertuples()):
            top = -k * (card_h + gap)
            worse = any(getattr(row, f"{m}_vs") == "worse" for m in ("csat", "ces", "complaint_pct", "sla_breach_pct"))
            fig.add_shape(type="rect", x0=x - 0.46, x1=x + 0.46, y0=top - card_h, y1=top,
                          line=dict(color=COLORS["worse"] if worse else GRID, width=2.5 if worse else 1),
                          fillcolor="rgba(213, 94, 0, 0.06)" if worse else "white", layer="below")
            fig.add_annotation(x=x, y=top - card_h / 2, text=_card_text(row), showarrow=False, align="center",
                               font=dict(size=12, color=TEXT))
    fig.update_xaxes(visible=False, range=[-0.5, len(stages) - 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-depth * (card_h + gap), 1.0], fixedrange=True)
    fig.update_layout(height=190 + 124 * depth, margin=dict(l=8, r=8, t=96, b=8))
    return fig


def _card_text(row) -> str:
    def part(measure: str, label: str, text: str) -> str:
        return f"<span style='color:{_VS_COLOR[getattr(row, measure + '_vs')]}'>{label} {text}</span>"

    contacts = n_("{n} contact", "{n} contacts", row.n_interactions).format(n=fmt.compact(row.n_interactions))
    lines = [f"<b>{row.touchpoint_name}</b>", contacts]
    scores = []
    if pd.notna(row.csat):
        scores.append(part("csat", "CSAT", fmt.percent(row.csat, 0)))
    if pd.notna(row.ces):
        scores.append(part("ces", "CES", fmt.number(row.ces, 1)))
    lines.append(" · ".join(scores) if scores else f"<span style='color:{MUTED}'>{_('too few answers')}</span>")
    lines.append(part("complaint_pct", _("complaints"), fmt.percent(row.complaint_pct, 0)) if row.n_interactions
                 else "&nbsp;")
    lines.append(part("sla_breach_pct", _("SLA missed"), fmt.percent(row.sla_breach_pct, 0)) if row.n_sla_judged
                 else f"<span style='color:{MUTED}'>{_('self-service')}</span>")
    return "<br>".join(lines)


@subtitle_wrapped
def journey_sankey(nodes: list[str], node_colors: list[str], links: pd.DataFrame, title: str,
                   subtitle: str = "") -> go.Figure:
    """Customers' paths as a Sankey: `links` has source and target (indices into `nodes`), value
    (customers), color and hover (the words for the link's hover)."""
    fig = _figure(title, subtitle)
    if links.empty:
        return _empty(fig, _("No customers with interactions in this period"))
    height, margin = 420, dict(l=16, r=16, t=96, b=16)
    shown = sankey_labels(nodes, links, height - margin["t"] - margin["b"])
    fig.add_trace(go.Sankey(
        arrangement="snap", valueformat=",d", textfont=dict(size=14, color=TEXT, family=FONT),
        node=dict(label=shown, customdata=nodes,
                  color=node_colors, pad=SANKEY_PAD, thickness=16, line=dict(width=0),
                  # i18n: {n} is a number Plotly writes (in the page's separators)
                  hovertemplate="<b>%{customdata}</b><br>" + _("{n} customers").format(n="%{value:,}")
                  + "<extra></extra>"),
        link=dict(source=links["source"].tolist(), target=links["target"].tolist(), value=links["value"].tolist(),
                  color=links["color"].tolist(), customdata=links["hover"].tolist(),
                  hovertemplate="%{customdata}<extra></extra>")))
    fig.update_layout(height=height, margin=margin)
    return fig


# Two labels in one column of a Sankey need SANKEY_LABEL_PX between their nodes' middles (a 14 px line).
SANKEY_PAD, SANKEY_LABEL_PX = 14, 18


def sankey_labels(nodes: list[str], links: pd.DataFrame, plot_px: float) -> list[str]:
    """The node labels to print: within a column, biggest node first, a label is kept only when it
    cannot print over one already kept, whichever order the nodes are stacked in (their middles are
    at least half of each height plus the padding apart). A dropped name stays in the hover."""
    heights, column = sankey_layout(len(nodes), links, plot_px, SANKEY_PAD)
    kept: dict[int, list[float]] = {}
    shown = [""] * len(nodes)
    for i in sorted(range(len(nodes)), key=lambda i: -heights[i]):
        mine = kept.setdefault(column[i], [])
        if heights[i] > 0 and all((heights[i] + h) / 2 + SANKEY_PAD >= SANKEY_LABEL_PX for h in mine):
            mine.append(heights[i])
            shown[i] = nodes[i]
    return shown


def sankey_layout(n_nodes: int, links: pd.DataFrame, plot_px: float, pad: float) -> tuple[list[float], list[int]]:
    """Each node's drawn height in px and its column, laid out as Plotly's Sankey does (d3-sankey, justified): a node's
    column is its longest path from a source, nodes without outgoing links in the last column; one
    scale for every column, set by the column that needs the most room."""
    into = links.groupby("target")["value"].sum().reindex(range(n_nodes), fill_value=0)
    out = links.groupby("source")["value"].sum().reindex(range(n_nodes), fill_value=0)
    value = [max(a, b) for a, b in zip(into, out)]
    depth = [0] * n_nodes
    for _pass in range(n_nodes):  # longest path: relax every link until nothing moves (the flows are acyclic)
        moved = False
        for s, t in zip(links["source"], links["target"]):
            if depth[t] < depth[s] + 1:
                depth[t], moved = depth[s] + 1, True
        if not moved:
            break
    last = max(depth)
    column = [last if out[i] == 0 and into[i] > 0 else depth[i] for i in range(n_nodes)]
    members: dict[int, list[int]] = {}
    for i in range(n_nodes):
        if value[i] > 0:
            members.setdefault(column[i], []).append(i)
    scale = min((plot_px - pad * (len(m) - 1)) / sum(value[i] for i in m) for m in members.values())
    return [v * max(scale, 0) for v in value], column


@subtitle_wrapped
def moments_of_truth(ranked: pd.DataFrame, title: str, subtitle: str = "", top: int = 8) -> go.Figure:
    """Churn within 90 days after a bad experience (vermillion) against after fine ones (grey) per
    touchpoint, in the order of `ranked` (cxdata.journey.moments: most customers lost on top); a touchpoint whose gap is not significant is drawn hollow."""
    fig = _figure(title, subtitle)
    df = ranked[ranked["is_tested"]].head(top).iloc[::-1] if not ranked.empty else ranked
    if df.empty:
        return _empty(fig, _("Too few followed-up customers to compare touchpoints"))
    labels = [f"{s} · {t}" for s, t in zip(df["stage"], df["touchpoint_name"])]
    fig.add_scatter(x=[v for a, b in zip(df["churn_good"], df["churn_bad"]) for v in (a, b, None)],
                    y=[v for lab in labels for v in (lab, lab, None)], mode="lines",
                    line=dict(color=GRID, width=6), hoverinfo="skip", showlegend=False)
    for column, n_column, name, color in (("churn_good", "n_good", _("After fine experiences"), COLORS["neutral"]),
                                          ("churn_bad", "n_bad", _("After a bad experience"), COLORS["worse"])):
        hollow = ~df["is_significant"] if column == "churn_bad" else pd.Series(False, index=df.index)
        fig.add_scatter(x=df[column], y=labels, mode="markers+text", name=name,
                        text=[fmt.percent(v, 1) for v in df[column]],
                        textposition="middle right" if column == "churn_bad" else "middle left",
                        textfont=dict(size=13, color=color),
                        marker=dict(size=14, color=["white" if h else color for h in hollow],
                                    line=dict(color=color, width=2.5)),
                        customdata=[[lab, _("{group}: {share} left within 90 days · n = {n} customers").format(
                                         group=name, share=fmt.percent(v, 1), n=fmt.count(n))
                                     + ("<br>" + _("difference not significant") if h else "")]
                                    for lab, v, n, h in zip(labels, df[column], df[n_column], hollow)],
                        hovertemplate=_HOVER)
    fig.update_layout(showlegend=True, height=170 + 44 * len(df), margin=dict(t=120))
    fig.update_xaxes(title_text=_("Customers lost within 90 days (%)"), ticksuffix=_percent_suffix(), showgrid=True,
                     gridcolor=GRID,
                     range=_room_for_labels([0, *df["churn_bad"], *df["churn_good"]], 0.15))
    fig.update_yaxes(showgrid=False, categoryorder="array", categoryarray=labels, tickmode="array", tickvals=labels)
    return fig


# ---- Voice of the customer -------------------------------------------------------------------------

SENTIMENT_COLORS = {"negative": COLORS["worse"], "neutral": COLORS["neutral"], "positive": COLORS["better"],
                    "unknown": "#D9DEE3"}
SENTIMENT_NAMES = {"negative": N_("Negative"), "neutral": N_("Neutral"), "positive": N_("Positive"),
                   "unknown": N_("Unknown")}
SENTIMENT_COUNTS = {"negative": N_("{count} negative of {n} comments"), "neutral": N_("{count} neutral of {n} comments"),
                    "positive": N_("{count} positive of {n} comments"), "unknown": N_("{count} unknown of {n} comments")}


@subtitle_wrapped
def comment_sentiment(monthly: pd.DataFrame, title: str, subtitle: str = "") -> go.Figure:
    """Comments per month as stacked bars by sentiment (counts, so volume and tone read together);
    the month the data ends inside is marked incomplete.

    `monthly` has month_start, n_negative, n_neutral, n_positive, n_unknown, n, negative_share and
    optionally is_complete.
    """
    fig = _figure(title, subtitle)
    if monthly.empty or not monthly["n"].sum():
        return _empty(fig, _("No comments in these months"))
    x = pd.to_datetime(monthly["month_start"])
    for sentiment in ("negative", "neutral", "positive", "unknown"):
        counts = monthly[f"n_{sentiment}"]
        hover = [[fmt.month_name(m), _(SENTIMENT_COUNTS[sentiment]).format(count=fmt.count(c), n=fmt.count(n))
                  + ("" if pd.isna(s) else "<br>" + _("negative: {share} of those read").format(share=fmt.percent(s, 0)))]
                 for m, c, n, s in zip(x, counts, monthly["n"], monthly["negative_share"])]
        fig.add_bar(x=x, y=counts, name=_(SENTIMENT_NAMES[sentiment]), marker=dict(color=SENTIMENT_COLORS[sentiment]),
                    customdata=hover, hovertemplate=_HOVER)
    if "is_complete" in monthly:
        for day, n, whole in zip(x, monthly["n"], monthly["is_complete"]):
            if not whole:
                fig.add_annotation(x=day, y=n, text=_("incomplete"), showarrow=False, yshift=12,
                                   font=dict(size=13, color=MUTED))
    fig.update_layout(barmode="stack", showlegend=True, height=360, bargap=0.25, margin_t=110)
    fig.update_xaxes(title_text=_("Month"))
    _time_axis(fig, x, "month")
    fig.update_yaxes(title_text=_("Comments"))
    return fig


@subtitle_wrapped
def detractor_drivers(driving: pd.DataFrame, title: str, subtitle: str = "") -> go.Figure:
    """Per theme, the share of detractor comments naming it against the share of promoter comments,
    paired bars, the themes detractors name most at the top; n in the hover, a theme whose gap is not
    significant drawn pale."""
    fig = _figure(title, subtitle)
    if driving.empty:
        return _empty(fig, _("Too few detractor or promoter comments to compare"))
    df = driving.iloc[::-1]  # bottom to top
    for group, label, color in (("promoter", _("Promoter comments (NPS 9–10)"), COLORS["better"]),
                                ("detractor", _("Detractor comments (NPS 0–6)"), COLORS["worse"])):
        shares, counts, totals = df[f"{group}_share"], df[f"n_{group}"], df[f"n_{group}_comments"]
        fig.add_bar(y=df["label"], x=shares, orientation="h", name=label,
                    marker=dict(color=color, opacity=[1.0 if s else 0.45 for s in df["is_significant"]]),
                    text=[fmt.percent(v, 0) for v in shares], textposition="outside", cliponaxis=False,
                    customdata=[[t, _("{group}: {share} ({count} of {n})").format(
                                     group=label, share=fmt.percent(v, 1), count=fmt.count(c), n=fmt.count(n))
                                 + ("" if s else "<br>" + _("gap not significant"))]
                                for t, v, c, n, s in zip(df["label"], shares, counts, totals, df["is_significant"])],
                    hovertemplate=_HOVER)
    fig.update_layout(barmode="group", showlegend=True, height=170 + 44 * len(df), bargap=0.25, margin_t=130,
                      legend=dict(traceorder="reversed"))
    fig.update_xaxes(title_text=_("Share of comments naming the theme (%)"), ticksuffix=_percent_suffix(), showgrid=True,
                     gridcolor=GRID, range=_room_for_labels([0, *df["detractor_share"], *df["promoter_share"]]))
    fig.update_yaxes(showgrid=False, categoryorder="array", categoryarray=df["label"].tolist(),
                     tickmode="array", tickvals=df["label"].tolist())
    return fig


@subtitle_wrapped
def theme_changes(changes: pd.DataFrame, title: str, subtitle: str = "") -> go.Figure:
    """Each theme's change in share of comments against the comparison period, in points, growing
    at the top; significant changes in the series colour, the others grey."""
    fig = _figure(title, subtitle)
    if changes.empty:
        return _empty(fig, _("Too few comments in one of the periods to compare"))
    df = changes.iloc[::-1]
    colors = [COLORS["series"] if s else COLORS["neutral"] for s in df["is_significant"]]
    fig.add_bar(y=df["label"], x=df["delta"], orientation="h", marker=dict(color=colors),
                text=[_signed_number(d, 1) for d in df["delta"]], textposition="outside", cliponaxis=False,
                customdata=[[t, _("{share} of comments ({n}) against {before} ({n_before}); {p}").format(
                                 share=fmt.percent(s, 1), n=fmt.count(n), before=fmt.percent(ps, 1),
                                 n_before=fmt.count(pn), p=fmt.p_value(p))
                                + ("" if sig else "<br>" + _("not significant"))]
                            for t, s, n, ps, pn, p, sig in zip(df["label"], df["share"], df["n"], df["prev_share"],
                                                               df["prev_n"], df["p_value"], df["is_significant"])],
                hovertemplate=_HOVER)
    fig.add_vline(x=0, line=dict(color=MUTED, width=1))
    fig.update_layout(height=140 + 40 * len(df), bargap=0.3)
    fig.update_xaxes(title_text=_("Change in share of comments (points)"), showgrid=True, gridcolor=GRID,
                     range=_room_for_labels([0, *df["delta"]]))
    fig.update_yaxes(showgrid=False, categoryorder="array", categoryarray=df["label"].tolist(),
                     tickmode="array", tickvals=df["label"].tolist())
    return fig


@subtitle_wrapped
def theme_heatmap(breakdown: pd.DataFrame, dimension: str, title: str, subtitle: str = "") -> go.Figure:
    """Themes (rows) by the members of a dimension (columns): the share of the member's comments that
    name the theme, written in each cell, with n and the negative share in the hover."""
    fig = _figure(title, subtitle)
    if breakdown.empty:
        return _empty(fig, _("Too few comments per group to compare"))
    themes = breakdown.drop_duplicates("theme").sort_values("position")["label"].tolist()
    members = sorted(breakdown["member"].unique())
    grid = breakdown.pivot(index="label", columns="member", values="share").reindex(index=themes, columns=members)
    n = breakdown.pivot(index="label", columns="member", values="n").reindex(index=themes, columns=members)
    neg = breakdown.pivot(index="label", columns="member", values="negative_share").reindex(index=themes, columns=members)
    total = breakdown.drop_duplicates("member").set_index("member")["n_member"].reindex(members)
    hover = [[[f"{t} · {m}", _("{count} of {n} comments").format(count=fmt.count(0 if pd.isna(n.loc[t, m]) else n.loc[t, m]),
                                                                 n=fmt.count(total[m]))
               + ("" if pd.isna(neg.loc[t, m]) else
                  "<br>" + _("{share} of them negative").format(share=fmt.percent(neg.loc[t, m], 0)))]
              for m in members] for t in themes]
    fig.add_heatmap(z=grid.fillna(0).values, x=[m.replace("_", " ") for m in members], y=themes,
                    colorscale=[[0, "#FFFFFF"], [1, COLORS["series"]]], zmin=0,
                    text=[[fmt.percent(v, 0) for v in row] for row in grid.fillna(0).values], texttemplate="%{text}",
                    textfont=dict(size=13), customdata=hover, hovertemplate=_HOVER, showscale=False, xgap=2, ygap=2)
    fig.update_layout(height=150 + 36 * len(themes))
    fig.update_xaxes(title_text=dimension, side="bottom", showline=False, ticks="", tickmode="array",
                     tickvals=[m.replace("_", " ") for m in members])
    fig.update_yaxes(autorange="reversed", showgrid=False, tickmode="array", tickvals=themes)
    return fig


# ---- Churn risk (cxdata/churn) ------------------------------------------------------------------
BAND_COLORS = {"high": COLORS["worse"], "medium": "#E69F00", "low": COLORS["neutral"]}
BAND_LABELS = {"high": N_("High risk"), "medium": N_("Medium risk"), "low": N_("Low risk")}


@subtitle_wrapped
def revenue_at_risk_bars(summary: pd.DataFrame, dimension: str, title: str, subtitle: str = "",
                         top: int = 12) -> go.Figure:
    """Revenue at risk per segment or account owner (rows of churn.revenue_at_risk), largest at the top,
    each bar labelled with the amount and how many customers are at high risk (churn_band_of)."""
    rows = summary[summary["dimension"] == dimension].nlargest(top, "value_at_risk").iloc[::-1]
    fig = _figure(title, subtitle)
    if rows.empty or rows["value_at_risk"].sum() == 0:
        return _empty(fig, _("No revenue at risk under these filters"))
    labels = [fmt.money(v) for v in rows["value_at_risk"]]
    fig.add_bar(x=rows["value_at_risk"], y=rows["member"], orientation="h", marker=dict(color=COLORS["worse"]),
                text=labels, textposition="outside", cliponaxis=False, textfont=dict(size=14, color=TEXT),
                customdata=[[m, _("Revenue at risk {amount}").format(amount=v) + "<br>"
                             + _("{k} of {n} customers at high risk").format(k=fmt.count(k), n=fmt.count(n))]
                            for m, v, k, n in zip(rows["member"], labels, rows["n_at_risk"], rows["n_customers"])],
                hovertemplate=_HOVER)
    fig.update_layout(bargap=0.3, height=150 + 40 * len(rows))
    at_risk = [_("{n} at risk").format(n=fmt.count(k)) for k in rows["n_at_risk"]]
    fig.update_yaxes(showgrid=False, categoryorder="array", categoryarray=rows["member"].tolist(),
                     tickvals=rows["member"].tolist(),
                     ticktext=[f"{m}<br><span style='font-size:13px;color:{MUTED}'>{k}</span>"
                               for m, k in zip(rows["member"], at_risk)])
    fig.update_xaxes(title_text=_("Revenue at risk (annual value × risk)"), showgrid=True,
                     gridcolor=GRID, showline=False, ticks="", range=_room_for_labels([0, *rows["value_at_risk"]]))
    _money_axis(fig, "x", fig.layout.xaxis.range)
    return fig


@subtitle_wrapped
def churn_risk_value(points: pd.DataFrame, threshold: float, title: str, subtitle: str = "") -> go.Figure:
    """Risk score against annual value, one dot per customer, by band, with the alert threshold dashed:
    the top right holds the accounts to call first."""
    fig = _figure(title, subtitle)
    if points.empty:
        return _empty(fig, _("No customer at medium or high risk under these filters"))
    for band in ("low", "medium", "high"):
        rows = points[points["band"] == band]
        if rows.empty:
            continue
        fig.add_scatter(x=rows["annual_value"].clip(lower=1), y=rows["score"], mode="markers", name=_(BAND_LABELS[band]),
                        marker=dict(color=BAND_COLORS[band], size=8, opacity=0.75, line=dict(width=0)),
                        customdata=[[c, _("Risk score {score}<br>Annual value {value}<br>Revenue at risk {risk}").format(
                                            score=fmt.number(s, 0), value=fmt.money(v), risk=fmt.money(r))]
                                    for c, s, v, r in zip(rows["customer_id"], rows["score"], rows["annual_value"],
                                                          rows["value_at_risk"])],
                        hovertemplate=_HOVER)
    fig.add_hline(y=threshold, line=dict(color=COLORS["target"], dash="dash", width=1.5),
                  annotation_text=_("alert threshold {score}").format(score=fmt.number_text(f"{threshold:g}")),
                  annotation_position="top left",  # untranslated: a Plotly setting
                  annotation_font=dict(size=13, color=TEXT))
    fig.update_xaxes(type="log", dtick=1, title_text=_("Annual value (log scale)"))
    _money_axis(fig, "x", points["annual_value"].clip(lower=1), log=True)
    fig.update_yaxes(title_text=_("Risk score (0–100)"), range=[0, 102])
    fig.update_layout(showlegend=True, height=420)
    return fig



@subtitle_wrapped
def customer_risk(risk: pd.DataFrame, threshold: float, title: str, subtitle: str = "") -> go.Figure:
    """One customer's risk score at each scoring (cxdata.customer: scored_on, score, band, reasons as
    text), oldest first: a line through dots coloured by band, the alert threshold dashed, the
    reasons in each dot's hover."""
    fig = _figure(title, subtitle)
    if risk is None or risk.empty:
        return _empty(fig, _("No risk score for this customer: scores are for active customers"))
    days = pd.to_datetime(risk["scored_on"])
    fig.add_scatter(x=days, y=risk["score"], mode="lines", line=dict(color=COLORS["neutral"], width=2),
                    hoverinfo="skip", showlegend=False)
    for band in ("low", "medium", "high"):
        rows = risk[risk["band"] == band]
        if rows.empty:
            continue
        fig.add_scatter(x=pd.to_datetime(rows["scored_on"]), y=rows["score"], mode="markers", name=_(BAND_LABELS[band]),
                        marker=dict(color=BAND_COLORS[band], size=12, line=dict(width=1, color="white")),
                        customdata=[[_("{day}: risk score {score}").format(day=fmt.date(d), score=fmt.number(s, 0)),
                                     "<br>".join(literal(r) for r in reasons) or _("no warning sign")]
                                    for d, s, reasons in zip(rows["scored_on"], rows["score"], rows["reasons"])],
                        hovertemplate=_HOVER)
    fig.add_hline(y=threshold, line=dict(color=COLORS["target"], dash="dash", width=1.5),
                  annotation_text=_("alert threshold {score}").format(score=fmt.number_text(f"{threshold:g}")),
                  annotation_position="top left",  # untranslated: a Plotly setting
                  annotation_font=dict(size=13, color=TEXT))
    fig.update_xaxes(tickvals=list(days), ticktext=[fmt.date(d) for d in days], title_text=_("Scored on"))
    fig.update_yaxes(title_text=_("Risk score (0–100)"), range=[0, 102])
    fig.update_layout(showlegend=True, height=360)
    return fig


@subtitle_wrapped
def churn_calibration(table: pd.DataFrame, title: str, subtitle: str = "") -> go.Figure:
    """Held-back customers in tenths by risk score: the share who left (bars) against the share their
    scores predicted (dots); a calibrated score puts each dot on its bar's top."""
    fig = _figure(title, subtitle)
    if table is None or table.empty:
        return _empty(fig, _("No check of the score yet"))
    tenths = [f"{i + 1}" for i in range(len(table))]
    ranges = [_("scores {low}–{high}").format(low=fmt.number(lo, 1), high=fmt.number(hi, 1))
              for lo, hi in zip(table["low"], table["high"])]
    fig.add_bar(x=tenths, y=table["observed"], name=_("Left within 90 days"), marker=dict(color=COLORS["series"]),
                customdata=[[_("Tenth {tenth}: {scores}").format(tenth=t, scores=r),
                             _("{share} of {n} left ({k}); the scores said {predicted}").format(
                                 share=fmt.percent(o, 1), n=fmt.count(n), k=fmt.count(k), predicted=fmt.percent(p, 1))]
                            for t, r, o, n, k, p in zip(tenths, ranges, table["observed"], table["n"],
                                                         table["n_left"], table["predicted"])],
                hovertemplate=_HOVER)
    fig.add_scatter(x=tenths, y=table["predicted"], mode="markers", name=_("The scores said"),
                    marker=dict(color=COLORS["worse"], size=11, symbol="diamond", line=dict(width=1, color="white")),
                    hoverinfo="skip")
    fig.update_xaxes(title_text=_("Customers in tenths by risk score (1 = lowest, 10 = highest)"), showgrid=False)
    fig.update_yaxes(title_text=_("% who left"), ticksuffix=_percent_suffix(), rangemode="tozero")
    fig.update_layout(showlegend=True, height=380, bargap=0.25)
    return fig

# ---- Department alignment and service levels (cxdata/departments.py, cxdata/service.py) -------------
# Status against target: Okabe-Ito bluish green and orange (close), and a true red (Paul Tol's bright
# red, light enough for dark text) for missed, so "red" in a legend is red on screen rather than the
# app's orange "worse"; the value is always written inside, so no cell is read by its colour alone.
STATUS_COLORS = {verdict.MET: "#009E73", verdict.CLOSE: "#E69F00", verdict.MISSED: "#EE6677",
                 verdict.NO_TARGET: "#EEF1F4", verdict.TOO_FEW: "#EEF1F4", verdict.NO_DATA: "#FFFFFF",
                 verdict.NOT_IN_DATA: "#FFFFFF"}
MATRIX_HEADERS = {"bad_experience_churn": N_("Churn after<br>bad experience"), "complaint_rate": N_("Complaint<br>rate"),
                  "sla_compliance": N_("SLA<br>compliance"), "first_contact_resolution": N_("First-contact<br>resolution"),
                  "first_response_live": N_("First<br>response<br>live"),
                  "first_response_written": N_("First<br>response<br>written"),
                  "resolution_time": N_("Resolution<br>time"), "escalation_rate": N_("Escalation<br>rate")}


@subtitle_wrapped
def alignment_matrix(matrix: pd.DataFrame, metrics: list[str], title: str, subtitle: str = "") -> go.Figure:
    """Departments (rows, best alignment index first) x metrics, each cell coloured by its status against
    target, its value written inside; the index is the last column. `matrix` is departments.alignment()."""
    codes = list(STATUS_COLORS)
    rows = matrix["department"].tolist()[::-1]  # the best at the top
    df = matrix.set_index("department").loc[rows]
    columns = [_(MATRIX_HEADERS[m]) if m in MATRIX_HEADERS else _label(m) for m in metrics] + \
        ["<b>" + _("Alignment<br>index") + "</b>"]
    z, text, hover = [], [], []
    for d, r in df.iterrows():
        cells = [r[m] if isinstance(r.get(m), tuple) else ("no_data", "—") for m in metrics]
        index = r["index"]
        index_status = (verdict.NO_DATA if pd.isna(index) else verdict.MET if index >= 90
                        else verdict.CLOSE if index >= 70 else verdict.MISSED)  # the colours only
        z.append([codes.index(s) for s, _v in cells] + [codes.index(index_status)])
        text.append([v for _s, v in cells] + ["—" if pd.isna(index) else f"<b>{fmt.number(index, 0)}</b>"])
        hover.append([f"{d} · {_label(m)}<br>{v} · {_(verdict.LABELS[s])}" for m, (s, v) in zip(metrics, cells)]
                     + [_("{department}: alignment index {index}").format(
                         department=d, index="—" if pd.isna(index) else
                         _("{index} of 100").format(index=fmt.number(index, 0)))])
    n = len(codes)
    scale = [[pos, STATUS_COLORS[c]] for i, c in enumerate(codes) for pos in (i / n, (i + 1) / n)]
    fig = _figure(title, subtitle)
    fig.add_heatmap(z=z, x=columns, y=rows, text=text, texttemplate="%{text}", textfont=dict(size=14, color=TEXT),
                    customdata=hover, hovertemplate="%{customdata}<extra></extra>", colorscale=scale,
                    zmin=0, zmax=n, showscale=False, xgap=3, ygap=3)
    for code in (verdict.MET, verdict.CLOSE, verdict.MISSED, verdict.NO_TARGET):  # the legend: a trace each
        fig.add_scatter(x=[None], y=[None], mode="markers", name=_(verdict.LABELS[code]),
                        marker=dict(size=14, symbol="square", color=STATUS_COLORS[code], line=dict(color=GRID, width=1)))
    fig.update_layout(height=220 + 52 * len(rows), showlegend=True, margin_t=150, margin_b=48,
                      legend=dict(y=-0.02, yanchor="top"), plot_bgcolor="white")
    fig.update_xaxes(side="top", showline=False, ticks="", tickangle=0, tickfont=dict(size=13))
    fig.update_yaxes(showgrid=False, ticks="", tickfont=dict(size=15), tickmode="array", tickvals=rows, ticktext=rows)
    return fig


@subtitle_wrapped
def alignment_trend(index: pd.DataFrame, departments: list[str], title: str, subtitle: str = "",
                    column: str = "index") -> go.Figure:
    """The alignment index by quarter, one small panel per department on a shared 0-100 axis; the
    running quarter is drawn but marked in the hover. `index` is Scorecards.index."""
    fig = make_subplots(rows=1, cols=max(len(departments), 1), shared_yaxes=True, subplot_titles=departments,
                        horizontal_spacing=0.02)
    fig.update_layout(template=TEMPLATE, title=_title(title, subtitle), height=300, margin_t=120)
    if not departments:
        return _empty(fig, _("No department to draw"))
    for col, d in enumerate(departments, start=1):
        df = index[index["department"] == d].sort_values("period_start")
        x = pd.to_datetime(df["period_start"])
        hover = [[f"{d} · {fmt.quarter(q)}",
                  _("no targeted metric to judge") if pd.isna(v) else
                  _("alignment {index} of 100 · {met} of {n} metrics met").format(
                      index=fmt.number(v, 0), met=fmt.count(g), n=fmt.count(m))]
                 for q, v, g, m in zip(x, df[column], df["n_met"], df["n_metrics"])]
        fig.add_scatter(x=x, y=df[column], mode="lines+markers", line=dict(color=COLORS["series"], width=2.5),
                        marker=dict(size=6), customdata=hover, hovertemplate=_HOVER, row=1, col=col)
    for label in fig.layout.annotations:
        label.update(font=dict(size=15, color=TEXT))
    fig.update_xaxes(showgrid=False, tickfont=dict(size=12))
    _time_axis(fig, index.loc[index["department"].isin(departments), "period_start"], "quarter", english="Q%q %y",
               nticks=3, panels=len(departments))
    fig.update_yaxes(range=[-5, 105], showgrid=True, gridcolor=GRID, tickvals=[0, 50, 100])
    fig.update_yaxes(title_text=_("Index (0–100)"), row=1, col=1)
    return fig


MODE_NAMES = {"immediate": N_("Immediate channels"), "deferred": N_("Deferred channels")}


@subtitle_wrapped
def resolution_histogram(hist: pd.DataFrame, promise_seconds: float, title: str, subtitle: str = "") -> go.Figure:
    """How long resolutions take, on a log time axis (8 bins a decade), immediate and deferred
    channels as two bar series, with the deferred promise marked."""
    fig = _figure(title, subtitle)
    if hist.empty:
        return _empty(fig, _("No resolved contact in this view"))
    total = hist["n"].sum()
    for mode, color in (("immediate", COLORS["series"]), ("deferred", "#E69F00")):
        df = hist[hist["response_mode"] == mode]
        if df.empty:
            continue
        mids = (df["low_seconds"] * df["high_seconds"]) ** 0.5
        name = _(MODE_NAMES[mode])
        hover = [[name, f"{fmt.duration(lo)} – {fmt.duration(hi)}<br>"
                  + _("{n} ({share} of all)").format(n=_n_text(n), share=fmt.percent(100 * n / total, 1))]
                 for lo, hi, n in zip(df["low_seconds"], df["high_seconds"], df["n"])]
        fig.add_bar(x=mids, y=df["n"], width=(df["high_seconds"] - df["low_seconds"]) * 0.92, name=name,
                    marker=dict(color=color), customdata=hover, hovertemplate=_HOVER)
    fig.add_vline(x=promise_seconds, line=dict(color=COLORS["target"], dash="dash", width=2))
    fig.add_annotation(x=math.log10(promise_seconds), y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=_("Deferred promise {time}").format(time=fmt.duration(promise_seconds)),
                       font=dict(size=14, color=COLORS["target"]))
    ticks = [60, 600, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400]
    low, high = hist["low_seconds"].min(), hist["high_seconds"].max()
    fig.update_xaxes(type="log", title_text=_("Time from start to resolution (log scale)"),
                     tickvals=[t for t in ticks if low / 2 <= t <= high * 2] or None,
                     ticktext=[fmt.duration_short(t) for t in ticks if low / 2 <= t <= high * 2] or None)
    fig.update_yaxes(title_text=_("Resolved contacts"))
    fig.update_layout(barmode="overlay", showlegend=True, bargap=0, margin_t=120, legend=dict(y=1.08))
    return fig


@subtitle_wrapped
def immediate_split(rows: pd.DataFrame, title: str, subtitle: str = "") -> go.Figure:
    """Per member: the share of its contacts due an answer that were answered immediately and the
    deferred rest, as 100% bars, most immediate at the top; n under each name."""
    df = rows[rows["n_due"] > 0].sort_values("immediate_share", kind="stable")
    fig = _figure(title, subtitle)
    if df.empty:
        return _empty(fig, _("No contact due an answer in this view"))
    deferred = 100 - df["immediate_share"]
    for name, values, color in ((_("Answered immediately"), df["immediate_share"], COLORS["series"]),
                                (_("Deferred"), deferred, "#E69F00")):
        fig.add_bar(x=values, y=df["member"], orientation="h", name=name, marker=dict(color=color),
                    text=[fmt.percent(v, 0) for v in values], textposition="inside", insidetextanchor="middle",
                    textfont=dict(size=14, color="white" if color == COLORS["series"] else TEXT),
                    customdata=[[m, f"{name}: {fmt.percent(v, 1)}<br>" + _("{n} due an answer").format(n=_n_text(n))]
                                for m, v, n in
                                zip(df["member"], values, df["n_due"])], hovertemplate=_HOVER)
    members = df["member"].tolist()
    fig.update_layout(barmode="stack", showlegend=True, height=160 + 46 * len(members), bargap=0.3)
    fig.update_xaxes(range=[0, 100], ticksuffix=_percent_suffix(), title_text=_("Share of the contacts due an answer"))
    fig.update_yaxes(categoryorder="array", categoryarray=members, tickvals=members,
                     ticktext=[f"{m}<br><span style='font-size:13px;color:{MUTED}'>{_n_text(n)}</span>"
                               for m, n in zip(members, df["n_due"])])
    return fig


# ---- Initiatives (cxdata/initiatives, pages/initiatives.py) --------------------------------------------
# A start and its checkpoints on a KPI's trend: a dotted line labelled with the initiative's name at the
# top of the plot, and a diamond at its foot per checkpoint, coloured by how it stands.
MARKER_LABEL_CHARS = 34          # a longer name is cut with "…" (the hover says it whole)
MARKER_LEVELS = 3                # label rows at the top of the plot; a label with no free row is left out
MARKER_CHAR_PX = 7               # about a 12 px label's character, for the rows' overlap check on PLOT_PX
CHECKPOINT_COLORS = {"met": COLORS["better"], "missed": COLORS["worse"], "due": "#E69F00", "upcoming": MUTED}


def _initiative_markers(fig: go.Figure, x: pd.Series, markers: pd.DataFrame, period) -> None:
    """The markers of kpi_trend: label rows are given left to right so no two labels (nor the shaded
    period's own label) print over each other."""
    first, last = x.min(), x.max()
    span = max((last - first).days, 1)

    def at(day) -> float:   # a day's place across the plot, in PLOT_PX pixels
        return PLOT_PX[0] * (pd.Timestamp(day) - first).days / span

    taken: list[tuple[int, float, float]] = []   # (row, left, right) of every label placed
    if period is not None:
        left = at(period[0])
        taken.append((0, left, left + MARKER_CHAR_PX * len(str(period[2]))))
    rows = markers.assign(on=pd.to_datetime(markers["on"])).sort_values("on")
    for row in rows[rows["kind"] == "start"].itertuples():
        fig.add_shape(type="line", x0=row.on, x1=row.on, yref="paper", y0=0, y1=1, layer="below",
                      line=dict(color=TEXT, width=1.5, dash="dot"))
        name = row.name if len(row.name) <= MARKER_LABEL_CHARS else row.name[:MARKER_LABEL_CHARS - 1].rstrip() + "…"
        left = at(row.on)
        right = left + MARKER_CHAR_PX * (len(name) + 2)
        level = next((lv for lv in range(MARKER_LEVELS)
                      if all(r != lv or right <= a or left >= b for r, a, b in taken)), None)
        if level is None:
            continue
        taken.append((level, left, right))
        fig.add_annotation(x=row.on, y=1, yref="paper", yanchor="top", xanchor="left", xshift=3, yshift=-18 * level,
                           showarrow=False, text=f"▸ {name}", hovertext=row.text, bgcolor="rgba(255,255,255,0.8)",
                           font=dict(size=12, color=TEXT))
    for row in rows[rows["kind"] == "checkpoint"].itertuples():
        fig.add_annotation(x=row.on, y=0, yref="paper", yanchor="bottom", showarrow=False, text="◆",
                           hovertext=row.text, font=dict(size=14, color=CHECKPOINT_COLORS.get(row.state, MUTED)))


def _change_unit(kpi: str, scale: _Scale) -> str:
    """The unit of a change in `kpi` on an axis: points for a percentage or NPS, the duration's unit."""
    if KPIS[kpi].unit == "%" or kpi == "nps":
        return _("points")
    if KPIS[kpi].unit == "s":
        return _(scale.unit)
    if kpi in MONEY_KPIS:
        return fmt.currency().code
    return ""


@subtitle_wrapped
def initiative_effect(kpi: str, effect: float, low: float, high: float, title: str, subtitle: str = "",
                      expected: float | None = None, smallest: float | None = None, judged: str = "neutral",
                      n_text: str = "") -> go.Figure:
    """An initiative's measured change in its KPI with its 95% interval, against no change (zero) and
    the change it expected. `smallest` (the smallest change the data could have told from none) is
    shaded either side of zero; `judged` ("better", "worse", "neutral") colours the measurement."""
    scale = _Scale(kpi, [[effect, low, high, expected, smallest]])
    d = scale.divisor
    fig = _figure(title, subtitle)
    color = COLORS.get(judged, COLORS["neutral"])
    rows = {1: _("Measured")} | ({0: _("Expected")} if expected is not None else {})
    if smallest is not None and smallest > 0:
        fig.add_vrect(x0=-smallest / d, x1=smallest / d, fillcolor=COLORS["selected"], line_width=0, layer="below")
        fig.add_annotation(x=0, y=1, yref="paper", yanchor="bottom", showarrow=False, text=_("too small to see"),
                           font=dict(size=12, color=MUTED))
    fig.add_vline(x=0, line=dict(color=MUTED, width=1.5), layer="below")
    said = _("{change}, likely between {low} and {high}").format(
        change=fmt.change(kpi, effect, effect), low=fmt.change(kpi, low, low), high=fmt.change(kpi, high, high))
    fig.add_scatter(x=[low / d, high / d], y=[1, 1], mode="lines", hoverinfo="skip",
                    line=dict(color=color, width=10), opacity=0.35, name=_("95% interval"))
    fig.add_scatter(x=[effect / d], y=[1], mode="markers+text", name=rows[1],
                    marker=dict(color=color, size=16, line=dict(color="white", width=2)),
                    text=[fmt.change(kpi, effect, effect)], textposition="top center",
                    textfont=dict(size=14, color=color),
                    customdata=[[rows[1], said + (f"<br>{n_text}" if n_text else "")]], hovertemplate=_HOVER)
    if expected is not None:
        fig.add_scatter(x=[expected / d], y=[0], mode="markers+text", name=rows[0],
                        marker=dict(symbol="diamond-open", color=COLORS["target"], size=14, line=dict(width=2)),
                        text=[fmt.change(kpi, expected, expected)], textposition="top center",
                        textfont=dict(size=14, color=COLORS["target"]),
                        customdata=[[rows[0], _("the change the initiative set out to make")]], hovertemplate=_HOVER)
    reach = max(abs(v) for v in (effect, low, high, expected or 0, smallest or 0)) / d or 1
    ticks = _round_ticks(-1.2 * reach, 1.2 * reach, 6)
    decimals = max(0, -math.floor(math.log10(ticks[1] - ticks[0]))) if len(ticks) > 1 else 0
    unit = _change_unit(kpi, scale)
    fig.update_xaxes(range=[-1.25 * reach, 1.25 * reach], tickmode="array", tickvals=ticks,
                     ticktext=[_("no change") if abs(t) < 1e-12 else _signed_number(t, decimals) for t in ticks],
                     title_text=(_("Change in {kpi} ({unit})") if unit else _("Change in {kpi}")).format(
                         kpi=_label(kpi), unit=unit))
    fig.update_yaxes(tickmode="array", tickvals=list(rows), ticktext=list(rows.values()), showgrid=False,
                     range=[(-0.5 if expected is not None else 0.5), 1.7])
    fig.update_layout(height=270 if expected is not None else 220)
    return fig


@subtitle_wrapped
def parallel_trends(periods: pd.DataFrame, kpi: str, start: dt.date, title: str, subtitle: str = "",
                    names: dict[str, str] | None = None, weeks_per_point: int = 1) -> go.Figure:
    """The KPI in the initiative's scope and in the comparison group before and after its start, the
    start marked: before it the two should move together for the comparison to stand for what the scope
    would have done. `periods` has week (0 = the week the start opens, negative before it), group
    ("scope" | "comparison"), value (a mean per answer, contact or customer) and n; each point joins
    `weeks_per_point` weeks counted from the start (their mean weighted by n), so thin weeks don't
    draw a saw. `names` name the groups."""
    fig = _figure(title, subtitle)
    df = periods.dropna(subset=["value"])
    df = df[df["n"] > 0]
    if df.empty:
        return _empty(fig, _("No {kpi} values before and after the start").format(kpi=_label(kpi)))
    k = max(1, int(weeks_per_point))
    df = df.assign(block=df["week"] // k, total=df["value"] * df["n"])
    joined = df.groupby(["group", "block"], as_index=False).agg(total=("total", "sum"), n=("n", "sum"))
    joined["value"] = joined["total"] / joined["n"]
    joined["period"] = [pd.Timestamp(start) + pd.Timedelta(days=7 * k * int(b)) for b in joined["block"]]
    scale = _Scale(kpi, [joined["value"]])
    names = names or {}
    styles = {"scope": dict(color=COLORS["series"], width=3), "comparison": dict(color=COLORS["neutral"], width=3)}
    for group in ("comparison", "scope"):
        part = joined[joined["group"] == group].sort_values("period")
        if part.empty:
            continue
        name = names.get(group, group)
        spans = [(fmt.date_range(p.date(), (p + pd.Timedelta(days=7 * k - 1)).date()) if k > 1 else
                  _("week of {date}").format(date=fmt.date(p))) for p in part["period"]]
        fig.add_scatter(x=part["period"], y=part["value"] / scale.divisor, mode="lines+markers", name=name,
                        line=styles[group], marker=dict(size=7, color=styles[group]["color"]),
                        customdata=[[f"{name} · {when}", f"{_label(kpi)} {fmt.value(kpi, v)}<br>{_n_text(n)}"]
                                    for when, v, n in zip(spans, part["value"], part["n"])], hovertemplate=_HOVER)
    begin = pd.Timestamp(start)
    finish = max(joined["period"].max() + pd.Timedelta(days=7 * k), begin)
    fig.add_vrect(x0=begin, x1=finish, fillcolor=COLORS["selected"], line_width=0, layer="below")
    fig.add_shape(type="line", x0=begin, x1=begin, yref="paper", y0=0, y1=1, line=dict(color=TEXT, width=1.5, dash="dot"))
    fig.add_annotation(x=begin, y=1, yref="paper", yanchor="bottom", xanchor="left", xshift=4, showarrow=False,
                       text=_("start {date}").format(date=fmt.date(start)), font=dict(size=13, color=TEXT))
    _time_axis(fig, joined["period"], "month", english="%b %Y", nticks=6)   # ticks name months: weeks crowd
    fig.update_xaxes(title_text=n_("{n} week per point", "{n} weeks per point", k).format(n=fmt.count(k)))
    scale.label_axis(fig, "y")
    fig.update_layout(showlegend=joined["group"].nunique() > 1, legend=dict(y=1.08), height=380, margin_t=110)
    return fig


# ---- The board pack and presentation mode ----------------------------------------------------------

SLIDE_MIN_FONT = 14   # px: the smallest label on a slide, legible from the back of a room at 1280 x 720


def for_slide(fig: go.Figure, min_font: int = SLIDE_MIN_FONT) -> go.Figure:
    """A copy of a page's figure for a slide: the same traces and numbers, without its title and
    subtitle, which the slide itself states in larger type above it; no label under `min_font` px
    (a page's 12-13 px notes are too small on a projector). The slide sets its size."""
    out = go.Figure(_at_least(fig.to_plotly_json(), min_font))
    out.update_layout(title=None, margin_t=56 if out.layout.showlegend else 24)
    return out


_INLINE_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def _at_least(spec, floor: int):
    """`spec` (a figure as plain data) with every font size, and every inline `font-size:..px` in its
    labels, raised to `floor`."""
    if isinstance(spec, dict):
        out = {k: _at_least(v, floor) for k, v in spec.items()}
        for key, font in out.items():   # font, textfont, tickfont, insidetextfont, ...
            if key.endswith("font") and isinstance(font, dict) and font.get("size") is not None:
                size = font["size"]
                font["size"] = ([max(v, floor) for v in size] if isinstance(size, (list, tuple))
                                else max(size, floor))
        return out
    if isinstance(spec, list):
        return [_at_least(v, floor) for v in spec]
    if isinstance(spec, tuple):
        return tuple(_at_least(v, floor) for v in spec)
    if isinstance(spec, str) and "font-size" in spec:
        return _INLINE_SIZE.sub(lambda m: f"font-size:{max(float(m[1]), floor):g}px", spec)
    return spec
