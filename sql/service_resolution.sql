-- one row per response mode of the channel (immediate, deferred) x resolution-time bin: how many
-- resolved agent-handled contacts of [$start, $stop) under every filter took that long. Bins are
-- 8 per decade of seconds (bin b holds [10^(b/8), 10^((b+1)/8)) s); read from resolution_times_daily.
select coalesce(m.response_mode, 'deferred') as response_mode,
       floor(log10(greatest(d.resolution_seconds, 1)) * 8)::integer as bin,
       pow(10, floor(log10(greatest(d.resolution_seconds, 1)) * 8) / 8) as low_seconds,
       pow(10, (floor(log10(greatest(d.resolution_seconds, 1)) * 8) + 1) / 8) as high_seconds,
       sum(d.n)::bigint as n
from resolution_times_daily d
left join channel_modes m using (channel)
where d.started_on >= $start and d.started_on < $stop and matches_activity($filters, d)
group by all
order by response_mode, bin
