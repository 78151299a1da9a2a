-- one row: when the derived summary tables were rebuilt, by which code version, what it cost, and
-- the data's latest event that SLA compliance is judged as of
select refreshed_at, refresh_seconds, version, latest_event_at from derived_info
