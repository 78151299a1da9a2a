-- one row per data table x column: whether the data provides it (some load wrote rows it informs,
-- sql/schema.sql provided_columns; a table no load recorded, written before loads recorded this,
-- counts as provided when it has rows) and the first month it does (null: from the start)
with tables as (
    select 'customers' as table_name, n_customers as n_rows from derived_info
    union all select 'interactions', n_interactions from derived_info
    union all select 'feedback', n_feedback from derived_info
    union all select 'transactions', n_transactions from derived_info
),

recorded as (
    select table_name, column_name, sum(n_rows) as n_informed,
           min(first_month) filter (where n_rows > 0) as from_month
    from provided_columns
    group by all
),

final as (
    select c.table_name, c.column_name,
           case when c.table_name in (select table_name from recorded) then coalesce(r.n_informed, 0) > 0
                else t.n_rows > 0 end as is_provided,
           r.from_month
    from information_schema.columns c
    join tables t on t.table_name = c.table_name
    left join recorded r on r.table_name = c.table_name and r.column_name = c.column_name
    where c.table_schema = 'main' and c.table_catalog = current_database()
)

select * from final
order by table_name, column_name
