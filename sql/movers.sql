-- one row per dimension x member x KPI x period: survey scores and SLA compliance by segment,
-- department and journey stage, now ($start..$stop) and in the comparison period
-- ($cmp_start..$cmp_stop), with 95% margins, for finding the significant movers.
with periods as (
    select 'current' as period, $start::date as p_start, $stop::date as p_stop
    union all
    select 'previous', $cmp_start::date, $cmp_stop::date
),

feedback_in_periods as (
    select p.period, f.survey, f.score, f.segment, f.department, f.journey_stage
    from filtered_feedback(least($start, $cmp_start), greatest($stop, $cmp_stop),
                           $segments, $regions, $channels, $departments) f
    join periods p on f.submitted_at >= p.p_start and f.submitted_at < p.p_stop
),

as_of as (
    select max(started_at) as now_at from interactions
),

sla_in_periods as (
    select p.period, i.segment, i.department, i.journey_stage,
           sla_met(i.started_at, i.resolved_at, i.sla_seconds, as_of.now_at)::int as met
    from filtered_interactions(least($start, $cmp_start), greatest($stop, $cmp_stop),
                               $segments, $regions, $channels, $departments) i
    join periods p on i.started_at >= p.p_start and i.started_at < p.p_stop
    cross join as_of
),

survey_groups as (
    select case when grouping(segment) = 0 then 'segment'
                when grouping(department) = 0 then 'department'
                else 'journey_stage' end as dimension,
           coalesce(segment, department, journey_stage) as member,
           survey as kpi, period,
           survey_score(survey, score) as value, survey_moe(survey, score) as moe, count(score) as n
    from feedback_in_periods
    group by grouping sets ((segment, survey, period), (department, survey, period), (journey_stage, survey, period))
),

sla_groups as (
    select case when grouping(segment) = 0 then 'segment'
                when grouping(department) = 0 then 'department'
                else 'journey_stage' end as dimension,
           coalesce(segment, department, journey_stage) as member,
           'sla_compliance' as kpi, period,
           100.0 * avg(met) as value, pct_moe(avg(met), count(met)) as moe, count(met) as n
    from sla_in_periods
    group by grouping sets ((segment, period), (department, period), (journey_stage, period))
)

select dimension, member, kpi, period, value::double as value, moe::double as moe, n::bigint as n
from (select * from survey_groups union all select * from sla_groups)
where member is not null
order by dimension, member, kpi, period
