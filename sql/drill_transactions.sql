-- one row per transaction behind revenue in $start..$stop under the customer filters of $filters
-- (filtered_transactions, as the KPI itself); at most $limit rows, the newest first; n_rows is how
-- many there are in all.
select transaction_id, occurred_at, amount, kind, customer_id, segment, region, plan,
       count(*) over () as n_rows
from filtered_transactions($start, $stop, $filters)
order by occurred_at desc, transaction_id
limit $limit
