-- one row per quarter x department: of the customers (in customers) with a bad experience with the
-- department in the quarter (an SLA miss, NPS 0-6, CSAT 1-2 or CES 1-3: journey_experience_rows),
-- still customers that day, how many churned in the $follow_days days after their first one there;
-- customers whose days are not over by $newest_on are censored (counted apart). From the quarter
-- holding $first to the one holding $stop - 1, under every filter. The raw-row twin of
-- sql/department_churn.sql, read from the raw experiences (journey_experience_rows).
with bad as (
    select period_of(a.active_on, 'quarter') as period_start, activity_member(a, 'department') as member,
           a.customer_key, min(a.active_on) as first_bad_on, any_value(a.churned_on) as churned_on
    from journey_customer_activity(period_of($first, 'quarter'), $stop, $filters, false) a
    where a.n_bad > 0 and a.is_known
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
