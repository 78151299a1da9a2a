-- one row per customer active at the end of $as_of: the churn risk features known then, and
-- whether they were lost in the $horizon_days after it (the label; docs/churn-model.md)
-- "Known then" is strict: events before $as_of + 1 day only, an open request judged open if it was
-- still unresolved then, and plan, segment, annual value and owner from the customer_history span
-- valid on $as_of (today's values only for a customer with no history at all).
with day as (
    select ($as_of::date + 1)::timestamp as cut, ($as_of::date + 1 - 90)::timestamp as recent,
           ($as_of::date + 1 - 180)::timestamp as prior
),
active as (
    select c.customer_id, c.region, s.started_on, c.churned_on,
           coalesce(h.segment, case when k.customer_id is null then c.segment end) as segment,
           coalesce(h.plan, case when k.customer_id is null then c.plan end) as plan,
           coalesce(h.annual_value, case when k.customer_id is null then c.annual_value end) as annual_value,
           coalesce(h.account_owner, case when k.customer_id is null then c.account_owner end) as account_owner
    from customers c
    join customer_started() s using (customer_id)
    left join customer_history h
        on h.customer_id = c.customer_id and h.valid_from <= $as_of::date
       and (h.valid_to is null or h.valid_to > $as_of::date)
    left join (select distinct customer_id from customer_history) k on k.customer_id = c.customer_id
    where is_active_on(s.started_on, c.churned_on, $as_of::date + 1)
),
contacts as (
    select i.customer_id,
           count(*) filter (where i.started_at >= d.recent) as n_contacts_90d,
           count(*) filter (where i.started_at >= d.prior and i.started_at < d.recent) as n_contacts_prior_90d,
           max(i.started_at) as last_contact_at,
           count(*) filter (where i.started_at >= d.recent and i.kind = 'complaint') as n_complaints_90d,
           count(*) filter (where i.started_at >= d.recent and i.escalated) as n_escalations_90d,
           count(*) filter (where i.started_at >= d.recent and i.kind = 'cancellation') as n_cancellation_contacts_90d,
           count(*) filter (where is_agent_handled(i.first_response_seconds, i.sla_seconds)
                            and (i.resolved_at is null or i.resolved_at >= d.cut)) as n_open_requests,
           count(*) filter (where i.kind = 'complaint'
                            and (i.resolved_at is null or i.resolved_at >= d.cut)) as n_open_complaints,
           count(*) filter (where i.started_at >= d.recent
                            and not sla_met(i.started_at, case when i.resolved_at < d.cut then i.resolved_at end,
                                            i.sla_seconds, d.cut)) as n_sla_breaches_90d
    from interactions i, day d
    where i.started_at < d.cut
    group by i.customer_id
),
answers as (
    select f.customer_id, f.survey, f.score, f.submitted_at,
           row_number() over (partition by f.customer_id, f.survey order by f.submitted_at desc, f.feedback_id desc) as nth
    from feedback f, day d
    where f.submitted_at < d.cut
),
surveys as (
    select a.customer_id,
           max(a.score) filter (where a.survey = 'nps' and a.nth = 1) as nps_last,
           max(a.score) filter (where a.survey = 'nps' and a.nth = 2) as nps_before,
           max(a.submitted_at) filter (where a.survey = 'nps' and a.nth = 1) as nps_last_at,
           avg(a.score) filter (where a.survey = 'csat' and a.submitted_at >= d.recent) as csat_90d,
           avg(a.score) filter (where a.survey = 'csat' and a.submitted_at >= d.prior and a.submitted_at < d.recent) as csat_prior_90d,
           avg(a.score) filter (where a.survey = 'ces' and a.submitted_at >= d.recent) as ces_90d,
           avg(a.score) filter (where a.survey = 'ces' and a.submitted_at >= d.prior and a.submitted_at < d.recent) as ces_prior_90d,
           count(*) filter (where a.survey = 'nps' and a.submitted_at >= d.recent and is_detractor(a.score)) as n_detractor_answers_90d,
           avg(a.score) filter (where a.survey = 'nps' and a.submitted_at >= d.cut - interval 365 day) as nps_mean_365d
    from answers a, day d
    group by a.customer_id
),
bills as (  -- the latest two invoices: a smaller one is a downgrade, whatever the billing cycle
    select t.customer_id,
           max(t.amount) filter (where t.nth = 1) as last_invoice,
           max(t.amount) filter (where t.nth = 2) as invoice_before
    from (select t.customer_id, t.amount,
                 row_number() over (partition by t.customer_id order by t.occurred_at desc, t.transaction_id desc) as nth
          from transactions t, day d
          where t.occurred_at < d.cut and t.kind in ('invoice', 'renewal')) t
    where t.nth <= 2
    group by t.customer_id
),
money as (
    select t.customer_id,
           coalesce(sum(t.amount) filter (where t.occurred_at >= d.recent), 0) as spend_90d,
           coalesce(sum(t.amount) filter (where t.occurred_at >= d.prior and t.occurred_at < d.recent), 0) as spend_prior_90d,
           count(*) filter (where t.occurred_at >= d.recent and t.kind = 'purchase') as n_purchases_90d,
           count(*) filter (where t.occurred_at >= d.prior and t.occurred_at < d.recent and t.kind = 'purchase') as n_purchases_prior_90d,
           count(*) filter (where t.occurred_at >= d.recent and t.kind = 'failed_payment') as n_failed_payments_90d,
           count(*) filter (where t.occurred_at >= d.recent and t.kind = 'refund') as n_refunds_90d,
           count(*) filter (where t.occurred_at >= d.recent) as n_transactions_90d,
           max(t.occurred_at) filter (where t.amount > 0) as last_payment_at,
           -- a failed payment is recovered by any money received after it (a paid invoice, renewal or purchase)
           max(t.occurred_at) filter (where t.occurred_at >= d.recent and t.kind = 'failed_payment') as last_failed_payment_at,
           max(t.occurred_at) filter (where t.amount > 0 and t.kind is distinct from 'failed_payment') as last_paid_at,
           max(t.occurred_at) filter (where t.kind = 'renewal') as last_renewal_at,
           count(*) filter (where t.kind = 'purchase') as n_purchases,
           min(t.occurred_at) filter (where t.kind = 'purchase') as first_purchase_at,
           max(t.occurred_at) filter (where t.kind = 'purchase') as last_purchase_at
    from transactions t, day d
    where t.occurred_at < d.cut
    group by t.customer_id
),
final as (
    select a.customer_id, a.segment, a.region, a.plan, a.account_owner,
           a.annual_value::double as annual_value,
           datediff('day', a.started_on, $as_of::date) as tenure_days,
           coalesce(c.n_contacts_90d, 0) as n_contacts_90d,
           coalesce(c.n_contacts_prior_90d, 0) as n_contacts_prior_90d,
           datediff('day', c.last_contact_at::date, $as_of::date) as days_since_contact,
           coalesce(c.n_complaints_90d, 0) as n_complaints_90d,
           coalesce(c.n_escalations_90d, 0) as n_escalations_90d,
           coalesce(c.n_cancellation_contacts_90d, 0) as n_cancellation_contacts_90d,
           coalesce(c.n_open_requests, 0) as n_open_requests,
           coalesce(c.n_open_complaints, 0) as n_open_complaints,
           coalesce(c.n_sla_breaches_90d, 0) as n_sla_breaches_90d,
           s.nps_last, s.nps_before, s.nps_last_at::date as nps_last_on,
           s.csat_90d, s.csat_prior_90d, s.ces_90d, s.ces_prior_90d,
           coalesce(s.n_detractor_answers_90d, 0) as n_detractor_answers_90d,
           s.nps_mean_365d,
           coalesce(m.spend_90d, 0)::double as spend_90d,
           coalesce(m.spend_prior_90d, 0)::double as spend_prior_90d,
           b.last_invoice::double as last_invoice,
           b.invoice_before::double as invoice_before,
           coalesce(m.n_purchases_90d, 0) as n_purchases_90d,
           coalesce(m.n_purchases_prior_90d, 0) as n_purchases_prior_90d,
           coalesce(m.n_failed_payments_90d, 0) as n_failed_payments_90d,
           -- a failed payment in the last 90 days and no payment received since: not recovered
           coalesce(m.last_failed_payment_at > m.last_paid_at or (m.last_failed_payment_at is not null
                                                                  and m.last_paid_at is null), false)
               as is_failed_payment_unrecovered,
           coalesce(m.n_refunds_90d, 0) as n_refunds_90d,
           coalesce(m.n_transactions_90d, 0) as n_transactions_90d,
           datediff('day', m.last_payment_at::date, $as_of::date) as days_since_payment,
           -- next renewal: a year after the last renewal, else the next anniversary of the start
           case when m.last_renewal_at is not null
                then (m.last_renewal_at::date + interval 1 year)::date
                else (a.started_on + to_years(greatest(1, ceil(datediff('day', a.started_on, $as_of::date + 1) / 365.25)::integer)))::date
           end as next_renewal_on,
           -- expected purchase: the last one plus the customer's average gap between purchases
           case when m.n_purchases >= 2
                then (m.last_purchase_at + to_seconds((epoch(m.last_purchase_at) - epoch(m.first_purchase_at)) / (m.n_purchases - 1)))::date
           end as expected_purchase_on,
           coalesce(is_lost_in(a.started_on, a.churned_on, $as_of::date + 1, $as_of::date + 1 + $horizon_days::integer), false) as is_lost_next
    from active a
    left join contacts c using (customer_id)
    left join surveys s using (customer_id)
    left join money m using (customer_id)
    left join bills b using (customer_id)
)
select * from final
order by customer_id
