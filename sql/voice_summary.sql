-- one row per period ('current', 'previous'): the answers with a comment, by sentiment and NPS group
select period,
       count(*) as n_comments,
       count(*) filter (where sentiment = 'negative') as n_negative,
       count(*) filter (where sentiment = 'neutral') as n_neutral,
       count(*) filter (where sentiment = 'positive') as n_positive,
       count(*) filter (where sentiment = 'unknown') as n_unknown,
       count(*) filter (where len(themes) > 0) as n_themed,
       count(*) filter (where nps_group = 'detractor') as n_detractor,
       count(*) filter (where nps_group = 'promoter') as n_promoter
from (
    select 'current' as period, * from comment_days($start, $stop, $filters)
    union all
    select 'previous', * from comment_days($cmp_start, $cmp_stop, $filters)
)
group by period
order by period
