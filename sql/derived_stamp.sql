-- stamps the derived layer just built with when (UTC), by which code version, and what it cost
update derived_info set refreshed_at = $refreshed_at, version = $version, refresh_seconds = $refresh_seconds
