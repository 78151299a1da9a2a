-- one row per journey stage x touchpoint: customers with a bad experience there in $start..$stop
-- under $filters against those whose experiences there were all fine, each followed $follow_days
-- days from that experience for churn (censored when those days end after $newest_on), with the
-- annual value they carry; from the derived journey tables (sql/raw_journey_moments.sql: raw rows)
select * from journey_moment_rows($start, $stop, $filters, $follow_days, $newest_on, true)
order by journey_stage, touchpoint
