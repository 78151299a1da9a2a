"""Voice of the customer: comments analysed once in the derived layer, the page's numbers checked by
hand on a small database of written comments, the theme file's refresh, and the page under AppTest."""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from cxdata import comments, db, derive, voice
from cxdata.filters import Filters, ViewState
from cxdata.report import sections
from tests.conftest import ROOT

Q1 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))   # previous period: 2025-10-03 .. 2025-12-31

# Current period (Q1 2026), NPS: 40 detractors (30 about billing, 10 about waiting), 40 promoters (36 on
# friendly staff, 4 praising the price), 20 passives in Spanish about "atención". CSAT: one comment with
# personal data, an emoji, punctuation only, an HTML fragment in Spanish about "atención".
# Previous period (Q4 2025), NPS: 40 detractors (10 billing, 30 waiting), 40 promoters (staff).
VOICE_ROWS_SQL = """
insert into customers values ('C1', 'Ana', 'SMB', 'Europe', 'ES', 'Plus', date '2025-01-01', 1000, 'Ana', null),
                             ('C2', 'Bo', 'Enterprise', 'North America', 'US', 'Plus', date '2025-01-01', 1000, 'Ana', null);
insert into feedback
select 'V' || i, case when i % 2 = 0 then 'C1' else 'C2' end, null, timestamp '2026-02-01 10:00:00' + to_seconds(i),
       'nps', case when i <= 40 then 3 when i <= 80 then 10 else 8 end,
       case when i <= 30 then 'The billing is wrong, a terrible invoice.'
            when i <= 40 then 'Slow answer, very disappointed.'
            when i <= 76 then 'Great support team, very friendly.'
            when i <= 80 then 'Great value and a fair price.'
            else 'Atención correcta.' end,
       'support', 'ticket', case when i <= 30 then 'Billing' else 'Support' end
from range(1, 101) t(i);
insert into feedback values
    ('X1', 'C1', null, timestamp '2026-03-01 09:00:00', 'csat', 5, 'Call me at +34 612 34 56 78 or ana+test@mail.com, thanks!', null, null, 'Support'),
    ('X2', 'C1', null, timestamp '2026-03-01 09:00:00', 'csat', 5, '👍', null, null, 'Support'),
    ('X3', 'C1', null, timestamp '2026-03-01 09:00:00', 'csat', 3, '?!...', null, null, 'Support'),
    ('X4', 'C1', null, timestamp '2026-03-02 09:00:00', 'csat', 5, '<p>Excelente <b>atención</b></p>', null, null, 'Support');
insert into feedback
select 'P' || i, 'C2', null, timestamp '2025-11-15 10:00:00', 'nps', case when i <= 40 then 2 else 9 end,
       case when i <= 10 then 'The billing is wrong, a terrible invoice.'
            when i <= 40 then 'Slow answer, very disappointed.'
            else 'Great support team, very friendly.' end,
       'support', 'ticket', 'Support'
from range(1, 81) t(i);
"""


@pytest.fixture(scope="module")
def voice_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("voice") / "cx.duckdb"
    with derive.writable_copy(path) as con:
        con.execute(VOICE_ROWS_SQL)
    return path


@pytest.fixture(scope="module")
def reader(voice_db):
    con = db.connect_readonly(voice_db)
    yield db.Reader(con)
    con.close()


def test_each_distinct_comment_is_analysed_once_and_every_answer_gets_its_analysis(reader):
    n_texts, n_rows = reader.con.execute(
        "select (select count(*) from comment_analysis), (select count(*) from feedback_comments)").fetchone()
    assert n_texts == 9 and n_rows == 184
    by_text = dict(reader.con.execute("select masked_comment, sentiment from comment_analysis").fetchall())
    assert by_text["The billing is wrong, a terrible invoice."] == "negative"
    assert by_text["Great support team, very friendly."] == "positive"
    assert by_text["👍"] == "positive" and by_text["?!..."] == "unknown"
    assert by_text["Call me at [phone] or [email], thanks!"] == "positive"   # masked before it is stored
    assert "Excelente atención" in by_text                                    # HTML dropped


def test_summary_counts_by_hand(reader):
    data = voice.load(reader, Q1, "previous")
    now, before = data.summary.loc["current"], data.summary.loc["previous"]
    assert (now["n_comments"], now["n_detractor"], now["n_promoter"], now["n_unknown"]) == (104, 40, 40, 1)
    assert (before["n_comments"], before["n_negative"], before["n_positive"]) == (80, 40, 40)
    share = voice.negative_share(data)
    assert share.value == pytest.approx(100 * 40 / 103) and share.prev_value == pytest.approx(50.0)


