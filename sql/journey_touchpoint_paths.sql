-- one row per link of the customers' paths through the touchpoints of stage $stage in $start..$stop
-- under $filters: touchpoints in the order each customer first came to them (ties by name), up to
-- the third; from (step, touchpoint) to the next, or (to_step null) to the end of the stage, split by
-- whether the customer reached a later stage of the journey ($stage_order) in the period.
with stage_customers as (
    select customer_id, next_stage is not null as went_on, has_churned
    from journey_stage_steps($start, $stop, $filters, $stage_order, true)
    where journey_stage = $stage
),

touchpoints as (
    select customer_id, touchpoint, min(first_at) as first_at
    from journey_customer_activity($start, $stop, $filters, true)
    where n_interactions > 0 and journey_stage = $stage
    group by all
),

steps as (
    select t.customer_id, t.touchpoint, s.went_on, s.has_churned,
           row_number() over (partition by t.customer_id order by t.first_at, t.touchpoint nulls last) as step
    from touchpoints t join stage_customers s using (customer_id)
),

shown as (
    select *, lead(touchpoint) over (partition by customer_id order by step) as next_touchpoint,
           lead(step) over (partition by customer_id order by step) as next_step
    from steps where step <= 3
)

select step as from_step, touchpoint as from_touchpoint, next_step as to_step, next_touchpoint as to_touchpoint,
       case when next_step is null then went_on end as went_on,
       count(*)::bigint as n_customers, count(*) filter (where has_churned)::bigint as n_churned
from shown
group by all
order by from_step, from_touchpoint, to_step, to_touchpoint, went_on
