-- The derived layer: small daily summaries the pages read instead of raw rows.
-- Rebuilt by every write (cxdata.derive.refresh) inside the writable copy, before the swap, so
-- the app never sees raw and derived data out of step. Every table holds additive parts only
-- (counts and sums), so any date range and any filter combination adds them up exactly.
-- The grain of the activity tables: day x the global filter dimensions (segment, region, plan,
-- channel, department, journey_stage); sorted by day so a date range reads few row groups.
-- docs/data-model.md ("Derived tables") explains each table and how each KPI is read from it.
--
-- A load rebuilds only what its rows touch (sql/derived_update.sql, docs/performance.md "Daily loads"):
-- each table below is built by a table macro, <table>_rows(everything), that reads every row when
-- `everything` is true (this script, the full rebuild) and otherwise only the days (or the customers
-- in refresh_customers) that the update script found the load's changes reach. The full rebuild and
-- the update run the same macro, so a formula is written once.
create or replace table refresh_days (source varchar, day date);      -- source: interactions, feedback, transactions
create or replace table refresh_customers (customer_id varchar);

-- A row that HAPPENED then is rebuilt: always in a full rebuild, else when its day is one of the days
-- the update script rebuilds for SOURCE_NAME, bound as a list (the variable rebuilt_<source>, set
-- from refresh_days before it rebuilds anything). A list folds into the scan's own filter, ahead of
-- any join, and its first and last day let DuckDB skip the row groups outside them; a subquery would
-- be joined to every row first. By period (GRAIN: 'day', 'month', 'quarter') for the tables that sum
-- the daily ones.
create or replace macro rebuilt_days(source_name) as getvariable('rebuilt_' || source_name)::date[];
create or replace macro is_rebuilt_day(source_name, happened, everything) as
    everything or (happened >= list_min(rebuilt_days(source_name))::timestamp
                   and happened < (list_max(rebuilt_days(source_name)) + 1)::timestamp
                   and list_contains(rebuilt_days(source_name), happened::date));
create or replace macro is_rebuilt_period(source_name, grain, on_day, everything) as
    everything or (on_day >= date_trunc(grain, list_min(rebuilt_days(source_name)))
                   and list_contains(list_transform(rebuilt_days(source_name), lambda d: date_trunc(grain, d)),
                                     date_trunc(grain, on_day)));

-- one row per answer day x survey x filter dimensions: the parts of NPS, CSAT and CES
create or replace macro feedback_daily_rows(everything) as table
select r.submitted_at::date as submitted_on, r.survey,
       r.segment, r.region, r.plan, r.channel, r.department, r.journey_stage,
       count(*) as n,
       count(*) filter (where is_promoter(r.score)) as n_promoters,
       count(*) filter (where is_detractor(r.score)) as n_detractors,
       count(*) filter (where is_satisfied(r.score)) as n_satisfied,
       sum(r.score)::bigint as score_sum,
       sum(r.score::bigint * r.score)::bigint as score_sumsq
from feedback_rows() r
where is_rebuilt_day('feedback', r.submitted_at, everything)
group by all;
create or replace table feedback_daily as select * from feedback_daily_rows(true) order by submitted_on;

-- one row per start day x filter dimensions: volumes and the SLA, judged as of the data's latest
-- event at refresh time (a load that moves it rebuilds this table)
create or replace macro interactions_daily_rows(everything) as table
with judged as (
    select r.*, sla_met(r.started_at, r.resolved_at, r.sla_seconds, interactions_as_of()) as is_sla_met
    from interaction_rows() r
    where is_rebuilt_day('interactions', r.started_at, everything)
)
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage,
       count(*) as n_interactions,
       count(is_sla_met) as n_sla_judged,
       count(*) filter (where is_sla_met) as n_sla_met,
       count(*) filter (where is_agent_handled(first_response_seconds, sla_seconds)
                        and resolved_at is not null) as n_resolved_handled,
       count(*) filter (where is_first_contact_resolution(first_response_seconds, sla_seconds, resolved_at,
                                                          escalated)) as n_first_contact_resolved
from judged
group by all;
create or replace table interactions_daily as select * from interactions_daily_rows(true) order by started_on;

-- one row per start day x filter dimensions x first-response time (3 significant figures): the
-- histogram that medians and their intervals are read from, over the contacts due an answer; one
-- never answered counts as +infinity (counted_response_seconds), so it weighs against the median
create or replace macro response_times_daily_rows(everything) as table
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage,
       response_bucket(counted_response_seconds(is_due, first_response_seconds, started_at, resolved_at,
                                                interactions_as_of())) as response_seconds,
       count(*) as n
from interaction_rows()
where counted_response_seconds(is_due, first_response_seconds, started_at, resolved_at,
                               interactions_as_of()) is not null
  and is_rebuilt_day('interactions', started_at, everything)
group by all;
create or replace table response_times_daily as
select * from response_times_daily_rows(true) order by started_on;

-- one row per start day x filter dimensions x resolution time (3 significant figures) of the
-- resolved contacts an agent handled: the histogram the median resolution time is read from
create or replace macro resolution_times_daily_rows(everything) as table
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage,
       response_bucket(resolution_seconds_of(started_at, resolved_at)) as resolution_seconds,
       count(*) as n
from interaction_rows()
where is_agent_handled(first_response_seconds, sla_seconds) and resolved_at is not null
  and is_rebuilt_day('interactions', started_at, everything)
group by all;
create or replace table resolution_times_daily as select * from resolution_times_daily_rows(true) order by started_on;

-- resolution times company-wide by month (whole months of an unfiltered view: see resolution_rows)
create or replace macro resolution_times_company_monthly_rows(everything) as table
select date_trunc('month', started_on)::date as started_on, resolution_seconds, sum(n)::bigint as n
from resolution_times_daily
where is_rebuilt_period('interactions', 'month', started_on, everything)
group by all;
create or replace table resolution_times_company_monthly as select * from resolution_times_company_monthly_rows(true) order by started_on;

-- the two histograms by department and quarter (no other dimension), for the scorecards and the
-- trends page's quarters by department when no other dimension is filtered (see response_rows): a
-- tenth of the daily rows. Responses keep the channel, for live and written channels at query time.
create or replace macro response_times_department_quarterly_rows(everything) as table
select date_trunc('quarter', started_on)::date as started_on, department, channel, response_seconds,
       sum(n)::bigint as n