def test_billing_drives_detractors_by_hand(reader):
    data = voice.load(reader, Q1, "previous")
    driving = voice.drivers(data).set_index("theme")
    billing = driving.loc["billing"]
    # 30 of 40 detractor comments name billing (the invoice), 4 of 40 promoter comments (the price)
    assert (billing["n_detractor"], billing["n_promoter"]) == (30, 4)
    assert billing["detractor_share"] == pytest.approx(75.0) and billing["promoter_share"] == pytest.approx(10.0)
    assert billing["is_significant"]
    assert voice.top_driver(voice.drivers(data))["theme"] == "billing"
    assert voice.drivers_title(voice.drivers(data)) == \
        "Billing and price is named in 75% of detractor comments, against 10% of promoters'"
    assert voice.drivers(data, min_n=41).empty        # 40 detractor comments are too few for 41


def test_emerging_themes_by_hand(reader):
    changes = voice.emerging(voice.load(reader, Q1, "previous")).set_index("theme")
    # billing: 34 of 104 comments now against 10 of 80 before
    assert changes.loc["billing", "share"] == pytest.approx(100 * 34 / 104)
    assert changes.loc["billing", "prev_share"] == pytest.approx(12.5)
    assert changes.loc["billing", "is_significant"]
    assert changes.index[0] == "billing"                # growing fastest


def test_phrases_that_separate_detractors_from_promoters(reader):
    phrases = voice.load(reader, Q1, "previous").phrases.set_index("phrase")
    assert phrases.loc["billing", "n_detractor"] == 30 and phrases.loc["billing", "typical_of"] == "detractor"
    assert phrases.loc["friendly", "typical_of"] == "promoter"
    assert phrases["z"].is_monotonic_decreasing


@pytest.mark.parametrize("search", ["atencion", "ATENCIÓN", "atención", "  atencion "])
def test_search_ignores_accents_and_case(reader, search):
    rows = voice.verbatims(reader, Q1, search=search)
    assert len(rows) == 21 and set(rows["comment"]) == {"Atención correcta.", "Excelente atención"}


def test_verbatims_are_masked_and_narrow_by_theme_sentiment_group_and_language(reader):
    everything = voice.verbatims(reader, Q1)
    assert len(everything) == 104
    assert not everything["comment"].str.contains("612|@", regex=True).any()
    assert len(voice.verbatims(reader, Q1, theme="billing", nps_group="detractor")) == 30
    assert len(voice.verbatims(reader, Q1, sentiment="unknown")) == 1
    assert set(voice.verbatims(reader, Q1, language="es")["comment"]) == {"Atención correcta.", "Excelente atención"}
    assert voice.verbatims(reader, Q1, theme="billing")["themes"].str.contains("Billing and price").all()


def test_the_overview_headline_names_the_driver_with_a_masked_detractor_quote(reader):
    headline = voice.detractor_headline(reader, Q1, "previous")
    assert headline.text.startswith("**Billing and price** drives most detractors: named in 75% of their 40 comments")
    assert headline.verbatim == "The billing is wrong, a terrible invoice."
    assert voice.detractor_headline(reader, Q1, "previous", min_n=100) is None


def test_quotes_are_distinct_texts_and_fewer_when_fewer_exist(reader):
    """30 detractors wrote the same billing complaint word for word: it is quoted once, not twice."""
    assert voice.quotes(reader, Q1, theme="billing", nps_group="detractor", sentiment="negative", limit=2) == [
        "The billing is wrong, a terrible invoice."]
    # the 40 detractor comments hold two texts; the waiting ones (answers 31-40) are the newest
    assert voice.quotes(reader, Q1, nps_group="detractor", limit=5) == [
        "Slow answer, very disappointed.", "The billing is wrong, a terrible invoice."]


def test_the_voice_slide_quotes_a_repeated_comment_once(reader):
    view = ViewState(Q1, preset="custom", compare="previous")
    slide, = sections.voice_slides(reader, view, sections.Context(facts={}, min_responses=30))
    assert [b for b in slide.bullets if b.startswith("“")] == ["“The billing is wrong, a terrible invoice.”"]


def test_breakdown_and_months(reader):
    data = voice.load(reader, Q1, "previous")
    department = voice.theme_breakdown(data, "department", min_n=1).set_index(["member", "theme"])
    assert department.loc[("Billing", "billing"), "share"] == pytest.approx(100.0)
    months = voice.monthly_sentiment(data, Q1.end)
    months["month_start"] = months["month_start"].map(lambda m: m.strftime("%Y-%m"))
    months = months.set_index("month_start")
    assert list(months.index) == ["2025-11", "2026-02", "2026-03"]     # the months with comments
    assert (months.loc["2026-02", "n"], months.loc["2026-02", "n_negative"]) == (100, 40)
    assert months.loc["2025-11", "negative_share"] == pytest.approx(50.0)
    assert months["is_complete"].all()
    assert voice.sentiment_title(months.reset_index(), min_n=1).startswith("Negative comments peaked in")


