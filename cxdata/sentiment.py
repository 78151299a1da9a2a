"""Offline sentiment and language of a comment, in English, Spanish and Portuguese.

A lexicon per language (cxdata/sentiment_lexicon.tsv, one concept per line in all three) with
negation, boosters, dampeners and contrast ("good, but slow" leans on what follows "but"), scored
the way VADER does (Hutto & Gilbert, 2014): each matched word or phrase adds its weight, the sum is
squashed into -1..1. Nothing is downloaded and nothing is trained, so a comment always gets the same
result. A comment with no word of the lexicon (empty, only punctuation, another language, words
the lexicon does not know) is "unknown": no guess is shown as fact. docs/voice-of-customer.md
gives the method, its measured accuracy and its limits.
"""
from __future__ import annotations

import csv
import math
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("sentiment_lexicon.tsv")
LANGUAGES = ("en", "es", "pt")
LABELS = ("positive", "neutral", "negative", "unknown")
MAX_CHARS = 5_000           # a 100 KB comment is scored on its first 5,000 characters
NEUTRAL_BAND = 0.05         # |score| below this, with evidence on both sides: neutral (VADER's threshold)
NEGATION_SCOPE = 3          # words after "not" that it flips
NEGATED = -0.75             # "not good" is weaker than "bad" (VADER's factor)
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
CONCEDED = 0.5              # a clause opened by "although", "aunque", "embora": what is conceded weighs less
# Customers soften a complaint with praise far more than the reverse ("nice colour, but it broke"),
# so unfavourable words weigh a little more (tuned on the development half of the Spanish reviews).
NEGATIVE_WEIGHT = 1.25
# A negation that finds no sentiment word in its scope ("no carga", "no cubre la pantalla", "sin
# instrucciones") is itself a mild complaint in Spanish and Portuguese, which negate the verb of what
# they expected to happen. English reviews use a bare "not" as often for praise ("doesn't wrinkle", "not
# see-through"), so it counts nothing there (both chosen on the development halves).
BARE_NEGATION = {"en": 0.0, "es": -0.5, "pt": -0.5}

# Emoji and emoticons that carry sentiment in every language.
EMOJI = {"😀": 2, "😃": 2, "😄": 2, "😁": 2, "😊": 2, "🙂": 1, "😍": 3, "🥰": 3, "👍": 2, "👏": 2, "❤": 3,
         "💯": 2, "⭐": 1, "🎉": 2, "😞": -2, "😟": -2, "😠": -3, "😡": -3, "🤬": -3, "😤": -2, "😢": -2,
         "😭": -2, "👎": -2, "💩": -3, "🙁": -1, "☹": -2, "😒": -2, ":)": 1, ":-)": 1, ":(": -1, ":-(": -1}
_EMOJI_RE = re.compile("|".join(re.escape(e) for e in sorted(EMOJI, key=len, reverse=True)))
_TAG = re.compile(r"<[^>]{0,200}>")
_ENTITY = re.compile(r"&(#\d+|[a-z]+);", re.I)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.!?;:]+|,")
_CLAUSE_END = re.compile(r"[.!?;:,]+")

# Words that tell the languages apart (folded). Shared words (que, de, nada) are left out.
_MARKERS = {
    "en": set("the and is was it to of i my this that with for not but very they you have had are were be "
              "would could thank thanks great service it's i'm dont didnt an at about from your will all one "
              "what there been just when after before again still every because nobody really too many "
              "nothing anything get got done far steps so our we them their which who how".split()),
    "es": set("el los las muy pero y del al lo mucho ya fue esta este estoy hay gracias tiene bien servicio "
              "tambien porque cuando ningun nadie llegado siempre ha he tengo hace con cualquier cosa hacer "
              "veces sigue sin tuve llamar despues pasos demasiados soporte equipo ventas correos aplicacion "
              "facturacion mi mis se me les su sus nos es son eso esto ese hasta donde otra otro mas asi "
              "pedido producto atencion colgaron".split()),
    "pt": set("nao muito uma voce obrigado obrigada isso essa esse ja tambem do da das na meu minha ate "
              "entao tive foi sao estao atendimento bem tem ninguem chegou sempre ainda voces pelo pela com "
              "qualquer coisa fazer passos demais em estou equipe vendas suporte aplicativo cobranca servico "
              "processo geral embora tenha demorado resposta resolvido primeiro contato resolveram fim depois "
              "algumas tentativas um pouco eu ele ela seu sua nos mais assim outra outro produto vc vcs mto pq tb tbm "
              "pra gostei recebi agora hoje fatura conta ligacao atendente dinheiro duas vezes".split()),
}
_CHAR_HINTS = {"es": "ñ¿¡", "pt": "ãõç"}


