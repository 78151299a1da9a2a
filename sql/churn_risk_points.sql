-- one row per scored customer under the filters with a score of at least half the threshold, the
-- $limit with the most revenue at risk: the points of the risk-against-value chart
select customer_id, annual_value::double as annual_value, score, churn_band_of(score, $threshold) as band,
       value_at_risk_of(annual_value, score)::double as value_at_risk
from churn_scores s
where matches_customer($filters, s) and score >= $threshold / 2.0
order by value_at_risk desc, customer_id
limit $limit
