-- one row per customer under $filters (the reader's scope) whose id or (when $by_name) name holds $search,
-- case insensitive: the id itself first, then ids that start with it, then names that start with it, then
-- the rest by name; at most $limit rows, n_rows how many match in all
with matched as (
    select c.customer_id, c.name, c.segment, c.region, c.plan, c.churned_on,
           case when lower(c.customer_id) = lower($search) then 0
                when starts_with(lower(c.customer_id), lower($search)) then 1
                when $by_name and starts_with(lower(c.name), lower($search)) then 2
                else 3 end as rank_of_match
    from filtered_customers($filters) c
    where contains(lower(c.customer_id), lower($search))
       or ($by_name and contains(lower(c.name), lower($search)))
)
select customer_id, name, segment, region, plan, churned_on, count(*) over () as n_rows
from matched
order by rank_of_match, case when rank_of_match <= 1 then customer_id end, name, customer_id
limit $limit