@dataclass(frozen=True)
class Result:
    language: str      # en, es, pt, or "und" when it cannot be told
    label: str         # positive, neutral, negative, unknown
    score: float       # -1..1; 0 for unknown
    n_hits: int        # lexicon words and phrases that counted


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, float]      # single words and phrases (space-joined)
    prefixes: dict[str, float]   # stems of single words ending in *
    phrase_prefixes: dict[str, list[tuple[str, float]]]  # "talla pequen*": "talla" -> [("pequen", w)]
    negators: frozenset[str]
    boosters: dict[str, float]   # word or phrase -> factor
    contrasts: frozenset[str]
    concessives: frozenset[str]  # "aunque", "although": the clause they open weighs less
    longest: dict[str, int]      # first word of a phrase -> the longest phrase it starts, in words
    bare_negation: float         # the weight of a negation without a sentiment word in its scope
    seen: dict = field(default_factory=dict, compare=False)  # token -> its one-word match, memoised


def fold(text: str) -> str:
    """Lower case without accents: "Atención" -> "atencion", "ñ" -> "n" (how every lookup compares)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clean(text: str | None) -> str:
    """The text a person wrote: HTML tags and entities dropped, whitespace collapsed, capped in length."""
    if not text:
        return ""
    text = _ENTITY.sub(" ", _TAG.sub(" ", text[: MAX_CHARS * 4]))
    return " ".join(text.split())[:MAX_CHARS]


@lru_cache(maxsize=1)
def lexicons() -> dict[str, _Lexicon]:
    """The lexicon of each language, read once from sentiment_lexicon.tsv."""
    entries: dict[str, dict] = {lang: {"word": {}, "prefix": {}, "phrase_prefix": {}, "negator": set(),
                                       "booster": {}, "contrast": set(), "concessive": set()}
               for lang in LANGUAGES}
    lines = [l for l in LEXICON_FILE.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        for lang in LANGUAGES:
            for form in (f.strip() for f in row[lang].split("|")):
                if not form:
                    continue
                kind, weight = row["kind"], float(row["weight"])
                bucket = entries[lang]
                if kind == "word" and form.endswith("*") and " " in form:
                    head, stem = form[:-1].rsplit(" ", 1)
                    bucket["phrase_prefix"].setdefault(head, []).append((stem, weight))
                elif kind == "word" and form.endswith("*"):
                    bucket["prefix"][form[:-1]] = weight
                elif kind == "word":
                    bucket["word"][form] = weight
                elif kind == "booster":
                    bucket["booster"][form] = weight
                else:
                    bucket[kind].add(form)
    out = {}
    for lang, b in entries.items():
        longest: dict[str, int] = {}
        for phrase in [*b["word"], *b["booster"], *b["negator"], *b["contrast"], *b["concessive"],
                       *(f"{h} x" for h in b["phrase_prefix"])]:
            words = phrase.split()
            longest[words[0]] = max(longest.get(words[0], 1), len(words))
        out[lang] = _Lexicon(b["word"], b["prefix"], b["phrase_prefix"], frozenset(b["negator"]), b["booster"],
                             frozenset(b["contrast"]), frozenset(b["concessive"]), longest,
                             BARE_NEGATION[lang])
    return out


def tokens(text: str) -> list[str]:
    """Folded words and clause punctuation; "don't" stays one word, as the lexicon spells it."""
    folded = fold(text).replace("’", "'").replace("n't", "nt")
    return _TOKEN.findall(folded)


def detect_language(text: str, toks: list[str] | None = None) -> str:
    """en, es or pt from marker words and letters only one of them uses; "und" when unclear."""
    toks = tokens(text) if toks is None else toks
    score = {lang: sum(t in words for t in toks) for lang, words in _MARKERS.items()}
    for lang, chars in _CHAR_HINTS.items():
        score[lang] += 2 * sum(text.count(c) for c in chars)
    ranked = sorted(score.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top > 0 and top > second else "und"


def analyse(text: str | None, language: str | None = None) -> Result:
    """Language and sentiment of one comment; `language` (en, es, pt) skips the detection."""
    text = clean(text)
    toks = tokens(text)
    emoji = [EMOJI[e] for e in _EMOJI_RE.findall(text)]
    lang = language if language in LANGUAGES else detect_language(text, toks)
    if lang in LANGUAGES:
        total, hits = _score(toks, lexicons()[lang])
    else:  # too short to tell (one word, "excelente"): whichever lexicon knows more of it
        total, hits = max((_score(toks, lexicons()[l]) for l in LANGUAGES), key=lambda th: th[1])
    total += sum(emoji)
    hits += len(emoji)
    if hits == 0:
        return Result(lang, "unknown", 0.0, 0)
    score = total / math.sqrt(total * total + 15)
    label = "positive" if score >= NEUTRAL_BAND else "negative" if score <= -NEUTRAL_BAND else "neutral"
    return Result(lang, label, round(score, 4), hits)


def _score(toks: list[str], lex: _Lexicon) -> tuple[float, int]:
    """The summed weight of a comment's words and their count, clause by clause."""
    clauses: list[list[float]] = [[]]
    negate_left = 0
    boost = 1.0
    i = 0
    after_contrast = False
    weights_before_contrast: list[float] = []
    pending = False   # a negation still waiting for a sentiment word
    conceded = 1.0    # CONCEDED from "although" / "aunque" to the end of its clause

    def settle():
        nonlocal pending
        if pending and lex.bare_negation:
            clauses[-1].append(lex.bare_negation * NEGATIVE_WEIGHT * conceded)
        pending = False
    while i < len(toks):
        tok = toks[i]
        if _CLAUSE_END.fullmatch(tok):
            settle()
            negate_left, boost, conceded = 0, 1.0, 1.0
            i += 1
            continue
        span, kind, value = _match(toks, i, lex)
        if kind == "contrast":
            settle()
            if not after_contrast:
                weights_before_contrast = [w for clause in clauses for w in clause]
                clauses = [[]]
                after_contrast = True
            negate_left, boost, conceded = 0, 1.0, 1.0
        elif kind == "concessive":
            settle()
            negate_left, boost, conceded = 0, 1.0, CONCEDED
        elif kind == "negator":
            negate_left = NEGATION_SCOPE
            pending = True
            boost = 1.0
        elif kind == "booster":
            boost *= value
        elif kind == "word":
            weight = (value * boost * conceded * (NEGATED if negate_left else 1.0)
                      * (NEGATIVE_WEIGHT if value < 0 else 1.0))
            clauses[-1].append(weight)
            negate_left, boost, pending = 0, 1.0, False
        elif negate_left:
            negate_left -= 1
            if not negate_left:
                settle()
        i += span
    settle()
    after = [w for clause in clauses for w in clause]
    if after_contrast and weights_before_contrast and after:
        weights = [w * CONTRAST_BEFORE for w in weights_before_contrast] + [w * CONTRAST_AFTER for w in after]
    else:
        weights = weights_before_contrast + after
    return sum(weights), len(weights)


