-- one row per customer under the filters with an alert rule firing (see churn_alerts): only the id and
-- the rules, for counting open alerts where the list itself is not shown (the overview)
select customer_id,
       list_filter(['score', 'detractor_open_complaint', 'cancellation_contact', 'failed_payment'],
                   lambda r: case r when 'score' then score >= $threshold
                               when 'detractor_open_complaint' then is_detractor_open_complaint
                               when 'cancellation_contact' then is_cancellation_contact
                               else has_failed_payment end
                        and (r = 'score' or list_contains($signals, r))) as rules
from churn_scores s
where matches_customer($filters, s)
  and (score >= $threshold
       or (is_detractor_open_complaint and list_contains($signals, 'detractor_open_complaint'))
       or (is_cancellation_contact and list_contains($signals, 'cancellation_contact'))
       or (has_failed_payment and list_contains($signals, 'failed_payment')))
