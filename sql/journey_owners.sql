-- one row per channel and per department (dimension, member) of stage $stage and touchpoint
-- $touchpoint (null: all of the stage's) in $start..$stop under $filters: its interactions, their
-- share of the selection's, and the SLA breach rate of those judged
with parts as (
    select channel, department, sum(n_interactions) as n_interactions,
           sum(n_sla_judged) as n_sla_judged, sum(n_sla_met) as n_sla_met
    from journey_interaction_parts($start, $stop, $filters, true)
    where journey_stage = $stage and ($touchpoint is null or touchpoint = $touchpoint)
    group by all
),

grouped as (
    select case when grouping(channel) = 0 then 'channel' else 'department' end as dimension,
           coalesce(channel, department) as member,
           sum(n_interactions) as n_interactions, sum(n_sla_judged) as n_sla_judged, sum(n_sla_met) as n_sla_met
    from parts
    group by grouping sets ((channel), (department))
)

select dimension, member, n_interactions::bigint as n_interactions,
       (100.0 * n_interactions / sum(n_interactions) over (partition by dimension))::double as share,
       n_sla_judged::bigint as n_sla_judged,
       sla_breach_pct_of(n_sla_met, n_sla_judged)::double as sla_breach_pct
from grouped
order by dimension, n_interactions desc, member
