-- one row: the number of rows of the table $qualified (database.table) names
select count(*) from query_table($qualified)
