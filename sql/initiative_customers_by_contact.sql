-- one row per span x group: the customers active at a span's start (n) and the lost among them, as
-- sums of 100 per lost customer (churn_rate_of's parts), in an initiative's scope or not (the
-- comparison). Spans: 'before' [$first_on, $start_on), 'after' [$start_on, $stop_on) and each week of
-- both ('week', week 0 = the 7 days from $start_on). For a scope on contacts: a customer is in scope by their
-- segment and region and a contact in the scope's channels, touchpoints or departments before the start
-- (a scope of customer attributes only is initiative_customers). value_sum: the annual value of the
-- active customers (for the return on churn avoided).
with people as (
    select s.started_on, c.churned_on, 1 as n_customers, c.annual_value,
           coalesce(in_filter($scope['segment'], c.segment) and in_filter($scope['region'], c.region), false)
           and c.customer_id in (
               select i.customer_id from filtered_interactions($first_on::date, $start_on::date, $filters) i
               where coalesce(in_filter($scope['channel'], i.channel)
                              and in_filter($scope['touchpoint'], i.touchpoint)
                              and in_filter($scope['department'], i.department), false)) as is_in_scope
    from filtered_customers($filters) c
    join customer_started() s using (customer_id)
),

bounds as (
    select floor(date_diff('day', $start_on::date, $first_on::date) / 7)::integer as lo,
           ceil(date_diff('day', $start_on::date, $stop_on::date) / 7)::integer - 1 as hi
),

-- each customer's weeks as buckets: active at the start of week w (start_on + 7w) when
-- first_week <= w <= churn_week, lost in week w when churn_week = w (is_active_on, is_lost_in)
buckets as (
    select p.is_in_scope,
           least(greatest(floor(date_diff('day', $start_on::date, p.started_on) / 7)::integer + 1, b.lo), b.hi + 1) as first_week,
           case when p.churned_on is null then b.hi + 1   -- greatest() and least() skip a null
                else least(greatest(floor(date_diff('day', $start_on::date, p.churned_on) / 7)::integer, b.lo - 1), b.hi + 1)
           end as churn_week,
           sum(p.n_customers) as n_customers, sum(p.annual_value)::double as annual_value
    from people p cross join bounds b
    where p.started_on is not null
    group by all
),

spans as (
    select 'before' as span, null::integer as week, lo as active_week, lo as lost_from, -1 as lost_to from bounds
    union all
    select 'after', null, 0, 0, hi from bounds
    union all
    select 'week', w, w, w, w from (select unnest(range(lo, hi + 1)) as w from bounds)
),

final as (
    select sp.span, sp.week, case when k.is_in_scope then 'scope' else 'comparison' end as "group",
           sum(k.n_customers) as n,
           100.0 * coalesce(sum(k.n_customers) filter (where k.churn_week between sp.lost_from and sp.lost_to), 0) as sum_y,
           10000.0 * coalesce(sum(k.n_customers) filter (where k.churn_week between sp.lost_from and sp.lost_to), 0) as sum_y2,
           sum(k.annual_value) as value_sum
    from spans sp
    join buckets k on k.first_week <= sp.active_week and k.churn_week >= sp.active_week
    group by all
)

select * from final order by span, week, "group"
