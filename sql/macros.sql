-- The one definition of each CX metric, as DuckDB macros every query calls.
-- Created per cursor as temp macros, so a read-only connection can use them.
-- Shares are percentages (0..100); margins are 95% (1.96 standard errors), in the metric's own units.

-- NPS: % promoters (9-10) minus % detractors (0-6), on -100..100.
create or replace temp macro nps(s) as
    100.0 * (count(s) filter (where s >= 9) - count(s) filter (where s <= 6)) / nullif(count(s), 0);
-- Its margin: 1.96 * sqrt((p + d - (p - d)^2) / n), in NPS points.
create or replace temp macro nps_moe(s) as
    100.0 * 1.96 * sqrt(
        ((count(s) filter (where s >= 9) + count(s) filter (where s <= 6)) / nullif(count(s), 0)
         - pow((count(s) filter (where s >= 9) - count(s) filter (where s <= 6)) / nullif(count(s), 0), 2))
        / nullif(count(s), 0));

-- CSAT: % of responses scoring 4-5 on 1-5.
create or replace temp macro csat(s) as
    100.0 * count(s) filter (where s >= 4) / nullif(count(s), 0);
create or replace temp macro csat_moe(s) as
    100.0 * 1.96 * sqrt(
        (count(s) filter (where s >= 4) / nullif(count(s), 0))
        * (1 - count(s) filter (where s >= 4) / nullif(count(s), 0))
        / nullif(count(s), 0));

-- CES: mean on 1-7, where 7 = "very easy" (higher is better: less effort).
create or replace temp macro ces(s) as avg(s);
create or replace temp macro ces_moe(s) as 1.96 * stddev_samp(s) / sqrt(nullif(count(s), 0));

-- A survey score by name, so one query serves all three surveys.
create or replace temp macro survey_score(survey, s) as
    case survey when 'nps' then nps(s) when 'csat' then csat(s) when 'ces' then ces(s) end;
create or replace temp macro survey_moe(survey, s) as
    case survey when 'nps' then nps_moe(s) when 'csat' then csat_moe(s) when 'ces' then ces_moe(s) end;

-- SLA met: resolved within the promised time. Open items count as met until their deadline passes.
create or replace temp macro sla_met(started, resolved, sla, now_at) as
    case
        when sla is null then null
        when resolved is not null then resolved <= started + to_seconds(sla)
        when now_at > started + to_seconds(sla) then false
    end;

-- The shared filter predicate on a customer row; an empty list means "all".
create or replace temp macro in_filter(allowed, v) as len(allowed) = 0 or list_contains(allowed, v);
