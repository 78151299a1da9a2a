-- one row per plausibility warning of each table's latest successful load (the Data & loads page):
-- an older load's warning about a table loaded again since is no longer shown.
with wrote as (
    select load_id, started_at, unnest(string_split(target_table, ', ')) as table_name
    from loads
    where outcome <> 'failed' and target_table is not null
),
latest as (
    select load_id, started_at, table_name
    from wrote
    qualify row_number() over (partition by table_name order by started_at desc) = 1
)
select l.started_at as loaded_at, w.table_name, w.column_name, w.check_name, w.message, w.look_at
from load_warnings w
join latest l using (load_id, table_name)
order by l.started_at desc, w.table_name, w.check_name, w.column_name
