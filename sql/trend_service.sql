-- one row per period x member x service KPI (sla_compliance, first_contact_resolution, contacts)
-- at grain $grain from the period holding $first to the one holding $stop - 1: value, 95% margin
-- (null for contacts, a count) and n (judged contacts, resolved agent-handled contacts, contacts);
-- member: the value of dimension $by (null for 'none'); under every filter. read from interactions_daily.
with parts as (
    select period_of(d.started_on, $grain) as period_start, activity_member(d, $by) as member,
           sum(d.n_interactions) as n_contacts, sum(d.n_sla_met) as n_met, sum(d.n_sla_judged) as n_judged,
           sum(d.n_first_contact_resolved) as n_first, sum(d.n_resolved_handled) as n_resolved
    from interaction_days(period_of($first, $grain), $stop, $filters) d
    group by all
),

final as (
    select period_start, member, 'sla_compliance' as kpi, sla_pct_of(n_met, n_judged) as value,
           sla_moe_of(n_met, n_judged) as moe, n_judged as n
    from parts where n_judged > 0
    union all
    select period_start, member, 'first_contact_resolution', fcr_pct_of(n_first, n_resolved),
           fcr_moe_of(n_first, n_resolved), n_resolved
    from parts where n_resolved > 0
    union all
    select period_start, member, 'contacts', n_contacts, null, n_contacts from parts
)

select period_start, member, kpi, value::double as value, moe::double as moe, n::bigint as n
from final
order by kpi, member, period_start