def test_a_reload_keeps_the_stored_analysis_and_an_edited_theme_file_re_themes(voice_db, tmp_path, monkeypatch):
    path = tmp_path / "cx.duckdb"
    path.write_bytes(voice_db.read_bytes())
    con = duckdb.connect(str(path))
    assert comments.refresh(con)["analysed"] == 0          # same comments, same analysis: nothing redone
    edited = tmp_path / "themes.toml"
    edited.write_text('[terrible]\nlabel = "Terrible things"\nphrases = ["terrible"]\n', encoding="utf-8")
    con.close()
    monkeypatch.setenv("CX_THEMES", str(edited))
    with derive.writable_copy(path):
        pass
    con = db.connect_readonly(path)
    try:
        assert con.execute("select count(*) from feedback_comments where list_contains(themes, 'terrible')"
                           ).fetchone()[0] == 40
        assert con.execute("select count(*) from feedback_comments where list_contains(themes, 'billing')"
                           ).fetchone()[0] == 0
    finally:
        con.close()


def test_a_broken_theme_file_stops_the_refresh_and_keeps_the_database(voice_db, tmp_path, monkeypatch, capsys):
    from cxdata.__main__ import main

    path = tmp_path / "cx.duckdb"
    path.write_bytes(voice_db.read_bytes())
    before = path.read_bytes()
    broken = tmp_path / "themes.toml"
    broken.write_text('[billing]\nlabel = "Billing"\nphrases = [""]\n', encoding="utf-8")
    monkeypatch.setenv("CX_THEMES", str(broken))
    assert main(["refresh", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "theme [billing]: phrase 1 ('') is empty" in err and "nothing was written" in err
    assert path.read_bytes() == before
    with pytest.raises(derive.RefreshFailed):
        with derive.writable_copy(path):
            pass


# ---- The demo's planted signals (docs/demo-data.md, signal e) --------------------------------------

@pytest.fixture(scope="module")
def demo_voice(demo_march):
    con = db.connect_readonly(demo_march)
    yield db.Reader(con)
    con.close()


def test_on_the_demo_billing_drives_most_detractors(demo_voice):
    """By the page's own measure: the theme detractors name most, with a significant gap to promoters."""
    last_90 = Filters(dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    driving = voice.drivers(voice.load(demo_voice, last_90, "previous"))
    top = voice.top_driver(driving)
    assert top["theme"] == "billing"
    runner_up = driving[driving["theme"] != "billing"]["detractor_share"].max()
    assert top["detractor_share"] >= runner_up + 5          # first by a clear margin (38% against 26%)
    assert top["promoter_share"] < 5


def test_on_the_demo_the_phrase_tables_hold_no_everyday_word_alone(demo_voice):
    """"get", "many" and "first" led the demo's phrase tables before they were left out alone."""
    last_90 = Filters(dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    phrases = voice.load(demo_voice, last_90, "previous").phrases
    assert len(phrases) == 2 * voice.PHRASES_SHOWN
    assert not {"get", "many", "first", "still"} & set(phrases["phrase"])
    assert {"nobody", "expensive", "too many"} <= set(phrases.loc[phrases["typical_of"] == "detractor", "phrase"])
    assert not phrases["phrase"].str.contains(r"^(?:and|with|the|a) | (?:and|with|the|a)$").any()


def test_on_the_demo_the_negative_share_is_higher_in_december_and_january(demo_voice):
    year = Filters(dt.date(2025, 3, 1), dt.date(2026, 2, 28))
    months = voice.monthly_sentiment(voice.load(demo_voice, year, "previous"), year.end)
    months = months[months["is_complete"]]
    holiday = months["month_start"].map(lambda m: m.month in (12, 1))
    share = lambda rows: 100 * rows["n_negative"].sum() / (rows["n"] - rows["n_unknown"]).sum()  # noqa: E731
    assert share(months[holiday]) >= share(months[~holiday]) + 5
    assert voice.sentiment_title(months).startswith(("Negative comments peaked in Dec", "Negative comments peaked in Jan"))


# ---- The page, under AppTest ---------------------------------------------------------------------

@pytest.fixture
def voice_page(voice_db, monkeypatch):
    monkeypatch.setenv("CX_DB", str(voice_db))
    monkeypatch.chdir(ROOT)

    def start() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in {"period": "custom", "from": "2026-01-01", "to": "2026-03-31"}.items():
            at.query_params[key] = value
        at.run()
        return at.switch_page("pages/voice.py").run()
    return start


def _comments_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.endswith(", newest first.") or c.value.startswith("The newest "))


def test_the_page_shows_the_driver_the_share_and_masked_verbatims(voice_page):
    at = voice_page()
    assert not at.exception
    assert at.title[0].value == "Voice of the customer"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Comments"] == "104"
    assert tiles["Negative comments"] == "38.8%"
    assert tiles["Detractors' top theme: Billing and price"] == "75%"
    assert _comments_caption(at).startswith("104 comments")
    table = at.dataframe[-1].value
    assert "Call me at [phone] or [email], thanks!" in set(table["comment"])
    assert not table["comment"].str.contains("612 34|ana\\+test", regex=True).any()


@pytest.mark.parametrize("search", ["atencion", "atención"])
def test_the_page_search_finds_with_and_without_accents(voice_page, search):
    at = voice_page()
    at.text_input(key="voice_search").input(search).run()
    assert not at.exception
    assert _comments_caption(at).startswith("21 comments")
    assert set(at.dataframe[-1].value["comment"]) == {"Atención correcta.", "Excelente atención"}


def test_the_page_narrows_by_theme(voice_page):
    at = voice_page()
    at.selectbox(key="voice_theme").select("billing").run()
    assert _comments_caption(at).startswith("34 comments")


def test_the_overview_links_to_the_page_with_the_driver_and_a_quote(voice_page):
    at = voice_page()
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "drives most detractors" in m.value)
    assert "**Billing and price**" in line and "“The billing is wrong, a terrible invoice.”" in line


def test_a_comment_table_cut_at_its_limit_says_how_many_comments_there_are(voice_page, monkeypatch):
    monkeypatch.setattr(voice, "VERBATIM_LIMIT", 40)
    at = voice_page()
    assert not at.exception
    # 104 comments in Q1 2026 (100 NPS, 4 CSAT); the table holds the newest 40 and says so
    assert _comments_caption(at) == "The newest 40 of 104 comments; narrow them with the choices above."
    assert len(at.dataframe[-1].value) == 40
    at.selectbox(key="voice_theme").select("billing").run()   # 34 billing comments: all of them fit
    assert _comments_caption(at) == "34 comments, newest first."


def test_the_comment_table_shows_each_surveys_score_in_its_own_column(voice_page):
    at = voice_page()
    table = at.dataframe[-1]
    labels = {k: v.get("label") for k, v in json.loads(table.proto.columns).items()}
    shown = [labels.get(c, c) for c in table.proto.column_order]
    # Q1 2026 has NPS (0-10) and CSAT (1-5) comments, no CES: two score columns, never one mixed "Score"
    assert shown[:3] == ["Date", "NPS (0–10)", "CSAT (1–5)"] and "Score" not in shown and "Survey" not in shown
    rows = table.value.set_index("comment")
    call_me = rows.loc["Call me at [phone] or [email], thanks!"]   # a blank, never "None", in the other columns
    assert (call_me["score_csat"], call_me["score_nps"], call_me["score_ces"]) == ("5", "", "")
    billing = rows.loc[["The billing is wrong, a terrible invoice."]]
    assert (billing["score_nps"] == "3").all() and (billing["score_csat"] == "").all()


def test_the_phrase_tables_show_phrases_and_counts_without_a_test_statistic(voice_page):
    at = voice_page()
    typical = [d for d in at.dataframe if list(d.proto.column_order) == ["phrase", "n_detractor", "n_promoter"]]
    assert len(typical) == 2    # detractors' and promoters'
    labels = json.loads(typical[0].proto.columns)
    assert [labels[c]["label"] for c in ("phrase", "n_detractor", "n_promoter")] == ["Phrase", "Detractors", "Promoters"]
    detractors = typical[0].value
    assert detractors.iloc[0]["phrase"] == "billing" and detractors.iloc[0]["n_detractor"] == 30
    assert not any(p in comments.VAGUE or p in comments.STOPWORDS for t in typical for p in t.value["phrase"])


@pytest.mark.parametrize("text, kept, left_out", [
    # everyday words say nothing alone, but make a phrase in a pair
    ("I get too many calls, first contact was fine", {"calls", "too many", "many calls", "first contact", "fine"},
     {"get", "many", "first", "too", "calls first"}),
    # a pair never spans a comma and never starts or ends on a stopword
    ("Slow, confusing and expensive", {"slow", "confusing", "expensive"}, {"slow confusing", "confusing and"}),
    ("Everything worked perfectly with the app", {"worked perfectly", "everything worked"},
     {"perfectly with", "with the", "the app"}),
    ("Very very slow again", {"slow", "very slow", "slow again"}, {"very very", "again"}),
])
def test_phrases_leave_out_everyday_words_and_fragments(text, kept, left_out):
    found = set(comments.terms(text.lower()))
    assert kept <= found and not (left_out & found), found
