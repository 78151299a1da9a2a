-- one row per scope (the company, or one department) x quarter x KPI, as sql/department_quarters.sql,
-- computed from raw rows: the reference the derived path is checked against.
with survey_scores as (
    select date_trunc('quarter', r.submitted_at)::date as quarter_start, grouping(r.department) = 1 as is_company,
           r.department, r.survey as kpi,
           survey_score(r.survey, r.score) as value, survey_moe(r.survey, r.score) as moe, count(r.score) as n
    from filtered_feedback(first_history_quarter($stop), $stop, $filters) r
    group by grouping sets ((1, r.department, r.survey), (1, r.survey))
),

sla_scores as (
    select date_trunc('quarter', r.started_at)::date as quarter_start, grouping(r.department) = 1 as is_company,
           r.department, 'sla_compliance' as kpi,
           sla_pct_of(count(*) filter (where r.is_sla_met), count(r.is_sla_met)) as value,
           sla_moe_of(count(*) filter (where r.is_sla_met), count(r.is_sla_met)) as moe, count(r.is_sla_met) as n
    from interactions_in_periods(first_history_quarter($stop), $stop, $stop, $stop, $filters) r
    group by grouping sets ((1, r.department), (1))
    having count(r.is_sla_met) > 0
),

scores as (
    select * from survey_scores union all select * from sla_scores
)

select is_company, department, quarter_start, kpi, value::double as value, moe::double as moe, n::bigint as n,
       quarter_target($stop, quarter_start, kpi, case when not is_company then department end) as target
from scores
where is_company or department is not null
order by is_company desc, department, kpi, quarter_start
