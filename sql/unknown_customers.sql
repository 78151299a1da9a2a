-- one row per activity table: how many of its rows name a customer_id that is not in customers
-- (they count company-wide, but under no segment, region or plan filter).
select 'interactions' as table_name, count(*) as n_rows
from interactions a where not exists (select 1 from customers c where c.customer_id = a.customer_id)
union all
select 'feedback', count(*)
from feedback a where not exists (select 1 from customers c where c.customer_id = a.customer_id)
union all
select 'transactions', count(*)
from transactions a where not exists (select 1 from customers c where c.customer_id = a.customer_id)
