-- one row per theme x period ('current', 'previous'): how many comments name it, how many of them are
-- negative, how many detractor and promoter comments name it, and the period's totals beside them
with comments as (
    select 'current' as period, * from comment_days($start, $stop, $filters)
    union all
    select 'previous', * from comment_days($cmp_start, $cmp_stop, $filters)
),
totals as (
    select period, count(*) as n_comments,
           count(*) filter (where nps_group = 'detractor') as n_detractor_comments,
           count(*) filter (where nps_group = 'promoter') as n_promoter_comments
    from comments group by period
),
mentions as (
    select period, unnest(themes) as theme, sentiment, nps_group from comments
),
counted as (
    select period, theme, count(*) as n,
           count(*) filter (where sentiment = 'negative') as n_negative,
           count(*) filter (where sentiment = 'positive') as n_positive,
           count(*) filter (where nps_group = 'detractor') as n_detractor,
           count(*) filter (where nps_group = 'promoter') as n_promoter
    from mentions group by period, theme
),
final as (
    select l.theme, l.label, l.position, p.period,
           coalesce(c.n, 0) as n, coalesce(c.n_negative, 0) as n_negative, coalesce(c.n_positive, 0) as n_positive,
           coalesce(c.n_detractor, 0) as n_detractor, coalesce(c.n_promoter, 0) as n_promoter,
           coalesce(t.n_comments, 0) as n_comments,
           coalesce(t.n_detractor_comments, 0) as n_detractor_comments,
           coalesce(t.n_promoter_comments, 0) as n_promoter_comments,
           share_pct_of(coalesce(c.n, 0), t.n_comments) as share,
           share_moe_of(coalesce(c.n, 0), t.n_comments) as share_moe,
           share_pct_of(coalesce(c.n_detractor, 0), t.n_detractor_comments) as detractor_share,
           share_moe_of(coalesce(c.n_detractor, 0), t.n_detractor_comments) as detractor_share_moe,
           share_pct_of(coalesce(c.n_promoter, 0), t.n_promoter_comments) as promoter_share,
           share_moe_of(coalesce(c.n_promoter, 0), t.n_promoter_comments) as promoter_share_moe
    from comment_theme_list l
    cross join (values ('current'), ('previous')) p(period)
    left join counted c on c.theme = l.theme and c.period = p.period
    left join totals t on t.period = p.period
)
select * from final
order by position, period
