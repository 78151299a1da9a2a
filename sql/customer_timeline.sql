-- one row per event of customer $customer_id, if it is under $filters (the reader's scope): each
-- contact, survey answer, transaction and change of segment, plan, annual value or account owner
-- (customer_history: a span's values against the span before), the newest $limit of them, newest
-- first; n_rows is how many there are in all. Comments are masked by the caller.
with chosen as (
    select customer_id from filtered_customers($filters) c where c.customer_id = $customer_id
),
contacts as (
    select i.started_at as at, 'contact' as event, i.interaction_id as item_id, i.kind as what,
           i.channel, i.department, i.touchpoint, null::double as score, null::double as amount,
           null::varchar as comment, i.resolved_at, i.escalated as is_escalated, null::varchar as contact_id,
           null::varchar as value_before, null::varchar as value_after
    from interactions i where i.customer_id = $customer_id
),
answers as (
    select f.submitted_at, 'answer', f.feedback_id, f.survey, null, f.department, f.touchpoint,
           f.score::double, null, f.comment, null, null, f.interaction_id, null, null
    from feedback f where f.customer_id = $customer_id
),
money as (
    select t.occurred_at, 'transaction', t.transaction_id, t.kind, null, null, null, null, t.amount::double,
           null, null, null, null, null, null
    from transactions t where t.customer_id = $customer_id
),
spans as (
    select h.valid_from,
           h.segment, lag(h.segment) over w as segment_before,
           h.plan, lag(h.plan) over w as plan_before,
           h.annual_value::double as annual_value, lag(h.annual_value::double) over w as annual_value_before,
           h.account_owner, lag(h.account_owner) over w as account_owner_before,
           row_number() over w as nth
    from customer_history h where h.customer_id = $customer_id
    window w as (order by h.valid_from)
),
changed as (
    select valid_from, 'segment' as field, segment_before as value_before, segment as value_after from spans where nth > 1
    union all select valid_from, 'plan', plan_before, plan from spans where nth > 1
    union all select valid_from, 'annual_value', annual_value_before::varchar, annual_value::varchar from spans where nth > 1
    union all select valid_from, 'account_owner', account_owner_before, account_owner from spans where nth > 1
),
changes as (
    select valid_from::timestamp, 'change', field, field, null, null, null, null, null, null, null, null,
           null, value_before, value_after
    from changed where value_before is distinct from value_after
),
events as (
    select * from contacts union all select * from answers union all select * from money
    union all select * from changes
)
select e.*, count(*) over () as n_rows
from events e
where exists (select 1 from chosen)
order by e.at desc, e.event, e.item_id
limit $limit
