-- one row per journey stage, known (in journey_stages: position, description) or seen in the data
-- (the first day it was seen and its interactions; 0 for a stage with no data): what orders the map
with seen as (
    select journey_stage as stage, min(started_on) as first_on, sum(n_interactions) as n_interactions
    from journey_touchpoints_daily where journey_stage is not null
    group by all
    union all
    select journey_stage, min(submitted_on), 0 from journey_feedback_daily where journey_stage is not null
    group by all
),

final as (
    select coalesce(k.stage, s.stage) as stage, min(k.position) as position, any_value(k.description) as description,
           min(s.first_on) as first_on, coalesce(sum(s.n_interactions), 0)::bigint as n_interactions
    from journey_stages k full join seen s on s.stage = k.stage
    group by all
)

select * from final order by position nulls last, first_on, stage
