-- one row per dimension x member x KPI x period: survey scores and SLA compliance by segment,
-- department and journey stage, now ($start..$stop) and in the comparison period
-- ($cmp_start..$cmp_stop), with 95% margins, for finding the significant movers; read from the
-- derived daily tables (sql/raw_movers.sql computes the same from raw rows).
with survey_parts as (  -- first the parts per (period, survey, segment, department, stage): a few thousand rows
    select period, survey, segment, department, journey_stage,
           sum(n) as n, sum(n_promoters) as n_promoters, sum(n_detractors) as n_detractors,
           sum(n_satisfied) as n_satisfied, sum(score_sum) as score_sum, sum(score_sumsq) as score_sumsq
    from feedback_days_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    group by all
),

survey_groups as (
    select mover_dimension(grouping(segment), grouping(department)) as dimension,
           coalesce(segment, department, journey_stage) as member,
           survey as kpi, period,
           survey_score_of(survey, sum(n), sum(n_promoters), sum(n_detractors), sum(n_satisfied),
                           sum(score_sum)) as value,
           survey_moe_of(survey, sum(n), sum(n_promoters), sum(n_detractors), sum(n_satisfied),
                         sum(score_sum), sum(score_sumsq)) as moe,
           sum(n) as n
    from survey_parts
    group by grouping sets ((segment, survey, period), (department, survey, period), (journey_stage, survey, period))
),

sla_parts as (
    select period, segment, department, journey_stage,
           sum(n_sla_met) as n_met, sum(n_sla_judged) as n_judged
    from interaction_days_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    group by all
),

sla_groups as (
    select mover_dimension(grouping(segment), grouping(department)) as dimension,
           coalesce(segment, department, journey_stage) as member,
           'sla_compliance' as kpi, period,
           sla_pct_of(sum(n_met), sum(n_judged)) as value,
           sla_moe_of(sum(n_met), sum(n_judged)) as moe, sum(n_judged) as n
    from sla_parts
    group by grouping sets ((segment, period), (department, period), (journey_stage, period))
)

select dimension, member, kpi, period, value::double as value, moe::double as moe, n::bigint as n
from (select * from survey_groups union all select * from sla_groups)
where member is not null
order by dimension, member, kpi, period
