-- one row per distinct comment text (as folded: case, accents and spacing ignored) in the period under
-- the filters, narrowed by theme, sentiment and NPS group ('' = any): its newest masked wording, the
-- newest text first, at most $limit rows; a text many customers wrote is quoted once
select arg_max(d.masked_comment, d.submitted_at) as comment, max(d.submitted_at) as submitted_at
from comment_days($start, $stop, $filters) d
where ($theme = '' or list_contains(d.themes, $theme))
  and ($sentiment = '' or d.sentiment = $sentiment)
  and ($nps_group = '' or d.nps_group = $nps_group)
group by d.search_text
order by submitted_at desc, d.search_text
limit $limit
