"""Comment sentiment and language: the rules on hand-written sentences, bad input, and the real shared reviews."""
from pathlib import Path

import pytest

from cxdata import sentiment
from cxdata.__main__ import main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.exists():  # CI lays shared/ beside the clone
    SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.parametrize("text, label", [
    ("Excellent service, they sorted everything out quickly.", "positive"),
    ("Terrible experience with the billing. Nobody solved my problem.", "negative"),
    ("Pésima experiencia con la facturación. Nadie resolvió mi problema.", "negative"),
    ("Excelente servicio, resolvieron todo rapidísimo.", "positive"),
    ("Péssima experiência com a cobrança. Ninguém resolveu meu problema.", "negative"),
    ("Ótimo atendimento, recomendo a todos.", "positive"),
    ("Average. Nothing special about the app.", "neutral"),
])
def test_the_three_languages_read_as_their_scores_say(text, label):
    assert sentiment.analyse(text).label == label


@pytest.mark.parametrize("text", ["The product is not good", "No es bueno", "Não é bom", "I didn't like it"])
def test_negation_turns_praise_into_a_complaint(text):
    assert sentiment.analyse(text).label == "negative"


@pytest.mark.parametrize("text", ["Not bad at all", "No está mal", "Sin problemas"])
def test_a_negated_complaint_leans_positive(text):
    assert sentiment.analyse(text).score > 0


@pytest.mark.parametrize("text, label", [
    ("No carga", "negative"), ("Sin instrucciones", "negative"), ("Não liga mais", "negative"),
    ("No tengo ninguna queja", "positive"),            # a negated complaint is still praise
    ("It does not wrinkle", "unknown"),                 # English: a bare "not" counts nothing
])
def test_a_negation_without_a_sentiment_word_is_a_mild_complaint_in_spanish_and_portuguese(text, label):
    assert sentiment.analyse(text).label == label


@pytest.mark.parametrize("text", ["Muy bonito aunque con el cuerno roto",
                                  "Although it arrived late, the product is excellent",
                                  "Embora tenha demorado, o produto é ótimo"])
def test_what_although_concedes_weighs_less(text):
    assert sentiment.analyse(text).label == "positive"


def test_boosters_strengthen_and_dampeners_soften():
    plain, strong, soft = (sentiment.analyse(t).score for t in ("It was good", "It was very good", "It was a bit good"))
    assert strong > plain > soft > 0
    assert sentiment.analyse("muy malo").score < sentiment.analyse("malo").score < 0


def test_what_follows_but_weighs_more():
    assert sentiment.analyse("Nice colour, but it broke after a week").label == "negative"
    assert sentiment.analyse("Llegó tarde, pero el producto es excelente").label == "positive"


@pytest.mark.parametrize("text, language", [
    ("The agent was friendly but I had to repeat my details.", "en"),
    ("El agente fue amable, pero tuve que repetir mis datos.", "es"),
    ("O atendente foi simpático, mas tive que repetir meus dados.", "pt"),
    ("Não recebi o pedido e ninguém responde", "pt"),
    ("¿Dónde está mi pedido? Llevo una semana esperando", "es"),
])
def test_language_is_detected(text, language):
    assert sentiment.detect_language(text) == language


@pytest.mark.parametrize("text", [None, "", "   ", "?!...", "----", "12345", "Guten Tag zusammen"])
def test_nothing_to_read_is_unknown_not_a_guess(text):
    result = sentiment.analyse(text)
    assert result.label == "unknown" and result.score == 0.0


def test_emoji_carry_sentiment_and_html_is_read_as_text():
    assert sentiment.analyse("👍👍").label == "positive"
    assert sentiment.analyse("😡").label == "negative"
    assert sentiment.analyse("<p>Servicio <b>excelente</b>&nbsp;</p>").label == "positive"
    assert sentiment.clean("<p>Servicio <b>excelente</b>&nbsp;</p>") == "Servicio excelente"


def test_a_100_kb_comment_is_read_on_its_first_characters():
    result = sentiment.analyse("Terrible. " + "x" * 100_000)
    assert result.label == "negative"
    assert len(sentiment.clean("a" * 100_000)) == sentiment.MAX_CHARS


def test_a_mixed_language_comment_gets_its_main_language():
    result = sentiment.analyse("El servicio fue muy malo y nadie me ayudó, worst service")
    assert result.language == "es" and result.label == "negative"


def test_every_concept_of_the_lexicon_exists_in_all_three_languages():
    """Portuguese covers every concept Spanish does: each line names a form in each language."""
    lines = [l.split("\t") for l in sentiment.LEXICON_FILE.read_text(encoding="utf-8").splitlines()
             if l and not l.startswith("#")][1:]
    assert len(lines) > 100
    for kind, weight, en, es, pt in lines:
        assert en.strip() and es.strip() and pt.strip(), (kind, en)
    sizes = {lang: len(lex.words) + len(lex.prefixes) for lang, lex in sentiment.lexicons().items()}
    assert sizes["pt"] >= 0.8 * sizes["es"], sizes


def test_the_halves_are_fixed_by_the_id():
    # zlib.crc32: b"es_0098510" 1727987995 (odd), b"es_0152267" 3548695098 (even), b"0" 4108050209 (odd)
    assert [sentiment.half(i) for i in ("es_0098510", "es_0152267", 0)] == ["held-out", "development", "held-out"]
    ids = [f"es_{i:07d}" for i in range(2000)]
    assert 0.45 < sum(sentiment.half(i) == "held-out" for i in ids) / len(ids) < 0.55


