-- one row per follow-up case opened in $since..$until (timestamps, $until exclusive) under $filters: every
-- answer at or below its survey's threshold ($nps_max, $csat_max, $ces_max; null = that survey opens none)
-- and every contact of a kind in $complaint_kinds. The case's department is the rated contact's, else the
-- answer's own; its owner that department or the customer's account owner, whichever $owner_first names
-- first ('department' or 'account_owner'). With the customer's next answer after the case opened (whether it
-- is unhappy by the same thresholds) and churn date, for recovery. $customer_id (null = every customer)
-- keeps one customer's cases (their record). No customer name: sql/followup_customer_names.sql gives them to
-- those who may see them. The answers come with their rated contact's dimensions from followup_answers
-- (sql/derived.sql), so no page joins them to 10 M interactions. sql/followup_kpis.sql counts the same
-- cases: keep the two in step.
with answer_cases as (  -- the answers that open a case, with their rated contact's dimensions (sql/derived.sql)
    select 'answer:' || a.feedback_id as source_id, a.customer_id, a.submitted_at as opened_at,
           a.survey as reason, a.score, a.department, a.channel, a.journey_stage
    from followup_answers a
    where a.submitted_at >= $since and a.submitted_at < $until
      and ($customer_id is null or a.customer_id = $customer_id)
      and coalesce((a.survey = 'nps' and a.score <= $nps_max) or (a.survey = 'csat' and a.score <= $csat_max)
                   or (a.survey = 'ces' and a.score <= $ces_max), false)
),
complaint_cases as (
    select 'contact:' || i.interaction_id as source_id, i.customer_id, i.started_at as opened_at,
           'complaint' as reason, cast(null as smallint) as score, i.department, i.channel, i.journey_stage
    from interactions i
    where i.started_at >= $since and i.started_at < $until and list_contains($complaint_kinds, i.kind)
      and ($customer_id is null or i.customer_id = $customer_id)
),
opened as (
    select o.*, c.segment, c.region, c.plan, c.account_owner, c.churned_on
    from (select * from answer_cases union all select * from complaint_cases) o
    left join customers c using (customer_id)
),
scoped as (
    select * from opened r where matches_activity($filters, r)
),
later_answers as (
    select customer_id, submitted_at, survey, score from feedback where submitted_at > $since
),
final as (
    select s.source_id, s.customer_id, s.opened_at, s.reason, s.score, s.department,
           case when $owner_first = 'department' then coalesce(s.department, s.account_owner)
                else coalesce(s.account_owner, s.department) end as owner,
           s.segment, s.region, s.plan, n.submitted_at as next_answer_at,
           coalesce((n.survey = 'nps' and n.score <= $nps_max) or (n.survey = 'csat' and n.score <= $csat_max)
                    or (n.survey = 'ces' and n.score <= $ces_max), false) as is_next_unhappy,
           s.churned_on
    from scoped s
    asof left join later_answers n on n.customer_id = s.customer_id and n.submitted_at > s.opened_at
)
select * from final
order by opened_at, source_id
