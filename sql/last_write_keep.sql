-- The changes this write applied to the derived layer (sql/refresh_changes.sql), kept in the file:
-- the next write brings the spare (the previous generation, cxdata/db.py) forward by replaying them
-- (sql/spare_sync.sql, then the same refresh). Written only when the layer was updated from them.
create or replace table last_write_changes as select * from refresh_changes
