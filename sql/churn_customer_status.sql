-- one row per customer of $customer_ids: when they churned (null while active), to judge "saved"
select customer_id, churned_on from customers where list_contains($customer_ids, customer_id)