def _match(toks: list[str], i: int, lex: _Lexicon) -> tuple[int, str | None, float]:
    """The longest lexicon entry starting at token i: (tokens it spans, its kind, its value)."""
    for n in range(min(lex.longest.get(toks[i], 1), len(toks) - i), 0, -1):
        phrase = " ".join(toks[i:i + n])
        if phrase in lex.words:
            return n, "word", lex.words[phrase]
        if n > 1:
            for stem, weight in lex.phrase_prefixes.get(" ".join(toks[i:i + n - 1]), ()):
                if toks[i + n - 1].startswith(stem):
                    return n, "word", weight
        if phrase in lex.boosters:
            return n, "booster", lex.boosters[phrase]
        if phrase in lex.negators:
            return n, "negator", 0.0
        if phrase in lex.contrasts:
            return n, "contrast", 0.0
        if phrase in lex.concessives:
            return n, "concessive", 0.0
    tok = toks[i]
    found = lex.seen.get(tok)
    if found is None:
        found = next(((1, "word", lex.prefixes[tok[:k]]) for k in range(len(tok), 2, -1) if tok[:k] in lex.prefixes),
                     (1, None, 0.0))
        if len(lex.seen) < 200_000:  # a bound, so a flood of unique tokens cannot grow it without end
            lex.seen[tok] = found
    return found


# ---- Measuring the method against scores ------------------------------------------------------

