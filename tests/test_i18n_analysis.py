"""The analysis pages (executive overview, KPI trends, department scorecards, service levels) in Spanish
and Brazilian Portuguese: their sentence builders word each finding as one whole sentence with the
locale's numbers and dates, and each page, opened with ?lang=, shows its own words in that language
and no English sentence of the analysis catalog."""
import datetime as dt
import re

import pandas as pd
import pytest

from cxdata import departments, drivers, i18n, overview, service, trends
from cxdata.filters import Filters, ViewState
from cxdata.i18n.catalogs import read
from tests.test_app import _starter

NOV = Filters(dt.date(2026, 9, 2), dt.date(2026, 11, 30))
FACTS = {"newest_on": dt.date(2026, 11, 30), "oldest_on": dt.date(2024, 12, 1),
         "last_complete_on": dt.date(2026, 11, 30), "last_loaded_utc": pd.Timestamp("2026-12-01 09:12", tz="UTC")}
MISS = pd.DataFrame([dict(scope="Billing", is_company=False, kpi="sla_compliance", label="SLA compliance",
                          value=73.8, moe=1.6, n=2694, target=90.0, shortfall=16.2, quarters_missed=8,
                          quarters_seen=8, since=pd.Timestamp("2025-01-01"))])
MOVER = pd.DataFrame([dict(dimension="segment", dimension_label="Segment", member="SMB", kpi="csat",
                           label="CSAT", value=71.2, moe=2.0, prev_value=77.3, delta=-6.1, company_delta=-1.0,
                           company_is_significant=True, excess=-5.1, p_value=0.0004, n=800, prev_n=790,
                           z=3.5, is_better=False)])


def plain(text) -> str:
    """Text with the locale's non-breaking spaces ("82,6\u00a0%") as plain ones, to compare with a literal."""
    return text.replace("\u00a0", " ") if isinstance(text, str) else [plain(t) for t in text]


def _attention(misses=MISS, movers=MOVER, view=ViewState(NOV, "90d", "previous")):
    data = overview.OverviewData(summary=pd.DataFrame(), trends=pd.DataFrame(), targets={}, movers=movers,
                                 misses=misses, channels=pd.DataFrame())
    return overview.attention(data, view)


# ---- Sentence builders --------------------------------------------------------------------------------

def test_the_overview_lines_in_spanish_and_portuguese():
    with i18n.using("es"):
        assert plain(overview.freshness_line(FACTS)) == "Datos hasta el 30 nov 2026, cargados el 1 dic 2026 a las 09:12 UTC"
        assert overview.filters_line(NOV) == "Todos los clientes, canales y departamentos"
        narrowed = overview.filters_line(NOV.replace(segment=["SMB"], channel=["chat"]))
        assert plain(narrowed).endswith("(abandono, clientes e ingresos: sin filtrar por canales)")
        gap = overview.comparison_gaps(ViewState(Filters(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), "custom"), FACTS)
        assert plain(gap) == ["El periodo de comparación empieza el 4 jul 2024, antes del primer registro (1 dic 2024): "
                       "no se muestran las variaciones de contactos, clientes, abandono e ingresos."]
    with i18n.using("pt_BR"):
        assert plain(overview.freshness_line(FACTS)) == ("Dados até 30 de nov. de 2026, carregados em 1 de dez. de 2026 "
                                                  "às 09:12 UTC")
        assert "frente" not in overview.period_line(ViewState(NOV, "90d", "previous"))
        assert "em relação ao" in overview.period_line(ViewState(NOV, "90d", "previous"))


