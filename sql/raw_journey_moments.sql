-- one row per journey stage x touchpoint, as sql/journey_moments.sql, computed from raw rows: the
-- reference the derived path is checked against
select journey_stage, touchpoint, n_bad, n_bad_lost, churn_bad, n_good, n_good_lost, churn_good, value_bad,
       value_bad_lost, n_censored
from journey_flow_rows($start, $stop, $filters, [], $follow_days, $newest_on, false, true, false)
where part = 'moment'
order by journey_stage, touchpoint
