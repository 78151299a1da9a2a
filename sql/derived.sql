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
       count(*) filter (where is_sla_met) as n_sla_met
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

-- the same histogram company-wide (no dimension filter, the most common view): one row per day x
-- channel x time, and per month x channel x time. The channel stays so that live and written
-- channels can be told apart by a list bound at query time ($live_channels), not at build time.
create or replace table response_times_company_daily as
select started_on, channel, response_seconds, sum(n)::bigint as n
from response_times_daily
group by all
order by started_on;

create or replace table response_times_company_monthly as
select date_trunc('month', started_on)::date as started_on, channel, response_seconds, sum(n)::bigint as n
from response_times_daily
group by all
order by started_on;

-- one row per day x customer attributes: revenue
create or replace table revenue_daily as
select occurred_at::date as occurred_on, segment, region, plan,
       sum(amount) as amount, count(*) as n_transactions
from transaction_rows()
group by all
order by occurred_on;

-- one row per customer attributes x signup day x churn day: the customers, counted (and their
-- annual value summed), that churn, retention, active customers and annual value lost are read from (about half as many rows as customers); a
-- customer with no signup date starts on the day of their first activity (customer_started), one with neither is null: never active
create or replace table customer_spans as
select c.segment, c.region, c.plan, s.started_on as signup_on, c.churned_on,
       count(*) as n_customers, sum(c.annual_value) as annual_value
from customers c join customer_started() s using (customer_id)
group by all
order by signup_on;

