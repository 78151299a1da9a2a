-- one row per KPI x month, for the 12 months ending with the month of $stop - 1 day:
-- value and sample size n, under the same filters as kpi_summary; is_complete is false for
-- a last month that the period cuts short.
with bounds as (
    select (date_trunc('month', $stop::date - 1) - interval 11 month)::date as first_month, $stop::date as stop
),

months as (
    select unnest(generate_series(first_month, (stop - 1)::date, interval 1 month))::date as month_start
    from bounds
),

feedback_months as (
    select date_trunc('month', f.submitted_at)::date as month_start, f.survey as kpi,
           survey_score(f.survey, f.score) as value, count(f.score) as n
    from bounds, filtered_feedback(bounds.first_month, bounds.stop, $segments, $regions, $channels, $departments) f
    group by 1, 2
),

service_months as (
    select date_trunc('month', i.started_at)::date as month_start,
           100.0 * avg(sla_met(i.started_at, i.resolved_at, i.sla_seconds, interactions_as_of())::int) as sla_value,
           count(sla_met(i.started_at, i.resolved_at, i.sla_seconds, interactions_as_of())) as sla_n,
           quantile_disc(i.first_response_seconds, 0.5) as response_value,
           count(i.first_response_seconds) as response_n
    from bounds,
         filtered_interactions(bounds.first_month, bounds.stop, $segments, $regions, $channels, $departments) i
    group by 1
),

customer_months as (
    select m.month_start,
           count(*) filter (where coalesce(c.signup_date, date '1900-01-01') < m.month_start
                              and (c.churned_on is null or c.churned_on >= m.month_start)) as n_active_at_start,
           count(*) filter (where coalesce(c.signup_date, date '1900-01-01') < m.month_start
                              and c.churned_on >= m.month_start
                              and c.churned_on < m.month_start + interval 1 month) as n_lost,
           count(*) filter (where coalesce(c.signup_date, date '1900-01-01') < least(m.month_start + interval 1 month, b.stop)
                              and (c.churned_on is null
                                   or c.churned_on >= least(m.month_start + interval 1 month, b.stop))) as n_active_at_end
    from months m, bounds b, filtered_customers($segments, $regions) c
    group by m.month_start
),

revenue_months as (
    select date_trunc('month', t.occurred_at)::date as month_start, sum(t.amount)::double as value, count(*) as n
    from bounds, filtered_transactions(bounds.first_month, bounds.stop, $segments, $regions) t
    group by 1
),

final as (
    select month_start, kpi, value, n from feedback_months
    union all select month_start, 'sla_compliance', sla_value, sla_n from service_months where sla_n > 0
    union all select month_start, 'first_response', response_value, response_n from service_months where response_n > 0
    union all select month_start, 'churn_rate', 100.0 * n_lost / n_active_at_start, n_active_at_start
              from customer_months where n_active_at_start > 0
    union all select month_start, 'retention_rate', 100.0 - 100.0 * n_lost / n_active_at_start, n_active_at_start
              from customer_months where n_active_at_start > 0
    union all select month_start, 'active_customers', n_active_at_end, null from customer_months
    union all select month_start, 'revenue', value, n from revenue_months
)

select kpi, month_start, value::double as value, n::bigint as n,
       month_start + interval 1 month <= (select stop from bounds) as is_complete
from final
where month_start in (select month_start from months)
order by kpi, month_start
