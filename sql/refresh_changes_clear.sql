-- The changes a refresh has applied (sql/refresh_changes.sql), cleared so a later refresh on the same
-- connection does not apply them twice.
drop table if exists refresh_changes
