"""The figures in Spanish and Portuguese (issue 28): every word a figure adds comes from the charts
catalog, numbers take the locale's decimal comma (Plotly's `separators`), money axes put the currency
where the locale writes it, and time axes name their months through Babel, since Plotly only knows
English month names. English stays as it was (tests/test_charts.py)."""
from __future__ import annotations

import datetime as dt
import functools
import re
import string

import numpy as np
import pandas as pd
import pytest

from cxdata import charts, i18n, verdict
from cxdata.i18n import catalogs
from cxdata.metrics import KPIS

# Eight months from September 2025, so every month is a tick; the last one cut short.
MONTHS = [dt.date(2025, 9, 1) + pd.DateOffset(months=i) for i in range(8)]
MONTHS = [m.date() for m in pd.to_datetime(MONTHS)]
TITLE, SUBTITLE = "Título del llamador", "Subtítulo del llamador"


def _trend(**more) -> pd.DataFrame:
    return pd.DataFrame({"period_start": MONTHS, "value": [30.0, 45.0, 32.0, 34.5, 35.0, 10.0, 38.0, 36.0],
                         "moe": [6.0, 20.0, np.nan, 5.0, 4.0, 25.0, 9.0, 8.0], "n": [2200, 12, 180, 1220, 240, 8, 60, 70],
                         "is_enough": [True, False, True, True, True, False, True, True],
                         "is_complete": [True] * 7 + [False],
                         "is_anomaly": [False, False, False, True, False, False, False, False],
                         "expected": [33.0] * 8, **more})


def _driver(member: str, supported: bool = True, significant: bool = True, quadrant: str = "fix first") -> dict:
    return {"dimension": "touchpoint", "member": member, "is_supported": supported, "performance": 70.0,
            "importance": 30.0, "is_significant": significant, "quadrant": quadrant, "reach": 40.0,
            "importance_line": 20.0, "performance_line": 80.0, "importance_moe": 5.0, "p_value": 0.012,
            "nps_good": 40.0, "nps_bad": 10.0, "n_good": 1100, "n_bad": 100, "performance_moe": 3.0,
            "performance_n": 1300, "is_weak": True, "n_nps_respondents": 1500,
            "reason": None if supported else "solo 12 con una mala experiencia (30 de cada una)"}


def _figures() -> dict:
    """Every builder in the language of the test, drawn once per language (figures are slow to build)."""
    return _figures_in(i18n.language())


@functools.lru_cache(maxsize=None)
def _figures_in(language: str) -> dict:
    """Every builder, with data that makes it add each of its words (legends, notes, hovers, empty states)."""
    with i18n.using(language):
        return _build()


