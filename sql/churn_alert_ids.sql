-- one row per customer under the filters with an alert rule firing (see churn_alerts): only the id and
-- the rules, for counting open alerts where the list itself is not shown (the overview)
select customer_id, alert_rules_of(s, $threshold, $signs_on) as rules
from churn_scores s
where matches_customer($filters, s) and (s.score >= $threshold or has_explicit_signal(s, $signs_on))
