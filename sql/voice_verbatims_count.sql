-- one row: how many answers with a comment the comment table would list without its limit (the
-- period, the filters and the same theme, sentiment, language, NPS group and text search as
-- voice_verbatims.sql, '' = any)
select count(*) as n_comments
from comment_days($start, $stop, $filters) d
where ($theme = '' or list_contains(d.themes, $theme))
  and ($sentiment = '' or d.sentiment = $sentiment)
  and ($language = '' or d.language = $language)
  and ($nps_group = '' or d.nps_group = $nps_group)
  and ($search = '' or contains(d.search_text, $search))