def _build() -> dict:
    a, b = "Facturación", "Soporte"
    per_member = pd.concat([_trend().assign(member=m) for m in (a, b)])
    targets = pd.Series([30.0, 35.0], index=pd.to_datetime([MONTHS[0], MONTHS[4]]))
    members = pd.DataFrame({"member": [a, b, "Ventas"], "value": [71.2, 84.5, np.nan], "n": [1812, 2310, 14],
                            "is_better": [False, True, None]})
    volume = pd.DataFrame([(t, m, 0 if (t, m) == ("feedback", MONTHS[2]) else 2100) for t in ("interactions", "feedback")
                           for m in MONTHS], columns=["table_name", "month_start", "n_rows"])
    volume["is_complete"] = volume["month_start"] != MONTHS[-1]
    spark = pd.DataFrame({"month_start": MONTHS, "value": [30.5, 45.0, 32.0, 34.0, 35.0, 36.0, 37.0, 38.0],
                          "n": [1200, 12, 180, 220, 240, 250, 260, 40], "is_complete": [True] * 7 + [False]})
    summary = pd.DataFrame({"kpi": ["nps", "nps_promoters", "nps_passives", "nps_detractors"],
                            "value": [30.0, 50.0, 30.0, 20.0], "prev_value": [10.0, 40.0, 30.0, 30.0],
                            "n": [1100] * 4, "prev_n": [1000] * 4})
    mix = pd.DataFrame({"channel": ["email", "chat", "in_person"], "is_live": [False, True, True],
                        "n": [600, 300, 100], "share": [60.0, 30.0, 10.0], "prev_n": [500, 500, 0],
                        "prev_share": [50.0, 50.0, 0.0]})
    drivers = pd.DataFrame([_driver(a), _driver(b, significant=False, quadrant="keep up"), _driver("Tienda", False)])
    cells = pd.DataFrame({"is_stage": [False], "is_total": [False], "stage": ["compra"], "touchpoint_name": ["Web"],
                          "n_interactions": [12_345], "csat": [80.5], "ces": [2.1], "complaint_pct": [9.0],
                          "sla_breach_pct": [45.0], "n_sla_judged": [11], "csat_vs": ["worse"], "ces_vs": ["neutral"],
                          "complaint_pct_vs": ["better"], "sla_breach_pct_vs": ["neutral"]})
    links = pd.DataFrame({"source": [0], "target": [1], "value": [1950], "color": ["#ccc"], "hover": ["de A a B"]})
    moments = pd.DataFrame({"stage": ["compra"], "touchpoint_name": ["Web"], "is_tested": [True], "churn_good": [5.5],
                            "churn_bad": [12.5], "n_good": [1400], "n_bad": [80], "is_significant": [False]})
    sentiment = pd.DataFrame({"month_start": MONTHS[:3], "n_negative": [10, 20, 5], "n_neutral": [5, 5, 5],
                              "n_positive": [1000, 30, 20], "n_unknown": [1, 2, 3], "n": [1016, 57, 33],
                              "negative_share": [1.5, 35.0, 16.7], "is_complete": [True, True, False]})
    themes = pd.DataFrame({"label": ["Precio", "Entrega"], "is_significant": [True, False],
                           "detractor_share": [30.5, 10.0], "n_detractor": [30, 10], "n_detractor_comments": [1100, 100],
                           "promoter_share": [5.0, 8.0], "n_promoter": [5, 8], "n_promoter_comments": [100, 100]})
    changes = pd.DataFrame({"label": ["Precio", "Entrega"], "delta": [4.5, -1.0], "share": [12.5, 3.0], "n": [1120, 30],
                            "prev_share": [8.0, 4.0], "prev_n": [80, 40], "p_value": [0.001, 0.4],
                            "is_significant": [True, False]})
    heat = pd.DataFrame({"theme": ["t1", "t1", "t2", "t2"], "position": [1, 1, 2, 2],
                         "label": ["Precio", "Precio", "Entrega", "Entrega"], "member": [a, b] * 2,
                         "share": [10.5, 20.0, 30.0, 40.0], "n": [10, 20, 30, 40],
                         "negative_share": [50.0, 40.0, 30.0, 20.0], "n_member": [1100, 100, 1100, 100]})
    risk = pd.DataFrame({"dimension": ["segment"] * 2, "member": ["Pymes", "Grandes cuentas"],
                         "value_at_risk": [1.2e6, 3e5], "n_at_risk": [1200, 3], "n_customers": [4000, 100]})
    points = pd.DataFrame({"band": ["high", "medium", "low"], "annual_value": [5e4, 2e4, 1e4], "score": [80.0, 50.0, 10.0],
                           "customer_id": ["C-1", "C-2", "C-3"], "value_at_risk": [4e4, 1e4, 1e3]})
    calibration = pd.DataFrame({"low": [0.0, 0.5], "high": [0.5, 1.0], "observed": [2.5, 30.5], "n": [1500, 1500],
                                "n_left": [38, 458], "predicted": [3.1, 28.4]})
    matrix = pd.DataFrame({"department": [a, b], "sla_compliance": [("met", "91,0 %"), ("missed", "60,0 %")],
                           "complaint_rate": [("close", "2,1 %"), ("no_target", "3,0 %")], "index": [95.0, 40.0]})
    quarters = pd.DataFrame({"department": [a, a, b, b], "period_start": [MONTHS[1], MONTHS[4]] * 2,
                             "index": [80.0, 90.0, np.nan, 50.0], "n_met": [4, 5, 0, 2], "n_metrics": [5, 5, 0, 4]})
    hist = pd.DataFrame({"response_mode": ["immediate", "deferred"], "low_seconds": [60.0, 3600.0],
                         "high_seconds": [600.0, 86400.0], "n": [1500, 300]})
    split = pd.DataFrame({"member": [a, b], "immediate_share": [69.5, 28.0], "n_due": [2832, 1466]})
    empty = pd.DataFrame()
    return {
        "kpi_trend": charts.kpi_trend(_trend(), "nps", TITLE, SUBTITLE, targets=targets,
                                      period=(MONTHS[1], MONTHS[3], "Periodo elegido")),
        "kpi_trend_target": charts.kpi_trend(_trend(), "csat", TITLE, SUBTITLE, target=35.0),
        "kpi_trend_weeks": charts.kpi_trend(_trend(period_start=[MONTHS[0] + dt.timedelta(weeks=i) for i in range(8)]),
                                            "nps", TITLE, grain="week"),
        "kpi_trend_quarters": charts.kpi_trend(_trend(period_start=[MONTHS[0] + pd.DateOffset(months=3 * i)
                                                                    for i in range(8)]), "nps", TITLE, grain="quarter"),
        "kpi_trend_minutes": charts.kpi_trend(_trend(value=[600.0] * 8, moe=[60.0] * 8), "first_response_written", TITLE),
        "small_multiples": charts.small_multiples(per_member, "nps", [a, b], TITLE, SUBTITLE),
        "ranked_bars": charts.ranked_bars(members, "csat", TITLE, SUBTITLE, target=80.0, dimension="Departamento"),
        "monthly_volume": charts.monthly_volume(volume),
        "sparkline": charts.sparkline(spark, "nps"),
        "nps_composition": charts.nps_composition(summary, "periodo anterior"),
        "channel_mix": charts.channel_mix(mix, "periodo anterior"),
        "nps_drivers": charts.nps_drivers(drivers, "touchpoint", TITLE, SUBTITLE),
        "journey_map": charts.journey_map(cells, ["compra", "uso"], {"compra": "1.234 contactos"}, {"uso"}, TITLE),
        "journey_sankey": charts.journey_sankey(["A", "B"], ["#000"] * 2, links, TITLE),
        "moments_of_truth": charts.moments_of_truth(moments, TITLE, SUBTITLE),
        "comment_sentiment": charts.comment_sentiment(sentiment, TITLE, SUBTITLE),
        "detractor_drivers": charts.detractor_drivers(themes, TITLE, SUBTITLE),
        "theme_changes": charts.theme_changes(changes, TITLE, SUBTITLE),
        "theme_heatmap": charts.theme_heatmap(heat, "Departamento", TITLE, SUBTITLE),
        "revenue_at_risk_bars": charts.revenue_at_risk_bars(risk, "segment", TITLE, SUBTITLE),
        "churn_risk_value": charts.churn_risk_value(points, 50.0, TITLE, SUBTITLE),
        "churn_calibration": charts.churn_calibration(calibration, TITLE, SUBTITLE),
        "alignment_matrix": charts.alignment_matrix(matrix, ["sla_compliance", "complaint_rate"], TITLE, SUBTITLE),
        "alignment_trend": charts.alignment_trend(quarters, [a, b], TITLE, SUBTITLE),
        "resolution_histogram": charts.resolution_histogram(hist, 86400.0, TITLE, SUBTITLE),
        "immediate_split": charts.immediate_split(split, TITLE, SUBTITLE),
        # what each says when there is nothing to draw
        "empty_trend": charts.kpi_trend(_trend().iloc[:0], "nps", TITLE),
        "empty_multiples": charts.small_multiples(per_member, "nps", [], TITLE),
        "empty_bars": charts.ranked_bars(members.iloc[2:], "csat", TITLE),
        "empty_volume": charts.monthly_volume(pd.DataFrame(columns=["table_name", "month_start", "n_rows"])),
        "empty_sparkline": charts.sparkline(spark.iloc[:0], "nps"),
        "empty_composition": charts.nps_composition(summary.assign(value=np.nan), "periodo anterior"),
        "empty_mix": charts.channel_mix(mix.assign(n=0), "periodo anterior"),
        "empty_drivers": charts.nps_drivers(pd.DataFrame([_driver(a, False)]), "department", TITLE),
        "empty_sankey": charts.journey_sankey([], [], links.iloc[:0], TITLE),
        "empty_moments": charts.moments_of_truth(moments.iloc[:0], TITLE),
        "empty_sentiment": charts.comment_sentiment(sentiment.iloc[:0], TITLE),
        "empty_detractors": charts.detractor_drivers(themes.iloc[:0], TITLE),
        "empty_changes": charts.theme_changes(changes.iloc[:0], TITLE),
        "empty_heatmap": charts.theme_heatmap(heat.iloc[:0], "Departamento", TITLE),
        "empty_risk": charts.revenue_at_risk_bars(risk.iloc[:0], "segment", TITLE),
        "empty_points": charts.churn_risk_value(points.iloc[:0], 50.0, TITLE),
        "empty_calibration": charts.churn_calibration(empty, TITLE),
        "empty_alignment": charts.alignment_trend(quarters, [], TITLE),
        "empty_histogram": charts.resolution_histogram(hist.iloc[:0], 86400.0, TITLE),
        "empty_split": charts.immediate_split(split.iloc[:0], TITLE),
    }


