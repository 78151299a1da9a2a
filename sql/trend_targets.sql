-- one row per period x metric x department (null = the whole company) at grain $grain, from the
-- period holding $first to the one holding $stop - 1: the target in force on the period's last
-- day (the running period: on $stop - 1); when targets overlap, the one that started last (as
-- sql/kpi_targets.sql).
with periods as (
    select period_start, period_end - 1 as judged_on from trend_periods($first, $stop, $grain)
)

select p.period_start, t.metric, t.department, t.target
from periods p join targets t on t.period_start <= p.judged_on and t.period_end >= p.judged_on
qualify row_number() over (partition by p.period_start, t.metric, t.department order by t.period_start desc) = 1
order by t.metric, t.department nulls first, p.period_start
