-- one row (or none, before the first write recorded it): a file's lineage, generation and state
-- (sql/write_state.sql); $table is live.write_state for the attached live file, write_state for the writer's own.
select lineage, generation, state from query_table($table)
