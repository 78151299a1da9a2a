-- one row per scope (the company, or one department) x quarter x KPI, over the quarter of $stop - 1
-- and the 7 before it (the running quarter up to $stop): NPS, CSAT, CES and SLA compliance with
-- 95% margins and n, beside the target in force for that scope in that quarter (a department
-- without its own target is held to the company's), under every filter; read from the derived
-- daily tables (sql/raw_department_quarters.sql computes the same from raw rows). The overview's
-- attention list reads from it which targets are missed and for how long.
with survey_parts as (
    select date_trunc('quarter', d.submitted_on)::date as quarter_start, d.department, d.survey,
           sum(d.n) as n, sum(d.n_promoters) as n_promoters, sum(d.n_detractors) as n_detractors,
           sum(d.n_satisfied) as n_satisfied, sum(d.score_sum) as score_sum, sum(d.score_sumsq) as score_sumsq
    from feedback_days(first_history_quarter($stop), $stop, $filters) d
    group by all
),

survey_scores as (
    select quarter_start, grouping(department) = 1 as is_company, department, survey as kpi,
           survey_score_of(survey, sum(n), sum(n_promoters), sum(n_detractors), sum(n_satisfied), sum(score_sum)) as value,
           survey_moe_of(survey, sum(n), sum(n_promoters), sum(n_detractors), sum(n_satisfied), sum(score_sum),
                         sum(score_sumsq)) as moe,
           sum(n) as n
    from survey_parts
    group by grouping sets ((quarter_start, department, survey), (quarter_start, survey))
),

sla_scores as (
    select date_trunc('quarter', d.started_on)::date as quarter_start, grouping(d.department) = 1 as is_company,
           d.department, 'sla_compliance' as kpi,
           sla_pct_of(sum(d.n_sla_met), sum(d.n_sla_judged)) as value,
           sla_moe_of(sum(d.n_sla_met), sum(d.n_sla_judged)) as moe, sum(d.n_sla_judged) as n
    from interaction_days(first_history_quarter($stop), $stop, $filters) d
    group by grouping sets ((1, d.department), (1))
    having sum(d.n_sla_judged) > 0
),

scores as (
    select * from survey_scores union all select * from sla_scores
)

select is_company, department, quarter_start, kpi, value::double as value, moe::double as moe, n::bigint as n,
       quarter_target($stop, quarter_start, kpi, case when not is_company then department end) as target
from scores
where is_company or department is not null
order by is_company desc, department, kpi, quarter_start
