-- one row per journey stage x touchpoint, per stage (is_stage) and for the whole view (is_total), as
-- sql/journey_map.sql, computed from raw rows: the reference the derived path is checked against
select * from journey_map_rows($start, $stop, $filters, false)
order by is_total, journey_stage, is_stage desc, touchpoint
