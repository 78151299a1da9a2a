-- one row per rejected cell, newest load first, narrowed by load, table, column and a text search
-- on the reason (empty = all); at most $limit rows. loaded_at is the load's start in the loading
-- machine's local time (see docs/using-the-app.md).
select r.load_id, l.started_at as loaded_at, r.source_file, r.line, r.target_table, r.column_name,
       r.reason, r.value, r.raw
from rejected_rows r
left join loads l using (load_id)
where ($load_id = '' or r.load_id = $load_id)
  and ($target_table = '' or r.target_table = $target_table)
  and ($column_name = '' or r.column_name = $column_name)
  and ($search = '' or contains(lower(r.reason), lower($search)))
order by l.started_at desc nulls last, r.source_file, r.line, r.column_name
limit $limit
