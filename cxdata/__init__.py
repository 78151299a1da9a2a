"""cx-cockpit's data layer: the only package that talks to DuckDB."""
