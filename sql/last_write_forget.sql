-- This write rebuilt the whole layer (or scored churn): it cannot be replayed from changes, so the
-- next write copies the file instead of bringing the spare forward (sql/last_write_keep.sql).
drop table if exists last_write_changes
