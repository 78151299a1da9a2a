-- one row per column of customers: its rows and filled values, for the loader's plausibility checks
-- (cxdata/load/checks.py); no timestamp column here, so no count of times off midnight.
with filled as (
    unpivot (select count(columns(*)) from customers) on columns(*) into name column_name value n_filled
)
select (select count(*) from customers) as n_rows, column_name, n_filled, null::bigint as n_off_midnight
from filled