from response_times_daily
where is_rebuilt_period('interactions', 'quarter', started_on, everything)
group by all;
create or replace table response_times_department_quarterly as select * from response_times_department_quarterly_rows(true) order by started_on;

create or replace macro resolution_times_department_quarterly_rows(everything) as table
select date_trunc('quarter', started_on)::date as started_on, department, resolution_seconds, sum(n)::bigint as n
from resolution_times_daily
where is_rebuilt_period('interactions', 'quarter', started_on, everything)
group by all;
create or replace table resolution_times_department_quarterly as select * from resolution_times_department_quarterly_rows(true) order by started_on;

-- the same histogram company-wide (no dimension filter, the most common view): one row per day x
-- channel x time, and per month x channel x time. The channel stays so that live and written
-- channels can be told apart by a list bound at query time ($live_channels), not at build time.
create or replace macro response_times_company_daily_rows(everything) as table
select started_on, channel, response_seconds, sum(n)::bigint as n
from response_times_daily
where is_rebuilt_period('interactions', 'day', started_on, everything)
group by all;
create or replace table response_times_company_daily as select * from response_times_company_daily_rows(true) order by started_on;

create or replace macro response_times_company_monthly_rows(everything) as table
select date_trunc('month', started_on)::date as started_on, channel, response_seconds, sum(n)::bigint as n
from response_times_daily
where is_rebuilt_period('interactions', 'month', started_on, everything)
group by all;
create or replace table response_times_company_monthly as select * from response_times_company_monthly_rows(true) order by started_on;

-- one row per day x customer attributes: revenue
create or replace macro revenue_daily_rows(everything) as table
select occurred_at::date as occurred_on, segment, region, plan,
       sum(amount) as amount, count(*) as n_transactions
from transaction_rows()
where is_rebuilt_day('transactions', occurred_at, everything)
group by all;
create or replace table revenue_daily as select * from revenue_daily_rows(true) order by occurred_on;

-- one row per customer attributes x signup day x churn day: the customers, counted (and their
-- annual value summed), that churn, retention, active customers and annual value lost are read from (about half as many rows as customers); a
-- customer with no signup date starts on the day of their first activity (customer_started), one with neither is null: never active
create or replace macro customer_spans_rows() as table
select c.segment, c.region, c.plan, s.started_on as signup_on, c.churned_on,
       count(*) as n_customers, sum(c.annual_value) as annual_value
from customers c join customer_started() s using (customer_id)
group by all;
create or replace table customer_spans as select * from customer_spans_rows() order by signup_on;

-- the same by signup month x churn month (each the month's first day), for monthly trend points
create or replace macro customer_spans_monthly_rows() as table
select segment, region, plan, date_trunc('month', signup_on)::date as signup_on,
       date_trunc('month', churned_on)::date as churned_on, sum(n_customers)::bigint as n_customers
from customer_spans
group by all;
create or replace table customer_spans_monthly as select * from customer_spans_monthly_rows();

-- one row per as-of month x customer attributes: the parts of net and gross revenue retention
-- (sql/macros.sql, "Revenue retention") summed over the cohort, for every as-of month whose base
-- and trailing years the transactions cover (none when they span less than two years). A
-- transaction counts in the as-of months of the two years after its month, so a load rebuilds the
-- months from its earliest transaction day's (SINCE; null: every month).
create or replace macro revenue_retention_monthly_rows(since) as table
select r.as_of, r.segment, r.region, r.plan,
       count(*) as n_customers,
       sum(r.base_revenue) as base_revenue,
       sum(r.current_revenue) as current_revenue,
       sum(retained_revenue_of(r.current_revenue, r.base_revenue)) as retained_revenue
from customer_revenue_years((select case when since is null then first_covered_as_of(min(occurred_at))
                                         else greatest(first_covered_as_of(min(occurred_at)), since) end
                             from transactions),
                            (select last_covered_as_of(max(occurred_at)) from transactions)) r
where is_in_retention_cohort(r.base_revenue, r.signup_date, r.as_of)
group by all;
create or replace table revenue_retention_monthly as select * from revenue_retention_monthly_rows(null) order by as_of;

-- one row per filter dimension x value that exists in the data: the choices the sidebar offers
-- and the allow-list that URL parameters are checked against
create or replace macro filter_values_rows() as table
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
where value is not null;
create or replace table filter_values as select * from filter_values_rows() order by dimension, value;

-- one row: what the data holds and when it was taken (the header, the date presets, the SLA's as-of);
-- cxdata.derive adds the code version that built the layer and what the refresh cost
create or replace macro derived_info_rows() as table
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
create or replace table derived_info as select * from derived_info_rows();

-- ---- Whole periods: the one rule (docs/metrics.md, "Whole periods") -------------------------------
-- The day after the newest whole day of data: the newest day with data, unless the data was taken
-- (last loaded) during that same day, which then holds only its first hours. Mirrors
-- cxdata.filters.last_complete_day, which the header and the date presets read.
create or replace macro data_stop() as (
    select i.newest_on + case when (select max(finished_at) from loads where outcome <> 'failed')::date
                                   <= i.newest_on then 0 else 1 end
    from derived_info i);
-- A period [period_start, period_stop) is complete when it lies whole inside the view's range (ends
-- by stop) and inside the data's own extent (starts on or after its oldest day, ends by data_stop()).
-- A period the data covers only in part is drawn dotted and never compared.
create or replace macro is_complete(period_start, period_stop, stop) as
    coalesce(period_stop::date <= least(stop::date, data_stop())
             and period_start::date >= (select oldest_on from derived_info), false);

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

-- ---- Trends: any KPI per period (week, month, quarter), for the whole view or per member of a dimension ----
-- Whether a time histogram is read from the department x quarter tables: quarters by department from
-- a quarter's first day, with no other dimension filtered (the scorecards, and the trends page's
-- quarters by department); the whole quarters come from those tables, the days of a running last
-- quarter from the daily ones (daily_from: the first day the daily rows are read for).
create or replace macro reads_department_quarters(start, f, grain, dim) as
    dim = 'department' and grain = 'quarter' and is_department_view(f) and period_of(start, 'quarter') = start::date;
create or replace macro daily_from(start, stop, f, grain, dim) as
    case when reads_department_quarters(start, f, grain, dim) then greatest(start::date, whole_quarters_to(stop))
         else start::date end;

