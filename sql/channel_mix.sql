-- one row per channel x period ('current' = $start..$stop, 'previous' = $cmp_start..$cmp_stop):
-- the interactions started on that channel under all filters, and whether the channel is live
-- ($live_channels, as for first response), read from interactions_daily (sql/raw_channel_mix.sql
-- computes the same from raw rows). A channel without interactions in a period has no row there.
select period, channel, is_live_channel(channel, $live_channels) as is_live,
       sum(n_interactions)::bigint as n
from interaction_days_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
group by all
order by period, channel