# Keys of a figure's plain data whose strings a person reads: titles, trace and legend names, point and
# bar labels, ticks, hovers, annotations, the categories an axis writes, a Sankey's node labels.
TEXT_KEYS = {"text", "name", "ticktext", "hovertemplate", "customdata", "label", "x", "y", "annotation_text"}


def _texts(value, reading: bool = False):
    if isinstance(value, str):
        if reading:
            yield value
    elif isinstance(value, dict):
        for key, v in value.items():
            yield from _texts(v, reading or key in TEXT_KEYS)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v, reading)


def _other_areas_words() -> list[str]:
    """Words the figures show from other areas' catalogs (KPI names, verdicts): their helpers translate
    them; they are taken out before looking for the charts' own English."""
    return sorted({k.label for k in KPIS.values()} | set(verdict.LABELS.values()), key=len, reverse=True)


def _english_words(language: str) -> set[str]:
    """The English text of every charts message that reads otherwise in `language`: each literal piece
    of the msgid (between its {fields} and its <br>/<b> markup) with three letters or more, unless the
    translation keeps it (NPS, CSAT, SLA)."""
    pieces = set()
    for message in catalogs.read(language, "charts"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id[:2])
        translated = " ".join([message.string] if isinstance(message.string, str) else message.string)
        for text in ids:
            for literal, *_fields in string.Formatter().parse(text):
                for piece in re.split(r"<[^>]+>", literal):
                    piece = piece.strip(" ,.;:()·–-=±%")
                    if re.search(r"[A-Za-z]{3}", piece) and piece not in translated:
                        pieces.add(piece)
    return pieces


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_no_english_word_of_the_charts_in_any_figure(language):
    with i18n.using(language):
        figures = _figures()
    english = _english_words(language)
    assert {"Month", "Better", "incomplete", "Target", "Live channels carry"} <= english
    found = {}
    for name, fig in figures.items():
        for text in _texts(fig.to_dict()):
            for word in _other_areas_words():
                text = text.replace(word, "")
            hits = [w for w in english if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]
            if hits:
                found.setdefault(name, []).append((text, hits))
    assert found == {}


