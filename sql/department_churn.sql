-- one row per quarter x department: of the customers (in customers) with a bad experience with the
-- department in the quarter (an SLA miss, NPS 0-6, CSAT 1-2 or CES 1-3: journey_experience_rows),
-- still customers that day, how many churned in the $follow_days days after their first one there;
-- customers whose days are not over by $newest_on are censored (counted apart). From the quarter
-- holding $first to the one holding $stop - 1, under every filter. read from journey_first_bad_quarters
-- (its raw-row twin: sql/raw_department_churn.sql).
with bad as (
    select b.quarter_start as period_start, activity_member(b, 'department') as member, b.customer_key,
           min(b.first_bad_on) as first_bad_on, any_value(b.churned_on) as churned_on
    from journey_first_bad_quarters b
    where b.quarter_start >= period_of($first, 'quarter') and b.first_bad_on < $stop
      and matches_activity($filters, b)
    group by all
),

followed as (
    select *, is_followed_up(first_bad_on, $follow_days, $newest_on) as is_followed,
           coalesce(is_lost_within(churned_on, first_bad_on, $follow_days), false) as is_lost
    from bad
    where churned_on is null or churned_on >= first_bad_on
),

counts as (
    select period_start, member,
           count(*) filter (where is_followed) as n, count(*) filter (where is_followed and is_lost) as n_lost,
           count(*) filter (where not is_followed) as n_censored
    from followed
    group by all
)

select period_start, member, 'bad_experience_churn' as kpi,
       churn_rate_of(n_lost, n)::double as value, churn_moe_of(n_lost, n)::double as moe, n::bigint as n,
       n_censored::bigint as n_censored
from counts
order by member, period_start
