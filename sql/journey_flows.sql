-- one row per link of the customers' paths through the stages and through each stage's touchpoints
-- in $start..$stop under $filters ($stage_order: the journey's order), and, when $with_moments, per
-- touchpoint of the moments of truth of the same period (followed $follow_days days, censored after
-- $newest_on); `part` tells which (see journey_flow_rows in sql/derived.sql). From the derived journey
-- tables (sql/raw_journey_flows.sql: the same from raw rows)
select * from journey_flow_rows($start, $stop, $filters, $stage_order, $follow_days, $newest_on, true, $with_moments, true)
order by part, from_stage, to_stage, journey_stage, from_step, from_touchpoint, to_step, to_touchpoint, went_on,
         touchpoint
