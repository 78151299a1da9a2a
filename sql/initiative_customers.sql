-- one row per span x group: the customers active at a span's start (n) and the lost among them, as
-- sums of 100 per lost customer (churn_rate_of's parts), in an initiative's scope or not (the
-- comparison). Spans: 'before' [$first_on, $start_on), 'after' [$start_on, $stop_on) and each week of
-- both ('week', week 0 = the 7 days from $start_on). A customer is in scope by their segment and region;
-- a scope on channels, touchpoints or departments takes the customers who had such a contact before
-- the start. value_sum: the annual value of the active customers (for the return on churn avoided).
with people as (
    select c.customer_id, s.started_on, c.churned_on, c.annual_value,
           coalesce(in_filter($scope['segment'], c.segment) and in_filter($scope['region'], c.region), false)
           and (len($scope['channel']) + len($scope['touchpoint']) + len($scope['department']) = 0
                or c.customer_id in (
                    select i.customer_id from filtered_interactions($first_on::date, $start_on::date, $filters) i
                    where coalesce(in_filter($scope['channel'], i.channel)
                                   and in_filter($scope['touchpoint'], i.touchpoint)
                                   and in_filter($scope['department'], i.department), false))) as is_in_scope
    from filtered_customers($filters) c
    join customer_started() s using (customer_id)
),

weeks as (
    select unnest(range(floor(date_diff('day', $start_on::date, $first_on::date) / 7)::integer,
                        ceil(date_diff('day', $start_on::date, $stop_on::date) / 7)::integer)) as week
),

spans as (
    select 'before' as span, null::integer as week, $first_on::date as span_start, $start_on::date as span_stop
    union all
    select 'after', null, $start_on::date, $stop_on::date
    union all
    select 'week', week, ($start_on::date + to_days(7 * week))::date, ($start_on::date + to_days(7 * week + 7))::date
    from weeks
),

final as (
    select sp.span, sp.week, case when p.is_in_scope then 'scope' else 'comparison' end as "group",
           count(*) as n,
           100.0 * count(*) filter (where is_lost_in(p.started_on, p.churned_on, sp.span_start, sp.span_stop)) as sum_y,
           10000.0 * count(*) filter (where is_lost_in(p.started_on, p.churned_on, sp.span_start, sp.span_stop)) as sum_y2,
           sum(p.annual_value)::double as value_sum
    from spans sp
    join people p on is_active_on(p.started_on, p.churned_on, sp.span_start)
    group by all
)

select * from final order by span, week, "group"
