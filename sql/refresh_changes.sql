-- What a write changed, for the derived layer to rebuild only that (sql/derived_update.sql): one row
-- per new or updated row of customers, interactions, feedback or transactions, for its values before
-- and after (its key, customer and day), and a 'full' row for a change the layer must be rebuilt
-- whole for. Written on the writer's copy and dropped by the refresh that applies it
-- (sql/refresh_changes_clear.sql), so a database never keeps one; a write that records no changes
-- (a demo build, `python -m cxdata refresh`) gets a full rebuild.
create table if not exists refresh_changes (source varchar, row_id varchar, customer_id varchar, on_day date)
