-- one row: the first responses and SLA outcomes of all interactions, for the loader's plausibility
-- checks (cxdata/load/checks.py): the median first response, and SLA compliance as the pages judge it.
with judged as (
    select first_response_seconds,
           sla_met(started_at, resolved_at, sla_seconds, interactions_as_of()) as is_sla_met
    from interactions
)
select count(first_response_seconds) as n_first_response,
       median(first_response_seconds) as median_first_response_seconds,
       count(is_sla_met) as n_sla_judged,
       count(*) filter (where is_sla_met) as n_sla_met
from judged
