-- one row per customer named in $customer_ids (taken from a case list already narrowed to the
-- reader's scope): their name, for those who may see single customers
select customer_id, name from customers
where customer_id in (select unnest($customer_ids))
