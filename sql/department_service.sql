-- one row per quarter x department x KPI (complaint_rate, escalation_rate, unanswered_rate,
-- immediate_share) from the quarter holding $first to the one holding $stop - 1: value, 95% margin
-- and n (contacts; contacts due an answer for the others), under every filter. read from service_daily.
with parts as (
    select period_of(d.started_on, 'quarter') as period_start, activity_member(d, 'department') as member,
           sum(d.n_contacts) as n_contacts, sum(d.n_complaints) as n_complaints, sum(d.n_due) as n_due,
           sum(d.n_escalated) as n_escalated, sum(d.n_unanswered) as n_unanswered, sum(d.n_immediate) as n_immediate
    from service_days(period_of($first, 'quarter'), $stop, $filters) d
    group by all
),

final as (
    select period_start, member, 'complaint_rate' as kpi, complaint_pct_of(n_complaints, n_contacts) as value,
           complaint_moe_of(n_complaints, n_contacts) as moe, n_contacts as n
    from parts where n_contacts > 0
    union all
    select period_start, member, 'escalation_rate', service_pct_of(n_escalated, n_due),
           service_moe_of(n_escalated, n_due), n_due
    from parts where n_due > 0
    union all
    select period_start, member, 'unanswered_rate', service_pct_of(n_unanswered, n_due),
           service_moe_of(n_unanswered, n_due), n_due
    from parts where n_due > 0
    union all
    select period_start, member, 'immediate_share', service_pct_of(n_immediate, n_due),
           service_moe_of(n_immediate, n_due), n_due
    from parts where n_due > 0
)

select period_start, member, kpi, value::double as value, moe::double as moe, n::bigint as n
from final
order by kpi, member, period_start
