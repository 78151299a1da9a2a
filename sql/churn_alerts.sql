-- one row per customer under the filters with at least one alert rule firing (the score at or above
-- $threshold, or one of the single signals in $signals), the rules listed; the riskiest revenue first
with fired as (
    select s.*, r.rule
    from churn_scores s,
         (select unnest(['score', 'detractor_open_complaint', 'cancellation_contact', 'failed_payment']) as rule) r
    where matches_customer($filters, s)
      and case r.rule
              when 'score' then s.score >= $threshold
              when 'detractor_open_complaint' then s.is_detractor_open_complaint and list_contains($signals, r.rule)
              when 'cancellation_contact' then s.is_cancellation_contact and list_contains($signals, r.rule)
              when 'failed_payment' then s.has_failed_payment and list_contains($signals, r.rule)
          end
),
per_customer as (
    select customer_id, list(rule order by rule = 'score' desc, rule) as rules
    from fired
    group by customer_id
),
final as (
    select s.customer_id, c.name, s.segment, s.region, s.plan, s.account_owner, s.annual_value::double as annual_value,
           s.score, churn_band_of(s.score, $threshold) as band, p.rules,
           value_at_risk_of(s.annual_value, s.score)::double as value_at_risk,
           s.reasons, s.reason_keys, s.next_renewal_on, s.expected_purchase_on
    from per_customer p
    join churn_scores s using (customer_id)
    left join customers c using (customer_id)
)
select * from final
order by value_at_risk desc, customer_id