def test_evaluation_counts_polar_rows_and_abstentions_as_wrong():
    result = sentiment.evaluate(["great", "terrible", "great", "zzz", "", "fine"], [5, 1, 1, 5, 5, 3])
    assert (result.n_rows, result.n_empty, result.n_polar) == (6, 1, 4)
    assert result.accuracy == 0.5                      # great/5 and terrible/1 right; great/1 and zzz/5 wrong
    assert result.recall_negative == 0.5 and result.recall_positive == 0.5
    assert result.share_undecided == 0.25 and result.share_unknown == 0.25   # zzz


def _figure(out: str, name: str) -> float:
    return float(out.split(f"{name}: ")[1].split("%")[0])


@pytest.mark.skipif(not (SHARED / "amazon-reviews-es").exists(), reason="shared datasets not laid out")
def test_sentiment_eval_prints_the_figures_for_the_shared_spanish_reviews(capsys):
    code = main(["sentiment-eval", str(SHARED / "amazon-reviews-es" / "reviews_es_dev.csv"),
                 "--text", "review_title", "--text", "review_body", "--score", "stars"])
    out = capsys.readouterr().out
    assert code == 0
    assert "polar (labelled by score): 2,005 (987 negative, 1,018 positive)" in out
    assert _figure(out, "polar accuracy") >= 88.0, out   # measured 88.9% (docs/voice-of-customer.md)


@pytest.mark.skipif(not (SHARED / "amazon-reviews-es").exists(), reason="shared datasets not laid out")
def test_on_the_held_out_spanish_half_accuracy_reaches_85_percent_and_both_classes_80(capsys):
    """The half nobody tuned on: the honest figure (measured 87.2%; recall 86.7% / 87.6%)."""
    code = main(["sentiment-eval", str(SHARED / "amazon-reviews-es" / "reviews_es_dev.csv"),
                 "--text", "review_title", "--text", "review_body", "--score", "stars",
                 "--half", "held-out", "--id", "review_id"])
    out = capsys.readouterr().out
    assert code == 0 and "(497 negative, 510 positive)" in out and "the held-out half by review_id" in out
    assert _figure(out, "polar accuracy") >= 85.0, out
    recall = out.split("recall: ")[1].split("\n")[0]            # "negative 86.7%, positive 87.6%"
    assert all(float(part.split()[1].rstrip("%")) >= 80.0 for part in recall.split(", ")), out
    assert _figure(out, "left undecided (neutral or unknown)") <= 6.0, out
    assert float(out.split("; unknown ")[1].split("%")[0]) <= 3.0, out


@pytest.mark.skipif(not (SHARED / "womens-clothing-reviews").exists(), reason="shared datasets not laid out")
def test_sentiment_eval_on_the_english_reviews_with_a_forced_language(capsys):
    code = main(["sentiment-eval", str(SHARED / "womens-clothing-reviews" / "womens_clothing_reviews.csv"),
                 "--text", "Title", "--text", "Review Text", "--score", "Rating", "--lang", "en",
                 "--half", "held-out", "--id", "Unnamed: 0"])
    out = capsys.readouterr().out
    assert code == 0 and "(46 negative, 377 positive)" in out
    assert _figure(out, "polar accuracy") >= 88.0, out   # measured 90.3% on the held-out half


@pytest.mark.parametrize("fixture, columns, floor", [
    # 60 held-out Spanish reviews translated into Portuguese, with their real stars (measured 85.0%)
    ("sentiment_pt_translated.csv", ["--text", "title", "--text", "body", "--score", "stars"], 83.0),
    # 80 survey comments written in Portuguese with the NPS their writer gave them (measured 90.0%)
    ("sentiment_pt_written.csv", ["--text", "comment", "--score", "nps", "--scale", "10"], 85.0),
])
def test_portuguese_reads_as_well_as_spanish_on_the_portuguese_sets(capsys, fixture, columns, floor):
    """Both sets were written before any Portuguese tuning (docs/voice-of-customer.md gives their limits)."""
    code = main(["sentiment-eval", str(Path(__file__).parent / "fixtures" / fixture), *columns])
    out = capsys.readouterr().out
    assert code == 0 and _figure(out, "polar accuracy") >= floor, out
    assert "languages detected: pt" in out


def test_sentiment_eval_says_clearly_what_is_wrong(tmp_path, capsys):
    path = tmp_path / "labelled.csv"
    path.write_text("comment,nps\nGreat,9\nBad,11\n", encoding="utf-8")
    assert main(["sentiment-eval", str(path), "--text", "text", "--score", "nps"]) == 2
    assert "has no column(s) text; columns: comment, nps" in capsys.readouterr().err
    assert main(["sentiment-eval", str(path), "--text", "comment", "--score", "nps", "--scale", "10"]) == 1
    assert "line 3, column nps: '11' is outside 0-10" in capsys.readouterr().err
    path.write_text("comment,nps\nGreat service,9\nAwful service,2\nOkay,8\n", encoding="utf-8")
    assert main(["sentiment-eval", str(path), "--text", "comment", "--score", "nps", "--scale", "10"]) == 0
    assert "polar accuracy: 100.0%" in capsys.readouterr().out