def score_label(score: float, scale: int = 5) -> str | None:
    """The label a score implies: on 1-5, 1-2 negative and 4-5 positive; on 0-10, 0-6 negative
    (NPS detractors) and 9-10 positive (promoters); otherwise None (not polar)."""
    if scale == 5:
        return "negative" if score <= 2 else "positive" if score >= 4 else None
    if scale == 10:
        return "negative" if score <= 6 else "positive" if score >= 9 else None
    raise ValueError(f"scale must be 5 or 10, not {scale}")


HALVES = ("development", "held-out")


def half(row_id: str) -> str:
    """The fixed half a labelled row belongs to: "development" when the CRC-32 of its id is even,
    otherwise "held-out". The lexicon and the rules were tuned on development halves only, so the
    held-out half is the honest measure (docs/voice-of-customer.md)."""
    return HALVES[zlib.crc32(str(row_id).encode("utf-8")) % 2]


@dataclass(frozen=True)
class Evaluation:
    n_rows: int
    n_empty: int               # rows without a word to read (left out of the figures below)
    n_polar: int
    n_negative: int
    n_positive: int
    accuracy: float            # correct / polar rows; neutral or unknown counts as wrong
    recall_negative: float
    recall_positive: float
    precision_negative: float | None
    precision_positive: float | None
    share_undecided: float     # polar rows the method called neutral or unknown
    share_unknown: float       # polar rows with no word the lexicon knows (1 - coverage)
    languages: dict[str, int]  # detected language -> rows

    def text(self) -> str:
        def pct(x):
            return "—" if x is None else f"{x:.1%}"
        langs = ", ".join(f"{k} {v:,}" for k, v in sorted(self.languages.items(), key=lambda kv: -kv[1]))
        return "\n".join([
            f"rows: {self.n_rows:,} ({self.n_empty:,} without text, left out); polar (labelled by score): {self.n_polar:,} "
            f"({self.n_negative:,} negative, {self.n_positive:,} positive)",
            f"polar accuracy: {pct(self.accuracy)} (neutral or unknown counts as wrong)",
            f"recall: negative {pct(self.recall_negative)}, positive {pct(self.recall_positive)}",
            f"precision: negative {pct(self.precision_negative)}, positive {pct(self.precision_positive)}",
            f"left undecided (neutral or unknown): {pct(self.share_undecided)}; unknown {pct(self.share_unknown)} "
            f"(coverage {pct(1 - self.share_unknown)})",
            f"languages detected: {langs}"])


def evaluate(texts, scores, scale: int = 5, language: str | None = None) -> Evaluation:
    """Compare the method's labels with the labels the scores imply (only polar scores count)."""
    truth, guess, langs = [], [], {}
    n_rows = n_empty = 0
    for text, score in zip(texts, scores):
        n_rows += 1
        if not any(t[0].isalnum() for t in tokens(clean(text if isinstance(text, str) else ""))):
            n_empty += 1
            continue
        result = analyse(text, language)
        langs[result.language] = langs.get(result.language, 0) + 1
        label = None if score is None or (isinstance(score, float) and math.isnan(score)) \
            else score_label(score, scale)
        if label:
            truth.append(label)
            guess.append(result.label)
    pairs = list(zip(truth, guess))

    def ratio(a, b):
        return a / b if b else None
    neg = sum(t == "negative" for t in truth)
    pos = sum(t == "positive" for t in truth)
    said_neg = sum(g == "negative" for g in guess)
    said_pos = sum(g == "positive" for g in guess)
    return Evaluation(
        n_rows=n_rows, n_empty=n_empty, n_polar=len(truth), n_negative=neg, n_positive=pos,
        accuracy=ratio(sum(t == g for t, g in pairs), len(pairs)) or 0.0,
        recall_negative=ratio(sum(t == g == "negative" for t, g in pairs), neg) or 0.0,
        recall_positive=ratio(sum(t == g == "positive" for t, g in pairs), pos) or 0.0,
        precision_negative=ratio(sum(t == g == "negative" for t, g in pairs), said_neg),
        precision_positive=ratio(sum(t == g == "positive" for t, g in pairs), said_pos),
        share_undecided=ratio(sum(g in ("neutral", "unknown") for g in guess), len(guess)) or 0.0,
        share_unknown=ratio(sum(g == "unknown" for g in guess), len(guess)) or 0.0,
        languages=langs)
