-- one row per journey stage x touchpoint, per stage (is_stage) and for the whole view (is_total) in
-- $start..$stop under $filters: volume, complaint share, SLA breach rate, NPS, CSAT and CES with
-- margins and n, from the derived journey tables (sql/raw_journey_map.sql: the same from raw rows)
select * from journey_map_rows($start, $stop, $filters, true)
order by is_total, journey_stage, is_stage desc, touchpoint
