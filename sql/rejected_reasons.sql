-- one row per load x table x column x reason: how many cells were rejected, for the data page's summary.
-- Duplicate-key reasons name the key and its first line; they are counted as one reason.
-- loaded_at is the load's start in the loading machine's local time (see docs/using-the-app.md).
select r.load_id, any_value(l.started_at) as loaded_at, r.target_table, r.column_name,
       case when r.reason like 'duplicate key %' then 'duplicate key' else r.reason end as reason,
       count(*) as n_rows, min(r.line) as first_line
from rejected_rows r
left join loads l using (load_id)
group by all
order by loaded_at desc nulls last, n_rows desc, r.load_id, r.target_table, r.column_name, reason
limit 1000
