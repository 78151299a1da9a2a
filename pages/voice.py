"""Voice of the customer: what customers write, as themes, sentiment and masked verbatims."""
import streamlit as st

from cxdata import charts, exports, overview, voice
from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.app import audited, explain, frame
from cxdata.filters import COMPARISONS, DIMENSIONS
from cxdata.i18n import _, language, n_

view = frame.current_view()
user = frame.current_user()
reader = frame.open_reader()
facts = frame.data_facts(reader)
minimum = frame.min_responses()
versus = _(COMPARISONS[view.compare])

st.title(_("Voice of the customer"))
st.caption(_("**{period}** · {filters} · {freshness} · survey comments; e-mails, phone, card and id numbers "
             "masked").format(period=overview.period_line(view), filters=fmt.md(overview.filters_line(view.filters)),
                              freshness=overview.freshness_line(facts)))
frame.show_notices(view)

data = voice.load(reader, view.filters, view.compare)
if not voice.has_comments(data):
    st.info(_("No survey comments match these filters in this period. Widen the period or clear a filter "
              "in the sidebar."), icon=":material/search_off:")
    st.stop()

summary = data.summary.loc["current"]
negative = voice.negative_share(data, minimum)
driving = voice.drivers(data, minimum)
changes = voice.emerging(data, minimum)
top = voice.top_driver(driving) if not driving.empty else None

comments_n, negative_tile, driver_tile, unknown_tile = st.columns(4)
comments_n.metric(_("Comments"), fmt.count(int(summary["n_comments"])),
                  help=_("Survey answers with a comment in the period, under the filters."))
if negative.value is None:
    negative_tile.metric(_("Negative comments"), _("Too few comments"))
else:
    significant = negative.change.verdict == "significant change"
    negative_tile.metric(_("Negative comments"), fmt.percent(negative.value, 1),
                         None if negative.change.delta is None else
                         fmt.change_judged("nps_detractors", negative.change.delta, significant=significant),
                         delta_color="inverse" if significant else "off",
                         delta_arrow="auto" if significant else "off",
                         help=_("Share of the comments whose sentiment could be read, ± {moe} points (95%), n = {n}; "
                                "against the {versus}.").format(moe=fmt.number(negative.moe, 1),
                                                                n=fmt.count(negative.n), versus=versus))
driver_tile.metric(_("Detractors' top theme: {theme}").format(theme=top["label"]) if top is not None
                   else _("Detractors' top theme"),
                   fmt.percent(top["detractor_share"], 0) if top is not None else _("Nothing stands out"),
                   help=_("The share of NPS detractor comments (0–6) that name the theme detractors name most, "
                          "among the themes they name significantly more often than promoters do."))
unknown_tile.metric(_("Sentiment unknown"), fmt.percent(100 * summary["n_unknown"] / summary["n_comments"], 0),
                    help=_("Comments with no word the sentiment lexicon knows (another language, only emoji or "
                           "punctuation, or words it lacks): shown as unknown, never guessed."))

st.plotly_chart(charts.detractor_drivers(driving, voice.drivers_title(driving),
                                           _("Share of NPS comments naming each theme, this period · pale: gap not "
                                             "significant")), width="stretch", theme=None, key="drivers")
st.plotly_chart(charts.theme_changes(changes, voice.emerging_title(changes, versus),
                                        _("Change in share of all comments against the {versus}, in points · grey: "
                                          "not significant").format(versus=versus)),
                width="stretch", theme=None, key="emerging")

labels = dict(zip(data.themes["theme"], data.themes["label"]))
theme = st.selectbox(_("Theme over time"), [""] + list(labels),
                     format_func=lambda t: labels.get(t, _("All comments")), key="voice_theme_trend")
monthly = voice.monthly_sentiment(data, view.filters.end, theme, facts["last_complete_on"], facts["oldest_on"])
st.plotly_chart(charts.comment_sentiment(monthly, voice.sentiment_title(monthly, labels[theme] if theme else None,
                                                                        minimum),
                                         _("Comments per month by sentiment, the 12 complete months to the period's "
                                           "end · the filters apply")), width="stretch", theme=None, key="trend")

by = st.segmented_control(_("Themes by"), ["journey_stage", "department", "segment"], default="department",
                          format_func=lambda d: _(DIMENSIONS[d].label), key="voice_breakdown_by") or "department"
breakdown = voice.theme_breakdown(data, by, minimum)
group = _(DIMENSIONS[by].label)
# i18n: {group} is a dimension in lower case: "department", "journey stage", "segment".
heatmap_title = _("Which themes each {group} hears about").format(group=group.lower())
st.plotly_chart(charts.theme_heatmap(breakdown, group, heatmap_title,
                                     _("Share of each group's comments naming the theme, this period · groups with "
                                       "at least {n} comments").format(n=fmt.count(minimum))),
                width="stretch", theme=None, key="breakdown")

