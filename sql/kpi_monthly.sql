-- one row per KPI x month, for the 12 complete months before $stop and, when $stop falls
-- mid-month, the partial month after them (is_complete false; see trend_months in sql/macros.sql):
-- value and sample size n, under the same filters (and $live_channels) as kpi_summary, read from
-- the derived daily tables (sql/raw_kpi_monthly.sql computes the same from raw rows).
with bounds as (
    select trend_start($stop) as first_month, $stop::date as stop
),

feedback_months as (
    select date_trunc('month', d.submitted_on)::date as month_start, d.survey as kpi,
           survey_score_of(d.survey, sum(d.n), sum(d.n_promoters), sum(d.n_detractors),
                           sum(d.n_satisfied), sum(d.score_sum)) as value,
           sum(d.n) as n
    from bounds, feedback_days(bounds.first_month, bounds.stop, $filters) d
    group by 1, 2
),

service_months as (
    select date_trunc('month', d.started_on)::date as month_start, sum(d.n_interactions) as n_contacts,
           sum(d.n_sla_met) as n_met, sum(d.n_sla_judged) as n_judged
    from bounds, interaction_days(bounds.first_month, bounds.stop, $filters) d
    group by 1
),

revenue_months as (
    select date_trunc('month', d.occurred_on)::date as month_start, sum(d.amount)::double as value,
           sum(d.n_transactions) as n
    from bounds, revenue_days(bounds.first_month, bounds.stop, $filters) d
    group by 1
),

final as (
    select month_start, kpi, value, n from feedback_months
    union all select month_start, 'sla_compliance', sla_pct_of(n_met, n_judged), n_judged
              from service_months where n_judged > 0
    union all select month_start, 'contacts', n_contacts, n_contacts from service_months
    union all select month_start, kpi, median, n
              from response_medians(trend_start($stop), $stop, trend_start($stop), trend_start($stop), $filters,
                                    true, $live_channels)
    union all select * from customer_kpis_by_month($stop, $filters, true)
    union all select month_start, 'revenue', value, n from revenue_months
)

select kpi, month_start, value::double as value, n::bigint as n,
       is_complete(month_start, month_start + interval 1 month, $stop) as is_complete
from final
where month_start in (select month_start from trend_months($stop))
order by kpi, month_start
