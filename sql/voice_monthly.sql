-- one row per trend month x theme ('' = every comment) x sentiment: comments, over the 12 complete
-- months before $stop and the partial month it falls in (trend_months in sql/macros.sql)
with comments as (
    select date_trunc('month', submitted_on)::date as month_start, sentiment, themes
    from comment_days(trend_start($stop), $stop, $filters)
),
by_theme as (
    select month_start, '' as theme, sentiment from comments
    union all
    select month_start, unnest(themes), sentiment from comments
)
select month_start, theme, sentiment, count(*) as n
from by_theme
group by all
order by month_start, theme, sentiment
