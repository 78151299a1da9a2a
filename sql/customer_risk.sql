-- one row per scoring of customer $customer_id, if it is under $filters (the reader's scope): its
-- risk score now and on the past days the score reads (churn_score_history), oldest first, with its
-- band under the alert rules ($threshold, $signs_on: churn_band_of) and its reasons as stored
select h.scored_on::date as scored_on, h.score,
       churn_band_of(h.score, $threshold, has_explicit_signal(h, $signs_on)) as band,
       alert_rules_of(h, $threshold, $signs_on) as rules, h.reasons, h.reason_keys
from churn_score_history h
where h.customer_id = $customer_id
  and exists (select 1 from filtered_customers($filters) c where c.customer_id = $customer_id)
order by h.scored_on