@pytest.mark.parametrize("language, separators", [("en", ".,"), ("es", ",."), ("pt_BR", ",.")])
def test_every_figure_writes_numbers_with_the_locales_marks(language, separators):
    with i18n.using(language):
        figures = _figures()
        slide = charts.for_slide(figures["kpi_trend"])
    assert {name: fig.layout.separators for name, fig in figures.items()} == {name: separators for name in figures}
    assert slide.layout.separators == separators


def test_spanish_figures_have_spanish_titles_axes_legends_and_hovers():
    with i18n.using("es"):
        f = _figures()
    trend = f["kpi_trend"]
    assert trend.layout.title.text == TITLE and trend.layout.title.subtitle.text == SUBTITLE   # the caller's, once
    assert trend.layout.xaxis.title.text == "Mes"
    hovers = [row for t in trend.data if t.customdata is not None for row in t.customdata]
    assert ["septiembre de 2025", "NPS 30 ±6,0 p. p.<br>n = 2.200"] in [list(r) for r in hovers]
    assert any(r[1] == "n = 12, por debajo del mínimo de 30: no se muestra como puntuación" for r in hovers)
    assert {a.text for a in trend.layout.annotations} >= {"incompleto", "anomalía", "Objetivo<br>35", "Periodo elegido"}
    assert "Objetivo<br>35,0\xa0%" in {a.text for a in f["kpi_trend_target"].layout.annotations}
    assert f["kpi_trend_minutes"].layout.yaxis.title.text.endswith("(minutos)")
    assert {t.name for t in f["ranked_bars"].data} == {"Mejor", "Peor"}
    assert "Objetivo 80,0\xa0%" in {a.text for a in f["ranked_bars"].layout.annotations}
    assert f["channel_mix"].layout.title.text == "Canales en vivo: el 40\xa0% de 1.000 contactos"
    assert f["channel_mix"].data[-1].name == "El periodo anterior"
    assert f["nps_composition"].layout.title.text == "NPS 30 = 50\xa0% promotores − 20\xa0% detractores"
    assert [t.name for t in f["nps_composition"].data] == ["Promotores (9–10)", "Pasivos (7–8)", "Detractores (0–6)"]
    assert list(f["nps_composition"].data[0].y) == ["Antes", "Ahora"]
    assert f["nps_drivers"].layout.xaxis.title.text == "CSAT en el punto de contacto (% de respuestas 4–5)"
    assert "1 punto de contacto no mostrado: menos de 30 encuestados" in \
        f["nps_drivers"].layout.title.subtitle.text.replace("<br>", " ")
    assert f["monthly_volume"].layout.title.text == "Filas cargadas por mes"
    assert f["sparkline"].data[0].text[0] == "sept 2025: 30 · n = 1.200"
    assert f["sparkline"].data[0].text[1] == "oct 2025: menos de 30 respuestas"
    assert list(f["alignment_matrix"].data[0].x)[-1] == "<b>Índice de<br>alineación</b>"
    assert f["empty_calibration"].layout.annotations[0].text == "Aún no se ha verificado la puntuación"
    assert len(f["empty_sparkline"].layout.annotations[0].text) * 0.6 * 12 <= 180   # fits its tile


