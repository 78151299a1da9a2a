-- one row per answer with a comment in the period under the filters, newest first, narrowed by
-- theme, sentiment, language and NPS group ('' = any) and an accent-insensitive text search
-- ($search is folded by the caller: lower case, no accents); at most $limit rows, masked text only
select d.submitted_at, d.survey, d.score, d.nps_group, d.segment, d.department, d.journey_stage,
       d.language, d.sentiment, list_transform(d.themes, lambda t: coalesce(l.label_of[t], t)) as themes,
       d.masked_comment as comment
from comment_days($start, $stop, $filters) d,
     (select map(list(theme), list(label)) as label_of from comment_theme_list) l
where ($theme = '' or list_contains(d.themes, $theme))
  and ($sentiment = '' or d.sentiment = $sentiment)
  and ($language = '' or d.language = $language)
  and ($nps_group = '' or d.nps_group = $nps_group)
  and ($search = '' or contains(d.search_text, $search))
order by d.submitted_at desc, d.feedback_id
limit $limit
