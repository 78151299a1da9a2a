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

-- The global filters, defined once. $start inclusive, $stop exclusive (dates);
-- empty lists mean "all". Feedback takes its channel from the interaction it rates.
create or replace temp macro filtered_customers(segments, regions) as table
    select * from customers c
    where in_filter(segments, c.segment) and in_filter(regions, c.region);

create or replace temp macro filtered_interactions(start, stop, segments, regions, channels, departments) as table
    select i.*, c.segment, c.region
    from interactions i
    join filtered_customers(segments, regions) c using (customer_id)
    where i.started_at >= start and i.started_at < stop
      and in_filter(channels, i.channel) and in_filter(departments, i.department);

create or replace temp macro filtered_feedback(start, stop, segments, regions, channels, departments) as table
    select f.*, c.segment, c.region
    from feedback f
    join filtered_customers(segments, regions) c using (customer_id)
    where f.submitted_at >= start and f.submitted_at < stop
      and in_filter(departments, f.department)
      -- a semi-join, so the 10-million-row interactions table is only read when a channel is chosen
      and (len(channels) = 0
           or f.interaction_id in (select interaction_id from interactions where list_contains(channels, channel)));

create or replace temp macro filtered_transactions(start, stop, segments, regions) as table
    select t.*, c.segment, c.region
    from transactions t
    join filtered_customers(segments, regions) c using (customer_id)
    where t.occurred_at >= start and t.occurred_at < stop;

-- Margin of a percentage p (0..1) measured on n, in percentage points: the Agresti-Coull
-- interval (two successes and two failures added), which, unlike the plain Wald margin,
-- is not zero when every case is a success or a failure.
create or replace temp macro pct_moe(p, n) as
    100.0 * 1.96 * sqrt(((p * n + 2) / (n + 4)) * (1 - (p * n + 2) / (n + 4)) / (n + 4));

-- The median with a distribution-free 95% interval (order statistics: ranks n/2 +- 0.98 sqrt(n)),
-- read off a fixed ladder of quantiles and rounded outward, so the interval is never too narrow.
create or replace temp macro median_ladder(x) as
    quantile_disc(x, [0.0, 0.2, 0.3, 0.4, 0.45, 0.48, 0.49, 0.495, 0.498, 0.499, 0.5,
                      0.501, 0.502, 0.505, 0.51, 0.52, 0.55, 0.6, 0.7, 0.8, 1.0]);
create or replace temp macro median_of_ladder(q) as q[11];
-- k = how many ladder offsets (0.5 .. 0.001 either side) are at least 0.98/sqrt(n): q[k] and q[22-k] bound it.
create or replace temp macro median_moe_of_ladder(q, n) as (
    q[22 - len(list_filter([0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001], lambda o: o >= 0.98 / sqrt(n)))]
    - q[len(list_filter([0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001], lambda o: o >= 0.98 / sqrt(n)))]
) / 2;

-- A comparison's two windows: each row labelled 'current' ($start..$stop) or 'previous'
-- ($cmp_start..$cmp_stop); rows in neither window are left out.
create or replace temp macro in_period(moment, start, stop, cmp_start, cmp_stop) as
    case when moment >= start and moment < stop then 'current'
         when moment >= cmp_start and moment < cmp_stop then 'previous' end;

create or replace temp macro feedback_in_periods(start, stop, cmp_start, cmp_stop,
                                                 segments, regions, channels, departments) as table
    select * from (
        select in_period(f.submitted_at, start, stop, cmp_start, cmp_stop) as period, f.*
        from filtered_feedback(least(start, cmp_start), greatest(stop, cmp_stop),
                               segments, regions, channels, departments) f)
    where period is not null;

-- Interactions of both windows, with whether each met its SLA as of the newest interaction.
create or replace temp macro interactions_in_periods(start, stop, cmp_start, cmp_stop,
                                                     segments, regions, channels, departments) as table
    select * from (
        select in_period(i.started_at, start, stop, cmp_start, cmp_stop) as period,
               sla_met(i.started_at, i.resolved_at, i.sla_seconds,
                       (select max(started_at) from interactions)) as is_sla_met,
               i.*
        from filtered_interactions(least(start, cmp_start), greatest(stop, cmp_stop),
                                   segments, regions, channels, departments) i)
    where period is not null;
