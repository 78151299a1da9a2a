-- one row per link of the customers' paths through the stages, as sql/journey_paths.sql, computed
-- from raw rows: the reference the derived path is checked against
select * from journey_path_links($start, $stop, $filters, $stage_order, false)
order by from_stage, to_stage
