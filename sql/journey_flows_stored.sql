-- one row per row of sql/journey_flows.sql for these arguments, when refresh stored them (a date preset
-- with no filter: journey_flow_presets); none when it did not, and the caller computes them
select * exclude (start, stop, stage_order, follow_days, newest_on, with_moments)
from journey_flow_presets
where start = $start and stop = $stop and stage_order = $stage_order and follow_days = $follow_days
  and newest_on = $newest_on and with_moments = $with_moments and is_unfiltered($filters)
order by part, from_stage, to_stage, journey_stage, from_step, from_touchpoint, to_step, to_touchpoint, went_on,
         touchpoint
