-- The derived layer: small daily summaries the pages read instead of raw rows.
-- Rebuilt by every write (cxdata.derive.refresh) inside the writable copy, before the swap, so
-- the app never sees raw and derived data out of step. Every table holds additive parts only
-- (counts and sums), so any date range and any filter combination adds them up exactly.
-- The grain of the activity tables: day x the global filter dimensions (segment, region, plan,
-- channel, department, journey_stage); sorted by day so a date range reads few row groups.
-- docs/data-model.md ("Derived tables") explains each table and how each KPI is read from it.

-- one row per answer day x survey x filter dimensions: the parts of NPS, CSAT and CES
create or replace table feedback_daily as
select r.submitted_at::date as submitted_on, r.survey,
       r.segment, r.region, r.plan, r.channel, r.department, r.journey_stage,
       count(*) as n,
       count(*) filter (where is_promoter(r.score)) as n_promoters,
       count(*) filter (where is_detractor(r.score)) as n_detractors,
       count(*) filter (where is_satisfied(r.score)) as n_satisfied,
       sum(r.score)::bigint as score_sum,
       sum(r.score::bigint * r.score)::bigint as score_sumsq
from feedback_rows() r
group by all
order by submitted_on;

-- one row per start day x filter dimensions: volumes and the SLA, judged as of the data's latest
-- event at refresh time (a load that moves it rebuilds this table)
create or replace table interactions_daily as
with judged as (
    select r.*, sla_met(r.started_at, r.resolved_at, r.sla_seconds, interactions_as_of()) as is_sla_met
    from interaction_rows() r
)
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage,
       count(*) as n_interactions,
       count(is_sla_met) as n_sla_judged,
       count(*) filter (where is_sla_met) as n_sla_met,
       count(first_response_seconds) as n_responded
from judged
group by all
order by started_on;

-- one row per start day x filter dimensions x first-response time (3 significant figures): the
-- histogram that medians and their intervals are read from
create or replace table response_times_daily as
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage,
       response_bucket(first_response_seconds) as response_seconds,
       count(*) as n
from interaction_rows()
where first_response_seconds is not null
group by all
order by started_on;

-- one row per day x customer attributes: revenue
create or replace table revenue_daily as
select occurred_at::date as occurred_on, segment, region, plan,
       sum(amount) as amount, count(*) as n_transactions
from transaction_rows()
group by all
order by occurred_on;

-- one row per filter dimension x value that exists in the data: the choices the sidebar offers
-- and the allow-list that URL parameters are checked against
create or replace table filter_values as
select distinct dimension, value from (
    select 'segment' as dimension, segment as value from customers
    union all select 'region', region from customers
    union all select 'plan', plan from customers
    union all select 'channel', channel from interactions_daily
    union all select 'department', department from interactions_daily
    union all select 'department', department from feedback_daily
    union all select 'journey_stage', journey_stage from interactions_daily
    union all select 'journey_stage', journey_stage from feedback_daily
)
where value is not null
order by dimension, value;

-- one row: what the data holds and when it was taken (the header, the date presets, the SLA's as-of);
-- cxdata.derive adds the code version that built the layer and what the refresh cost
create or replace table derived_info as
select
    (select greatest(max(started_at), (select max(submitted_at) from feedback),
                     (select max(occurred_at) from transactions)) from interactions)::date as newest_on,
    (select least(min(started_at), (select min(submitted_at) from feedback),
                  (select min(occurred_at) from transactions)) from interactions)::date as oldest_on,
    interactions_as_of() as interactions_as_of,
    (select count(*) from customers) as n_customers,
    (select count(*) from interactions) as n_interactions,
    (select count(*) from feedback) as n_feedback,
    (select count(*) from transactions) as n_transactions,
    current_timestamp::timestamp as refreshed_at,
    null::varchar as version,
    null::double as refresh_seconds;

-- ---- Reading the derived tables under the global filters (macros: see sql/macros.sql) ------------
create or replace macro feedback_days(start, stop, f) as table
    select * from feedback_daily d
    where d.submitted_on >= start and d.submitted_on < stop
      and matches_activity(f, d.segment, d.region, d.plan, d.channel, d.department, d.journey_stage);

create or replace macro interaction_days(start, stop, f) as table
    select * from interactions_daily d
    where d.started_on >= start and d.started_on < stop
      and matches_activity(f, d.segment, d.region, d.plan, d.channel, d.department, d.journey_stage);

create or replace macro response_days(start, stop, f) as table
    select * from response_times_daily d
    where d.started_on >= start and d.started_on < stop
      and matches_activity(f, d.segment, d.region, d.plan, d.channel, d.department, d.journey_stage);

create or replace macro revenue_days(start, stop, f) as table
    select * from revenue_daily d
    where d.occurred_on >= start and d.occurred_on < stop and matches_customer(f, d.segment, d.region, d.plan);

-- Both windows of a comparison (see comparison_periods in sql/macros.sql).
create or replace macro feedback_days_in_periods(start, stop, cmp_start, cmp_stop, f) as table
    select 'current' as period, * from feedback_days(start, stop, f)
    union all
    select 'previous', * from feedback_days(cmp_start, cmp_stop, f);

create or replace macro interaction_days_in_periods(start, stop, cmp_start, cmp_stop, f) as table
    select 'current' as period, * from interaction_days(start, stop, f)
    union all
    select 'previous', * from interaction_days(cmp_start, cmp_stop, f);

create or replace macro response_days_in_periods(start, stop, cmp_start, cmp_stop, f) as table
    select 'current' as period, * from response_days(start, stop, f)
    union all
    select 'previous', * from response_days(cmp_start, cmp_stop, f);

create or replace macro revenue_days_in_periods(start, stop, cmp_start, cmp_stop, f) as table
    select 'current' as period, * from revenue_days(start, stop, f)
    union all
    select 'previous', * from revenue_days(cmp_start, cmp_stop, f);
