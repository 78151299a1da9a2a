-- one row per table of the live file (attached as live) or of the spare: its name and whether both hold it;
-- cxdata.derive then compares their row counts (sql/table_rows.sql) after bringing the spare forward, as a
-- check that nothing was missed.
select coalesce(l.table_name, m.table_name) as table_name,
       l.table_name is not null and m.table_name is not null as in_both
from (select table_name from duckdb_tables() where database_name = 'live' and not temporary) l
full join (select table_name from duckdb_tables() where database_name = current_database() and not temporary) m
using (table_name)
order by 1
