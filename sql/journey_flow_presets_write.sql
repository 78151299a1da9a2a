-- one row per row of sql/journey_flows.sql for $start..$stop with no filter ($filters: none chosen),
-- stored with the arguments it was computed for, so sql/journey_flows_stored.sql finds it (a date preset)
insert into journey_flow_presets
select $start, $stop, $stage_order, $follow_days, $newest_on, $with_moments, *
from journey_flow_rows($start, $stop, $filters, $stage_order, $follow_days, $newest_on, true, $with_moments, true)
