-- one row per load run, newest first.
select load_id, started_at, finished_at, array_to_string(files, ', ') as files, target_table,
       n_read, n_loaded, n_updated, n_unchanged, n_rejected, outcome, message
from loads
order by started_at desc
limit 500