-- Resolution times under the filters with each row's member of dimension `dim` (null for 'none'),
-- as response_rows below: the monthly company histogram for whole months of an unfiltered view at
-- month or quarter grain, the department x quarter one for whole quarters by department, the daily
-- rows for the rest. Only the branches that apply are read.
create or replace macro resolution_rows(start, stop, f, grain, dim) as table
    select started_on, null::varchar as member, resolution_seconds, n from resolution_times_company_monthly
    where dim = 'none' and grain <> 'week' and is_unfiltered(f)
      and started_on >= whole_months_from(start) and started_on < whole_months_to(stop)
    union all
    -- coalesce: activity_member(d, 'department'), on a table holding no other dimension
    select started_on, coalesce(d.department, '(not set)'), resolution_seconds, n
    from resolution_times_department_quarterly d
    where reads_department_quarters(start, f, grain, dim) and in_filter(f['department'], d.department)
      and d.started_on >= start and d.started_on < whole_quarters_to(stop)
    union all
    select started_on, activity_member(d, dim), resolution_seconds, n from resolution_times_daily d
    where d.started_on >= daily_from(start, stop, f, grain, dim) and d.started_on < stop and matches_activity(f, d)
      and not (dim = 'none' and grain <> 'week' and is_unfiltered(f)
               and d.started_on >= whole_months_from(start) and d.started_on < whole_months_to(stop));

-- First-response times under the filters with each row's member of dimension `dim` (null for
-- 'none'). The whole company at month or quarter grain reads the monthly company histogram for
-- whole months (response_days); quarters by department the department x quarter histogram for
-- whole quarters; a week grain or another breakdown needs the daily rows.
create or replace macro response_rows(start, stop, f, grain, dim) as table
    select started_on, channel, null::varchar as member, response_seconds, n from response_days(start, stop, f)
    where dim = 'none' and grain <> 'week'
    union all
    select started_on, channel, null, response_seconds, n from response_times_company_daily
    where dim = 'none' and grain = 'week' and is_unfiltered(f) and started_on >= start and started_on < stop
    union all
    select started_on, channel, coalesce(d.department, '(not set)'), response_seconds, n
    from response_times_department_quarterly d
    where reads_department_quarters(start, f, grain, dim) and in_filter(f['department'], d.department)
      and d.started_on >= start and d.started_on < whole_quarters_to(stop)
    union all
    select started_on, channel, activity_member(d, dim), response_seconds, n from response_times_daily d
    where (dim <> 'none' or (grain = 'week' and not is_unfiltered(f)))
      and d.started_on >= daily_from(start, stop, f, grain, dim) and d.started_on < stop and matches_activity(f, d);

-- ---- Drivers of NPS (sql/nps_drivers.sql; docs/metrics.md, "Drivers of NPS") ---------------------
-- one row per NPS or CSAT answer: who answered, when, the score, and what it rates (touchpoint and
-- the filter dimensions, inherited from the interaction rated as feedback_rows() says). Drivers pair
-- each respondent's latest NPS answer with their CSAT answers by touchpoint, department and
-- channel, which no daily sum can answer; this spares the join of every answer to 10 M interactions.
create or replace macro survey_answers_rows(everything) as table
select r.feedback_id, r.customer_id, r.submitted_at, r.survey, r.score, r.touchpoint,
       r.segment, r.region, r.plan, r.channel, r.department, r.journey_stage
from feedback_rows() r
where r.survey in ('nps', 'csat') and is_rebuilt_day('feedback', r.submitted_at, everything);
create or replace table survey_answers as select * from survey_answers_rows(true) order by submitted_at;

-- ---- Follow-up (sql/followup_cases.sql, sql/followup_kpis.sql; docs/follow-up.md) ---------------------
-- one row per answer, every survey: what a follow-up case opened by it needs, with the department,
-- channel and journey stage of the contact it rates (the department the rated contact's first, then
-- the answer's own: the case goes to whoever handled the contact; the stage the answer's own first),
-- so the follow-up never joins its answers to 10 M interactions when a page opens
create or replace macro followup_answers_rows(everything) as table
select f.feedback_id, f.customer_id, f.submitted_at, f.survey, f.score,
       coalesce(i.department, f.department) as department, i.channel,
       coalesce(f.journey_stage, i.journey_stage) as journey_stage
from feedback f
left join interactions i on i.interaction_id = f.interaction_id
where is_rebuilt_day('feedback', f.submitted_at, everything);
create or replace table followup_answers as select * from followup_answers_rows(true) order by submitted_at;

-- The NPS and CSAT answers of [start, stop): from survey_answers or, for the reference path, raw
-- rows (the flag is a constant, so only one branch is ever read).
create or replace macro survey_answers_in(start, stop, from_derived) as table
    select feedback_id, customer_id, submitted_at, survey, score, touchpoint,
           segment, region, plan, channel, department, journey_stage
    from survey_answers a
    where from_derived and a.submitted_at >= start and a.submitted_at < stop
    union all
    select feedback_id, customer_id, submitted_at, survey, score, touchpoint,
           segment, region, plan, channel, department, journey_stage
    from feedback_rows() r
    where not from_derived and r.survey in ('nps', 'csat') and r.submitted_at >= start and r.submitted_at < stop;

