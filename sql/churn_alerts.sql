-- one row per customer x alert rule that fires under the filters: the score at or above $threshold,
-- or one of the single signals in $signals; the riskiest revenue first
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
final as (
    select f.customer_id, c.name, f.segment, f.region, f.plan, f.account_owner, f.annual_value::double as annual_value,
           f.score, churn_band_of(f.score, $threshold) as band, f.rule,
           value_at_risk_of(f.annual_value, f.score)::double as value_at_risk,
           f.reasons, f.reason_keys, f.next_renewal_on, f.expected_purchase_on
    from fired f left join customers c using (customer_id)
)
select * from final
order by value_at_risk desc, customer_id, rule
