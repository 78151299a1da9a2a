-- one row per customer span closed: the current span of every customer whose attributes a load
-- changed ends on $changed_on (the load's day); customer_history_open then opens the new one
update customer_history h
set valid_to = $changed_on
from customers c
where h.customer_id = c.customer_id
  and h.valid_to is null
  and (h.segment is distinct from c.segment or h.plan is distinct from c.plan
       or h.annual_value is distinct from c.annual_value or h.account_owner is distinct from c.account_owner)
