-- one row per journey stage x touchpoint: customers with a bad experience there in $start..$stop
-- under $filters against those whose experiences there were all fine, each followed $follow_days
-- days from that experience for churn (censored when those days end after $newest_on), with the
-- annual value they carry: the moments of truth of a period other than the paths' (journey_flows
-- gives them with the paths when the periods are the same); from the derived journey tables
select journey_stage, touchpoint, n_bad, n_bad_lost, churn_bad, n_good, n_good_lost, churn_good, value_bad,
       value_bad_lost, n_censored
from journey_flow_rows($start, $stop, $filters, [], $follow_days, $newest_on, false, true, true)
where part = 'moment'
order by journey_stage, touchpoint