-- the same by signup month x churn month (each the month's first day), for monthly trend points
create or replace table customer_spans_monthly as
select segment, region, plan, date_trunc('month', signup_on)::date as signup_on,
       date_trunc('month', churned_on)::date as churned_on, sum(n_customers)::bigint as n_customers
from customer_spans
group by all;

-- one row per as-of month x customer attributes: the parts of net and gross revenue retention
-- (sql/macros.sql, "Revenue retention") summed over the cohort, for every as-of month whose base
-- and trailing years the transactions cover (none when they span less than two years)
create or replace table revenue_retention_monthly as
select r.as_of, r.segment, r.region, r.plan,
       count(*) as n_customers,
       sum(r.base_revenue) as base_revenue,
       sum(r.current_revenue) as current_revenue,
       sum(retained_revenue_of(r.current_revenue, r.base_revenue)) as retained_revenue
from customer_revenue_years((select first_covered_as_of(min(occurred_at)) from transactions),
                            (select last_covered_as_of(max(occurred_at)) from transactions)) r
where is_in_retention_cohort(r.base_revenue, r.signup_date, r.as_of)
group by all
order by r.as_of;

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
    interactions_as_of() as latest_event_at,
    (select count(*) from customers) as n_customers,
    (select count(*) from interactions) as n_interactions,
    (select count(*) from feedback) as n_feedback,
    (select count(*) from transactions) as n_transactions,
    null::timestamp as refreshed_at,
    null::varchar as version,
    null::double as refresh_seconds;

-- ---- Reading the derived tables under the global filters (macros: see sql/macros.sql) ------------
create or replace macro feedback_days(start, stop, f) as table
    select * from feedback_daily d
    where d.submitted_on >= start and d.submitted_on < stop
      and matches_activity(f, d);

create or replace macro interaction_days(start, stop, f) as table
    select * from interactions_daily d
    where d.started_on >= start and d.started_on < stop
      and matches_activity(f, d);

-- Response times: company-wide, whole months from the monthly table and the edge days from the
-- daily one; under a filter, the histogram by every dimension (only one branch is ever read).
create or replace macro response_days(start, stop, f) as table
    select started_on, channel, response_seconds, n from response_times_company_monthly
    where is_unfiltered(f) and started_on >= whole_months_from(start) and started_on < whole_months_to(stop)
    union all
    select started_on, channel, response_seconds, n from response_times_company_daily
    where is_unfiltered(f) and in_edge_days(started_on, start, stop)
    union all
    select started_on, channel, response_seconds, n from response_times_daily d
    where not is_unfiltered(f) and d.started_on >= start and d.started_on < stop
      and matches_activity(f, d);

create or replace macro revenue_days(start, stop, f) as table
    select * from revenue_daily d
    where d.occurred_on >= start and d.occurred_on < stop and matches_customer(f, d);

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

-- ---- Customers: churn, retention and active customers, from customer_spans --------------------
-- Customers under the filters as (signup, churn, how many, their annual value): from the derived customer_spans
-- or, for the reference path, one row per customer. The flag is a constant, so only one branch
-- is ever read.
create or replace macro customer_weights(f, from_derived) as table
    select signup_on, churned_on, n_customers, annual_value from customer_spans s
    where from_derived and matches_customer(f, s)
    union all
    select s.started_on, c.churned_on, 1, c.annual_value
    from filtered_customers(f) c join customer_started() s using (customer_id) where not from_derived;

-- The same by signup month x churn month (each the month's first day): at a month's first day a
-- signup or churn day compares as its month does, so monthly trend points need no finer grain.
create or replace macro customer_weights_by_month(f, from_derived) as table
    select signup_on, churned_on, n_customers from customer_spans_monthly s
    where from_derived and matches_customer(f, s)
    union all
    select date_trunc('month', s.started_on)::date, date_trunc('month', c.churned_on)::date, count(*)
    from filtered_customers(f) c join customer_started() s using (customer_id) where not from_derived
    group by all;

-- Customers' status in each window: active at its start and end, lost inside it (one pass, no join).
create or replace macro customer_counts_in_periods(start, stop, cmp_start, cmp_stop, f, from_derived) as table
    with counts as (
        select coalesce(sum(n_customers) filter (where is_active_on(signup_on, churned_on, start::date)), 0) as n_active_now,
               coalesce(sum(n_customers) filter (where is_lost_in(signup_on, churned_on, start::date, stop::date)), 0) as n_lost_now,
               coalesce(sum(n_customers) filter (where is_active_on(signup_on, churned_on, stop::date)), 0) as n_end_now,
               coalesce(sum(n_customers) filter (where is_active_on(signup_on, churned_on, cmp_start::date)), 0) as n_active_before,
               coalesce(sum(n_customers) filter (where is_lost_in(signup_on, churned_on, cmp_start::date, cmp_stop::date)), 0) as n_lost_before,
               coalesce(sum(n_customers) filter (where is_active_on(signup_on, churned_on, cmp_stop::date)), 0) as n_end_before
        from customer_weights(f, from_derived)
    )
    select 'current' as period, n_active_now as n_active_at_start, n_lost_now as n_lost, n_end_now as n_active_at_end
    from counts
    union all
    select 'previous', n_active_before, n_lost_before, n_end_before from counts;

-- Churn, retention and active customers in each window.
create or replace macro customer_kpis_in_periods(start, stop, cmp_start, cmp_stop, f, from_derived) as table
    with counts as (
        select * from customer_counts_in_periods(start, stop, cmp_start, cmp_stop, f, from_derived)
    )
    select 'churn_rate' as kpi, period, churn_rate_of(n_lost, n_active_at_start) as value,
           churn_moe_of(n_lost, n_active_at_start) as moe, n_active_at_start as n
    from counts where n_active_at_start > 0
    union all
    select 'retention_rate', period, 100.0 - churn_rate_of(n_lost, n_active_at_start),
           churn_moe_of(n_lost, n_active_at_start), n_active_at_start
    from counts where n_active_at_start > 0
    union all
    select 'active_customers', period, n_active_at_end, null, null from counts;

-- Churn, retention and active customers per trend month. Every boundary but the period's end
-- is a month's first day, read from the month-grain spans; the last month ends at stop (a day), so
-- its losses and its active count at the end are read from the day-grain spans.
create or replace macro customer_kpis_by_month(stop, f, from_derived) as table
    with months as (
        select month_start, least((month_start + interval 1 month)::date, stop::date) as month_end
        from trend_months(stop)
    ),
    counts as (
        select m.month_start, m.month_end,
               coalesce(sum(c.n_customers) filter (where is_active_on(c.signup_on, c.churned_on, m.month_start)), 0) as n_active_at_start,
               coalesce(sum(c.n_customers) filter (where is_lost_in(c.signup_on, c.churned_on, m.month_start, m.month_end)), 0) as n_lost,
               coalesce(sum(c.n_customers) filter (where is_active_on(c.signup_on, c.churned_on, m.month_end)), 0) as n_active_at_end
        from months m, customer_weights_by_month(f, from_derived) c
        group by m.month_start, m.month_end
    ),
    last_month as (
        select date_trunc('month', stop::date - 1)::date as month_start,
               coalesce(sum(n_customers) filter (where is_lost_in(signup_on, churned_on,
                        date_trunc('month', stop::date - 1)::date, stop::date)), 0) as n_lost,
               coalesce(sum(n_customers) filter (where is_active_on(signup_on, churned_on, stop::date)), 0) as n_active_at_end
        from customer_weights(f, from_derived)
    ),
    final as (
        select c.month_start, c.n_active_at_start,
               coalesce(l.n_lost, c.n_lost) as n_lost, coalesce(l.n_active_at_end, c.n_active_at_end) as n_active_at_end
        from counts c left join last_month l using (month_start)
    )
    select month_start, 'churn_rate' as kpi, churn_rate_of(n_lost, n_active_at_start) as value, n_active_at_start as n
    from final where n_active_at_start > 0
    union all
    select month_start, 'retention_rate', 100.0 - churn_rate_of(n_lost, n_active_at_start), n_active_at_start
    from final where n_active_at_start > 0
    union all
    select month_start, 'active_customers', n_active_at_end, null from final;

-- ---- Revenue retention and annual value lost -----------------------------------------------------
-- The transactions' first and last day, company-wide (whether the data covers a retention window).
create or replace macro transaction_span(from_derived) as table
    select min(first_on) as first_on, max(last_on) as last_on from (
        select min(occurred_on) as first_on, max(occurred_on) as last_on from revenue_daily where from_derived
        union all
        select min(occurred_at)::date, max(occurred_at)::date from transactions where not from_derived
    );

-- The cohort of one as-of month under the filters, as parts to add up: from the derived
-- revenue_retention_monthly or, for the reference path, one row per customer from transactions.
create or replace macro retention_cohort_parts(as_of_month, f, from_derived) as table
    select n_customers, base_revenue, current_revenue, retained_revenue from revenue_retention_monthly r
    where from_derived and r.as_of = as_of_month and matches_customer(f, r)
    union all
    select 1, base_revenue, current_revenue, retained_revenue_of(current_revenue, base_revenue)
    from customer_revenue_years(as_of_month, as_of_month) r
    where not from_derived and is_in_retention_cohort(r.base_revenue, r.signup_date, r.as_of) and matches_customer(f, r);

-- NRR and GRR as of each window's stop, and the annual value lost in each window, as KPI rows
-- (kpi, period, value, moe, n, reason): a census, so no margin; `reason` says why a value is
-- withheld (null when shown). Both windows' stops give the retention figures' as-of months.
create or replace macro revenue_retention_kpis(start, stop, cmp_start, cmp_stop, f, from_derived) as table
    with cohorts as (
        select 'current' as period, retention_as_of(stop) as as_of, sum(n_customers) as n_customers,
               sum(base_revenue) as base_revenue, sum(current_revenue) as current_revenue,
               sum(retained_revenue) as retained_revenue
        from retention_cohort_parts(retention_as_of(stop), f, from_derived)
        union all
        select 'previous', retention_as_of(cmp_stop), sum(n_customers), sum(base_revenue),
               sum(current_revenue), sum(retained_revenue)
        from retention_cohort_parts(retention_as_of(cmp_stop), f, from_derived)
    ),
    judged as (
        select c.*, retention_withheld(c.as_of, s.first_on, s.last_on, c.base_revenue) as reason
        from cohorts c, transaction_span(from_derived) s
    ),
    lost as (
        select coalesce(sum(annual_value) filter (where is_lost_in(signup_on, churned_on, start::date, stop::date)), 0) as value_lost_now,
               coalesce(sum(n_customers) filter (where is_lost_in(signup_on, churned_on, start::date, stop::date)), 0) as n_lost_now,
               sum(annual_value) filter (where is_active_on(signup_on, churned_on, start::date)) as value_active_now,
               coalesce(sum(annual_value) filter (where is_lost_in(signup_on, churned_on, cmp_start::date, cmp_stop::date)), 0) as value_lost_before,
               coalesce(sum(n_customers) filter (where is_lost_in(signup_on, churned_on, cmp_start::date, cmp_stop::date)), 0) as n_lost_before,
               sum(annual_value) filter (where is_active_on(signup_on, churned_on, cmp_start::date)) as value_active_before
        from customer_weights(f, from_derived)
    ),
    lost_by_period as (
        select 'current' as period, value_lost_now as value_lost, n_lost_now as n_lost,
               value_active_now as value_active_at_start
        from lost
        union all
        select 'previous', value_lost_before, n_lost_before, value_active_before from lost
    )
    select 'net_revenue_retention' as kpi, period,
           case when reason is null then nrr_of(current_revenue, base_revenue) end as value,
           null::double as moe, case when reason is null then n_customers end as n, reason
    from judged
    union all
    select 'gross_revenue_retention', period,
           case when reason is null then grr_of(retained_revenue, base_revenue) end,
           null, case when reason is null then n_customers end, reason
    from judged
    union all
    select 'annual_value_lost', period, value_lost, null, n_lost, null from lost_by_period
    union all
    select 'annual_value_lost_share', period, value_lost_share_of(value_lost, value_active_at_start), null, n_lost,
           case when coalesce(value_active_at_start, 0) <= 0 then 'no_value_at_start' end
    from lost_by_period;

-- ---- First response: medians and their 95% intervals from the histogram --------------------------
-- One row per period (or, with by_month, per month of the current window) x live or written
-- channels (live_channels: see is_live_channel in sql/macros.sql), keyed by its KPI: n, the
-- median and the two ends of its interval (see median_low_fraction), each the value at its rank
-- in the running count of the histogram.
create or replace macro response_medians(start, stop, cmp_start, cmp_stop, f, by_month, live_channels) as table
    with histogram as (
        select period, case when by_month then date_trunc('month', started_on)::date end as month_start,
               first_response_kpi(is_live_channel(channel, live_channels)) as kpi,
               response_seconds, sum(n) as n
        from response_days_in_periods(start, stop, cmp_start, cmp_stop, f)
        group by all
    ),
    running as (
        select period, month_start, kpi, response_seconds,
               sum(n) over (partition by period, month_start, kpi order by response_seconds) as n_upto,
               sum(n) over (partition by period, month_start, kpi) as n_total
        from histogram
    )
    select period, month_start, kpi, n_total as n,
           min(response_seconds) filter (where n_upto > disc_rank(0.5, n_total)) as median,
           min(response_seconds) filter (where n_upto > disc_rank(median_low_fraction(n_total), n_total)) as low,
           min(response_seconds) filter (where n_upto > disc_rank(median_high_fraction(n_total), n_total)) as high
    from running
    group by period, month_start, kpi, n_total;
