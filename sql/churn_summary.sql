-- one row for all customers scored under the filters, then one per segment and one per account
-- owner: how many are scored and at risk (score >= $threshold), and the revenue at risk
select case when grouping(segment) = 0 then 'segment' when grouping(account_owner) = 0 then 'owner'
            else 'all' end as dimension,
       coalesce(segment, account_owner, 'all') as member,
       count(*) as n_customers,
       count(*) filter (where score >= $threshold) as n_at_risk,
       coalesce(sum(value_at_risk_of(annual_value, score)), 0) as value_at_risk,
       coalesce(sum(value_at_risk_of(annual_value, score)) filter (where score >= $threshold), 0) as value_at_risk_flagged,
       coalesce(sum(annual_value), 0) as annual_value
from churn_scores s
where matches_customer($filters, s)
group by grouping sets ((), (segment), (account_owner))
order by dimension, value_at_risk desc
