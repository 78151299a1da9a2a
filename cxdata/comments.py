"""The comment step of the derived layer: each distinct comment analysed once and stored.

Language, sentiment (cxdata.sentiment), themes (cxdata.themes), the masked text (cxdata.masking),
an accent-free search text and the words and word pairs that phrase discovery counts are written to
`comment_analysis`, one row per distinct comment text, keyed by its md5. derive.refresh runs this
before sql/derived.sql, whose voice section joins it to every answer. Rows survive refreshes while
the analysis is the same (ANALYSIS_FILES unchanged): a load analyses only comments not seen before,
and a reload of the same comments gives the same results. Editing the theme file changes the
version, so the next refresh re-themes everything.
"""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from cxdata import masking, sentiment, themes

# What the stored results depend on: a change to any of them re-analyses every comment.
ANALYSIS_FILES = tuple(Path(__file__).with_name(n) for n in
                       ("sentiment.py", "sentiment_lexicon.tsv", "masking.py", "themes.py", "comments.py"))
BATCH = 50_000

# Words too common to tell detractors from promoters, in the three languages (folded).
STOPWORDS = frozenset("""
a an the and or of to in on at for with from by is are was were be been it its this that these those i
me my we our you your he she they them their his her as so if than then there here what which who
do does did have has had will would can could just also about into out up very too more most some any
el la los las un una unos unas y o de del al en con por para es son fue era ser lo le les se me mi mis
te tu su sus nos que como pero mas muy ya hay este esta esto estos estas ese esa eso ha he han
o os as um uma uns umas e do da dos das no na nos nas em com por para pelo pela ao aos foi sao ser
eu meu minha seu sua voce isso isto esse essa ele ela que como mas mais muito ja tem
""".split())  # untranslated: words matched in comments, never shown
# Everyday words that say nothing alone ("get", "many", "first") but can make a phrase ("too many",
# "first contact"): never a phrase on their own, kept in word pairs.
VAGUE = frozenset("""
get gets got getting many much first one two all every each other only even again still now
really well way thing things lot lots make made take took give gave go went going come came
say said tell told know knew want wanted need needed time times day days back yet
""".split())  # untranslated: words matched in comments, never shown
# Stopwords that may start a pair ("too many", "very slow"); any other stopword at either end
# makes a fragment ("perfectly with", "confusing and"), not a phrase.
LEADING = frozenset({"too", "very", "more", "most", "so", "muy", "mas", "muito", "mais"})
_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE = re.compile(r"[.,;:!?()\[\]\n]+")
_MASK_WORDS = {"email", "phone", "card", "account", "id"}
MAX_TERMS = 60


def analysis_version(rules: themes.Rules) -> str:
    """A hash of the code, lexicon and theme file the stored analysis comes from."""
    digest = hashlib.sha256(rules.text.encode())
    for path in ANALYSIS_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def terms(folded: str) -> list[str]:
    """The distinct words and adjacent word pairs of a folded text that can tell one group's comments
    from another's: no stopword or everyday word alone, no pair that starts or ends on a stopword
    (but "too many", "very slow"), no pair of everyday words, no masks or numbers."""
    clauses = [[w for w in _WORD.findall(clause) if w not in _MASK_WORDS and not w.isdigit()]
               for clause in _CLAUSE.split(folded)]   # a pair never spans a comma or a full stop
    kept = [w for words in clauses for w in words if w not in STOPWORDS and w not in VAGUE and len(w) > 2]
    pairs = [f"{a} {b}" for words in clauses for a, b in zip(words, words[1:])
             if (a not in STOPWORDS or a in LEADING) and b not in STOPWORDS
             and not (a in VAGUE and b in VAGUE) and not (a in LEADING and b in LEADING)
             and len(a) > 1 and len(b) > 1]
    return list(dict.fromkeys(kept + pairs))[:MAX_TERMS]


def analyse_one(comment: str, rules: themes.Rules) -> dict:
    """Everything stored about one comment text."""
    result = sentiment.analyse(comment)
    masked = masking.mask(sentiment.clean(comment))
    folded = sentiment.fold(masked)
    return {"language": result.language, "sentiment": result.label, "sentiment_score": result.score,
            "themes": rules.themes_of(folded), "masked_comment": masked, "search_text": folded,
            "terms": terms(folded)}


_CREATE = """
create table if not exists comment_analysis (
    comment_hash varchar, version varchar, language varchar, sentiment varchar, sentiment_score double,
    themes varchar[], masked_comment varchar, search_text varchar, terms varchar[]
)"""
_SCHEMA = pa.schema([("comment_hash", pa.string()), ("version", pa.string()), ("language", pa.string()),
                     ("sentiment", pa.string()), ("sentiment_score", pa.float64()),
                     ("themes", pa.list_(pa.string())), ("masked_comment", pa.string()),
                     ("search_text", pa.string()), ("terms", pa.list_(pa.string()))])
_NEW_TEXTS = """
select distinct f.comment from feedback f
anti join comment_analysis a on a.comment_hash = md5(f.comment)
where f.comment is not null"""


def refresh(con: duckdb.DuckDBPyConnection, rules: themes.Rules | None = None) -> dict:
    """Analyse every comment not analysed by this version yet; write the theme list. Returns what it did."""
    began = time.perf_counter()
    rules = rules or themes.load_rules()
    version = analysis_version(rules)
    con.execute(_CREATE)
    con.execute("delete from comment_analysis where version <> $v", {"v": version})
    con.execute("delete from comment_analysis where comment_hash not in "
                "(select md5(comment) from feedback where comment is not null)")
    texts = [row[0] for row in con.execute(_NEW_TEXTS).fetchall()]
    for lo in range(0, len(texts), BATCH):
        batch = texts[lo:lo + BATCH]
        rows = [analyse_one(text, rules) for text in batch]
        table = pa.table({
            "comment_hash": [hashlib.md5(t.encode("utf-8")).hexdigest() for t in batch],
            "version": [version] * len(batch),
            **{k: [r[k] for r in rows] for k in ("language", "sentiment", "sentiment_score", "themes",
                                                 "masked_comment", "search_text", "terms")}},
            schema=_SCHEMA)
        con.register("new_comment_analysis", table)
        try:
            con.execute("insert into comment_analysis select * from new_comment_analysis")
        finally:
            con.unregister("new_comment_analysis")
    con.execute("create or replace table comment_theme_list (theme varchar, label varchar, position integer)")
    con.executemany("insert into comment_theme_list values (?, ?, ?)",
                    [(t.key, t.label, i) for i, t in enumerate(rules.themes, start=1)])
    return {"analysed": len(texts), "version": version, "seconds": time.perf_counter() - began}
