-- one row per period x member x survey KPI (nps, csat, ces) over the periods from the one holding
-- $first to the one holding $stop - 1 (see trend_periods in sql/macros.sql) at grain $grain: value,
-- 95% margin and n, with member the value of dimension $by (null when $by is 'none': the whole
-- view); under every filter. read from feedback_daily.
with parts as (
    select period_of(d.submitted_on, $grain) as period_start, activity_member(d, $by) as member, d.survey,
           sum(d.n) as n, sum(d.n_promoters) as n_promoters, sum(d.n_detractors) as n_detractors,
           sum(d.n_satisfied) as n_satisfied, sum(d.score_sum) as score_sum, sum(d.score_sumsq) as score_sumsq
    from feedback_days(period_of($first, $grain), $stop, $filters) d
    group by all
)

select period_start, member, survey as kpi,
       survey_score_of(survey, n, n_promoters, n_detractors, n_satisfied, score_sum)::double as value,
       survey_moe_of(survey, n, n_promoters, n_detractors, n_satisfied, score_sum, score_sumsq)::double as moe,
       n::bigint as n
from parts
order by kpi, member, period_start
