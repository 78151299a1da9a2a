-- Whether this write recorded its changes (sql/refresh_changes.sql).
select count(*) > 0 from duckdb_tables() where table_name = 'refresh_changes'