def test_portuguese_figures_have_portuguese_words():
    with i18n.using("pt_BR"):
        f = _figures()
    assert f["kpi_trend"].layout.xaxis.title.text == "Mês"
    assert {t.name for t in f["ranked_bars"].data} == {"Melhor", "Pior"}
    assert [t.name for t in f["nps_composition"].data][1] == "Neutros (7–8)"
    assert f["channel_mix"].layout.title.text == "Canais ao vivo: 40% de 1.000 contatos"
    assert f["revenue_at_risk_bars"].layout.xaxis.title.text == "Receita em risco (valor anual × risco)"
    assert "Corrigir primeiro" in {a.text.strip("<b>/") for a in f["nps_drivers"].layout.annotations}


@pytest.mark.parametrize("language, months", [
    ("es", ["sept 2025", "oct 2025", "nov 2025", "dic 2025", "ene 2026", "feb 2026", "mar 2026", "abr 2026"]),
    ("pt_BR", ["set. de 2025", "out. de 2025", "nov. de 2025", "dez. de 2025", "jan. de 2026", "fev. de 2026",
               "mar. de 2026", "abr. de 2026"])])
def test_time_axes_name_their_months_in_the_language(language, months):
    with i18n.using(language):
        f = _figures()
    axis = f["comment_sentiment"].layout.xaxis   # three months: each named
    assert axis.tickmode == "array" and list(axis.ticktext) == months[:3]
    assert [pd.Timestamp(v).date() for v in axis.tickvals] == MONTHS[:3]
    for name in ("kpi_trend", "monthly_volume"):   # eight: every other one, ending at the latest
        axis = f[name].layout.xaxis
        assert list(axis.ticktext) == months[1::2] and axis.tickangle == 0, name
        assert [pd.Timestamp(v).date() for v in axis.tickvals] == MONTHS[1::2], name
    assert f["monthly_volume"].data[0].customdata[0][0].endswith(
        {"es": "septiembre de 2025", "pt_BR": "setembro de 2025"}[language])
    # two small panels share the width: fewer names each, as many as fit
    assert list(f["small_multiples"].layout.xaxis.ticktext) == \
        {"es": [months[0], months[3], months[6]], "pt_BR": [months[2], months[6]]}[language]
    assert f["kpi_trend_quarters"].layout.xaxis.ticktext[-1] == {"es": "T2 2027", "pt_BR": "T2 de 2027"}[language]
    assert f["kpi_trend_weeks"].layout.xaxis.ticktext[-1] == {"es": "20 oct 2025", "pt_BR": "20 de out. de 2025"}[language]
    assert list(f["alignment_trend"].layout.xaxis.ticktext) == \
        {"es": ["T4 2025", "T1 2026"], "pt_BR": ["T4 de 2025", "T1 de 2026"]}[language]


def test_tick_names_are_as_many_as_fit_side_by_side():
    """Portuguese's longer month names get fewer ticks than Spanish's on the same axis, never overlapping."""
    months = pd.DataFrame({"period_start": pd.date_range("2024-12-01", periods=24, freq="MS"), "value": 30.0,
                           "moe": 2.0, "n": 500, "is_enough": True, "is_complete": True})
    for language in ("es", "pt_BR"):
        with i18n.using(language):
            ticks = list(charts.kpi_trend(months, "nps", "T").layout.xaxis.ticktext)
        assert 2 <= len(ticks) <= charts.TIME_TICKS
        assert sum(len(t) + 2 for t in ticks) <= charts.TIME_TICK_CHARS, language