-- The drivers of NPS in [start, stop) under the filters f: one row per driver dimension
-- (touchpoint, department, channel) x member, plus one 'company' row (member null) for the view.
-- Respondents: customers matching the customer filters with an NPS answer in the period, each
-- counted once, by their latest answer. An experience at a member: the respondent's CSAT answers
-- there in the period under every filter; good when all of them are 4-5, bad when any is 1-3
-- (the company row: all of their CSAT answers in the view). Performance: the CSAT of every answer
-- there in the view, respondent or not (the company row: the view's CSAT, as the overview shows it).
create or replace macro nps_drivers_of(start, stop, f, from_derived) as table
    with answers as (
        select * from survey_answers_in(start, stop, from_derived)
    ),
    respondents as (
        select customer_id, arg_max(score, (submitted_at, feedback_id)) as nps_score
        from answers a
        where a.survey = 'nps' and matches_customer(f, a)
        group by customer_id
    ),
    rated as (  -- each CSAT answer in view once per dimension; 'company' holds them all
        select a.customer_id, a.score,
               unnest(['company', 'touchpoint', 'department', 'channel']) as dimension,
               unnest([null, a.touchpoint, a.department, a.channel]) as member
        from answers a
        where a.survey = 'csat' and matches_activity(f, a)
    ),
    placed as (
        select * from rated where dimension = 'company' or member is not null
    ),
    performance as (
        select dimension, member, count(*) as n_csat, count(*) filter (where is_satisfied(score)) as n_satisfied
        from placed
        group by all
    ),
    experiences as (
        select dimension, member, customer_id, bool_and(is_satisfied(score)) as is_good
        from placed
        group by all
    ),
    groups as (
        select e.dimension, e.member,
               count(*) filter (where e.is_good) as n_good,
               count(*) filter (where e.is_good and is_promoter(r.nps_score)) as n_good_promoters,
               count(*) filter (where e.is_good and is_detractor(r.nps_score)) as n_good_detractors,
               count(*) filter (where not e.is_good) as n_bad,
               count(*) filter (where not e.is_good and is_promoter(r.nps_score)) as n_bad_promoters,
               count(*) filter (where not e.is_good and is_detractor(r.nps_score)) as n_bad_detractors
        from experiences e join respondents r using (customer_id)
        group by all
    ),
    parts as (
        select p.dimension, p.member, (select count(*) from respondents) as n_nps_respondents,
               coalesce(g.n_good, 0) as n_good, coalesce(g.n_good_promoters, 0) as n_good_promoters,
               coalesce(g.n_good_detractors, 0) as n_good_detractors,
               coalesce(g.n_bad, 0) as n_bad, coalesce(g.n_bad_promoters, 0) as n_bad_promoters,
               coalesce(g.n_bad_detractors, 0) as n_bad_detractors, p.n_csat, p.n_satisfied
        from performance p
        left join groups g on g.dimension = p.dimension and g.member is not distinct from p.member
    )
    select dimension, member, n_nps_respondents::bigint as n_nps_respondents,
           (n_good + n_bad)::bigint as n_respondents,
           100.0 * (n_good + n_bad) / nullif(n_nps_respondents, 0) as reach,
           n_good::bigint as n_good, nps_of(n_good_promoters, n_good_detractors, n_good) as nps_good,
           nps_moe_of(n_good_promoters, n_good_detractors, n_good) as nps_good_moe,
           n_bad::bigint as n_bad, nps_of(n_bad_promoters, n_bad_detractors, n_bad) as nps_bad,
           nps_moe_of(n_bad_promoters, n_bad_detractors, n_bad) as nps_bad_moe,
           n_csat::bigint as n_csat, csat_of(n_satisfied, n_csat) as csat, csat_moe_of(n_satisfied, n_csat) as csat_moe
    from parts;

-- ==== Journey map (pages/journey.py, cxdata/journey.py) ============================================
-- Touchpoints within stages, customers' paths between stages and the moments of truth. Every table
-- keeps the global filter dimensions, plus the touchpoint, so any view adds them up exactly; the
-- raw-row twins (sql/raw_journey_*.sql) read the same macros with from_derived false.

-- one row per start day x filter dimensions x touchpoint: volume, complaints and the SLA
create or replace macro journey_touchpoints_daily_rows(everything) as table
with judged as (
    select r.*, sla_met(r.started_at, r.resolved_at, r.sla_seconds, interactions_as_of()) as is_sla_met
    from interaction_rows() r
    where is_rebuilt_day('interactions', r.started_at, everything)
)
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage, touchpoint,
       count(*) as n_interactions,
       count(*) filter (where is_complaint(kind)) as n_complaints,
       count(is_sla_met) as n_sla_judged,
       count(*) filter (where is_sla_met) as n_sla_met
from judged
group by all;
create or replace table journey_touchpoints_daily as select * from journey_touchpoints_daily_rows(true) order by started_on;

-- one row per answer day x survey x filter dimensions x touchpoint: the parts of NPS, CSAT and CES of
-- the answers about a stage or touchpoint (relationship surveys, about neither, are left out)
create or replace macro journey_feedback_daily_rows(everything) as table
select r.submitted_at::date as submitted_on, r.survey,
       r.segment, r.region, r.plan, r.channel, r.department, r.journey_stage, r.touchpoint,
       count(*) as n,
       count(*) filter (where is_promoter(r.score)) as n_promoters,
       count(*) filter (where is_detractor(r.score)) as n_detractors,
       count(*) filter (where is_satisfied(r.score)) as n_satisfied,
       sum(r.score)::bigint as score_sum,
       sum(r.score::bigint * r.score)::bigint as score_sumsq
from feedback_rows() r
where (r.journey_stage is not null or r.touchpoint is not null)
  and is_rebuilt_day('feedback', r.submitted_at, everything)
group by all;
create or replace table journey_feedback_daily as select * from journey_feedback_daily_rows(true) order by submitted_on;

-- Every experience a customer had at a touchpoint: each interaction (bad when it missed its SLA,
-- judged when its SLA is judged) and each answer about a stage or touchpoint (bad for a detractor,
-- CSAT 1-2 or CES 1-3; always judged). The raw rows the customer tables below are built from: every
-- customer's, or (not everything) those of the customers a load reached (refresh_customers) on the days
-- it rebuilds for contacts or answers (the 'journey' days of sql/derived_update.sql): a customer's row of
-- a day reads only that day's experiences and the customer's attributes, and a customer whose attributes
-- changed has every day of theirs among those days.
create or replace macro journey_experience_rows(everything) as table
    select i.customer_id, i.started_at as happened_at, i.channel, i.department, i.journey_stage, i.touchpoint,
           true as is_interaction,
           coalesce(not sla_met(i.started_at, i.resolved_at, i.sla_seconds, interactions_as_of()), false) as is_bad,
           sla_met(i.started_at, i.resolved_at, i.sla_seconds, interactions_as_of()) is not null as is_judged
    from interactions i
    where everything or (i.customer_id in (select customer_id from refresh_customers)
                         and is_rebuilt_day('journey', i.started_at, false))
    union all
    select r.customer_id, r.submitted_at, r.channel, r.department, r.journey_stage, r.touchpoint,
           false, coalesce(is_bad_score(r.survey, r.score), false), true
    from feedback_rows() r
    where (r.journey_stage is not null or r.touchpoint is not null)
      and (everything or (r.customer_id in (select customer_id from refresh_customers)
                          and is_rebuilt_day('journey', r.submitted_at, false)));

-- Stage and touchpoint names as DuckDB enums, in alphabetical order (so an enum sorts as its name):
-- the customer-level journey queries group millions of rows by customer x stage x touchpoint, and
-- grouping on a small integer key and enums is about twice as fast as on text.
drop table if exists journey_first_bad_quarters;  -- its stage column is of the enum type too
drop table if exists journey_customer_days;
drop table if exists journey_customer_keys;
drop type if exists journey_stage_name;
drop type if exists touchpoint_name;
create type journey_stage_name as enum (
    select distinct journey_stage from journey_experience_rows(true) where journey_stage is not null order by 1);
create type touchpoint_name as enum (
    select distinct touchpoint from journey_experience_rows(true) where touchpoint is not null order by 1);

-- one row per customer x day x activity dimensions x touchpoint: when the customer first came (for
-- the order of their path) and how many of their experiences there were judged and bad, with what
-- the customer table says of the customer (joined here once, not by every page view). customer_key
-- numbers the customer ids (paths are grouped by it; it means nothing outside these tables), kept in
-- journey_customer_keys so that a load numbers only the customers it adds. Rows are kept by quarter
-- and, within it, by customer: a period still reads only its quarters, and the paths' grouping by
-- customer x stage x touchpoint finds each group's rows together, which makes it about a third faster
-- at 10 M interactions (docs/performance.md). A load appends its customers' rows; `python -m cxdata
-- refresh --full` puts them back in that order.
create table journey_customer_keys as
select customer_id, row_number() over (order by customer_id)::uinteger as customer_key
from (select distinct customer_id from journey_experience_rows(true));

create or replace macro journey_customer_days_rows(everything) as table
with days as (
    select customer_id, happened_at::date as active_on, channel, department,
           journey_stage::journey_stage_name as journey_stage, touchpoint::touchpoint_name as touchpoint,
           count(*) filter (where is_interaction) as n_interactions,
           min(happened_at) filter (where is_interaction) as first_at,
           count(*) filter (where is_bad) as n_bad,
           count(*) filter (where is_judged) as n_judged
    from journey_experience_rows(everything)
    group by all
)
select k.customer_key, d.active_on, d.channel, d.department, d.journey_stage, d.touchpoint,
       d.n_interactions, d.first_at, d.n_bad, d.n_judged,
       c.segment, c.region, c.plan, c.customer_id is not null as is_known, c.churned_on, c.annual_value
from days d
left join journey_customer_keys k on k.customer_id is not distinct from d.customer_id
left join customers c on c.customer_id = d.customer_id;

create table journey_customer_days as
select * from journey_customer_days_rows(true)
order by date_trunc('quarter', active_on), customer_key, journey_stage, touchpoint, active_on;

-- one row per known customer x quarter x activity dimensions with a bad experience there (n_bad > 0
-- in journey_customer_days): the day of the first one, with the customer's attributes and churn day.
-- The churn after a bad experience (sql/department_churn.sql) reads these, not every customer day:
-- a customer's first bad day in [quarter start, stop) is the quarter's first when that is before
-- stop, and there is none otherwise, so any stop and any filter read them exactly.
create or replace macro journey_first_bad_quarters_rows(everything) as table
select date_trunc('quarter', active_on)::date as quarter_start, customer_key, channel, department, journey_stage,
       min(active_on) as first_bad_on, segment, region, plan, churned_on
from journey_customer_days
where n_bad > 0 and is_known
  and (everything or (customer_key in (select customer_key from journey_customer_keys
                                       where customer_id in (select customer_id from refresh_customers))
                      and is_rebuilt_period('journey', 'quarter', active_on, false)))
group by all;

create table journey_first_bad_quarters as
select * from journey_first_bad_quarters_rows(true) order by quarter_start;

-- one row per answer with a comment about a stage or touchpoint: the verbatims of the drill-down,
-- newest first (the page masks e-mail addresses and phone numbers before showing them)
create or replace macro journey_comments_rows(everything) as table
select r.submitted_at, r.survey, r.score, r.comment, r.segment, r.region, r.plan, r.channel, r.department,
       r.journey_stage, r.touchpoint
from feedback_rows() r
where r.comment is not null and (r.journey_stage is not null or r.touchpoint is not null)
  and is_rebuilt_day('feedback', r.submitted_at, everything);
create or replace table journey_comments as select * from journey_comments_rows(true) order by submitted_at desc;

-- ---- Reading the journey tables under the global filters ------------------------------------------
-- Interactions per stage x touchpoint in [start, stop): from journey_touchpoints_daily or raw rows.
create or replace macro journey_interaction_parts(start, stop, f, from_derived) as table
    select journey_stage, touchpoint, started_on, channel, department,
           n_interactions, n_complaints, n_sla_judged, n_sla_met
    from journey_touchpoints_daily d
    where from_derived and d.started_on >= start and d.started_on < stop and matches_activity(f, d)
    union all
    select journey_stage, touchpoint, started_at::date, channel, department, count(*),
           count(*) filter (where is_complaint(kind)), count(is_sla_met), count(*) filter (where is_sla_met)
    from (select sla_met(r.started_at, r.resolved_at, r.sla_seconds, interactions_as_of()) as is_sla_met, r.*
          from filtered_interactions(start, stop, f) r) j
    where not from_derived
    group by all;

-- Survey parts per stage x touchpoint in [start, stop): from journey_feedback_daily or raw rows.
create or replace macro journey_feedback_parts(start, stop, f, from_derived) as table
    select journey_stage, touchpoint, submitted_on, survey, n, n_promoters, n_detractors, n_satisfied,
           score_sum, score_sumsq
    from journey_feedback_daily d
    where from_derived and d.submitted_on >= start and d.submitted_on < stop and matches_activity(f, d)
    union all
    select journey_stage, touchpoint, submitted_at::date, survey, count(*),
           count(*) filter (where is_promoter(score)), count(*) filter (where is_detractor(score)),
           count(*) filter (where is_satisfied(score)), sum(score)::bigint, sum(score::bigint * score)::bigint
    from filtered_feedback(start, stop, f)
    where not from_derived and (journey_stage is not null or touchpoint is not null)
    group by all;

-- Each customer's activity per day x touchpoint in [start, stop) under the filters, with what the
-- customer table says of them (churn, annual value; null for a customer not in customers). Customers
-- are told apart by customer_key; stages and touchpoints are the enums of journey_customer_days (the
-- raw rows are cast to them too, so both branches group alike; the reading macros return text).
create or replace macro journey_customer_activity(start, stop, f, from_derived) as table
    select * from journey_customer_days d
    where from_derived and d.active_on >= start and d.active_on < stop and matches_activity(f, d)
    union all
    select * from (
        select hash(r.customer_id) as customer_key, r.happened_at::date as active_on, r.channel, r.department,
               r.journey_stage::journey_stage_name as journey_stage, r.touchpoint::touchpoint_name as touchpoint,
               r.is_interaction::int as n_interactions, case when r.is_interaction then r.happened_at end as first_at,
               r.is_bad::int as n_bad, r.is_judged::int as n_judged,
               c.segment, c.region, c.plan, c.customer_id is not null as is_known, c.churned_on, c.annual_value
        from journey_experience_rows(true) r left join customers c using (customer_id)
        where not from_derived and r.happened_at >= start and r.happened_at < stop
    ) r
    where matches_activity(f, r);

-- The journey map: one row per stage x touchpoint, per stage (touchpoint null, is_stage) and for the
-- whole view (both null, is_total): volume, complaint share, SLA breach rate, NPS, CSAT and CES with
-- their margins and n. Rows with neither a stage nor a touchpoint are not about the journey.
create or replace macro journey_map_rows(start, stop, f, from_derived) as table
    with interaction_sums as (
        select journey_stage, touchpoint, sum(n_interactions) as n_interactions, sum(n_complaints) as n_complaints,
               sum(n_sla_judged) as n_sla_judged, sum(n_sla_met) as n_sla_met
        from journey_interaction_parts(start, stop, f, from_derived)
        group by all
    ),
    answer_sums as (
        select journey_stage, touchpoint,
               sum(n) filter (where survey = 'nps') as n_nps,
               sum(n_promoters) filter (where survey = 'nps') as n_promoters,
               sum(n_detractors) filter (where survey = 'nps') as n_detractors,
               sum(n) filter (where survey = 'csat') as n_csat,
               sum(n_satisfied) filter (where survey = 'csat') as n_satisfied,
               sum(n) filter (where survey = 'ces') as n_ces,
               sum(score_sum) filter (where survey = 'ces') as ces_sum,
               sum(score_sumsq) filter (where survey = 'ces') as ces_sumsq
        from journey_feedback_parts(start, stop, f, from_derived)
        group by all
    ),
    parts as (
        select coalesce(i.journey_stage, a.journey_stage) as journey_stage,
               coalesce(i.touchpoint, a.touchpoint) as touchpoint,
               coalesce(i.n_interactions, 0) as n_interactions, coalesce(i.n_complaints, 0) as n_complaints,
               coalesce(i.n_sla_judged, 0) as n_sla_judged, coalesce(i.n_sla_met, 0) as n_sla_met,
               coalesce(a.n_nps, 0) as n_nps, coalesce(a.n_promoters, 0) as n_promoters,
               coalesce(a.n_detractors, 0) as n_detractors, coalesce(a.n_csat, 0) as n_csat,
               coalesce(a.n_satisfied, 0) as n_satisfied, coalesce(a.n_ces, 0) as n_ces,
               coalesce(a.ces_sum, 0) as ces_sum, coalesce(a.ces_sumsq, 0) as ces_sumsq
        from interaction_sums i
        full join answer_sums a on i.journey_stage is not distinct from a.journey_stage
                           and i.touchpoint is not distinct from a.touchpoint
        where coalesce(i.journey_stage, a.journey_stage) is not null or coalesce(i.touchpoint, a.touchpoint) is not null
    ),
    grouped as (
        select journey_stage, touchpoint, grouping(journey_stage) = 1 as is_total,
               grouping(touchpoint) = 1 and grouping(journey_stage) = 0 as is_stage,
               sum(n_interactions) as n_interactions, sum(n_complaints) as n_complaints,
               sum(n_sla_judged) as n_sla_judged, sum(n_sla_met) as n_sla_met,
               sum(n_nps) as n_nps, sum(n_promoters) as n_promoters, sum(n_detractors) as n_detractors,
               sum(n_csat) as n_csat, sum(n_satisfied) as n_satisfied,
               sum(n_ces) as n_ces, sum(ces_sum) as ces_sum, sum(ces_sumsq) as ces_sumsq
        from parts
        group by grouping sets ((journey_stage, touchpoint), (journey_stage), ())
    )
    select journey_stage, touchpoint, is_stage, is_total,
           n_interactions::bigint as n_interactions,
           complaint_pct_of(n_complaints, n_interactions)::double as complaint_pct,
           complaint_moe_of(n_complaints, n_interactions)::double as complaint_moe,
           n_sla_judged::bigint as n_sla_judged,
           sla_breach_pct_of(n_sla_met, n_sla_judged)::double as sla_breach_pct,
           sla_moe_of(n_sla_met, n_sla_judged)::double as sla_breach_moe,
           n_nps::bigint as n_nps, nps_of(n_promoters, n_detractors, n_nps)::double as nps,
           nps_moe_of(n_promoters, n_detractors, n_nps)::double as nps_moe,
           n_csat::bigint as n_csat, csat_of(n_satisfied, n_csat)::double as csat,
           csat_moe_of(n_satisfied, n_csat)::double as csat_moe,
           n_ces::bigint as n_ces, ces_of(ces_sum, n_ces)::double as ces,
           ces_moe_of(ces_sum, ces_sumsq, n_ces)::double as ces_moe
    from grouped;

-- A stage's place in the journey's order (stage_order: the stages in order, bound by cxdata.journey);
-- a stage not in it goes last (ties by name).
create or replace macro journey_stage_rank(stage_order, stage) as
    coalesce(list_position(stage_order, stage), len(stage_order) + 1);

-- The customers' paths and the moments of truth in [start, stop) under the filters, from one pass over
-- the customers' rows (one aggregation per customer x stage x touchpoint, which is most of the cost,
-- shared by the three parts). One row per link or touchpoint, told apart by `part`:
-- * 'stage' (only when with_paths): from a stage (from_stage) to the next one the customer reached in the journey's order
--   (to_stage; null: none later in the period), n_customers on the link and n_churned of them since
--   start. Every customer ends on exactly one link to no later stage, so those add up to the customers.
--   Only interactions make a path; an interaction with no stage is on none.
-- * 'touchpoint' (only when with_paths): per stage (journey_stage), the touchpoints in the order each customer first came to
--   them there (ties by name), up to the third: from (from_step, from_touchpoint) to the next, or
--   (to_step null) to the end of the stage, split by whether the customer reached a later stage (went_on).
-- * 'moment' (only when with_moments): per stage x touchpoint, the customers (in customers) with an
--   experience judged there, split into those with a bad one and those whose every judged experience
--   there was fine, each followed for follow_days from the day of their first bad (else first judged)
--   experience there: how many were lost in those days and the annual value they carry. Customers whose
--   follow-up days are not over by newest_on are censored: counted apart, in neither group.
create or replace macro journey_flow_rows(start, stop, f, stage_order, follow_days, newest_on, with_paths,
                                          with_moments, from_derived) as table
    with touched as materialized (  -- only the rows a wanted part reads: interactions, judged experiences
        select customer_key, journey_stage, touchpoint,
               bool_or(n_interactions > 0) as is_reached, min(first_at) as first_at,
               min(active_on) filter (where n_judged > 0 and n_bad > 0) as first_bad_on,
               min(active_on) filter (where n_judged > 0) as first_judged_on,
               any_value(churned_on) as churned_on, any_value(annual_value) as annual_value,
               bool_or(is_known) as is_known
        from journey_customer_activity(start, stop, f, from_derived)
        where (with_paths and n_interactions > 0) or (with_moments and n_judged > 0)
        group by all
    ),
    stage_places as (  -- every stage name, numbered in the journey's order (names not in it last, by name)
        select journey_stage::journey_stage_name as journey_stage,
               row_number() over (order by journey_stage_rank(stage_order, journey_stage), journey_stage) as place
        from (select unnest(enum_range(null::journey_stage_name)) as journey_stage)
    ),
    steps as (  -- each touchpoint a customer reached in a stage, in the journey's order, then by when first
                -- came to (ties by name): one sort serves the step in the stage, what comes next, the last stage
        select t.journey_stage, t.touchpoint, t.churned_on >= start::date as has_churned,
               row_number() over by_customer - rank() over (partition by t.customer_key order by p.place) + 1 as step,
               lead(t.journey_stage) over by_customer as next_stage,  -- null: nothing later in the period
               lead({'touchpoint': t.touchpoint}) over by_customer as next,
               p.place < last_value(p.place) over (by_customer rows between unbounded preceding and unbounded following)
                   as went_on  -- a later stage was reached
        from touched t join stage_places p using (journey_stage)
        where t.is_reached
        window by_customer as (partition by t.customer_key order by p.place, t.first_at, t.touchpoint nulls last)
    ),
    stage_links as (  -- a customer's last touchpoint in a stage leads to the next stage reached
        select 'stage' as part, journey_stage as from_stage, next_stage as to_stage,
               count(*)::bigint as n_customers, count(*) filter (where has_churned)::bigint as n_churned
        from steps
        where next_stage is distinct from journey_stage
        group by all
    ),
    touchpoint_links as (  -- the first three steps: the third, like the last, leads to the stage's end
        select 'touchpoint' as part, journey_stage, step as from_step, touchpoint as from_touchpoint,
               case when step < 3 and next_stage = journey_stage then step + 1 end as to_step,
               case when step < 3 and next_stage = journey_stage then next.touchpoint end as to_touchpoint,
               case when step = 3 or next_stage is distinct from journey_stage then went_on end as went_on,
               count(*)::bigint as n_customers, count(*) filter (where has_churned)::bigint as n_churned
        from steps
        where step <= 3
        group by all
    ),
    followed as (
        select *, first_bad_on is not null as is_bad,
               is_followed_up(coalesce(first_bad_on, first_judged_on), follow_days, newest_on) as is_followed,
               coalesce(is_lost_within(churned_on, coalesce(first_bad_on, first_judged_on), follow_days), false) as is_lost
        from touched
        where with_moments and first_judged_on is not null and is_known
          and (churned_on is null or churned_on >= coalesce(first_bad_on, first_judged_on))  -- still a customer then
    ),
    moments as (
        select 'moment' as part, journey_stage, touchpoint,
               count(*) filter (where is_followed and is_bad)::bigint as n_bad,
               count(*) filter (where is_followed and is_bad and is_lost)::bigint as n_bad_lost,
               count(*) filter (where is_followed and not is_bad)::bigint as n_good,
               count(*) filter (where is_followed and not is_bad and is_lost)::bigint as n_good_lost,
               coalesce(sum(annual_value) filter (where is_followed and is_bad), 0)::double as value_bad,
               coalesce(sum(annual_value) filter (where is_followed and is_bad and is_lost), 0)::double as value_bad_lost,
               count(*) filter (where not is_followed)::bigint as n_censored
        from followed
        group by all
    )
    select part, from_stage::varchar as from_stage, to_stage::varchar as to_stage,
           journey_stage::varchar as journey_stage, from_step, from_touchpoint::varchar as from_touchpoint,
           to_step, to_touchpoint::varchar as to_touchpoint, went_on, n_customers, n_churned,
           touchpoint::varchar as touchpoint, n_bad, n_bad_lost,
           churn_rate_of(n_bad_lost, n_bad)::double as churn_bad, n_good, n_good_lost,
           churn_rate_of(n_good_lost, n_good)::double as churn_good, value_bad, value_bad_lost, n_censored
    from (select * from stage_links
          union all by name select * from touchpoint_links
          union all by name select * from moments);

-- The paths and moments of the company as a whole (no filter) over each date preset of the sidebar,
-- one row per row of journey_flow_rows with the arguments it was computed for: the views a CCO opens
-- first read these few hundred rows instead of grouping millions (sql/journey_flows_stored.sql).
-- Written by cxdata.journey.store_presets right after this script, from the newest day it leaves.
create or replace table journey_flow_presets as
select null::date as start, null::date as stop, null::varchar[] as stage_order, null::integer as follow_days,
       null::date as newest_on, null::boolean as with_moments, *
from journey_flow_rows(date '1900-01-01', date '1900-01-01', {'segment': [], 'region': [], 'plan': [], 'channel': [],
                       'department': [], 'journey_stage': []}, [], 90, date '1900-01-01', true, true, true)
limit 0;

-- ==== Voice of the customer (cxdata/comments.py, sql/voice_*.sql, docs/voice-of-customer.md) =====
-- comment_analysis (one row per distinct comment text: language, sentiment, themes, masked text,
-- search text, terms) is written by cxdata.comments just before this script runs, and kept across
-- refreshes while the analysis is unchanged; comment_theme_list holds the theme file's labels.

-- one row per survey answer with a comment: the answer's date, score, NPS group and filter
-- dimensions with its comment's analysis; only the masked text is kept, so no page can show more
create or replace macro feedback_comments_rows(everything) as table
select r.feedback_id, r.submitted_at, r.submitted_at::date as submitted_on, r.survey, r.score,
       case when r.survey <> 'nps' then null
            when is_promoter(r.score) then 'promoter'
            when is_detractor(r.score) then 'detractor'
            else 'passive' end as nps_group,
       r.segment, r.region, r.plan, r.channel, r.department, r.journey_stage,
       a.comment_hash, a.language, a.sentiment, a.themes, a.masked_comment, a.search_text
from feedback_rows() r
join comment_analysis a on a.comment_hash = md5(r.comment)
where r.comment is not null and is_rebuilt_day('feedback', r.submitted_at, everything);
create or replace table feedback_comments as select * from feedback_comments_rows(true) order by submitted_on;

-- A share of comments (in %) and its 95% margin (Agresti-Coull, as every share: pct_moe).
create or replace macro share_pct_of(n_part, n) as 100.0 * n_part / nullif(n, 0);
create or replace macro share_moe_of(n_part, n) as pct_moe(n_part / nullif(n, 0), n);

-- How strongly a phrase separates group i from group j: the z-score of its log-odds ratio with an
-- informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), for a phrase seen
-- y_i times in n_i phrases of group i, y_j in n_j of group j, with prior count a_w (its share of all
-- phrases times a0, the prior's total). Positive: more typical of group i.
create or replace macro log_odds_z(y_i, n_i, y_j, n_j, a_w, a0) as
    (ln((y_i + a_w) / (n_i + a0 - y_i - a_w)) - ln((y_j + a_w) / (n_j + a0 - y_j - a_w)))
    / sqrt(1.0 / (y_i + a_w) + 1.0 / (y_j + a_w));

-- Answers with a comment under the global filters, in [start, stop).
create or replace macro comment_days(start, stop, f) as table
    select * from feedback_comments d
    where d.submitted_on >= start and d.submitted_on < stop and matches_activity(f, d);

-- ==== Service levels and department scorecards (cxdata/service.py, cxdata/departments.py) ========
-- service_settings (one row: the immediate threshold and deferred promise in seconds, and the
-- channels $CX_LIVE_CHANNELS calls live) is written by cxdata.service just before this script runs.

-- one row per channel seen: how it answers, from the reference table channels, else live (immediate)
-- when the live-channel setting names it
create or replace macro channel_modes_rows() as table
select i.channel,
       coalesce(c.response_mode,
                case when list_contains((select live_channels from service_settings), i.channel)
                     then 'immediate' else 'deferred' end) as response_mode
from (select distinct channel from interactions) i
left join channel_modes_of() c using (channel);
create or replace table channel_modes as select * from channel_modes_rows();

-- one row per contact with what service levels judge about it, as of the data's latest event:
-- whether an answer was due, never came, came immediately (an immediate channel's front office
-- answered within the threshold, without escalation), and the deferred promise
create or replace macro service_rows(everything) as table
    with settings as (select * from service_settings),
    judged as (
        select r.*, m.response_mode = 'immediate' as is_immediate_channel,
               sla_met(r.started_at, r.resolved_at, r.sla_seconds, interactions_as_of()) as is_sla_met
        from interaction_rows() r
        left join channel_modes m using (channel)
        where is_rebuilt_day('interactions', r.started_at, everything)
    )
    select j.*,
           is_unanswered(j.is_due, j.first_response_seconds, j.started_at, j.resolved_at, interactions_as_of())
               as is_unanswered,
           j.is_due and j.is_immediate_channel and j.office = 'front' and not coalesce(j.escalated, false)
               and j.first_response_seconds <= s.immediate_seconds as is_immediate,
           sla_met(j.started_at, j.resolved_at, s.deferred_seconds, interactions_as_of()) as is_deferred_met
    from judged j, settings s;

-- one row per start day x filter dimensions x kind x office: the parts of every service level
create or replace macro service_daily_rows(everything) as table
select started_at::date as started_on, segment, region, plan, channel, department, journey_stage, kind, office,
       count(*) as n_contacts,
       count(*) filter (where is_complaint(kind)) as n_complaints,
       count(*) filter (where is_due) as n_due,
       count(*) filter (where is_unanswered) as n_unanswered,
       count(*) filter (where is_immediate) as n_immediate,
       count(*) filter (where is_due and not coalesce(is_immediate, false)) as n_deferred,
       count(*) filter (where is_due and not coalesce(is_immediate, false) and is_deferred_met is not null) as n_deferred_judged,
       count(*) filter (where is_due and not coalesce(is_immediate, false) and is_deferred_met) as n_deferred_met,
       count(*) filter (where is_due and escalated) as n_escalated,
       count(is_sla_met) as n_sla_judged,
       count(*) filter (where is_sla_met) as n_sla_met,
       count(*) filter (where is_agent_handled(first_response_seconds, sla_seconds)
                        and resolved_at is not null) as n_resolved_handled,
       count(*) filter (where is_first_contact_resolution(first_response_seconds, sla_seconds, resolved_at,
                                                          escalated)) as n_first_contact_resolved
from service_rows(everything)
group by all;
create or replace table service_daily as select * from service_daily_rows(true) order by started_on;

-- one row per open contact with a promise to resolve: the backlog, with when its SLA expires
create or replace macro open_contacts_rows(everything) as table
select interaction_id, customer_id, started_at, started_at + to_seconds(sla_seconds) as due_at,
       segment, region, plan, channel, department, journey_stage, touchpoint, kind, office, escalated,
       first_response_seconds
from interaction_rows()
where resolved_at is null and sla_seconds is not null and is_rebuilt_day('interactions', started_at, everything);
create or replace table open_contacts as select * from open_contacts_rows(true) order by due_at;

-- Contacts of [start, stop) under the filters from service_daily.
create or replace macro service_days(start, stop, f) as table
    select * from service_daily d
    where d.started_on >= start and d.started_on < stop and matches_activity(f, d);