def test_a_standing_miss_and_a_mover_read_as_whole_sentences():
    with i18n.using("es"):
        miss, mover = _attention()
        assert plain(miss.text) == ("El cumplimiento del SLA de **Billing** es de 73,8 % y no alcanza su objetivo de 90,0 % "
                             "en el periodo 2 sept 2026 – 30 nov 2026; por debajo del objetivo en todos los "
                             "trimestres desde el T1 2025.")
        assert "n = 2.694" in miss.help
        assert plain(mover.text) == ("**Segmento SMB**: CSAT bajó 6,1 p. p. hasta 71,2 % frente al periodo anterior, más "
                              "que la bajada de 1,0 p. p. del conjunto de la vista.")
        company = _attention(MISS.assign(is_company=True, scope="Company", quarters_missed=2, quarters_seen=8,
                                         value=87.0, since=pd.Timestamp("2026-07-01")), MOVER.iloc[0:0])[0]
        assert plain(company.text) == ("El cumplimiento del SLA de **la empresa** es de 87,0 %, cerca de su objetivo de "
                                "90,0 %, en el periodo 2 sept 2026 – 30 nov 2026; por debajo del objetivo en cada "
                                "uno de los últimos 2 trimestres, desde el T3 2026.")
    with i18n.using("pt_BR"):
        miss, mover = _attention()
        assert plain(miss.text).startswith("O cumprimento do SLA de **Billing** é de 73,8% e não atinge a meta de 90,0%")
        assert plain(mover.text).startswith("**Segmento SMB**: CSAT caiu 6,1 p.p., para 71,2%, em relação ao período anterior")
        filtered = ViewState(NOV.replace(segment=["SMB"]), "90d")
        assert _attention(MISS.assign(is_company=True), MOVER.iloc[0:0], filtered)[0].text.startswith(
            "O cumprimento do SLA desta **visão**")


def test_a_season_is_said_without_verb_agreement_traps():
    summary = pd.DataFrame([dict(kpi="nps", label="NPS", verdict="significant change", is_better=False),
                            dict(kpi="csat", label="CSAT", verdict="significant change", is_better=False)])
    with i18n.using("es"):
        said = overview.company_moves(summary, ViewState(NOV, "90d", "previous"))
    assert plain(said).startswith("En el conjunto de la vista, hubo un empeoramiento significativo en NPS y CSAT frente al "
                           "periodo anterior.")


def test_the_alignment_and_sla_titles_in_spanish():
    matrix = pd.DataFrame([{"department": d, "index": i, "n_metrics": n}
                           for d, i, n in [("Marketing", 100.0, 2), ("IT", 98.6, 6), ("Billing", 34.0, 6)]])
    with i18n.using("es"):
        assert plain(departments.headline(matrix)) == ("Marketing lidera la alineación con 100 sobre 100 (a partir de 2 métricas "
                                                "con objetivo); Billing queda a la cola con 34")
        by = pd.DataFrame([{"member": m, "sla_compliance": v, "n_sla_judged": n}
                           for m, v, n in [("Support", 91.0, 400), ("Legal", 20.0, 5)]])
        levels = service.Levels(service.Settings(180.0, 86400.0),
                                pd.Series({"n_contacts": 1000, "sla_compliance": 88.4}), {"department": by})
        assert plain(service.headline(levels)) == "Legal: 20 % dentro del SLA sobre 5 contactos (total: 88 %)"
    with i18n.using("pt_BR"):
        assert departments.headline(matrix).endswith("Billing fica por último, com 34")


def test_trend_sentences_name_periods_as_the_locale_does():
    flagged = pd.DataFrame([dict(period_start=dt.date(2026, 1, 1), value=79.6, expected=89.0, deviation=-3.14,
                                 is_anomaly=True)])
    with i18n.using("es"):
        assert plain(trends.anomaly_sentences(flagged, "sla_compliance", "month")) == [
            "Cumplimiento del SLA en enero de 2026, 79,6 %, queda por debajo del 89,0 % que anticipa su historial "
            "reciente, en 3,1 veces su variación habitual."]
        assert trends.period_name(dt.date(2026, 10, 1), "quarter") == "T4 2026"
        assert plain(trends.span((dt.date(2026, 9, 2), dt.date(2026, 11, 30)))) == "2 sept – 30 nov 2026"
    with i18n.using("pt_BR"):
        assert trends.period_name(dt.date(2026, 11, 2), "week").startswith("semana de 2 de nov.")


