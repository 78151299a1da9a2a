-- one row: the newest and oldest activity day and the row count of each main table, for the
-- header and for where date presets end (kept in the derived layer, so no table is scanned)
select newest_on, oldest_on, n_customers, n_interactions, n_feedback, n_transactions from derived_info
