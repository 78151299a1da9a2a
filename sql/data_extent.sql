-- one row: the newest and oldest activity day and the row count of each main table,
-- for the header and for where date presets end.
select
    (select greatest(max(started_at), (select max(submitted_at) from feedback),
                     (select max(occurred_at) from transactions)) from interactions)::date as newest_on,
    (select least(min(started_at), (select min(submitted_at) from feedback),
                  (select min(occurred_at) from transactions)) from interactions)::date as oldest_on,
    (select count(*) from customers) as n_customers,
    (select count(*) from interactions) as n_interactions,
    (select count(*) from feedback) as n_feedback,
    (select count(*) from transactions) as n_transactions
