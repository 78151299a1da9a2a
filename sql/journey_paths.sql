-- one row per link of the customers' paths through the stages in $start..$stop under $filters: from
-- a stage to the next one each customer reached in the journey's order ($stage_order), or to no later
-- stage (to_stage null); n_customers on the link and how many of them have churned since $start.
-- Every customer ends on exactly one link to no later stage, so those links add up to the customers.
-- From the derived journey tables (sql/raw_journey_paths.sql: the same from raw rows).
select * from journey_path_links($start, $stop, $filters, $stage_order, true)
order by from_stage, to_stage
