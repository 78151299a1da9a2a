-- one row per KPI x period ('current' = $start..$stop, 'previous' = $cmp_start..$cmp_stop):
-- value, 95% margin (null for counts, which are not samples) and sample size n, read from the
-- derived daily tables (sql/raw_kpi_summary.sql computes the same from raw rows).
-- Survey and service KPIs take every filter; customer KPIs (churn, retention, active,
-- revenue) take the customer attributes only, since a customer has no single channel or department.
-- $live_channels: the channels whose first response counts as live (cxdata.metrics.live_channels).
with survey_parts as (
    select survey, period, sum(n) as n, sum(n_promoters) as n_promoters, sum(n_detractors) as n_detractors,
           sum(n_satisfied) as n_satisfied, sum(score_sum) as score_sum, sum(score_sumsq) as score_sumsq
    from feedback_days_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    group by survey, period
),

survey_kpis as (
    select survey as kpi, period,
           survey_score_of(survey, n, n_promoters, n_detractors, n_satisfied, score_sum) as value,
           survey_moe_of(survey, n, n_promoters, n_detractors, n_satisfied, score_sum, score_sumsq) as moe, n
    from survey_parts
),

nps_composition as (  -- one row per class of NPS answer: its share of the answers
    select kpi, period, nps_class_pct_of(n_class, n) as value, nps_class_moe_of(n_class, n) as moe, n
    from (select period, n, unnest(['nps_promoters', 'nps_passives', 'nps_detractors']) as kpi,
                 unnest([n_promoters, nps_passives_of(n_promoters, n_detractors, n), n_detractors]) as n_class
          from survey_parts where survey = 'nps')
),

service_parts as (  -- both periods, with 0 contacts when none matches
    select p.period, coalesce(sum(d.n_interactions), 0) as n_contacts,
           coalesce(sum(d.n_sla_met), 0) as n_met, coalesce(sum(d.n_sla_judged), 0) as n_judged
    from comparison_periods($start, $stop, $cmp_start, $cmp_stop) p
    left join interaction_days_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters) d using (period)
    group by p.period
),

service_kpis as (
    select 'sla_compliance' as kpi, period, sla_pct_of(n_met, n_judged) as value,
           sla_moe_of(n_met, n_judged) as moe, n_judged as n
    from service_parts where n_judged > 0
    union all
    select 'contacts', period, n_contacts, null, n_contacts from service_parts
    union all
    select kpi, period, median, (high - low) / 2, n
    from response_medians($start, $stop, $cmp_start, $cmp_stop, $filters, false, $live_channels)
),

customer_kpis as (
    select * from customer_kpis_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters, true)
),

revenue_kpis as (
    select 'revenue' as kpi, p.period, coalesce(sum(r.amount), 0)::double as value, null::double as moe,
           coalesce(sum(r.n_transactions), 0) as n
    from comparison_periods($start, $stop, $cmp_start, $cmp_stop) p
    left join revenue_days_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters) r using (period)
    group by p.period
),

final as (
    select * from survey_kpis
    union all select * from nps_composition
    union all select * from service_kpis
    union all select * from customer_kpis
    union all select * from revenue_kpis
)

select kpi, period, value::double as value, moe::double as moe, n::bigint as n from final
order by kpi, period
