-- one row per breakdown (channel, department, kind, office) x member, plus one 'all' row for the
-- view: contacts, the contacts due an answer, and the service levels with 95% margins and their n
-- (docs/service-levels.md), in [$start, $stop) under every filter. read from service_daily.
with grouped as (
    select case when grouping(channel) = 0 then 'channel' when grouping(department) = 0 then 'department'
                when grouping(kind) = 0 then 'kind' when grouping(office) = 0 then 'office' else 'all' end as dimension,
           coalesce(channel, department, kind, office) as member,
           sum(n_contacts) as n_contacts, sum(n_due) as n_due, sum(n_immediate) as n_immediate,
           sum(n_deferred) as n_deferred, sum(n_deferred_judged) as n_deferred_judged,
           sum(n_deferred_met) as n_deferred_met, sum(n_unanswered) as n_unanswered,
           sum(n_escalated) as n_escalated, sum(n_sla_judged) as n_sla_judged, sum(n_sla_met) as n_sla_met,
           sum(n_resolved_handled) as n_resolved, sum(n_first_contact_resolved) as n_first_contact
    from service_days($start, $stop, $filters)
    group by grouping sets ((channel), (department), (kind), (office), ())
)

select dimension, coalesce(member, '(not set)') as member, n_contacts::bigint as n_contacts, n_due::bigint as n_due,
       service_pct_of(n_immediate, n_due)::double as immediate_share,
       service_moe_of(n_immediate, n_due)::double as immediate_moe,
       n_deferred::bigint as n_deferred, n_deferred_judged::bigint as n_deferred_judged,
       service_pct_of(n_deferred_met, n_deferred_judged)::double as deferred_on_time,
       service_moe_of(n_deferred_met, n_deferred_judged)::double as deferred_moe,
       n_sla_judged::bigint as n_sla_judged, sla_pct_of(n_sla_met, n_sla_judged)::double as sla_compliance,
       sla_moe_of(n_sla_met, n_sla_judged)::double as sla_moe,
       n_resolved::bigint as n_resolved, fcr_pct_of(n_first_contact, n_resolved)::double as first_contact_resolution,
       fcr_moe_of(n_first_contact, n_resolved)::double as fcr_moe,
       n_unanswered::bigint as n_unanswered, service_pct_of(n_unanswered, n_due)::double as unanswered_rate,
       service_pct_of(n_escalated, n_due)::double as escalation_rate
from grouped
where dimension = 'all' or n_contacts > 0
order by dimension, n_contacts desc, member
