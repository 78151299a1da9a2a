-- one row per data table: its row count and the span of its main date column.
select 'customers' as table_name, count(*) as n_rows,
       min(signup_date)::date as first_on, max(coalesce(churned_on, signup_date))::date as last_on,
       'signup_date / churned_on' as dated_by
from customers
union all
select 'interactions', count(*), min(started_at)::date, max(started_at)::date, 'started_at' from interactions
union all
select 'feedback', count(*), min(submitted_at)::date, max(submitted_at)::date, 'submitted_at' from feedback
union all
select 'transactions', count(*), min(occurred_at)::date, max(occurred_at)::date, 'occurred_at' from transactions
union all
select 'targets', count(*), min(period_start), max(period_end), 'period_start / period_end' from targets
union all
select 'journey_stages', count(*), null, null, null from journey_stages
union all
select 'channels', count(*), null, null, null from channels
union all
select 'touchpoints', count(*), null, null, null from touchpoints
union all
select 'rejected_rows', count(*), null, null, null from rejected_rows
