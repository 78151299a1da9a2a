-- one row per journey stage x touchpoint, as sql/journey_moments.sql, computed from raw rows: the
-- reference the derived path is checked against
select * from journey_moment_rows($start, $stop, $filters, $follow_days, $newest_on, false)
order by journey_stage, touchpoint
