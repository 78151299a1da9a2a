-- stamps the derived layer just built with the code version that built it and what it cost
update derived_info set version = $version, refresh_seconds = $refresh_seconds