def test_english_time_axes_keep_plotlys_own_ticks():
    with i18n.using("en"):
        f = _figures()
    assert f["kpi_trend"].layout.xaxis.tickformat == "%b %Y" and f["kpi_trend"].layout.xaxis.tickvals is None
    assert f["alignment_trend"].layout.xaxis.tickformat == "Q%q %y" and f["alignment_trend"].layout.xaxis.nticks == 3
    assert f["kpi_trend"].layout.xaxis.title.text == "Month"


@pytest.mark.parametrize("language, currency, prefix, suffix", [
    ("en", "EUR", "€", ""), ("es", "EUR", "", "\xa0€"), ("pt_BR", "BRL", "R$\xa0", ""), ("es", "USD", "", "\xa0US$")])
def test_money_axes_put_the_currency_where_the_locale_writes_it(monkeypatch, language, currency, prefix, suffix):
    """English keeps Plotly's SI ticks after the symbol ("€1.2M"); other languages get round amounts
    written as fmt.money writes them ("500 mil €", "1,00 M €", "R$ 1,00 mi"), Plotly's "k" being English."""
    monkeypatch.setenv("CX_CURRENCY", currency)
    revenue = pd.DataFrame({"period_start": MONTHS[:3], "value": [4.1e6, 4.3e6, 4.2e6], "moe": [np.nan] * 3,
                            "n": [900] * 3, "is_enough": [True] * 3, "is_complete": [True] * 3})
    risk = pd.DataFrame({"dimension": ["segment"], "member": ["Pymes"], "value_at_risk": [1_234_567.0],
                         "n_at_risk": [12], "n_customers": [400]})
    points = pd.DataFrame({"band": ["high", "low"], "annual_value": [5e4, 8e5], "score": [80.0, 20.0],
                           "customer_id": ["C-1", "C-2"], "value_at_risk": [4e4, 1e4]})
    with i18n.using(language):
        axes = [charts.kpi_trend(revenue, "revenue", "T").layout.yaxis,
                charts.revenue_at_risk_bars(risk, "segment", "T").layout.xaxis,
                charts.churn_risk_value(points, 50.0, "T").layout.xaxis]
        written = {v: charts.fmt.money(v) for a in axes for v in (a.tickvals or [])}
    if language == "en":
        assert [(a.tickprefix, a.ticksuffix or "", a.tickformat) for a in axes] == [(prefix, "", "~s")] * 3
        return
    assert all(not a.tickprefix and not a.ticksuffix and a.tickmode == "array" for a in axes)
    for a in axes:
        assert list(a.ticktext) == [written[v] for v in a.tickvals]
        assert all(t.startswith(prefix) and t.endswith(suffix) and "k" not in t for t in a.ticktext)
    assert list(axes[1].tickvals) == [0, 500_000, 1_000_000, 1_500_000]   # the bars' range, 0 to 1.54 M
    assert list(axes[2].tickvals) == [10_000, 100_000, 1_000_000]          # a log axis: powers of ten
    assert min(axes[0].tickvals) <= 4.1e6 and max(axes[0].tickvals) >= 4.3e6


@pytest.mark.parametrize("language, suffix", [("en", "%"), ("es", "\xa0%"), ("pt_BR", "%")])
def test_percent_axes_write_the_locales_percent_sign(language, suffix):
    with i18n.using(language):
        f = _figures()
    for name, axis in (("kpi_trend_target", "yaxis"), ("nps_composition", "xaxis"), ("channel_mix", "xaxis"),
                       ("immediate_split", "xaxis"), ("churn_calibration", "yaxis")):
        assert f[name].layout[axis].ticksuffix == suffix, name


def test_a_sparklines_longer_axis_ends_get_room_at_its_right():
    """"19,0 M US$" is three characters longer than "$19.0 M": the tile's margin grows with it."""
    spark = pd.DataFrame({"month_start": MONTHS[:3], "value": [12.7e6, 19.0e6, 15.0e6], "n": [np.nan] * 3,
                          "is_complete": [True] * 3})
    with i18n.using("en"):
        english = charts.sparkline(spark, "revenue")
    with i18n.using("es"):
        spanish = charts.sparkline(spark, "revenue")
    assert english.layout.margin.r == 48 and english.layout.yaxis.ticktext[1] == "$19.0 M"
    assert spanish.layout.yaxis.ticktext[1] == "19,0\xa0M\xa0US$"
    assert spanish.layout.margin.r >= charts.SPARK_CHAR_PX * len("19,0 M US$")
