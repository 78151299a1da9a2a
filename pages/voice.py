"""Voice of the customer: what customers write, as themes, sentiment and masked verbatims."""
import streamlit as st

from cxdata import charts, exports, overview, voice
from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.app import audited, explain, frame
from cxdata.filters import COMPARISONS, DIMENSIONS

view = frame.current_view()
user = frame.current_user()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()
versus = COMPARISONS[view.compare]

st.title("Voice of the customer")
st.caption(f"**{overview.period_line(view)}** · {fmt.md(overview.filters_line(view.filters))} · "
           f"{overview.freshness_line(facts)} · survey comments; e-mails, phone, card and id numbers masked")
frame.show_notices(view)

data = voice.load(reader, view.filters, view.compare)
if not voice.has_comments(data):
    st.info("No survey comments match these filters in this period. Widen the period or clear a filter "
            "in the sidebar.", icon=":material/search_off:")
    st.stop()

summary = data.summary.loc["current"]
negative = voice.negative_share(data, minimum)
driving = voice.drivers(data, minimum)
changes = voice.emerging(data, minimum)
top = voice.top_driver(driving) if not driving.empty else None

comments_n, negative_tile, driver_tile, unknown_tile = st.columns(4)
comments_n.metric("Comments", f"{int(summary['n_comments']):,}",
                  help="Survey answers with a comment in the period, under the filters.")
if negative.value is None:
    negative_tile.metric("Negative comments", "Too few comments")
else:
    significant = negative.change.verdict == "significant change"
    negative_tile.metric("Negative comments", f"{negative.value:.1f}%",
                         None if negative.change.delta is None else
                         fmt.change_judged("nps_detractors", negative.change.delta, significant=significant),
                         delta_color="inverse" if significant else "off",
                         delta_arrow="auto" if significant else "off",
                         help=f"Share of the comments whose sentiment could be read, ± {negative.moe:.1f} points "
                              f"(95%), n = {negative.n:,}; against the {versus}.")
driver_tile.metric(f"Detractors' top theme: {top['label']}" if top is not None else "Detractors' top theme",
                   f"{top['detractor_share']:.0f}%" if top is not None else "Nothing stands out",
                   help="The share of NPS detractor comments (0–6) that name the theme detractors name most, among "
                        "the themes they name significantly more often than promoters do.")
unknown_tile.metric("Sentiment unknown", f"{100 * summary['n_unknown'] / summary['n_comments']:.0f}%",
                    help="Comments with no word the sentiment lexicon knows (another language, only emoji or "
                         "punctuation, or words it lacks): shown as unknown, never guessed.")

st.plotly_chart(charts.detractor_drivers(driving, voice.drivers_title(driving),
                                           "Share of NPS comments naming each theme, this period · pale: gap not "
                                           "significant"), width="stretch", theme=None, key="drivers")
st.plotly_chart(charts.theme_changes(changes, voice.emerging_title(changes, versus),
                                        f"Change in share of all comments against the {versus}, in points · grey: "
                                        "not significant"), width="stretch", theme=None, key="emerging")

labels = dict(zip(data.themes["theme"], data.themes["label"]))
theme = st.selectbox("Theme over time", [""] + list(labels), format_func=lambda t: labels.get(t, "All comments"),
                     key="voice_theme_trend")
monthly = voice.monthly_sentiment(data, view.filters.end, theme, facts["last_complete_on"], facts["oldest_on"])
named = f"comments on {labels[theme].lower()}" if theme else "comments"
st.plotly_chart(charts.comment_sentiment(monthly, voice.sentiment_title(monthly, named, minimum),
                                         "Comments per month by sentiment, the 12 complete months to the period's "
                                         "end · the filters apply"), width="stretch", theme=None, key="trend")

by = st.segmented_control("Themes by", ["journey_stage", "department", "segment"], default="department",
                          format_func=lambda d: DIMENSIONS[d].label, key="voice_breakdown_by") or "department"
breakdown = voice.theme_breakdown(data, by, minimum)
st.plotly_chart(charts.theme_heatmap(breakdown, DIMENSIONS[by].label,
                                     f"Which themes each {DIMENSIONS[by].label.lower()} hears about",
                                     f"Share of each group's comments naming the theme, this period · groups with "
                                     f"at least {minimum} comments"), width="stretch", theme=None, key="breakdown")

