-- one row: the follow-up KPIs' counts (cxdata/followup/measures.py), from the cases of
-- sql/followup_cases.sql (the same rules, window and filters: keep the two in step) joined to the worked
-- cases' state, bound as lists from the store ($worked_ids = source ids, $worked_status,
-- $worked_first_contact in UTC; a case not listed is new and never contacted), so no case row leaves the
-- database. Times on the company's clock become UTC by $zone_* (cxdata.followup.case_list.zone_params: the
-- offset before the first change, then each change's first local time, offset after and instant); $now_hour
-- (the hour now began: what `now` changes is read from the new cases due within that hour, so the counts are
-- the same all hour and can be cached) and $judged_on are UTC. A case is due $due_hours after it opened.
-- With the owners and departments of the cases (the Follow-up page's pickers).
with answer_cases as (  -- the answers that open a case, with their rated contact's dimensions (sql/derived.sql)
    select 'answer:' || a.feedback_id as source_id, a.customer_id, a.submitted_at as opened_at,
           a.department, a.channel, a.journey_stage
    from followup_answers a
    where a.submitted_at >= $since and a.submitted_at < $until
      and coalesce((a.survey = 'nps' and a.score <= $nps_max) or (a.survey = 'csat' and a.score <= $csat_max)
                   or (a.survey = 'ces' and a.score <= $ces_max), false)
),
complaint_cases as (
    select 'contact:' || i.interaction_id as source_id, i.customer_id, i.started_at as opened_at,
           i.department, i.channel, i.journey_stage
    from interactions i
    where i.started_at >= $since and i.started_at < $until and list_contains($complaint_kinds, i.kind)
),
opened as (
    select o.*, c.segment, c.region, c.plan, c.account_owner, c.churned_on
    from (select * from answer_cases union all select * from complaint_cases) o
    left join customers c using (customer_id)
),
scoped as (
    select r.source_id, r.customer_id, r.opened_at, r.churned_on, r.department,
           case when $owner_first = 'department' then coalesce(r.department, r.account_owner)
                else coalesce(r.account_owner, r.department) end as owner
    from opened r where matches_activity($filters, r)
),
later_answers as (
    select customer_id, submitted_at, survey, score from feedback where submitted_at > $since
),
next_answers as (  -- the next answer decides recovery only for cases under 90 days old or whose customer left:
    -- the others recovered (still a customer at 90 days) whatever it was, so only these look for it
    select s.source_id, s.opened_at, s.churned_on, s.owner, s.department, n.submitted_at as next_at,
           coalesce((n.survey = 'nps' and n.score <= $nps_max) or (n.survey = 'csat' and n.score <= $csat_max)
                    or (n.survey = 'ces' and n.score <= $ces_max), false) as is_next_unhappy
    from (select * from scoped where opened_at > $judged_on - interval 92 day or churned_on is not null) s
    asof left join later_answers n on n.customer_id = s.customer_id and n.submitted_at > s.opened_at
    union all
    select source_id, opened_at, churned_on, owner, department, null, false
    from scoped where not (opened_at > $judged_on - interval 92 day or churned_on is not null)
),
zoned as (  -- the index of the last change of offset at or before each time (0: none)
    select *, len(list_filter($zone_starts, lambda z: z <= opened_at)) as opened_zone,
           len(list_filter($zone_starts, lambda z: z <= next_at)) as next_zone
    from next_answers
),
in_utc as (
    select source_id, churned_on, is_next_unhappy, owner, department,
           case when opened_zone = 0 then opened_at - to_seconds($zone_offset)
                else greatest(opened_at - to_seconds($zone_offsets[opened_zone]), $zone_instants[opened_zone]) end as opened_utc,
           case when next_at is null then null when next_zone = 0 then next_at - to_seconds($zone_offset)
                else greatest(next_at - to_seconds($zone_offsets[next_zone]), $zone_instants[next_zone]) end as next_utc
    from zoned
),
worked as (
    select unnest($worked_ids::varchar[]) as source_id, unnest($worked_status::varchar[]) as status,
           unnest($worked_first_contact::timestamp[]) as first_contact_at
),
cases as (
    select c.*, c.opened_utc + to_seconds($due_hours * 3600) as due_utc, coalesce(w.status, 'new') as status,
           w.first_contact_at,
           c.opened_utc + interval 90 day <= $judged_on as old_enough,
           c.next_utc is not null and c.next_utc < $judged_on as answered
    from in_utc c left join worked w using (source_id)
)
select count(*) as n_cases,
       count(*) filter (where status not in ('resolved', 'unreachable')) as n_open,
       count(*) filter (where status = 'new' and due_utc < $now_hour) as n_overdue,
       count(*) filter (where due_utc <= $now_hour or first_contact_at is not null) as n_on_time_base,
       list(due_utc order by due_utc) filter (where status = 'new' and due_utc >= $now_hour
                                              and due_utc < $now_hour + interval 1 hour) as due_within_hour,
       count(*) filter (where first_contact_at <= due_utc) as n_on_time,
       count(first_contact_at) as n_contacted,
       median(epoch(first_contact_at - opened_utc) / 3600.0) as median_hours_to_contact,
       count(*) filter (where old_enough or answered) as n_recovery,
       count(*) filter (where (answered and not is_next_unhappy)
                        or (old_enough and (churned_on is null
                                            or churned_on > cast(opened_utc + interval 90 day as date)))) as n_recovered,
       list(distinct owner order by owner) filter (where owner is not null) as owners,
       list(distinct department order by department) filter (where department is not null) as departments
from cases
