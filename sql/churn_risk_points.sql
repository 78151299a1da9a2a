-- one row per scored customer under the filters at medium or high risk (a score of at least half the
-- threshold, or an explicit warning sign: churn_band_of), the $limit with the most revenue at risk:
-- the points of the risk-against-value chart
with banded as (
    select customer_id, annual_value::double as annual_value, score,
           churn_band_of(score, $threshold, has_explicit_signal(s, $signs_on)) as band,
           value_at_risk_of(annual_value, score)::double as value_at_risk
    from churn_scores s
    where matches_customer($filters, s)
)
select * from banded
where band <> 'low'
order by value_at_risk desc, customer_id
limit $limit
