-- one row per customer without a current span: a changed customer's new span starts on $changed_on;
-- a customer seen for the first time is assumed to have held its values since signup (is_backfilled)
insert into customer_history
select c.customer_id,
       case when k.customer_id is null then least(coalesce(c.signup_date, $changed_on), $changed_on)
            else $changed_on end as valid_from,
       null as valid_to, c.segment, c.plan, c.annual_value, c.account_owner,
       k.customer_id is null as is_backfilled
from customers c
left join (select distinct customer_id from customer_history) k using (customer_id)
where not exists (select 1 from customer_history h where h.customer_id = c.customer_id and h.valid_to is null)
