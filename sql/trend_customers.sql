-- one row per period x member x customer KPI (churn_rate, retention_rate, active_customers,
-- revenue, revenue_per_active, clv, and what clv assumes: revenue_per_active_per_year and
-- annual_churn_rate) at grain $grain from the period holding $first to the one
-- holding $stop - 1 (the last ends at $stop): value, 95% margin (churn and retention only: the
-- others are a census or a model) and n (customers active at the period's start; transactions
-- for revenue); member: the value of customer attribute $by (null for 'none'). Customer filters
-- only: a customer has no single channel, department or journey stage. $gross_margin (0..1)
-- scales lifetime value. read from customer_spans and revenue_daily.
with periods as (
    select * from trend_periods($first, $stop, $grain)
),

customers_by_period as (
    select p.period_start, p.period_end, customer_member(s, $by) as member,
           coalesce(sum(s.n_customers) filter (where is_active_on(s.signup_on, s.churned_on, p.period_start)), 0) as n_active_at_start,
           coalesce(sum(s.n_customers) filter (where is_lost_in(s.signup_on, s.churned_on, p.period_start, p.period_end)), 0) as n_lost,
           coalesce(sum(s.n_customers) filter (where is_active_on(s.signup_on, s.churned_on, p.period_end)), 0) as n_active_at_end
    from periods p, customer_spans s
    where matches_customer($filters, s)
    group by all
),

revenue_by_period as (
    select period_of(r.occurred_on, $grain) as period_start, customer_member(r, $by) as member,
           sum(r.amount)::double as revenue, sum(r.n_transactions) as n_transactions
    from revenue_days(period_of($first, $grain), $stop, $filters) r
    group by all
),

parts as (
    select c.*, coalesce(r.revenue, 0) as revenue, coalesce(r.n_transactions, 0) as n_transactions,
           churn_rate_of(c.n_lost, c.n_active_at_start) as churn_pct,
           revenue_per_active_of(coalesce(r.revenue, 0), c.n_active_at_start, c.n_active_at_end) as per_active,
           (c.period_end - c.period_start) as days
    from customers_by_period c
    left join revenue_by_period r on r.period_start = c.period_start and r.member is not distinct from c.member
),

final as (
    select period_start, member, 'churn_rate' as kpi, churn_pct as value,
           churn_moe_of(n_lost, n_active_at_start) as moe, n_active_at_start as n
    from parts where n_active_at_start > 0
    union all
    select period_start, member, 'retention_rate', 100.0 - churn_pct, churn_moe_of(n_lost, n_active_at_start),
           n_active_at_start
    from parts where n_active_at_start > 0
    union all
    select period_start, member, 'active_customers', n_active_at_end, null, n_active_at_end from parts
    union all
    select period_start, member, 'revenue', revenue, null, n_transactions from parts
    union all
    select period_start, member, 'revenue_per_active', per_active, null, n_active_at_start
    from parts where n_active_at_start > 0
    union all
    select period_start, member, 'clv', clv_of(per_active, days, churn_pct, $gross_margin), null, n_active_at_start
    from parts where n_active_at_start > 0
    union all  -- what lifetime value assumes, to show beside it
    select period_start, member, 'revenue_per_active_per_year', per_active * 365.25 / days, null, n_active_at_start
    from parts where n_active_at_start > 0
    union all
    select period_start, member, 'annual_churn_rate', 100.0 * annual_churn_of(churn_pct, days), null, n_active_at_start
    from parts where n_active_at_start > 0
)

select period_start, member, kpi, value::double as value, moe::double as moe, n::bigint as n
from final
order by kpi, member, period_start
