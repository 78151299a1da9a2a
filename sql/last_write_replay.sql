-- The spare notes the live file's last write as its own changes (sql/refresh_changes.sql), so the same
-- update of the derived layer follows (cxdata.derive.replay_last_write).
insert into refresh_changes by name select * from live.last_write_changes
