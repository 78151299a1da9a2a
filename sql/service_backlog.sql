-- one row per open contact with a promise to resolve (sql/derived.sql, open_contacts) whose SLA
-- expires within $hours hours of the data's latest event, oldest first, at most $limit of them;
-- with how many such contacts there are, how many expire within 4 hours and how many are already
-- overdue, under the dimension filters (the backlog is now, whatever the date range).
with open_now as (
    select o.*, (select latest_event_at from derived_info) as as_of
    from open_contacts o
    where matches_activity($filters, o)
),

counts as (
    select count(*) filter (where due_at > as_of and due_at <= as_of + to_hours($hours::bigint)) as n_due_soon,
           count(*) filter (where due_at > as_of and due_at <= as_of + interval 4 hour) as n_due_4h,
           count(*) filter (where due_at <= as_of) as n_overdue
    from open_now
)

select o.interaction_id, o.customer_id, o.started_at, o.due_at, o.as_of,
       epoch(o.due_at - o.as_of) / 3600.0 as hours_left, epoch(o.as_of - o.started_at) / 3600.0 as age_hours,
       o.department, o.channel, o.kind, o.office, o.escalated, o.first_response_seconds is not null as is_answered,
       c.n_due_soon::bigint as n_due_soon, c.n_due_4h::bigint as n_due_4h, c.n_overdue::bigint as n_overdue
from counts c
left join (select * from open_now
           where due_at > as_of and due_at <= as_of + to_hours($hours::bigint)
           order by started_at, interaction_id
           limit $limit) o on true
order by o.started_at, o.interaction_id
