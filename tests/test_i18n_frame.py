"""The frame in Spanish and Portuguese: the sidebar, the notices, the verdict words, the drill-down's
count and the Definitions page, chosen by ?lang=, by CX_LANGUAGE, or ignored when unknown."""
import datetime as dt

import pandas as pd
import pytest

from cxdata import data_status, drill, filters, glossary, i18n, metrics, verdict
from tests.test_app import _starter

NPS_ES = "Net Promoter Score: de los clientes que respondieron"
NPS_PT = "Net Promoter Score: dos clientes que responderam"


@pytest.fixture
def app(tiny_db, monkeypatch):
    """The app on the tiny data, with no language setting: the URL or the test's setting chooses."""
    monkeypatch.delenv(i18n.LANGUAGE_ENV, raising=False)
    return _starter(tiny_db, monkeypatch)


def sidebar(at) -> dict:
    """The frame's own words in the sidebar: its header, the boxes' labels and the period's caption."""
    return {"header": [h.value for h in at.sidebar.header],
            "boxes": [s.label for s in at.sidebar.selectbox] + [m.label for m in at.sidebar.multiselect],
            "placeholders": {m.placeholder for m in at.sidebar.multiselect},
            "captions": " ".join(c.value for c in at.sidebar.caption)}


def test_the_sidebar_in_spanish(app):
    at = app(lang="es")
    assert not at.exception
    shown = sidebar(at)
    assert shown["header"] == ["Filtros"]
    assert shown["boxes"] == ["Periodo", "Comparar con", "Idioma", "Segmento", "Región", "Plan", "Canal",
                              "Departamento", "Etapa del recorrido"]
    assert shown["placeholders"] == {"Todos"}
    # the tiny data ends on 5 Mar 2026: its last 90 days, with Spanish dates
    assert "6 dic 2025 – 5 mar 2026 (termina en el último día completo de datos" in shown["captions"]
    period = at.sidebar.selectbox[0]
    assert period.value == "90d"
    assert period.options == ["Últimos 30 días", "Últimos 90 días", "Trimestre en curso", "Año en curso",
                              "Últimos 12 meses", "Rango personalizado"]
    assert at.sidebar.selectbox[1].options == ["periodo anterior", "trimestre anterior a la fecha",
                                               "mismo periodo del año anterior"]
    language = at.sidebar.selectbox[2]
    assert language.value == "es" and language.options == ["English", "Español", "Português (Brasil)"]
    assert at.query_params["lang"] == "es"


def test_the_sidebar_in_portuguese(app):
    at = app(lang="pt-BR")
    assert not at.exception
    shown = sidebar(at)
    assert shown["header"] == ["Filtros"]
    assert shown["boxes"][:3] == ["Período", "Comparar com", "Idioma"]
    assert shown["boxes"][3:] == ["Segmento", "Região", "Plano", "Canal", "Departamento", "Etapa da jornada"]
    assert "6 de dez. de 2025 – 5 de mar. de 2026 (termina no último dia completo de dados" in shown["captions"]
    assert at.sidebar.selectbox[0].options[3] == "Ano até hoje"
    assert at.sidebar.selectbox[2].value == "pt_BR"


def test_the_definitions_page_in_spanish_and_portuguese(app):
    at = app("pages/definitions.py", lang="es")
    assert not at.exception
    assert at.title[0].value == "Definiciones"
    assert [s.value for s in at.subheader][:3] == ["Cómo se sienten los clientes", "Cómo se atiende a los clientes",
                                                   "Cuánto valen los clientes"]
    assert at.text_input[0].label == "Buscar un término"
    assert any(m.value.startswith("**NPS**  \n" + NPS_ES) for m in at.markdown)
    assert not any("Net Promoter Score: of the customers" in m.value for m in at.markdown)
    # a search reads the Spanish text
    at.text_input[0].input("abandono").run()
    assert "Tasa de abandono" in " ".join(m.value for m in at.markdown)
    at.text_input[0].input("cuántico").run()
    assert at.info[0].value == "Ninguna definición menciona “cuántico”."

    at = app("pages/definitions.py", lang="pt-BR")
    assert at.title[0].value == "Definições"
    assert any(m.value.startswith("**NPS**  \n" + NPS_PT) for m in at.markdown)
    assert "Status em relação à meta" in " ".join(m.value for m in at.markdown)


def test_an_unknown_language_is_ignored_with_a_notice_in_english(app):
    at = app(lang="xx")
    assert not at.exception
    assert any("Ignored unknown language 'xx'; showing English." in w.value for w in at.warning)
    assert [h.value for h in at.sidebar.header] == ["Filters"]
    assert at.sidebar.selectbox[0].label == "Period"


