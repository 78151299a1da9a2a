-- one row per contact behind a service KPI ($kpi) in $start..$stop under $filters
-- (filtered_interactions, as the KPI itself), only those the KPI judges: contacts and complaint_rate
-- all of them; sla_compliance those judged against an SLA (sla_met); first_contact_resolution the
-- resolved agent-handled ones; escalation_rate those due an answer (is_due, from interaction_rows);
-- first_response_live/_written those whose response is counted (counted_response_seconds, never
-- answered included) on that kind of channel ($live_channels). At most $limit rows, the newest
-- first; n_rows is how many there are in all.
with judged as (
    select r.*,
           sla_met(r.started_at, r.resolved_at, r.sla_seconds, interactions_as_of()) as is_sla_met,
           counted_response_seconds(r.is_due, r.first_response_seconds, r.started_at, r.resolved_at,
                                    interactions_as_of()) as response_seconds
    from filtered_interactions($start, $stop, $filters) r
),

chosen as (
    select * from judged j
    where case $kpi
              when 'sla_compliance' then j.is_sla_met is not null
              when 'first_contact_resolution' then
                  is_agent_handled(j.first_response_seconds, j.sla_seconds) and j.resolved_at is not null
              when 'escalation_rate' then j.is_due
              when 'first_response_live' then
                  j.response_seconds is not null and is_live_channel(j.channel, $live_channels)
              when 'first_response_written' then
                  j.response_seconds is not null and not is_live_channel(j.channel, $live_channels)
              else true
          end
)

select interaction_id, started_at, channel, kind, customer_id, segment, region, plan, department, journey_stage,
       touchpoint, first_response_seconds, response_seconds is not null and not isfinite(response_seconds)
           as is_never_answered,
       resolved_at, escalated as is_escalated, sla_seconds, is_sla_met,
       is_complaint(kind) as is_complaint,
       is_first_contact_resolution(first_response_seconds, sla_seconds, resolved_at, escalated)
           as is_first_contact_resolution,
       count(*) over () as n_rows
from chosen
order by started_at desc, interaction_id
limit $limit
