-- one row per KPI x period ('current' = $start..$stop, 'previous' = $cmp_start..$cmp_stop):
-- value, 95% margin (null for counts, which are not samples) and sample size n.
-- Survey and service KPIs take every filter; customer KPIs (churn, retention, active,
-- revenue) take segment and region only, since a customer has no single channel or department.
with survey_kpis as (
    select survey as kpi, period,
           survey_score(survey, score) as value, survey_moe(survey, score) as moe, count(score) as n
    from feedback_in_periods($start, $stop, $cmp_start, $cmp_stop, $segments, $regions, $channels, $departments)
    group by survey, period
),

service_counts as (
    select period,
           avg(is_sla_met::int) as sla_share, count(is_sla_met) as n_sla,
           median_ladder(first_response_seconds) as response_ladder,
           count(first_response_seconds) as n_response
    from interactions_in_periods($start, $stop, $cmp_start, $cmp_stop, $segments, $regions, $channels, $departments)
    group by period
),

service_kpis as (
    select 'sla_compliance' as kpi, period, 100.0 * sla_share as value, pct_moe(sla_share, n_sla) as moe, n_sla as n
    from service_counts where n_sla > 0
    union all
    select 'first_response', period, median_of_ladder(response_ladder),
           median_moe_of_ladder(response_ladder, n_response), n_response
    from service_counts where n_response > 0
),

customer_counts as (
    select p.period,
           count(c.customer_id) filter (where coalesce(c.signup_date, date '1900-01-01') < p.p_start
                              and (c.churned_on is null or c.churned_on >= p.p_start)) as n_active_at_start,
           count(c.customer_id) filter (where coalesce(c.signup_date, date '1900-01-01') < p.p_start
                              and c.churned_on >= p.p_start and c.churned_on < p.p_stop) as n_lost,
           count(c.customer_id) filter (where coalesce(c.signup_date, date '1900-01-01') < p.p_stop
                              and (c.churned_on is null or c.churned_on >= p.p_stop)) as n_active_at_end
    from comparison_periods($start, $stop, $cmp_start, $cmp_stop) p
    left join filtered_customers($segments, $regions) c on true
    group by p.period
),

customer_kpis as (
    select 'churn_rate' as kpi, period, 100.0 * n_lost / n_active_at_start as value,
           pct_moe(n_lost / n_active_at_start, n_active_at_start) as moe, n_active_at_start as n
    from customer_counts where n_active_at_start > 0
    union all
    select 'retention_rate', period, 100.0 - 100.0 * n_lost / n_active_at_start,
           pct_moe(n_lost / n_active_at_start, n_active_at_start), n_active_at_start
    from customer_counts where n_active_at_start > 0
    union all
    select 'active_customers', period, n_active_at_end, null, null
    from customer_counts
),

revenue_kpis as (
    select 'revenue' as kpi, p.period, coalesce(sum(t.amount), 0)::double as value, null::double as moe,
           count(t.amount) as n
    from comparison_periods($start, $stop, $cmp_start, $cmp_stop) p
    left join filtered_transactions(least($start, $cmp_start), greatest($stop, $cmp_stop), $segments, $regions) t
        on t.occurred_at >= p.p_start and t.occurred_at < p.p_stop
    group by p.period
),

final as (
    select * from survey_kpis
    union all select * from service_kpis
    union all select * from customer_kpis
    union all select * from revenue_kpis
)

select kpi, period, value::double as value, moe::double as moe, n::bigint as n from final
order by kpi, period
