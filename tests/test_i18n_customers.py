"""The customers area (journey map, voice of the customer, churn alerts) in Spanish and Portuguese:
the sentences its modules build, with the locale's numbers, and the three pages in the real app
(AppTest with ?lang=), which show no English of the product's own."""
import datetime as dt
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cxdata import i18n, themes, voice
from cxdata.churn import alerts, checks, features, model
from cxdata.i18n import catalogs
from tests.conftest import ROOT

NBSP = "\u00a0"   # Spanish writes a (no-break) space before the percent sign


# ---- Sentences built by the modules ---------------------------------------------------------------

def test_a_reason_is_stored_as_values_and_worded_in_the_language_of_whoever_reads_it():
    row = pd.Series({"n_complaints_90d": 1234, "spend_90d": 55.0, "spend_prior_90d": 100.0, "nps_mean_365d": 5.46})
    stored = dict(features.reason_values(row, ["complaints", "spend_down", "nps_year"]))
    assert stored == {"complaints": "[1234]", "spend_down": "[45]", "nps_year": "[5.5]"}   # no words kept
    words = {}
    for language in ("en", "es", "pt_BR"):
        with i18n.using(language):
            words[language] = [features.reason_words(k, v) for k, v in stored.items()]
    assert words["en"] == ["1,234 complaints in the last 90 days", "spend down 45% on the previous quarter",
                           "NPS answers averaged 5.5 over the past year"]
    assert words["es"] == ["1.234 quejas en los últimos 90 días", f"gasto un 45{NBSP}% menor que el trimestre anterior",
                           "Respuestas NPS con media de 5,5 en el último año"]
    assert words["pt_BR"] == ["1.234 reclamações nos últimos 90 dias", "gasto 45% menor que no trimestre anterior",
                              "Respostas NPS com média de 5,5 no último ano"]


def test_reasons_count_in_each_language_and_old_stored_words_stay_as_they_are():
    with i18n.using("es"):
        assert features.reason_words("failed_payments", "[1]") == "1 pago fallido en los últimos 90 días"
        assert features.reason_words("failed_payments", "[2]") == "2 pagos fallidos en los últimos 90 días"
        assert features.reason_words("nps_fell", "[9, 4]") == "El NPS bajó de 9 a 4"
        # a database scored before reasons were kept as values: its words are shown as stored
        assert features.reason_words("complaints", "3 complaints in the last 90 days") == "3 complaints in the last 90 days"
    with i18n.using("pt_BR"):
        assert features.reason_words("new_customer", "[1]") == "cliente há apenas 1 dia"
        assert features.reason_words("new_customer", "[45]") == "cliente há apenas 45 dias"


def test_the_explicit_warning_signs_lead_the_reasons_in_the_language_of_the_run():
    listed = pd.DataFrame({"customer_id": ["Q1"], "rules": [["detractor_open_complaint"]], "nps_last": [3.0],
                           "reason_keys": [["complaints", "nps_low"]], "reasons": [["[2]", "[3]"]]})
    with i18n.using("es"):
        reasons = alerts.with_explicit_reasons(listed).iloc[0]["reasons"]
    assert reasons == ["detractor (última respuesta NPS: 3) con una queja aún abierta",
                       "2 quejas en los últimos 90 días"]   # the detractor reason is said once, by the sign


def _held_up() -> pd.DataFrame:
    return pd.DataFrame({"low": [0.1, 5.2], "high": [5.2, 90.0], "observed": [1.0, 19.7], "predicted": [1.2, 20.0],
                         "n": [4000, 1204]})


def test_the_calibration_sentence_in_spanish_and_portuguese():
    info = {"trained_on": [dt.date(2025, 3, 1), dt.date(2025, 12, 1)]}
    with i18n.using("es"):
        assert checks.sentence(_held_up(), info) == (
            "De los 1.204 clientes con las puntuaciones más altas (5 o más) en fechas pasadas entre mar 2025 y "
            f"dic 2025, el **19,7{NBSP}%** se fue en 90 días; sus puntuaciones decían 20,0{NBSP}%.")
        assert checks.sentence(_held_up(), {"trained_on": None}, markdown=False) == (
            "De los 1.204 clientes con las puntuaciones más altas (5 o más) en fechas pasadas, el "
            f"19,7{NBSP}% se fue en 90 días; sus puntuaciones decían 20,0{NBSP}%.")
        assert checks.average_gap(_held_up()) == ("En los 5.204 clientes comprobados, puntuaciones y bajas difieren "
                                                  "de media 0,2 puntos.")
    with i18n.using("pt_BR"):
        assert checks.sentence(_held_up(), {"trained_on": [dt.date(2025, 12, 1)]}) == (
            "Dos 1.204 clientes com as pontuações mais altas (5 ou mais) em datas passadas de dez. de 2025, "
            "**19,7%** saíram em até 90 dias; as pontuações diziam 20,0%.")


