-- one row: how many of the data model's core tables this database has (4 = a cx-cockpit database)
select count(*) as n_tables
from information_schema.tables
where table_schema = 'main' and table_name in ('customers', 'interactions', 'feedback', 'loads')
