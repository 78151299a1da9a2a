-- one row per column of transactions: its rows, filled values and, for timestamps (the *_at columns), the
-- values not at midnight, for the loader's plausibility checks (cxdata/load/checks.py); aggregates only.
with filled as (
    unpivot (select count(columns(*)) from transactions) on columns(*) into name column_name value n_filled
),
off_midnight as (
    unpivot (select count(nullif(cast(columns('_at$') as time), time '00:00:00')) from transactions)
    on columns(*) into name column_name value n_off_midnight
)
select (select count(*) from transactions) as n_rows, column_name, n_filled, n_off_midnight
from filled left join off_midnight using (column_name)
