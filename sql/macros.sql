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

-- SLA met: resolved within the promised time. An item is judged only once its deadline has
-- passed (as of now_at): before that its outcome is unknown, and counting only the early
-- resolutions would flatter the newest days.
create or replace temp macro sla_met(started, resolved, sla, now_at) as
    case
        when sla is null or started + to_seconds(sla) > now_at then null
        else resolved is not null and resolved <= started + to_seconds(sla)
    end;

-- When the interaction data was taken: its latest event (a start or a resolution).
create or replace temp macro interactions_as_of() as
    (select greatest(max(started_at), max(resolved_at)) from interactions);

-- The shared filter predicate on a customer row; an empty list means "all".
create or replace temp macro in_filter(allowed, v) as len(allowed) = 0 or list_contains(allowed, v);

-- The global filters, defined once. $start inclusive, $stop exclusive (dates);
-- empty lists mean "all". Feedback takes its channel from the interaction it rates.
-- Activity whose customer is not (yet) in customers still counts while no segment or region
-- is chosen: a survey export loaded before the CRM export is not silently dropped.
create or replace temp macro filtered_customers(segments, regions) as table
    select * from customers c
    where in_filter(segments, c.segment) and in_filter(regions, c.region);

create or replace temp macro filtered_interactions(start, stop, segments, regions, channels, departments) as table
    select i.*, c.segment, c.region
    from interactions i
    left join customers c using (customer_id)
    where i.started_at >= start and i.started_at < stop
      and in_filter(segments, c.segment) and in_filter(regions, c.region)
      and in_filter(channels, i.channel) and in_filter(departments, i.department);

create or replace temp macro filtered_feedback(start, stop, segments, regions, channels, departments) as table
    select f.*, c.segment, c.region
    from feedback f
    left join customers c using (customer_id)
    where f.submitted_at >= start and f.submitted_at < stop
      and in_filter(segments, c.segment) and in_filter(regions, c.region)
      and in_filter(departments, f.department)
      -- a semi-join, so the 10-million-row interactions table is only read when a channel is chosen
      and (len(channels) = 0
           or f.interaction_id in (select interaction_id from interactions where list_contains(channels, channel)));

create or replace temp macro filtered_transactions(start, stop, segments, regions) as table
    select t.*, c.segment, c.region
    from transactions t
    left join customers c using (customer_id)
    where t.occurred_at >= start and t.occurred_at < stop
      and in_filter(segments, c.segment) and in_filter(regions, c.region);

-- Margin of a percentage p (0..1) measured on n, in percentage points: the Agresti-Coull
-- interval (two successes and two failures added), which, unlike the plain Wald margin,
-- is not zero when every case is a success or a failure.
create or replace temp macro pct_moe(p, n) as
    100.0 * 1.96 * sqrt(((p * n + 2) / (n + 4)) * (1 - (p * n + 2) / (n + 4)) / (n + 4));

-- The median with a distribution-free 95% interval (order statistics: ranks n/2 +- 0.98 sqrt(n)),
-- read off a fixed ladder of 51 quantiles and rounded outward, so the interval is never too
-- narrow (and at most a third too wide in rank terms). Quantile fractions must be constants.
create or replace temp macro median_ladder(x) as
    quantile_disc(x, [0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.42, 0.44, 0.45, 0.46, 0.47, 0.475,
                      0.48, 0.485, 0.49, 0.492, 0.494, 0.495, 0.496, 0.497, 0.4975, 0.498, 0.4985, 0.499, 0.5,
                      0.501, 0.5015, 0.502, 0.5025, 0.503, 0.504, 0.505, 0.506, 0.508, 0.51, 0.515, 0.52, 0.525,
                      0.53, 0.54, 0.55, 0.56, 0.58, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0]);
create or replace temp macro median_of_ladder(q) as q[26];
-- k = how many of the 25 offsets (0.5 .. 0.001) are at least 0.98/sqrt(n): q[k] and q[52-k] bound it.
create or replace temp macro median_rank_offsets() as [0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.025,
    0.02, 0.015, 0.01, 0.008, 0.006, 0.005, 0.004, 0.003, 0.0025, 0.002, 0.0015, 0.001];
create or replace temp macro median_moe_of_ladder(q, n) as (
    q[52 - len(list_filter(median_rank_offsets(), lambda o: o >= 0.98 / sqrt(n)))]
    - q[len(list_filter(median_rank_offsets(), lambda o: o >= 0.98 / sqrt(n)))]
) / 2;

-- A comparison's two windows: 'current' ($start..$stop) and 'previous' ($cmp_start..$cmp_stop).
-- They may overlap (a range longer than a year against the same period last year): a row in
-- both counts in both.
create or replace temp macro comparison_periods(start, stop, cmp_start, cmp_stop) as table
    select 'current' as period, start::date as p_start, stop::date as p_stop
    union all
    select 'previous', cmp_start::date, cmp_stop::date;

-- Each window is its own filtered scan (a union, not a range join: three times faster).
create or replace temp macro feedback_in_periods(start, stop, cmp_start, cmp_stop,
                                                 segments, regions, channels, departments) as table
    select 'current' as period, * from filtered_feedback(start, stop, segments, regions, channels, departments)
    union all
    select 'previous', * from filtered_feedback(cmp_start, cmp_stop, segments, regions, channels, departments);

-- Interactions of both windows, with whether each met its SLA as of the data's latest event.
create or replace temp macro interactions_in_periods(start, stop, cmp_start, cmp_stop,
                                                     segments, regions, channels, departments) as table
    select period, sla_met(started_at, resolved_at, sla_seconds, interactions_as_of()) as is_sla_met, *
    from (select 'current' as period, * from filtered_interactions(start, stop, segments, regions, channels, departments)
          union all
          select 'previous', * from filtered_interactions(cmp_start, cmp_stop, segments, regions, channels, departments));
