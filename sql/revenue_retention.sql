-- one row per revenue KPI x period ('current' = $start..$stop, 'previous' = $cmp_start..$cmp_stop):
-- net and gross revenue retention over the trailing twelve whole months as of each window's stop,
-- and the annual value lost to churn inside each window, read from the derived tables
-- (sql/raw_revenue_retention.sql computes the same from raw rows). Customer filters only.
-- Columns: kpi, period, value, moe (always null: a census), n (cohort customers, or customers
-- lost), reason (why the value is withheld; null when it is shown).
select kpi, period, value::double as value, moe::double as moe, n::bigint as n, reason
from revenue_retention_kpis($start, $stop, $cmp_start, $cmp_stop, $filters, true)
order by kpi, period
