-- one row per KPI x month, as sql/kpi_monthly.sql, computed from raw rows: the reference the
-- derived path is checked against (tests/test_derived_parity.py) and timed against (the bench).
with bounds as (
    select trend_start($stop) as first_month, $stop::date as stop
),

feedback_months as (
    select date_trunc('month', f.submitted_at)::date as month_start, f.survey as kpi,
           survey_score(f.survey, f.score) as value, count(f.score) as n
    from bounds, filtered_feedback(bounds.first_month, bounds.stop, $filters) f
    group by 1, 2
),

service_months as (
    select date_trunc('month', i.started_at)::date as month_start, count(*) as n_contacts,
           count(*) filter (where sla_met(i.started_at, i.resolved_at, i.sla_seconds, interactions_as_of())) as n_met,
           count(sla_met(i.started_at, i.resolved_at, i.sla_seconds, interactions_as_of())) as n_judged
    from bounds, filtered_interactions(bounds.first_month, bounds.stop, $filters) i
    group by 1
),

response_months as (
    select date_trunc('month', i.started_at)::date as month_start,
           first_response_kpi(is_live_channel(i.channel, $live_channels)) as kpi,
           quantile_disc(counted_response_seconds(i.is_due, i.first_response_seconds, i.started_at, i.resolved_at,
                                                  interactions_as_of()), 0.5) as value,
           count(counted_response_seconds(i.is_due, i.first_response_seconds, i.started_at, i.resolved_at,
                                          interactions_as_of())) as n
    from bounds, filtered_interactions(bounds.first_month, bounds.stop, $filters) i
    group by all
),

revenue_months as (
    select date_trunc('month', t.occurred_at)::date as month_start, sum(t.amount)::double as value, count(*) as n
    from bounds, filtered_transactions(bounds.first_month, bounds.stop, $filters) t
    group by 1
),

final as (
    select month_start, kpi, value, n from feedback_months
    union all select month_start, 'sla_compliance', sla_pct_of(n_met, n_judged), n_judged
              from service_months where n_judged > 0
    union all select month_start, 'contacts', n_contacts, n_contacts from service_months
    union all select month_start, kpi, value, n from response_months where n > 0
    union all select * from customer_kpis_by_month($stop, $filters, false)
    union all select month_start, 'revenue', value, n from revenue_months
)

select kpi, month_start, value::double as value, n::bigint as n,
       is_complete(month_start, month_start + interval 1 month, $stop) as is_complete
from final
where month_start in (select month_start from trend_months($stop))
order by kpi, month_start
