-- one row per customer behind a customer KPI ($kpi) under the customer filters of $filters
-- (filtered_customers and customer_started, as the KPI itself): churn_rate and retention_rate the
-- customers active at $start, those lost in $start..$stop (is_lost_in) first; active_customers those
-- active at $stop; annual_value_lost those lost in the period. At most $limit rows; n_rows is how
-- many there are in all. Names and account owners are left out: the customer id is enough to act.
with customers_started as (
    select c.customer_id, c.segment, c.region, c.country, c.plan, s.started_on, c.churned_on, c.annual_value,
           is_active_on(s.started_on, c.churned_on, $start::date) as is_active_at_start,
           coalesce(is_lost_in(s.started_on, c.churned_on, $start::date, $stop::date), false) as is_lost,
           is_active_on(s.started_on, c.churned_on, $stop::date) as is_active_at_end
    from filtered_customers($filters) c join customer_started() s using (customer_id)
),

chosen as (
    select * from customers_started
    where case $kpi
              when 'active_customers' then is_active_at_end
              when 'annual_value_lost' then is_lost
              else is_active_at_start
          end
)

select customer_id, segment, region, country, plan, started_on, churned_on, annual_value, is_lost,
       count(*) over () as n_rows
from chosen
order by is_lost desc, churned_on, customer_id
limit $limit
