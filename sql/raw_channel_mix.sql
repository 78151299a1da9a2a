-- one row per channel x period, as sql/channel_mix.sql, computed from raw rows: the reference the
-- derived path is checked against (tests/test_derived_parity.py) and timed against.
select period, channel, is_live_channel(channel, $live_channels) as is_live, count(*)::bigint as n
from (select 'current' as period, channel from filtered_interactions($start, $stop, $filters)
      union all
      select 'previous', channel from filtered_interactions($cmp_start, $cmp_stop, $filters))
group by all
order by period, channel
