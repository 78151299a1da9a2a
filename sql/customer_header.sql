-- one row: customer $customer_id if it is under $filters (the reader's scope), else none; its
-- attributes now, its start (customer_started: the signup date, else its first activity), its
-- revenue in all (refunds negative) and its current risk score (null when not scored: not active)
with chosen as (
    select * from filtered_customers($filters) c where c.customer_id = $customer_id
),
started as (
    select customer_id, started_on from customer_started() where customer_id = $customer_id
),
money as (
    select sum(amount)::double as revenue, count(*) as n_transactions
    from transactions where customer_id = $customer_id
),
risk as (
    select s.score, churn_band_of(s.score, $threshold, has_explicit_signal(s, $signs_on)) as band,
           alert_rules_of(s, $threshold, $signs_on) as rules, s.reasons, s.reason_keys
    from churn_scores s where s.customer_id = $customer_id
)
select c.customer_id, c.name, c.segment, c.region, c.country, c.plan, c.signup_date, s.started_on, c.churned_on,
       c.annual_value::double as annual_value, c.account_owner, m.revenue, m.n_transactions,
       r.score, r.band, r.rules, r.reasons, r.reason_keys
from chosen c
left join started s using (customer_id)
cross join money m
left join risk r on true