def test_the_deployment_language_when_the_link_names_none(app, monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_ENV, "es")
    at = app()
    assert not at.exception
    assert [h.value for h in at.sidebar.header] == ["Filtros"]
    assert at.sidebar.selectbox[0].label == "Periodo"
    assert "lang" not in at.query_params   # a deployment's language is not written into shared links


def test_a_notice_about_the_url_in_spanish(app):
    at = app(lang="es", period="forever", region=["Europe", "Atlantis"])
    notices = " ".join(w.value for w in at.warning)
    assert "Se ignoró el periodo desconocido 'forever'; se muestran los últimos 90 días." in notices
    assert "Se ignoraron valores desconocidos de región: 'Atlantis'." in notices


# ---- The frame's sentences, built in each language ------------------------------------------------

def test_notices_and_labels_built_in_portuguese():
    with i18n.using("pt_BR"):
        view = filters.from_query_params({"compare": ["decade"], "segment": list("abcde")},
                                         {"segment": []}, dt.date(2026, 3, 5))
        assert view.notices == [
            "Comparação desconhecida 'decade' ignorada; comparando com o período anterior.",
            "Valores desconhecidos de segmento ignorados: 'a', 'b', 'c' e mais 2."]
        assert filters.preset_label("quarter") == "Trimestre até hoje"
        assert metrics.EVERYTHING.missing("nps") is None
        late = metrics.Coverage({"customers.customer_id": None, "customers.churned_on": dt.date(2025, 3, 1)})
        assert late.missing("churn_rate", dt.date(2025, 1, 1)) == \
            "a data de churn (customers.churned_on) não foi carregada antes de mar. de 2025"


@pytest.mark.parametrize("language, badge, fragment, clause, few", [
    ("es", "cerca · objetivo 90,0\u00a0%", "no tiene datos para evaluarlo frente a su objetivo de 90,0\u00a0%",
     "NPS y CSAT no cumplen sus objetivos; Cumplimiento del SLA está cerca de su objetivo",
     "A, B y 3 KPI más"),
    ("pt_BR", "perto · meta 90,0%", "não tem dados para ser avaliado frente à meta de 90,0%",
     "NPS e CSAT não atingem as metas; Cumprimento do SLA está perto da meta",
     "A, B e mais 3 KPIs"),
])
def test_the_verdict_words_in_each_language(language, badge, fragment, clause, few):
    with i18n.using(language):
        sla = verdict.label("met")
        assert verdict.badge("sla_compliance", "close", 90.0) == badge
        assert verdict.fragment("sla_compliance", "no_data", 90.0) == fragment
        judged = [("NPS", "missed"), ("CSAT", "missed"), (metrics.KPIS["sla_compliance"].label, "close")]
        assert verdict.targets_clause([(i18n._(name), v) for name, v in judged]) == clause
        assert verdict.few(list("ABCDE")) == few
        assert sla in ("cumplido", "atingida")


def test_the_drill_count_and_headings_in_spanish():
    rows = pd.DataFrame({"feedback_id": range(3)})
    with i18n.using("es"):
        found = drill.Drill("nps", "answers", rows, 1204, None)
        assert found.count_line(shown=2) == \
            "1.204 respuestas; se muestran las primeras 2 filas y la descarga contiene las primeras 3"
        assert drill.ROWS_OF["csat"].count(1) == "1 respuesta"
        assert list(drill.shown(pd.DataFrame({"x": [True, False]}))["x"]) == ["sí", "no"]


def test_the_glossary_is_cached_in_english_and_shown_in_the_run_language():
    english = glossary.entries()
    with i18n.using("es"):
        nps = glossary.pick("NPS")[0]
        assert nps.text.startswith(NPS_ES) and "Cómo se sienten los clientes" in glossary.groups()
        assert glossary.kpi_term(i18n._("First response (live)")) == "First response (live and written)"
    assert glossary.entries() is english and english[0].text.startswith("Net Promoter Score: of the")
    # every group title, term and paragraph is a message of the catalogs, at its line in the file
    messages = list(glossary.messages())
    assert ("How customers feel", "docs/definitions.md", 14) in messages
    assert {m[0] for m in messages} >= {e.term for e in english} | {p for e in english for p in e.paragraphs}


def test_the_data_page_words_in_portuguese():
    volume = pd.DataFrame({"table_name": ["feedback"] * 5, "month_start": pd.to_datetime(
        ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01"]), "n_rows": [0] * 5})
    with i18n.using("pt_BR"):
        assert data_status.volume_headline(volume) == \
            "Feedback não tem linhas em jan. de 2025, fev. de 2025, mar. de 2025 e em mais 2"
