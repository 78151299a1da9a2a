-- one row per load run, newest first; started_at is the loading machine's local time (see docs/using-the-app.md).
select load_id, started_at, files, target_table, n_read, n_loaded, n_updated, n_unchanged, n_rejected,
       outcome, message
from loads
order by started_at desc
limit 500
