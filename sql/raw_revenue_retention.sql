-- one row per revenue KPI x period, as sql/revenue_retention.sql, computed from raw rows
-- (transactions and customers): the reference the derived path is checked against
-- (tests/test_derived_parity.py) and timed against.
select kpi, period, value::double as value, moe::double as moe, n::bigint as n, reason
from revenue_retention_kpis($start, $stop, $cmp_start, $cmp_stop, $filters, false)
order by kpi, period
