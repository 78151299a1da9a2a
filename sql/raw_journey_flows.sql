-- one row per link of the customers' paths or touchpoint of the moments of truth, as
-- sql/journey_flows.sql, computed from raw rows: the reference the derived path is checked against
select * from journey_flow_rows($start, $stop, $filters, $stage_order, $follow_days, $newest_on, true, $with_moments, false)
order by part, from_stage, to_stage, journey_stage, from_step, from_touchpoint, to_step, to_touchpoint, went_on,
         touchpoint
