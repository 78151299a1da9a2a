-- one row: whether a file holds its last write's changes (sql/last_write_keep.sql), the live file attached
-- as live ($live true) or the writer's own: on the live file, whether that write can be replayed on the
-- spare; on the spare after the replay, whether the refresh took the same path (an update from those
-- changes, not a whole rebuild)
select count(*) > 0 from duckdb_tables()
where database_name = case when $live then 'live' else current_database() end and table_name = 'last_write_changes'
