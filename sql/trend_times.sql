-- one row per period x member x time KPI at grain $grain, from the period holding $first to the
-- one holding $stop - 1: first response on live and on written channels (for $kpi one of those)
-- or resolution time ($kpi = 'resolution_time'), as the median in seconds, its 95% margin (half
-- the distribution-free interval; see median_low_fraction in sql/macros.sql) and n; member: the
-- value of dimension $by (null for 'none'); under every filter and $live_channels. read from the
-- derived time histograms.
with histogram as (
    select period_of(r.started_on, $grain) as period_start, r.member,
           first_response_kpi(is_live_channel(r.channel, $live_channels)) as kpi,
           r.response_seconds as seconds, sum(r.n) as n
    from response_rows(period_of($first, $grain), $stop, $filters, $grain, $by) r
    where $kpi <> 'resolution_time'
    group by all
    union all
    select period_of(r.started_on, $grain), r.member, 'resolution_time', r.resolution_seconds, sum(r.n)
    from resolution_rows(period_of($first, $grain), $stop, $filters, $grain, $by) r
    where $kpi = 'resolution_time'
    group by all
),

-- each histogram's n and the ranks its median and interval ends are read at, once per histogram
totals as (
    select period_start, member, kpi, n_total, disc_rank(0.5, n_total) as median_rank,
           disc_rank(median_low_fraction(n_total), n_total) as low_rank,
           disc_rank(median_high_fraction(n_total), n_total) as high_rank
    from (select period_start, member, kpi, sum(n) as n_total from histogram group by all)
),

running as (
    select period_start, member, kpi, seconds,
           sum(n) over (partition by period_start, member, kpi order by seconds) as n_upto
    from histogram
),

final as (
    select t.period_start, t.member, t.kpi, t.n_total as n,
           min(r.seconds) filter (where r.n_upto > t.median_rank) as median,
           min(r.seconds) filter (where r.n_upto > t.low_rank) as low,
           min(r.seconds) filter (where r.n_upto > t.high_rank) as high
    from running r
    join totals t on t.period_start = r.period_start and t.member is not distinct from r.member and t.kpi = r.kpi
    group by t.period_start, t.member, t.kpi, t.n_total
)

select period_start, member, kpi, median::double as value, ((high - low) / 2)::double as moe, n::bigint as n
from final
order by kpi, member, period_start
