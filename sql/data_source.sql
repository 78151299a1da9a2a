-- one row: whether the database holds the built-in demo data (a demo build is recorded in loads),
-- and when data last changed.
select
    exists (select 1 from loads where files = ['demo'] and outcome <> 'failed') as is_demo,
    (select max(finished_at) from loads where outcome <> 'failed') as last_loaded_at