st.subheader(_("Phrases that set detractors apart"))
st.caption(_("Words and word pairs far more typical of one group's NPS comments than the other's, among those in "
             "at least {n} comments, most typical first; the columns count the comments that use them. They show "
             "new issues before a theme names them.").format(n=fmt.count(voice.PHRASE_MIN_COMMENTS)))
phrases = data.phrases
# Streamlit writes a column's numbers the browser's way ("localized") or by a printf pattern, never in
# the page's language: other languages get the counts without a thousands separator (as fmt.money_column).
counts = "localized" if language() == "en" else "%d"
detractor_words, promoter_words = st.columns(2)
for place, typical_of, title in ((detractor_words, "detractor", _("Typical of detractors")),
                                 (promoter_words, "promoter", _("Typical of promoters"))):
    rows = phrases[phrases["typical_of"] == typical_of]
    place.markdown(f"**{title}**")
    place.dataframe(rows.sort_values("z", key=abs, ascending=False), hide_index=True, placeholder=fmt.MISSING,
                    column_order=["phrase", "n_detractor", "n_promoter"], column_config={
        "phrase": _("Phrase"), "n_detractor": st.column_config.NumberColumn(_("Detractors"), format=counts),
        "n_promoter": st.column_config.NumberColumn(_("Promoters"), format=counts)})

st.subheader(_("What customers say"))
pick_theme, pick_sentiment, pick_language, pick_text = st.columns([2, 1.3, 1.3, 2.4])
chosen_theme = pick_theme.selectbox(_("Theme"), [""] + list(labels), format_func=lambda t: labels.get(t, _("All themes")),
                                    key="voice_theme")
chosen_sentiment = pick_sentiment.selectbox(_("Sentiment"), [""] + list(voice.SENTIMENTS),
                                            format_func=lambda s: voice.sentiment_word(s).capitalize() if s else _("All"),
                                            key="voice_sentiment")
chosen_language = pick_language.selectbox(_("Language"), [""] + list(voice.LANGUAGE_NAMES),
                                          format_func=lambda c: voice.language_name(c) if c else _("All"),
                                          key="voice_language")
search = pick_text.text_input(_("Search the comments"), max_chars=voice.SEARCH_MAX, key="voice_search",
                              placeholder=_("e.g. atencion (accents and case ignored)"))
rows = voice.verbatims(reader, view.filters, chosen_theme, chosen_sentiment, chosen_language, search=search)
if len(rows) == voice.VERBATIM_LIMIT:
    total = voice.verbatim_count(reader, view.filters, chosen_theme, chosen_sentiment, chosen_language, search=search)
    st.caption(_("The newest {n} of {total} comments; narrow them with the choices above.").format(
        n=fmt.count(len(rows)), total=fmt.count(total)))
else:
    st.caption(n_("{n} comment, newest first.", "{n} comments, newest first.", len(rows)).format(n=fmt.count(len(rows))))
scores = [s for s in voice.SURVEY_SCALES if (rows["survey"] == s).any()]   # a column per survey shown
st.dataframe(rows, hide_index=True, placeholder=fmt.MISSING, column_order=[
    "submitted_at", *(f"score_{s}" for s in scores), "comment", "sentiment", "themes", "language", "segment",
    "department"],
    column_config={
        "submitted_at": st.column_config.DatetimeColumn(_("Date"), format="YYYY-MM-DD", width=90),
        **{f"score_{s}": st.column_config.TextColumn(_(label), width=70, alignment="right")
           for s, label in voice.SURVEY_SCALES.items()},
        "comment": st.column_config.TextColumn(_("Comment"), width="large"),
        "sentiment": st.column_config.TextColumn(_("Sentiment"), width=100),   # "Sentimiento" fits
        "themes": st.column_config.TextColumn(_("Themes"), width="medium"),
        "language": st.column_config.TextColumn(_("Language"), width=90),
        "segment": st.column_config.TextColumn(_("Segment"), width=90),
        "department": st.column_config.TextColumn(_("Department"), width=90)})
if user.may("export_rows"):  # no button for a role without row exports: nothing to record
    audited.download_button(st, _("Download these comments (CSV, masked)"), voice.comments_csv(rows, user),
                            file_name="comments.csv", mime="text/csv", disabled=rows.empty, action="export",
                            what={"file": "comments.csv", "format": "csv", "list": "Comments (masked)",  # untranslated: the audit record's words, kept as recorded
                                  "rows": len(rows), "filters": filters_what(view.filters),
                                  "theme": chosen_theme or None, "sentiment": chosen_sentiment or None,
                                  "language": chosen_language or None, "search": search or None})

explain.how_computed("Comment sentiment", "Themes", "Themes that set detractors apart", "Phrases that set detractors apart",
                     "Masking", "Margin of error", "Significant change", "Many comparisons at once")  # untranslated: glossary entries by name; the glossary words them
