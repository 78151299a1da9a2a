"""Personal data in comments: e-mail addresses and phone numbers masked, everything else kept."""
import pytest

from cxdata.masking import mask


@pytest.mark.parametrize("text, masked", [
    ("Call me on +34 612 345 678 please", "Call me on [phone] please"),
    ("(555) 123-4567.", "[phone]."),
    ("tel: +1-202-555-0143, thanks", "tel: [phone], thanks"),
    ("ligue 0044 20 7946 0958!", "ligue [phone]!"),
    ("my number is 612345678", "my number is [phone]"),
    ("call 555.123.4567 or email a@b.co", "call [phone] or email [e-mail]"),
    ("mail ana.lopez+cx@correo.example.es now", "mail [e-mail] now"),
    ("Écrivez à françois.dupont@société.fr", "Écrivez à [e-mail]"),
    ("o'brien@mail.example.com says hi", "[e-mail] says hi"),
])
def test_addresses_and_numbers_are_masked(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize("text", [
    "Invoice 2026-03-01 was 1,250.00 EUR",
    "on 01.03.2026 at 10:30",
    "Order 12345 took 3 days",
    "ticket #4471923 still open",
    "ticket 4471923 open",
    "ratio 99.5% and NPS 10/10",
    "Esperé días una respuesta sobre la facturación.",
    "@support is not an address",
    "",
])
def test_dates_amounts_ids_and_plain_words_are_kept(text):
    assert mask(text) == text
