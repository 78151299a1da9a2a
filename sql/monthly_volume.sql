-- one row per table x month, from each table's first month to its last: the rows dated in that
-- month by the table's main date column (0 for a month without rows, so gaps show), and whether
-- the table's records cover the whole month (false for a first or last month the data cuts short).
with counted as (  -- from the derived daily tables: the same counts without reading raw rows
    select 'interactions' as table_name, date_trunc('month', started_on)::date as month_start,
           sum(n_interactions) as n_rows, min(started_on) as first_on, max(started_on) as last_on
    from interactions_daily group by all
    union all
    select 'feedback', date_trunc('month', submitted_on)::date, sum(n), min(submitted_on), max(submitted_on)
    from feedback_daily group by all
    union all
    select 'transactions', date_trunc('month', occurred_on)::date, sum(n_transactions), min(occurred_on), max(occurred_on)
    from revenue_daily group by all
),

spans as (
    select table_name, min(first_on) as first_on, max(last_on) as last_on from counted group by all
),

months as (
    select table_name, first_on, last_on,
           unnest(generate_series(date_trunc('month', first_on), date_trunc('month', last_on), interval 1 month))::date
               as month_start
    from spans
),

final as (
    select m.table_name, m.month_start, coalesce(c.n_rows, 0)::bigint as n_rows,
           m.first_on <= m.month_start and m.last_on >= last_day(m.month_start) as is_complete
    from months m
    left join counted c using (table_name, month_start)
)

select * from final
order by list_position(['interactions', 'feedback', 'transactions'], table_name), month_start
