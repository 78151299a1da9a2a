-- one row per customer under the filters with at least one alert rule firing (the score at or above
-- $threshold, or a single sign in $signs_on: has_explicit_signal), the rules listed (alert_rules_of); all are in
-- the high band (churn_band_of). Default order: the high band by revenue at risk, then the rest.
with final as (
    select s.customer_id, c.name, s.segment, s.region, s.plan, s.account_owner, s.annual_value::double as annual_value,
           s.score, churn_band_of(s.score, $threshold, has_explicit_signal(s, $signs_on)) as band,
           alert_rules_of(s, $threshold, $signs_on) as rules,
           value_at_risk_of(s.annual_value, s.score)::double as value_at_risk,
           s.reasons, s.reason_keys, s.nps_last, s.next_renewal_on, s.expected_purchase_on
    from churn_scores s
    left join customers c using (customer_id)
    where matches_customer($filters, s) and (s.score >= $threshold or has_explicit_signal(s, $signs_on))
)
select * from final
order by band = 'high' desc, value_at_risk desc, customer_id
