-- one row per dimension x member x KPI x period: survey scores and SLA compliance by segment,
-- department and journey stage, now ($start..$stop) and in the comparison period
-- ($cmp_start..$cmp_stop), with 95% margins, as sql/movers.sql, computed from raw rows: the
-- reference the derived path is checked against and timed against.
with survey_groups as (
    select mover_dimension(grouping(segment), grouping(department)) as dimension,
           coalesce(segment, department, journey_stage) as member,
           survey as kpi, period,
           survey_score(survey, score) as value, survey_moe(survey, score) as moe, count(score) as n
    from feedback_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    group by grouping sets ((segment, survey, period), (department, survey, period), (journey_stage, survey, period))
),

sla_groups as (
    select mover_dimension(grouping(segment), grouping(department)) as dimension,
           coalesce(segment, department, journey_stage) as member,
           'sla_compliance' as kpi, period,
           sla_pct_of(count(*) filter (where is_sla_met), count(is_sla_met)) as value,
           sla_moe_of(count(*) filter (where is_sla_met), count(is_sla_met)) as moe, count(is_sla_met) as n
    from interactions_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    group by grouping sets ((segment, period), (department, period), (journey_stage, period))
)

select dimension, member, kpi, period, value::double as value, moe::double as moe, n::bigint as n
from (select * from survey_groups union all select * from sla_groups)
where member is not null
order by dimension, member, kpi, period
