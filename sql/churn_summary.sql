-- one row for all customers scored under the filters, then one per segment and one per account
-- owner: how many are scored and at risk (the high band: score >= $threshold or an explicit warning
-- sign in $signs_on, churn_band_of), how many of those by the score alone, and the revenue at risk
with banded as (
    select s.segment, s.account_owner, s.annual_value, s.score,
           churn_band_of(s.score, $threshold, has_explicit_signal(s, $signs_on)) = 'high' as is_high
    from churn_scores s
    where matches_customer($filters, s)
)
select case when grouping(segment) = 0 then 'segment' when grouping(account_owner) = 0 then 'owner'
            else 'all' end as dimension,
       coalesce(segment, account_owner, 'all') as member,
       count(*) as n_customers,
       count(*) filter (where is_high) as n_at_risk,
       count(*) filter (where score >= $threshold) as n_at_score,
       coalesce(sum(value_at_risk_of(annual_value, score)), 0) as value_at_risk,
       coalesce(sum(value_at_risk_of(annual_value, score)) filter (where is_high), 0) as value_at_risk_flagged,
       coalesce(sum(annual_value), 0) as annual_value
from banded
group by grouping sets ((), (segment), (account_owner))
order by dimension, value_at_risk desc, member
