-- one row per word or word pair that separates detractor from promoter comments in the period (NPS
-- comments only): its counts in each group and its log-odds z-score (log_odds_z, sql/derived.sql);
-- phrases in at least $min_comments comments, the $limit most typical of each group; equal scores in
-- alphabetical order, so the same data always lists the same phrases in the same order
with groups as (
    select comment_hash, nps_group, count(*) as n
    from comment_days($start, $stop, $filters)
    where nps_group in ('detractor', 'promoter')
    group by all
),
phrases as (
    select unnest(a.terms) as phrase, g.nps_group, g.n
    from groups g join comment_analysis a using (comment_hash)
),
counted as (
    select phrase,
           coalesce(sum(n) filter (where nps_group = 'detractor'), 0) as n_detractor,
           coalesce(sum(n) filter (where nps_group = 'promoter'), 0) as n_promoter
    from phrases group by phrase
),
sizes as (
    select sum(n_detractor) as all_detractor, sum(n_promoter) as all_promoter from counted
),
scored as (
    select c.phrase, c.n_detractor, c.n_promoter,
           log_odds_z(c.n_detractor, s.all_detractor, c.n_promoter, s.all_promoter,
                      $prior * (c.n_detractor + c.n_promoter) / (s.all_detractor + s.all_promoter), $prior) as z
    from counted c, sizes s
    where c.n_detractor + c.n_promoter >= $min_comments and s.all_detractor > 0 and s.all_promoter > 0
),
final as (
    select *, case when z > 0 then 'detractor' else 'promoter' end as typical_of,
           row_number() over (partition by z > 0 order by abs(z) desc, phrase) as rank
    from scored
)
select phrase, n_detractor, n_promoter, z, typical_of from final
where rank <= $limit
order by z desc, phrase
