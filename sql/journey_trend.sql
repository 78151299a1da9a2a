-- one row per month of the trend (the 12 complete months before $stop and the partial one it ends
-- in, is_complete false) for stage $stage and touchpoint $touchpoint (null: all of the stage's)
-- under $filters: interactions, complaint share, SLA breach rate, NPS, CSAT and CES with n
with months as (
    select month_start, least((month_start + interval 1 month)::date, $stop::date) as month_end,
           is_complete(month_start, month_start + interval 1 month, $stop) as is_complete
    from trend_months($stop)
),

interaction_sums as (
    select date_trunc('month', started_on)::date as month_start, sum(n_interactions) as n_interactions,
           sum(n_complaints) as n_complaints, sum(n_sla_judged) as n_sla_judged, sum(n_sla_met) as n_sla_met
    from journey_interaction_parts(trend_start($stop), $stop, $filters, true)
    where journey_stage = $stage and ($touchpoint is null or touchpoint = $touchpoint)
    group by all
),

answer_sums as (
    select date_trunc('month', submitted_on)::date as month_start,
           sum(n) filter (where survey = 'nps') as n_nps, sum(n_promoters) filter (where survey = 'nps') as n_promoters,
           sum(n_detractors) filter (where survey = 'nps') as n_detractors,
           sum(n) filter (where survey = 'csat') as n_csat, sum(n_satisfied) filter (where survey = 'csat') as n_satisfied,
           sum(n) filter (where survey = 'ces') as n_ces, sum(score_sum) filter (where survey = 'ces') as ces_sum,
           sum(score_sumsq) filter (where survey = 'ces') as ces_sumsq
    from journey_feedback_parts(trend_start($stop), $stop, $filters, true)
    where journey_stage = $stage and ($touchpoint is null or touchpoint = $touchpoint)
    group by all
)

select m.month_start, m.is_complete,
       coalesce(i.n_interactions, 0)::bigint as n_interactions,
       complaint_pct_of(i.n_complaints, i.n_interactions)::double as complaint_pct,
       coalesce(i.n_sla_judged, 0)::bigint as n_sla_judged,
       sla_breach_pct_of(i.n_sla_met, i.n_sla_judged)::double as sla_breach_pct,
       sla_moe_of(i.n_sla_met, i.n_sla_judged)::double as sla_breach_moe,
       coalesce(a.n_nps, 0)::bigint as n_nps, nps_of(a.n_promoters, a.n_detractors, a.n_nps)::double as nps,
       nps_moe_of(a.n_promoters, a.n_detractors, a.n_nps)::double as nps_moe,
       coalesce(a.n_csat, 0)::bigint as n_csat, csat_of(a.n_satisfied, a.n_csat)::double as csat,
       csat_moe_of(a.n_satisfied, a.n_csat)::double as csat_moe,
       coalesce(a.n_ces, 0)::bigint as n_ces, ces_of(a.ces_sum, a.n_ces)::double as ces,
       ces_moe_of(a.ces_sum, a.ces_sumsq, a.n_ces)::double as ces_moe
from months m
left join interaction_sums i using (month_start)
left join answer_sums a using (month_start)
order by m.month_start