st.subheader("Phrases that set detractors apart")
st.caption("Words and word pairs far more typical of one group's NPS comments than the other's, among those in "
           f"at least {voice.PHRASE_MIN_COMMENTS} comments, most typical first; the columns count the comments "
           "that use them. They show new issues before a theme names them.")
phrases = data.phrases
detractor_words, promoter_words = st.columns(2)
for column, group, title in ((detractor_words, "detractor", "Typical of detractors"),
                             (promoter_words, "promoter", "Typical of promoters")):
    rows = phrases[phrases["typical_of"] == group]
    column.markdown(f"**{title}**")
    column.dataframe(rows.sort_values("z", key=abs, ascending=False), hide_index=True, placeholder=fmt.MISSING, column_order=[
        "phrase", "n_detractor", "n_promoter"], column_config={
        "phrase": "Phrase", "n_detractor": st.column_config.NumberColumn("Detractors", format="localized"),
        "n_promoter": st.column_config.NumberColumn("Promoters", format="localized")})

st.subheader("What customers say")
pick_theme, pick_sentiment, pick_language, pick_text = st.columns([2, 1.3, 1.3, 2.4])
chosen_theme = pick_theme.selectbox("Theme", [""] + list(labels), format_func=lambda t: labels.get(t, "All themes"),
                                    key="voice_theme")
chosen_sentiment = pick_sentiment.selectbox("Sentiment", [""] + list(voice.SENTIMENTS),
                                            format_func=lambda s: s.capitalize() if s else "All", key="voice_sentiment")
chosen_language = pick_language.selectbox("Language", [""] + list(voice.LANGUAGE_NAMES),
                                          format_func=lambda c: voice.LANGUAGE_NAMES.get(c, "All"),
                                          key="voice_language")
search = pick_text.text_input("Search the comments", max_chars=voice.SEARCH_MAX, key="voice_search",
                              placeholder="e.g. atencion (accents and case ignored)")
rows = voice.verbatims(reader, view.filters, chosen_theme, chosen_sentiment, chosen_language, search=search)
if len(rows) == voice.VERBATIM_LIMIT:
    total = voice.verbatim_count(reader, view.filters, chosen_theme, chosen_sentiment, chosen_language, search=search)
    st.caption(f"The newest {len(rows):,} of {total:,} comments; narrow them with the choices above.")
else:
    st.caption(f"{len(rows):,} {'comment' if len(rows) == 1 else 'comments'}, newest first.")
scores = [s for s in voice.SURVEY_SCALES if (rows["survey"] == s).any()]   # a column per survey shown
st.dataframe(rows, hide_index=True, placeholder=fmt.MISSING, column_order=[
    "submitted_at", *(f"score_{s}" for s in scores), "comment", "sentiment", "themes", "language", "segment",
    "department"],
    column_config={
        "submitted_at": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD", width=90),
        **{f"score_{s}": st.column_config.TextColumn(label, width=70, alignment="right")
           for s, label in voice.SURVEY_SCALES.items()},
        "comment": st.column_config.TextColumn("Comment", width="large"),
        "sentiment": st.column_config.TextColumn("Sentiment", width=80),
        "themes": st.column_config.TextColumn("Themes", width="medium"),
        "language": st.column_config.TextColumn("Language", width=80),
        "segment": st.column_config.TextColumn("Segment", width=90),
        "department": st.column_config.TextColumn("Department", width=90)})
if user.may("export_rows"):  # no button for a role without row exports: nothing to record
    audited.download_button(st, "Download these comments (CSV, masked)", voice.comments_csv(rows, user),
                            file_name="comments.csv", mime="text/csv", disabled=rows.empty, action="export",
                            what={"file": "comments.csv", "format": "csv", "list": "Comments (masked)",
                                  "rows": len(rows), "filters": filters_what(view.filters),
                                  "theme": chosen_theme or None, "sentiment": chosen_sentiment or None,
                                  "language": chosen_language or None, "search": search or None})

explain.how_computed("Comment sentiment", "Themes", "Themes that set detractors apart", "Phrases that set detractors apart",
                     "Masking", "Margin of error", "Significant change", "Many comparisons at once")
