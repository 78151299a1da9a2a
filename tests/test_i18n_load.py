"""Loading in Spanish and Portuguese: a bad file's error names the file, the line, the column and the
reason in the reader's language; the rejected rows' reasons, the warnings and the summaries stay
stored in English (other code and tests read them) and are translated where the page shows them."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import i18n
from cxdata.load import reasons, upload
from tests.conftest import ROOT
from tests.test_load import CUSTOMERS, query

NO_DATE = b"feedback_id,customer_id\nF1,C1\n"
BAD_DATE = (b"feedback_id,customer_id,submitted_at,survey,score\n"
            b"F1,C1,2024-05-01 10:00,nps,9\n"
            b"F2,C2,el martes,nps,7\n"
            b"F3,C3,2024-05-03 10:00,nps,11\n")

MISSING = {
    "es": "fb.csv: faltan columnas obligatorias 'submitted_at', 'survey', 'score' para la tabla feedback; "
          "columnas encontradas: 'feedback_id', 'customer_id'",
    "pt_BR": "fb.csv: faltam colunas obrigatórias 'submitted_at', 'survey', 'score' para a tabela feedback; "
             "colunas encontradas: 'feedback_id', 'customer_id'",
}
NOT_A_DATE = {
    "es": "submitted_at: no es una fecha y hora (se espera p. ej. 2024-05-31 14:30:00 o 31/05/2024 14:30; otros "
          "formatos requieren [formats] en un mapeo) — 1 fila(s), línea 3",
    "pt_BR": "submitted_at: não é uma data e hora (esperado p. ex. 2024-05-31 14:30:00 ou 31/05/2024 14:30; outros "
             "formatos exigem [formats] em um mapeamento) — 1 linha(s), linha 3",
}
OUT_OF_RANGE = {"es": "score: fuera del rango de la encuesta — 1 fila(s), línea 4",
                "pt_BR": "score: fora do intervalo da pesquisa — 1 linha(s), linha 4"}
HEAD = {"es": "fb.csv -> feedback (CSV, utf-8, delimitador ',')\n  leídas 3: nuevas 1, actualizadas 0, sin cambios 0, "
              "rechazadas 2\n  rechazadas por motivo:\n",
        "pt_BR": "fb.csv -> feedback (CSV, utf-8, delimitador ',')\n  lidas 3: novas 1, atualizadas 0, sem alteração 0, "
                 "rejeitadas 2\n  rejeitadas por motivo:\n"}


@pytest.fixture
def customers_db(tmp_path):
    db_file = tmp_path / "cx.duckdb"
    assert upload.load_uploads([("customers.csv", CUSTOMERS.encode())], db_file).ok
    return db_file


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_a_missing_column_is_named_with_its_file_in_the_readers_language(customers_db, language):
    with i18n.using(language):
        result = upload.load_uploads([("fb.csv", NO_DATE)], customers_db)
    assert not result.ok and result.text.startswith(MISSING[language])
    assert query(customers_db, "select count(*) from feedback") == [(0,)]


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_a_bad_date_is_reported_by_file_line_and_column_and_stored_in_english(customers_db, language):
    with i18n.using(language):
        result = upload.load_uploads([("fb.csv", BAD_DATE)], customers_db)
    assert result.ok, result.text
    assert result.text.startswith(HEAD[language])
    assert NOT_A_DATE[language] in result.text and OUT_OF_RANGE[language] in result.text
    # What the database keeps does not depend on who loaded it: English, as the rest of the code reads it.
    stored = query(customers_db, "select line, column_name, reason from rejected_rows order by line")
    assert stored == [(3, "submitted_at", "not a date-time (expected e.g. 2024-05-31 14:30:00 or 31/05/2024 14:30; "
                                          "other layouts need [formats] in a mapping)"),
                      (4, "score", "out of range for nps (0-10)")]
    message = query(customers_db, "select message from loads order by started_at desc limit 1")[0][0]
    assert message.startswith("Loaded 1 file(s) in ") and "3 rows read, 1 new, 0 updated, 0 unchanged, 2 rejected" \
        in message


@pytest.mark.parametrize("language, reason, summary", [
    ("es", "fuera del rango de nps (0-10)",
     "1 archivo(s) cargado(s) en 0,3 s: filas leídas 1.204, nuevas 1.200, actualizadas 0, sin cambios 0, "
     "rechazadas 4 (vea la tabla rejected_rows). Ejecución abc."),
    ("pt_BR", "fora do intervalo de nps (0-10)",
     "1 arquivo(s) carregado(s) em 0,3 s: linhas lidas 1.204, novas 1.200, atualizadas 0, sem alteração 0, "
     "rejeitadas 4 (veja a tabela rejected_rows). Execução abc."),
])
def test_stored_reasons_and_summaries_are_translated_when_shown(language, reason, summary):
    stored = ("Loaded 1 file(s) in 0.3s: 1,204 rows read, 1,200 new, 0 updated, 0 unchanged, 4 rejected "
              "(see the rejected_rows table). Run abc.")
    with i18n.using(language):
        assert reasons.shown("out of range for nps (0-10)") == reason
        assert reasons.message_shown(stored) == summary
        assert reasons.shown("a reason DuckDB wrote") == "a reason DuckDB wrote"  # no template: as stored
        assert reasons.message_shown("fb.csv: a failed load's own words") == "fb.csv: a failed load's own words"
    assert reasons.shown("out of range for nps (0-10)") == "out of range for nps (0-10)"  # English: as stored
    assert reasons.message_shown(stored) == stored


def test_every_reason_the_loader_stores_has_a_template():
    """The reasons a load of bad rows stores are all read back by a template (so none shows in English)."""
    from cxdata.load.validate import PARSE_REASONS
    for reason in PARSE_REASONS.values():
        with i18n.using("es"):
            assert reasons.shown(reason) != reason, reason


def test_the_data_page_speaks_spanish_with_spanish_counts(tmp_path, monkeypatch):
    db_file = tmp_path / "cx.duckdb"
    rows = "".join(f"F{i},C1,2024-05-01 10:00,nps,{i % 11}\n" for i in range(1, 1300))
    feedback = ("feedback_id,customer_id,submitted_at,survey,score\n" + rows + "F9999,C2,el martes,nps,7\n").encode()
    assert upload.load_uploads([("customers.csv", CUSTOMERS.encode()), ("fb.csv", feedback)], db_file).ok
    monkeypatch.setenv("CX_DB", str(db_file))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "es"
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Datos y cargas"
    headers = [h.value for h in at.subheader]
    assert {"Qué está cargado", "Historial de cargas", "Filas rechazadas"} <= set(headers)
    assert not {"What is loaded", "Load history", "Rejected rows"} & set(headers)
    assert any(c.value.startswith("1 celda rechazada. Corríjalas en el archivo de origen") for c in at.caption)
    stats = next(d.value for d in at.dataframe if "n_rows" in d.value.columns).set_index("table_name")
    assert stats.loc["feedback", "n_rows"] == "1.299"  # the locale's thousands separator
    history = next(d.value for d in at.dataframe if "message" in d.value.columns and "outcome" in d.value.columns)
    assert history["n_read"].iloc[0] == "1.303"  # both files of the one load
    assert history["message"].iloc[0].startswith("2 archivo(s) cargado(s) en ")
    assert history["outcome"].iloc[0] == "Algunas rechazadas"
    rejected = next(d.value for d in at.dataframe if "raw" in d.value.columns)
    assert rejected["reason"].tolist() == [reasons_es("not a date-time (expected e.g. 2024-05-31 14:30:00 or "
                                                      "31/05/2024 14:30; other layouts need [formats] in a mapping)")]
    assert rejected["reason"].iloc[0].startswith("no es una fecha y hora")
    uploader = at.get("file_uploader")[0]
    assert uploader.label == "Archivos (hasta 200 MB cada uno, 500 MB en total)"
    how = next(s for s in at.selectbox if s.label == "Cómo se asignan sus columnas al modelo")
    assert how.options[0] == "Nombres de columna tal cual" and how.options[-1] == "Un archivo de mapeo (.toml)"
    labels = [b.label for b in at.get("download_button")]
    assert "Descargar estas filas rechazadas (CSV)" in labels


def reasons_es(reason: str) -> str:
    with i18n.using("es"):
        return reasons.shown(reason)
