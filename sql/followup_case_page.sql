-- one row per case of the Follow-up page's list as it opens: the first $limit cases of
-- sql/followup_cases.sql (the same rules, window and filters: keep the two in step), oldest first, that the
-- list's own filters keep: $owners, $departments, $root_causes ('' = none chosen yet) and $statuses (each
-- empty = all), read with the worked cases' state bound as lists from the store ($worked_ids = source ids,
-- $worked_status, $worked_root_cause; a case not listed is new, no root cause). With how many cases the
-- filters keep and how many of them are overdue (still new $due_hours after opening, at $now_hour, UTC, plus
-- the due times within that hour, so the result is the same all hour and can be cached; the company's clock
-- turned into UTC by $zone_* as in sql/followup_kpis.sql). No next answer: the list does not show it
-- (sql/followup_cases.sql has it).
with answer_cases as (  -- the answers that open a case, with their rated contact's dimensions (sql/derived.sql)
    select 'answer:' || a.feedback_id as source_id, a.customer_id, a.submitted_at as opened_at,
           a.survey as reason, a.score, a.department, a.channel, a.journey_stage
    from followup_answers a
    where a.submitted_at >= $since and a.submitted_at < $until
      and coalesce((a.survey = 'nps' and a.score <= $nps_max) or (a.survey = 'csat' and a.score <= $csat_max)
                   or (a.survey = 'ces' and a.score <= $ces_max), false)
),
complaint_cases as (
    select 'contact:' || i.interaction_id as source_id, i.customer_id, i.started_at as opened_at,
           'complaint' as reason, cast(null as smallint) as score, i.department, i.channel, i.journey_stage
    from interactions i
    where i.started_at >= $since and i.started_at < $until and list_contains($complaint_kinds, i.kind)
),
opened as (
    select o.*, c.segment, c.region, c.plan, c.account_owner, c.churned_on
    from (select * from answer_cases union all select * from complaint_cases) o
    left join customers c using (customer_id)
),
scoped as (
    select * from opened r where matches_activity($filters, r)
),
worked as (
    select unnest($worked_ids::varchar[]) as source_id, unnest($worked_status::varchar[]) as status,
           unnest($worked_root_cause::varchar[]) as root_cause
),
kept as (
    select f.*, coalesce(w.status, 'new') as status,
           len(list_filter($zone_starts, lambda z: z <= f.opened_at)) as opened_zone
    from scoped f left join worked w using (source_id)
    where (len($statuses::varchar[]) = 0 or list_contains($statuses::varchar[], coalesce(w.status, 'new')))
      and (len($root_causes::varchar[]) = 0 or list_contains($root_causes::varchar[], coalesce(w.root_cause, '')))
      and (len($owners::varchar[]) = 0 or list_contains($owners::varchar[], case when $owner_first = 'department'
                                                          then coalesce(f.department, f.account_owner)
                                                          else coalesce(f.account_owner, f.department) end))
      and (len($departments::varchar[]) = 0 or list_contains($departments::varchar[], f.department))
),
judged as (
    select *, case when opened_zone = 0 then opened_at - to_seconds($zone_offset)
                       else greatest(opened_at - to_seconds($zone_offsets[opened_zone]), $zone_instants[opened_zone])
                  end + to_seconds($due_hours * 3600) as due_utc
    from kept
),
counts as (  -- an aggregate, not a window over every row (at 10 M a window over () took seconds)
    select count(*) as n_kept, count(*) filter (where status = 'new' and due_utc < $now_hour) as n_kept_overdue,
           list(due_utc) filter (where status = 'new' and due_utc >= $now_hour
                                 and due_utc < $now_hour + interval 1 hour) as due_within_hour
    from judged
)
select s.source_id, s.customer_id, s.opened_at, s.reason, s.score, s.department,
       case when $owner_first = 'department' then coalesce(s.department, s.account_owner)
            else coalesce(s.account_owner, s.department) end as owner,
       s.segment, s.region, s.plan, s.churned_on, c.n_kept, c.n_kept_overdue, c.due_within_hour
from judged s, counts c
order by s.opened_at, s.source_id
limit $limit