def test_the_method_note_names_the_model_families_in_the_language_of_the_run():
    info = {"family": model.TREES, "auc_logistic": 0.712, "auc_trees": 0.781, "n_check": 4367, "n_check_churners": 152}
    with i18n.using("es"):
        note = checks.method_note(info)
    assert note.startswith("Se entrenaron dos modelos con el 70 % de los clientes; los 4.367 clientes reservados "
                           "(de los que 152 se fueron)")
    assert "El modelo de árboles potenciados por gradiente situó" in note and "y el de regresión logística, 71" in note


def test_alert_sentences_statuses_and_rules_in_portuguese():
    with i18n.using("pt_BR"):
        assert alerts.alerts_sentence(1204, 5, 1204, alerts.Rules()) == (
            "1.204 alertas abertos: 5 clientes com pontuação de risco de 30 ou mais e 1.199 gerados por um único sinal "
            "de alerta (detrator com reclamação aberta, pediu cancelamento e pagamento recusado não recuperado).")
        assert alerts.alerts_sentence(0, 0, 0, alerts.Rules(threshold=42.5, signals=())) == (
            "Nenhum alerta aberto: nenhum cliente tem pontuação de risco de 42,5 ou mais.")
        assert [alerts.status_label(s) for s in alerts.STATUSES] == [
            "Novo", "Recebido", "Plano em andamento", "Fechado: retido", "Fechado: perdido"]
        assert alerts.rule_label("failed_payment") == "Pagamento recusado não recuperado"
        assert alerts.status_label("plan") == "Plano em andamento"
    with i18n.using("es"):
        summary = pd.DataFrame({"dimension": ["segment", "segment"], "member": ["SMB", "Enterprise"],
                                "value_at_risk": [750.0, 250.0]})
        assert alerts.concentration_title(summary, "segment") == f"SMB concentra el 75{NBSP}% de los ingresos en riesgo"


def test_exported_columns_and_statuses_are_translated_and_the_store_keeps_its_keys():
    listed = pd.DataFrame({"customer_id": ["C1"], "name": ["Ana"], "status": ["plan"], "rules": [["score"]],
                           "reasons": [["2 quejas en los últimos 90 días"]], "next_renewal_on": [None],
                           "expected_purchase_on": [None]})
    with i18n.using("es"):
        out = alerts.export_frame(listed)
    assert {"Id. de cliente", "Motivos principales", "Estado", "Alertas"} <= set(out.columns)
    assert out.iloc[0]["Estado"] == "Plan en marcha" and out.iloc[0]["Alertas"] == "Puntuación de riesgo alta"
    assert listed.iloc[0]["status"] == "plan"


def test_theme_labels_are_in_the_catalogs_and_shown_translated():
    labels = {label: line for label, path, line in themes.messages()}
    shipped = themes.load_rules(themes.DEFAULT_FILE).themes
    assert set(labels) == {t.label for t in shipped}
    lines = themes.DEFAULT_FILE.read_text(encoding="utf-8").splitlines()
    assert all(f'"{label}"' in lines[line - 1] for label, line in labels.items())
    english = {m.id for m in catalogs.read("en", "customers")}
    assert set(labels) <= english
    frame = pd.DataFrame({"theme": ["billing", "own"], "label": ["Billing and price", "Our own theme"]})
    with i18n.using("pt_BR"):
        assert voice._labelled(frame)["label"].tolist() == ["Cobrança e preço", "Our own theme"]   # a company's own stays
        assert voice.sentiment_word("negative") == "negativo" and voice.language_name("es") == "Espanhol"