def test_the_drivers_finding_in_portuguese():
    row = dict(dimension="touchpoint", member="invoice", quadrant="fix first", importance=41.6, reach=30.0,
               is_supported=True, nps_bad=-12.0, nps_good=29.6, importance_moe=6.2, n_bad=1204, n_good=3100,
               performance=61.5, performance_line=82.4, performance_n=2050, importance_line=20.0,
               is_significant=True)
    with i18n.using("pt_BR"):
        said = plain(drivers.drivers_sentence(pd.DataFrame([row])))
    assert said.startswith("Prioridade: o ponto de contato invoice — clientes com uma experiência ruim nesse ponto têm "
                           "um NPS 42 pontos menor")
    assert "n = 1.204 com experiência ruim" in said and "CSAT de 82% na visão como um todo" in said


# ---- The pages -------------------------------------------------------------------------------------------

def _english_sentences() -> list[str]:
    """The literal parts (between fields) of the analysis catalog's English messages that read as a
    sentence on their own: none may show on a Spanish or Portuguese page."""
    parts = []
    for message in read("en", "analysis"):
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        for text in ids:
            for part in re.split(r"\{\w*\}", text or ""):
                part = part.strip(" ,;:.()·*")
                if len(part) >= 20 and part.count(" ") >= 3:
                    parts.append(part)
    return parts


ENGLISH = _english_sentences()
PAGES = {
    "pages/overview.py": {"es": ("Resumen ejecutivo", "Qué requiere atención", r"no alcanza su objetivo de \d+,\d\s%"),
                          "pt-BR": ("Visão executiva", "O que requer atenção", r"não atinge a meta de \d+,\d%")},
    "pages/trends.py": {"es": ("Tendencias de los KPI", "Rupturas con el historial reciente", r"^\d+,\d\s%$"),
                        "pt-BR": ("Tendências dos KPIs", "Rupturas com o histórico recente", r"^\d+,\d%$")},
    "pages/departments.py": {"es": ("Cuadros de mando por departamento", "Quién está alineado con el cliente",
                                    r"queda en último lugar con \d+ sobre 100 en el T\d \d{4}"),
                             "pt-BR": ("Scorecards por departamento", "Quem está alinhado com o cliente",
                                       r"fica em último, com \d+ de 100 no T\d de \d{4}")},
    "pages/service.py": {"es": ("Niveles de servicio", "Dónde se cumple la promesa", r"\d+,\d\s%"),
                         "pt-BR": ("Níveis de serviço", "Onde a promessa é cumprida", r"\d+,\d%")},
}
TILES = {"pages/service.py": {"es": "Respondidos de inmediato", "pt-BR": "Respondidos de imediato"},
         "pages/overview.py": {"es": "Contactos", "pt-BR": "Contatos"},
         "pages/trends.py": {"es": "Periodo seleccionado", "pt-BR": "Período selecionado"},
         "pages/departments.py": {"es": "Empresa", "pt-BR": "Empresa"}}


def _texts(at) -> list[str]:
    found = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning")
             for e in getattr(at, kind)]
    return found + [m.label for m in at.metric] + [m.value for m in at.metric]


@pytest.mark.parametrize("lang", ["es", "pt-BR"])
@pytest.mark.parametrize("page", list(PAGES))
def test_each_analysis_page_speaks_the_language_of_the_link(page, lang, demo_december, monkeypatch):
    at = _starter(demo_december, monkeypatch)(page, lang=lang, card="Billing", metric="csat")
    assert not at.exception and not at.error
    title, heading, finding = PAGES[page][lang]
    assert at.title[0].value == title
    assert any(heading in s.value for s in [*at.subheader, *at.markdown])
    texts = _texts(at)
    assert any(re.search(finding, t) for t in texts), finding
    assert any(TILES[page][lang] in t for t in texts)
    shown = "\n".join(texts)
    assert [s for s in ENGLISH if s in shown] == []
