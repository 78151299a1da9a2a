-- one row per metric x department (null = whole company): the target in force on the last day
-- of the period ($stop - 1); when periods overlap, the one that started last wins.
select metric, department, target
from targets
where period_start <= $stop::date - 1 and period_end >= $stop::date - 1
qualify row_number() over (partition by metric, department order by period_start desc) = 1
order by metric, department nulls first