def test_the_sentiment_title_in_spanish():
    monthly = pd.DataFrame({"month_start": pd.to_datetime(["2025-11-01", "2025-12-01", "2026-01-01"]),
                            "n": [100, 100, 100], "n_unknown": [0, 0, 0], "n_negative": [20, 31, 15],
                            "negative_share": [20.0, 31.0, 15.0], "is_complete": [True, True, True]})
    with i18n.using("es"):
        assert voice.sentiment_title(monthly, min_n=1) == (
            f"Los comentarios negativos tocaron techo en dic 2025: 31{NBSP}% frente al 22{NBSP}% de los meses mostrados")
        assert voice.sentiment_title(monthly, "Billing", min_n=1).startswith("Los comentarios negativos sobre billing")


# ---- The pages in the real app --------------------------------------------------------------------

@pytest.fixture
def page(demo_march, monkeypatch):
    monkeypatch.setenv("CX_DB", str(demo_march))
    for name in ("CX_COMPANY", "CX_CHURN_THRESHOLD", "CX_CHURN_SIGNALS", "CX_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)

    def run(path: str, lang: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
        at.query_params["lang"] = lang
        at.switch_page(path)
        at.run()
        assert not at.exception, at.exception
        return at
    return run


def _shown(at: AppTest) -> str:
    """The text the page itself shows (not the glossary quoted in How this is computed, not the frame's sidebar)."""
    glossary = {m.value for e in at.expander for m in e.markdown if m.value.startswith("**") and ".** " in m.value}
    texts = [e.value for kind in ("title", "subheader", "caption", "markdown", "info", "warning")
             for e in getattr(at, kind) if e.value not in glossary]
    texts += [t for m in at.metric for t in (m.label, m.value, m.proto.help)]
    texts += [e.label for e in at.expander]
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec).get("layout", {}).get("title", {})
        texts.append(title.get("text", "") if isinstance(title, dict) else str(title))
    for table in at.dataframe:
        texts += [str(c) for c in table.value.columns]
        texts += [v for v in table.value.astype(str).to_numpy().ravel().tolist()[:400]]
        texts += [c.get("label", "") for c in json.loads(table.proto.columns or "{}").values()]
    return "\n".join(str(t) for t in texts if t)


def _english_left(shown: str, language: str) -> list[str]:
    """The customers area's English sentences (the literal parts of its msgids, 20 characters or more,
    whose translation differs) that appear in the page's text."""
    translated = {m.id: m.string for m in catalogs.read(language, "customers") if m.id}
    found = []
    for key, string in translated.items():
        forms = key if isinstance(key, tuple) else (key,)
        strings = string if isinstance(string, tuple) else (string,)
        for form in forms:
            if form in strings:
                continue
            found += [part for part in re.split(r"\{[a-z_]+\}", form) if len(part.strip()) >= 20 and part in shown]
    return found


LOCALE_COUNT = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")        # 1.234 in es and pt-BR
LOCALE_SHARE = re.compile(r"\d+,\d(?:\u00a0%|%)")            # 19,3 % (es) / 19,3% (pt-BR)


@pytest.mark.parametrize("lang, words", [
    ("es", {"title": "Alertas de abandono", "tiles": ["Ingresos en riesgo", "Clientes en riesgo alto", "Alertas abiertas",
                                                      "Días medios hasta el cierre", "Retenidos y conservados"],
            "heads": ["Clientes en riesgo", "Seguimiento de una alerta"], "model": "trimestres-cliente",
            "held_up": "clientes con las puntuaciones más altas", "reasons": "Motivos principales",
            "filters": ["Generada por", "Responsable", "Motivo", "Estado"], "status": "Nueva"}),
    ("pt-BR", {"title": "Alertas de churn", "tiles": ["Receita em risco", "Clientes em risco alto", "Alertas abertos",
                                                      "Dias médios até o fechamento", "Retidos e mantidos"],
               "heads": ["Clientes em risco", "Acompanhar um alerta"], "model": "trimestres-cliente",
               "held_up": "clientes com as pontuações mais altas", "reasons": "Principais motivos",
               "filters": ["Gerado por", "Responsável", "Motivo", "Status"], "status": "Novo"}),
])
def test_the_churn_page_in_spanish_and_portuguese(page, lang, words):
    at = page("pages/churn.py", lang)
    assert at.title[0].value == words["title"]
    assert [m.label for m in at.metric] == words["tiles"]
    assert [s.value for s in at.subheader] == words["heads"]
    assert any(words["model"] in c.value and LOCALE_COUNT.search(c.value) for c in at.caption)
    held_up = next(m.value for m in at.markdown if words["held_up"] in m.value)
    assert re.search(r"\*\*\d+,\d(\u00a0%|%)\*\*", held_up)     # the share in bold, with a decimal comma
    assert [w.label for w in at.multiselect][:4] == words["filters"]   # then the sidebar's
    assert words["status"] in at.multiselect[3].options
    table = at.dataframe[0].value
    assert words["reasons"] in table.columns
    reasons = " ".join(table[words["reasons"]])
    assert "last 90 days" not in reasons and ("últimos 90" in reasons)
    shown = _shown(at)
    assert LOCALE_SHARE.search(shown)
    assert _english_left(shown, lang.replace("-", "_")) == []


@pytest.mark.parametrize("lang, words", [
    ("es", {"title": "Mapa del recorrido del cliente", "heads": ["Cómo avanzan los clientes por el recorrido",
                                                                 "Momentos de la verdad: dónde una mala experiencia hace perder clientes",
                                                                 "Detalle"],
            "moment": "es el momento de la verdad", "stage": "Etapa", "paths": "clientes por las etapas"}),
    ("pt-BR", {"title": "Mapa da jornada do cliente", "heads": ["Como os clientes avançam pela jornada",
                                                                "Momentos da verdade: onde uma experiência ruim faz perder clientes",
                                                                "Detalhamento"],
               "moment": "é o momento da verdade", "stage": "Etapa", "paths": "clientes pelas etapas"}),
])
def test_the_journey_page_in_spanish_and_portuguese(page, lang, words):
    at = page("pages/journey.py", lang)
    assert at.title[0].value == words["title"]
    assert [s.value for s in at.subheader] == words["heads"]
    moment = next(m.value for m in at.markdown if words["moment"] in m.value)
    assert LOCALE_SHARE.search(moment) and LOCALE_COUNT.search(moment)
    assert at.selectbox(key="journey_stage").label == words["stage"]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(words["paths"] in t and LOCALE_COUNT.search(t) for t in titles)
    drops = at.dataframe[0].value
    assert drops["no_further_pct"].str.contains(",").all()        # shares written with a decimal comma
    shown = _shown(at)
    assert _english_left(shown, lang.replace("-", "_")) == []


@pytest.mark.parametrize("lang, words", [
    ("es", {"title": "Voz del cliente", "tiles": ["Comentarios", "Comentarios negativos", "Sentimiento desconocido"],
            "heads": ["Frases que distinguen a los detractores", "Qué dicen los clientes"],
            "pickers": ["Tema en el tiempo", "Tema", "Sentimiento", "Idioma"], "theme": "Facturación y precio",
            "sentiment": "negativo"}),
    ("pt-BR", {"title": "Voz do cliente", "tiles": ["Comentários", "Comentários negativos", "Sentimento desconhecido"],
               "heads": ["Expressões que distinguem os detratores", "O que os clientes dizem"],
               "pickers": ["Tema ao longo do tempo", "Tema", "Sentimento", "Idioma"], "theme": "Cobrança e preço",
               "sentiment": "negativo"}),
])
def test_the_voice_page_in_spanish_and_portuguese(page, lang, words):
    at = page("pages/voice.py", lang)
    assert at.title[0].value == words["title"]
    tiles = {m.label: m.value for m in at.metric}
    assert set(words["tiles"]) <= set(tiles)
    assert LOCALE_COUNT.search(tiles[words["tiles"][0]]) and LOCALE_SHARE.search(tiles[words["tiles"][1]])
    assert [s.value for s in at.subheader] == words["heads"]
    assert [w.label for w in at.selectbox if w.key and w.key.startswith("voice_")] == words["pickers"]
    theme = at.selectbox(key="voice_theme")
    assert words["theme"] in theme.options
    comments = next(d.value for d in at.dataframe if "comment" in d.value.columns)
    assert words["sentiment"] in set(comments["sentiment"])
    assert comments["themes"].str.contains(words["theme"], regex=False).any()
    shown = _shown(at)
    assert _english_left(shown, lang.replace("-", "_")) == []
