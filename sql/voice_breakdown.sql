-- one row per dimension (segment, department, journey_stage) x member x theme ('' = every comment):
-- the member's comments in the period, those naming the theme, and how many of those are negative
with comments as (
    select segment, department, journey_stage, sentiment, themes from comment_days($start, $stop, $filters)
),
by_theme as (
    select segment, department, journey_stage, '' as theme, sentiment from comments
    union all
    select segment, department, journey_stage, unnest(themes), sentiment from comments
),
grouped as (
    select case when grouping(segment) = 0 then 'segment' when grouping(department) = 0 then 'department'
                else 'journey_stage' end as dimension,
           coalesce(segment, department, journey_stage) as member, theme,
           count(*) as n, count(*) filter (where sentiment = 'negative') as n_negative
    from by_theme
    group by grouping sets ((segment, theme), (department, theme), (journey_stage, theme))
)
select g.dimension, g.member, g.theme, g.n, g.n_negative, a.n as n_member
from grouped g
join grouped a on a.dimension = g.dimension and a.member = g.member and a.theme = ''
where g.member is not null
order by g.dimension, g.member, g.theme
