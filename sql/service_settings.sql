-- one row: the immediate threshold and the deferred promise (seconds) the service tables were built with
select immediate_seconds, deferred_seconds, live_channels from service_settings
