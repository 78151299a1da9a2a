"""Personal data masked out of free text: the tricky forms customers really type."""
import pytest

from cxdata.masking import mask


@pytest.mark.parametrize("text, expected", [
    ("write to ana.lopez+facturas@correo.es please", "write to [email] please"),
    ("Mi correo: JOAO_SILVA-2@empresa.com.br.", "Mi correo: [email]."),
    ("llama al +34 612 34 56 78", "llama al [phone]"),
    ("tel 612-345-678 o 612 345 678", "tel [phone] o [phone]"),
    ("ligue (11) 98765-4321", "ligue [phone]"),
    ("call 555.123.4567 tomorrow", "call [phone] tomorrow"),
    ("card 4111 1111 1111 1111", "card [card]"),
    ("card 4111-1111-1111-1111 expired", "card [card] expired"),
    ("4111111111111111", "[card]"),
    ("meu CPF é 123.456.789-09", "meu CPF é [id]"),
    ("DNI 12345678Z", "DNI [id]"),
    ("DNI 12345678-z y NIE X-1234567-L", "DNI [id] y NIE [id]"),
    ("IBAN ES91 2100 0418 4502 0005 1332", "IBAN [account]"),
])
def test_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "Answered on 2026-10-02 09:14:00, order 123456, 3 times",
    "paid 1,250.00 and 12,345,678.90 on 02/10/2026",
    '{"customer_id": "C000123", "interaction_id": "I0004711", "score": "9"}',
    "NPS 9 of 10, waited 45 minutes",
])
def test_dates_amounts_scores_and_our_ids_are_left_alone(text):
    assert mask(text) == text


@pytest.mark.parametrize("text, expected", [
    # issue 23: the forms people use to hide an address from robots, and typos around a number
    ("write john(at)example.com", "write [email]"),
    ("john [at] example [dot] com, thanks", "[email], thanks"),
    ("JOHN (AT) EXAMPLE (DOT) COM", "[email]"),
    ("ana { at } correo {dot} es", "[email]"),
    ("correo: ana＠correo．es", "correo: [email]"),
    ("ana﹫correo.es", "[email]"),
    ("iban es91 2100 0418 4502 0005 1332 gracias", "iban [account] gracias"),
    ("es9121000418450200051332", "[account]"),
    ("call 612345678x now", "call [phone] now"),
    ("612 345 678x", "[phone]"),
])
def test_obfuscated_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "we met (at) home at 9.30, room 12",
    "meet at (10:30) on 07/12/2026",
    "ok12 this that with",                       # letters and two digits, then words: no IBAN
    "paid 1,250.00x twice, order #A-12345, version 2.10.3",
    "on 2026-10-02h the Q3 2026 revenue was 12,345,678.90",
    "order 123456 and C000123 I0004711",
])
def test_text_that_only_looks_obfuscated_is_left_alone(text):
    assert mask(text) == text


def test_what_is_not_text_comes_back_as_it_came():
    assert mask(None) is None and mask("") == ""


def test_rejected_rows_on_the_data_page_are_masked(tmp_path):
    """A survey row rejected for its score still shows (and downloads) its comment, masked."""
    from cxdata import data_status, db
    from cxdata.load import load_files

    path = tmp_path / "feedback.csv"
    path.write_text("feedback_id,customer_id,submitted_at,survey,score,comment\n"
                    "F1,C1,2026-01-05 10:00:00,nps,42,\"Llamadme al 612 34 56 78 o a ana+cx@correo.es\"\n"
                    "F2,C1,2026-01-05 10:00:00,nps,9,Bien\n", encoding="utf-8")
    load_files([path], db_path=tmp_path / "cx.duckdb")
    con = db.connect_readonly(tmp_path / "cx.duckdb")
    try:
        rows = data_status.rejected_rows(db.Reader(con))
    finally:
        con.close()
    assert len(rows) == 1
    raw = rows["raw"].iloc[0]
    assert "[phone]" in raw and "[email]" in raw
    assert "612 34" not in raw and "ana+cx" not in raw and "2026-01-05 10:00:00" in raw
