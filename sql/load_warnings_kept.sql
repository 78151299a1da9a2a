-- one row: whether this database keeps load warnings (one written before they existed gets the
-- table at its next load or refresh).
select count(*) > 0 as is_kept
from duckdb_tables()
where table_name = 'load_warnings'
