-- The one definition of each CX metric, and of the global filters, as DuckDB macros.
-- Written into the database by every write (cxdata.derive.refresh), so every connection,
-- read-only ones included, has them without creating anything per query.
-- Shares are percentages (0..100); margins are 95% (1.96 standard errors), in the metric's own units.
-- Each formula is written once, on its additive parts (counts and sums), so the derived daily
-- tables and the raw rows give the same number by the same expression.

-- ---- Survey answers: which answers count as what ----------------------------------------------
create or replace macro is_promoter(s) as s >= 9;   -- NPS, 0-10
create or replace macro is_detractor(s) as s <= 6;  -- NPS, 0-10
create or replace macro is_satisfied(s) as s >= 4;  -- CSAT, 1-5: the top two boxes

-- NPS: % promoters (9-10) minus % detractors (0-6), on -100..100.
create or replace macro nps_of(n_promoters, n_detractors, n) as
    100.0 * (n_promoters - n_detractors) / nullif(n, 0);
-- Its margin: 1.96 * sqrt((p + d - (p - d)^2) / n), in NPS points.
create or replace macro nps_moe_of(n_promoters, n_detractors, n) as
    100.0 * 1.96 * sqrt(((n_promoters + n_detractors) / nullif(n, 0)
                         - pow((n_promoters - n_detractors) / nullif(n, 0), 2)) / nullif(n, 0));

-- CSAT: % of responses scoring 4-5 on 1-5.
create or replace macro csat_of(n_satisfied, n) as 100.0 * n_satisfied / nullif(n, 0);
create or replace macro csat_moe_of(n_satisfied, n) as
    100.0 * 1.96 * sqrt((n_satisfied / nullif(n, 0)) * (1 - n_satisfied / nullif(n, 0)) / nullif(n, 0));

-- CES: mean on 1-7, where 7 = "very easy" (higher is better: less effort). The margin uses the
-- sample standard deviation, from exact integer sums: sqrt((n*sum(x^2) - sum(x)^2) / (n(n-1))).
create or replace macro ces_of(score_sum, n) as score_sum / nullif(n, 0);
create or replace macro ces_moe_of(score_sum, score_sumsq, n) as
    1.96 * sqrt((n::hugeint * score_sumsq - score_sum::hugeint * score_sum) / nullif(n::hugeint * (n - 1), 0))
    / sqrt(nullif(n, 0));

-- A survey score by name from its parts, so one query serves all three surveys.
create or replace macro survey_score_of(survey, n, n_promoters, n_detractors, n_satisfied, score_sum) as
    case survey when 'nps' then nps_of(n_promoters, n_detractors, n)
                when 'csat' then csat_of(n_satisfied, n)
                when 'ces' then ces_of(score_sum, n) end;
create or replace macro survey_moe_of(survey, n, n_promoters, n_detractors, n_satisfied, score_sum, score_sumsq) as
    case survey when 'nps' then nps_moe_of(n_promoters, n_detractors, n)
                when 'csat' then csat_moe_of(n_satisfied, n)
                when 'ces' then ces_moe_of(score_sum, score_sumsq, n) end;

-- The same from raw answers (aggregates over a score column), for queries on raw rows.
create or replace macro survey_score(survey, s) as
    survey_score_of(survey, count(s), count(s) filter (where is_promoter(s)),
                    count(s) filter (where is_detractor(s)), count(s) filter (where is_satisfied(s)), sum(s));
create or replace macro survey_moe(survey, s) as
    survey_moe_of(survey, count(s), count(s) filter (where is_promoter(s)),
                  count(s) filter (where is_detractor(s)), count(s) filter (where is_satisfied(s)),
                  sum(s), sum(s::bigint * s));

-- ---- Shares of a count ---------------------------------------------------------------------------
-- Margin of a percentage p (0..1) measured on n, in percentage points: the Agresti-Coull
-- interval (two successes and two failures added), which, unlike the plain Wald margin,
-- is not zero when every case is a success or a failure.
create or replace macro pct_moe(p, n) as
    100.0 * 1.96 * sqrt(((p * n + 2) / (n + 4)) * (1 - (p * n + 2) / (n + 4)) / (n + 4));

-- NPS composition: the % of answers in each class (promoters 9-10, passives 7-8, detractors 0-6),
-- each a proportion of the n answers with its Agresti-Coull margin.
create or replace macro nps_passives_of(n_promoters, n_detractors, n) as n - n_promoters - n_detractors;
create or replace macro nps_class_pct_of(n_class, n) as 100.0 * n_class / nullif(n, 0);
create or replace macro nps_class_moe_of(n_class, n) as pct_moe(n_class / nullif(n, 0), n);

-- SLA met: resolved within the promised time. An item is judged only once its deadline has
-- passed (as of now_at): before that its outcome is unknown, and counting only the early
-- resolutions would flatter the newest days.
create or replace macro sla_met(started, resolved, sla, now_at) as
    case
        when sla is null or started + to_seconds(sla) > now_at then null
        else resolved is not null and resolved <= started + to_seconds(sla)
    end;
-- SLA compliance: % of the judged interactions that met their SLA.
create or replace macro sla_pct_of(n_met, n_judged) as 100.0 * n_met / nullif(n_judged, 0);
create or replace macro sla_moe_of(n_met, n_judged) as pct_moe(n_met / nullif(n_judged, 0), n_judged);

-- When the interaction data was taken: its latest event (a start or a resolution).
create or replace macro interactions_as_of() as
    (select greatest(max(started_at), max(resolved_at)) from interactions);

-- ---- Customers: active, lost, churn ------------------------------------------------------------
-- Active on a day: started before it and not churned by then. A customer's start is the signup
-- date, else the day of their first activity (customer_started_on); with neither, never active.
create or replace macro is_active_on(signup_date, churned_on, day) as
    coalesce(signup_date < day, false) and (churned_on is null or churned_on >= day);
-- Lost in [start, stop): active at the start, churned inside the period.
create or replace macro is_lost_in(signup_date, churned_on, start, stop) as
    coalesce(signup_date < start, false) and churned_on >= start and churned_on < stop;
-- Churn rate: customers lost in the period / customers active at its start.
create or replace macro churn_rate_of(n_lost, n_active_at_start) as 100.0 * n_lost / nullif(n_active_at_start, 0);
create or replace macro churn_moe_of(n_lost, n_active_at_start) as
    pct_moe(n_lost / nullif(n_active_at_start, 0), n_active_at_start);

-- Annual value lost to churn: the annual_value of customers lost in the period, as a % of the
-- annual_value of the customers active at its start.
create or replace macro value_lost_share_of(value_lost, value_active_at_start) as
    100.0 * value_lost / nullif(value_active_at_start, 0);

-- ---- Medians ---------------------------------------------------------------------------------------
-- The median with a distribution-free 95% interval (order statistics: ranks n/2 +- 0.98 sqrt(n)),
-- read off a fixed ladder of 51 quantile fractions and rounded outward, so the interval is never
-- too narrow. The fractions are decimals, so ranks are exact (DuckDB's quantile_disc picks the
-- value at rank ceil(n q) - 1, counting from 0, in exact decimal arithmetic).
create or replace macro median_ladder_fractions() as
    [0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.42, 0.44, 0.45, 0.46, 0.47, 0.475,
     0.48, 0.485, 0.49, 0.492, 0.494, 0.495, 0.496, 0.497, 0.4975, 0.498, 0.4985, 0.499, 0.5,
     0.501, 0.5015, 0.502, 0.5025, 0.503, 0.504, 0.505, 0.506, 0.508, 0.51, 0.515, 0.52, 0.525,
     0.53, 0.54, 0.55, 0.56, 0.58, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0];
-- k = how many of the 25 offsets (0.5 .. 0.001) are at least 0.98/sqrt(n): ladder[k] and
-- ladder[52-k] bound the interval.
create or replace macro median_interval_k(n) as
    len(list_filter([0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.08, 0.06, 0.05, 0.04, 0.03, 0.025,
                     0.02, 0.015, 0.01, 0.008, 0.006, 0.005, 0.004, 0.003, 0.0025, 0.002, 0.0015, 0.001],
                    lambda o: o >= 0.98 / sqrt(n)));
create or replace macro median_low_fraction(n) as median_ladder_fractions()[median_interval_k(n)];
create or replace macro median_high_fraction(n) as median_ladder_fractions()[52 - median_interval_k(n)];

-- On raw values: all 51 quantiles in one pass (fractions must be constants), then pick.
create or replace macro median_ladder(x) as quantile_disc(x, median_ladder_fractions());
create or replace macro median_of_ladder(q) as q[26];
create or replace macro median_moe_of_ladder(q, n) as (q[52 - median_interval_k(n)] - q[median_interval_k(n)]) / 2;

-- On a histogram (value, count): the 0-based rank a fraction q of n values picks, the same rank
-- quantile_disc uses; the value at rank r is the smallest value whose running count exceeds r.
-- A null fraction (an interval end for n <= 3, where none reaches 95%) picks no rank, so the
-- margin is null, as median_moe_of_ladder gives on raw values.
create or replace macro disc_rank(q, n) as case when q is not null then greatest(ceil(n * q), 1) - 1 end;

-- First-response times are kept in the derived layer rounded to 3 significant figures
-- (42,317 s -> 42,300 s: at most 0.5% off; whole seconds below 1,000 s stay exact). Rounding is
-- monotone, so a median read from the rounded values is the rounded raw median.
create or replace macro response_bucket(x) as
    case when x <= 0 or not isfinite(x) then x else round(x, (2 - floor(log10(x)))::integer) end;

-- First response is a KPI per kind of channel: live ones (a person answers while the customer
-- waits: phone, chat, ...) and written ones (e-mail, web forms, ...), since their medians differ
-- a hundredfold and a blended median would move with the channel mix alone. Which channels are
-- live is the bound list $live_channels (cxdata.metrics.live_channels()), never stored.
create or replace macro is_live_channel(channel, live_channels) as list_contains(live_channels, channel);
create or replace macro first_response_kpi(is_live) as
    case when is_live then 'first_response_live' else 'first_response_written' end;

-- ---- Resolution ----------------------------------------------------------------------------------
-- Handled by an agent: the contact had a first response or an SLA (self-service sessions such as a
-- website visit have neither, and their resolved_at is the end of the session, not a resolution).
create or replace macro is_agent_handled(first_response_seconds, sla_seconds) as
    first_response_seconds is not null or sla_seconds is not null;
create or replace macro resolution_seconds_of(started, resolved) as epoch(resolved) - epoch(started);
-- First-contact resolution: an agent-handled contact resolved without escalation; its rate is
-- the share of the resolved agent-handled contacts (open ones are not judged yet).
create or replace macro is_first_contact_resolution(first_response_seconds, sla_seconds, resolved, escalated) as
    is_agent_handled(first_response_seconds, sla_seconds) and resolved is not null and not coalesce(escalated, false);
create or replace macro fcr_pct_of(n_first_contact, n_resolved) as 100.0 * n_first_contact / nullif(n_resolved, 0);
create or replace macro fcr_moe_of(n_first_contact, n_resolved) as
    pct_moe(n_first_contact / nullif(n_resolved, 0), n_resolved);

-- ---- The global filters ------------------------------------------------------------------------
-- $filters is one struct: a list of chosen values per dimension (empty = all). A dimension is one
-- entry in cxdata/filters.py DIMENSIONS, one column in the tables of sql/derived.sql, and one line
-- in each macro below; callers pass the row (a table alias), so none of them changes.
create or replace macro in_filter(allowed, v) as len(allowed) = 0 or list_contains(allowed, v);
-- Customer attributes: the only filters that apply to customer KPIs (churn, revenue, ...), since
-- a customer has no single channel, department or journey stage.
create or replace macro matches_customer(f, r) as
    in_filter(f['segment'], r.segment) and in_filter(f['region'], r.region) and in_filter(f['plan'], r.plan);
create or replace macro matches_activity(f, r) as
    matches_customer(f, r)
    and in_filter(f['channel'], r.channel) and in_filter(f['department'], r.department)
    and in_filter(f['journey_stage'], r.journey_stage);
-- No dimension narrowed: the company as a whole, which company-wide summaries can answer alone.
create or replace macro is_unfiltered(f) as
    len(f['segment']) + len(f['region']) + len(f['plan'])
    + len(f['channel']) + len(f['department']) + len(f['journey_stage']) = 0;

-- Nothing but departments narrowed (or nothing at all): what the by-department summaries answer alone.
create or replace macro is_department_view(f) as
    len(f['segment']) + len(f['region']) + len(f['plan']) + len(f['channel']) + len(f['journey_stage']) = 0;

-- ---- Raw rows under the filters (the reference path, and what the derived tables are built from) ----
-- $start inclusive, $stop exclusive (dates). Activity whose customer is not (yet) in customers
-- still counts while no customer attribute is chosen: a survey export loaded before the CRM
-- export is not silently dropped.
create or replace macro filtered_customers(f) as table
    select * from customers c where matches_customer(f, c);

-- Each customer's start for churn and retention: the signup date, else the day of their first
-- interaction, answer or transaction (null with none: a customer list alone has no churn base).
create or replace macro customer_started() as table
    with unknown as (select customer_id from customers where signup_date is null),
    first_seen as (
        select customer_id, min(on_day) as first_on from (
            select customer_id, started_at::date as on_day from interactions where customer_id in (select * from unknown)
            union all
            select customer_id, submitted_at::date from feedback where customer_id in (select * from unknown)
            union all
            select customer_id, occurred_at::date from transactions where customer_id in (select * from unknown))
        group by all)
    select c.customer_id, coalesce(c.signup_date, s.first_on) as started_on
    from customers c left join first_seen s using (customer_id);

-- ---- Who owes an answer (docs/service-levels.md) -------------------------------------------------
-- A fulfilment step, not a conversation: a purchase or order, a delivery leg, a payment, an
-- automatic event. A contact of such a kind on a touchpoint not listed expects no answer.
create or replace macro is_fulfilment_kind(kind) as
    coalesce(list_contains(['purchase', 'order', 'delivery', 'shipment', 'payment', 'event', 'notification'],
                           kind), false);
-- An answer is due only from a contact that opens a conversation with the company: its channel has a
-- response mode (immediate or deferred: channels, else the live-channel default; not 'none') and its
-- touchpoint expects an answer (touchpoints.expects_answer, else not self-service: see
-- answers_expected_of). A touchpoint not listed (or none) expects one when the contact had a first
-- response or an SLA and is not a fulfilment step. `response_mode` and `expects_answer` come from left
-- joins in interaction_rows, null when the channel or touchpoint is not listed.
create or replace macro is_answer_due(response_mode, expects_answer, kind, first_response_seconds, sla_seconds) as
    coalesce(response_mode <> 'none', true)
    and coalesce(expects_answer,
                 is_agent_handled(first_response_seconds, sla_seconds) and not is_fulfilment_kind(kind));
-- Each channel of the reference table once, and each touchpoint, for the left joins of
-- interaction_rows (never a subquery per row): how it answers, and whether it expects an answer.
create or replace macro channel_modes_of() as table
    select channel, any_value(response_mode) as response_mode from channels group by all;
create or replace macro answers_expected_of() as table
    select touchpoint, bool_or(coalesce(expects_answer, not is_self_service)) as expects_answer
    from touchpoints group by all;
-- Interactions with their customer's attributes and whether an answer was due (is_answer_due,
-- judged here once for every query that counts answers).
create or replace macro interaction_rows() as table
    select i.*, c.segment, c.region, c.plan,
           is_answer_due(m.response_mode, t.expects_answer, i.kind, i.first_response_seconds, i.sla_seconds) as is_due
    from interactions i
    left join customers c using (customer_id)
    left join channel_modes_of() m using (channel)
    left join answers_expected_of() t using (touchpoint);

-- Feedback takes its channel from the interaction it rates, and its department, journey stage
-- and touchpoint from that interaction when it has none of its own.
create or replace macro feedback_rows() as table
    select f.feedback_id, f.customer_id, f.interaction_id, f.submitted_at, f.survey, f.score, f.comment,
           coalesce(f.journey_stage, i.journey_stage) as journey_stage,
           coalesce(f.touchpoint, i.touchpoint) as touchpoint,
           coalesce(f.department, i.department) as department,
           i.channel, c.segment, c.region, c.plan
    from feedback f
    left join customers c using (customer_id)
    left join interactions i on i.interaction_id = f.interaction_id;

-- Answers that name a contact (interaction_id) no interactions row has (it was rejected, skipped or
-- never loaded) and give no department of their own: they count for the company, but for no
-- department, nor for a stage or touchpoint they do not name. The load report counts them and the
-- data page lists them (docs/loading.md).
create or replace macro answers_without_contact() as table
    select f.* from feedback f
    where f.interaction_id is not null and f.department is null
      and not exists (select 1 from interactions i where i.interaction_id = f.interaction_id);

create or replace macro filtered_interactions(start, stop, f) as table
    select * from interaction_rows() r
    where r.started_at >= start and r.started_at < stop
      and matches_activity(f, r);

create or replace macro filtered_feedback(start, stop, f) as table
    select * from feedback_rows() r
    where r.submitted_at >= start and r.submitted_at < stop
      and matches_activity(f, r);

create or replace macro transaction_rows() as table
    select t.*, c.segment, c.region, c.plan
    from transactions t left join customers c using (customer_id);

create or replace macro filtered_transactions(start, stop, f) as table
    select * from transaction_rows() r
    where r.occurred_at >= start and r.occurred_at < stop and matches_customer(f, r);

-- ---- Two-period comparisons --------------------------------------------------------------------
-- A comparison's two windows: 'current' ($start..$stop) and 'previous' ($cmp_start..$cmp_stop).
-- They may overlap (a range longer than a year against the same period last year): a row in
-- both counts in both. Each window is its own filtered scan (a union, not a range join).
create or replace macro comparison_periods(start, stop, cmp_start, cmp_stop) as table
    select 'current' as period, start::date as p_start, stop::date as p_stop
    union all
    select 'previous', cmp_start::date, cmp_stop::date;

create or replace macro feedback_in_periods(start, stop, cmp_start, cmp_stop, f) as table
    select 'current' as period, * from filtered_feedback(start, stop, f)
    union all
    select 'previous', * from filtered_feedback(cmp_start, cmp_stop, f);

-- Interactions of both windows, with whether each met its SLA as of the data's latest event.
create or replace macro interactions_in_periods(start, stop, cmp_start, cmp_stop, f) as table
    select period, sla_met(started_at, resolved_at, sla_seconds, interactions_as_of()) as is_sla_met, *
    from (select 'current' as period, * from filtered_interactions(start, stop, f)
          union all
          select 'previous', * from filtered_interactions(cmp_start, cmp_stop, f));

-- ---- Movers ------------------------------------------------------------------------------------
-- Which grouping set a movers row belongs to, from grouping() of the segment and department columns.
create or replace macro mover_dimension(segment_grouping, department_grouping) as
    case when segment_grouping = 0 then 'segment'
         when department_grouping = 0 then 'department'
         else 'journey_stage' end;

-- ---- Standing target misses ----------------------------------------------------------------------
-- The quarters a target history looks back over: the quarter of stop - 1 day and the 7 before it.
create or replace macro first_history_quarter(stop) as
    (date_trunc('quarter', stop::date - 1) - interval 21 month)::date;
create or replace macro history_quarters(stop) as table
    select unnest(generate_series(first_history_quarter(stop), stop::date - 1, interval 3 month))::date
           as quarter_start;
-- The target each department (null: the company) had for each metric in each history quarter:
-- the one in force on the quarter's last day, or on stop - 1 for the running quarter; when targets
-- overlap, the one that started last (as sql/kpi_targets.sql).
create or replace macro targets_by_quarter(stop) as table
    with days as (
        select quarter_start, least((quarter_start + interval 3 month)::date, stop::date) - 1 as judged_on
        from history_quarters(stop)
    )
    select d.quarter_start, t.metric, t.department, t.target
    from days d join targets t on t.period_start <= d.judged_on and t.period_end >= d.judged_on
    qualify row_number() over (partition by d.quarter_start, t.metric, t.department order by t.period_start desc) = 1;
-- One scope's target for a metric in a history quarter: the department's own (null department:
-- the company), else the company's.
create or replace macro quarter_target(stop, quarter, metric_name, department_name) as (
    select coalesce(max(t.target) filter (where t.department = department_name),
                    max(t.target) filter (where t.department is null))
    from targets_by_quarter(stop) t
    where t.quarter_start = quarter and t.metric = metric_name);

-- ---- Whole months -------------------------------------------------------------------------------
-- A range [start, stop) as whole calendar months [whole_months_from, whole_months_to) plus the
-- days before and after them, so monthly summaries answer most of it and daily ones the edges.
-- With no whole month inside, whole_months_from >= whole_months_to and the days cover it all.
create or replace macro whole_months_from(start) as
    (case when date_trunc('month', start::date) = start::date then start::date
          else (date_trunc('month', start::date) + interval 1 month)::date end);
create or replace macro whole_months_to(stop) as date_trunc('month', stop::date)::date;
create or replace macro in_edge_days(day, start, stop) as
    (day >= start and day < least(whole_months_from(start), stop))
    or (day >= greatest(whole_months_to(stop), least(whole_months_from(start), stop)) and day < stop);

-- The first day of the quarter holding stop: from a quarter's first day, the whole quarters end there.
create or replace macro whole_quarters_to(stop) as date_trunc('quarter', stop::date)::date;

-- ---- Monthly trends ----------------------------------------------------------------------------
-- The months of a trend line: the 12 calendar months before the one holding stop and, when stop
-- falls mid-month, that month after them. Which of them are complete is is_complete (sql/derived.sql).
create or replace macro trend_start(stop) as (date_trunc('month', stop::date) - interval 12 month)::date;
create or replace macro trend_months(stop) as table
    select unnest(generate_series(trend_start(stop), stop::date - 1, interval 1 month))::date as month_start;

-- ---- Trends at a grain (week, month, quarter) --------------------------------------------------------
-- A period is a calendar week (Monday first, as date_trunc), month or quarter; $grain names it.
create or replace macro period_of(day, grain) as date_trunc(grain, day::date)::date;
create or replace macro period_step(grain) as
    case grain when 'week' then interval 7 day when 'month' then interval 1 month else interval 3 month end;
-- The periods from the one holding `first` to the one holding stop - 1 day, each with its end
-- (exclusive; the last one ends at stop). Whether one is whole is is_complete (sql/derived.sql).
create or replace macro trend_periods(first, stop, grain) as table
    select period_start, least((period_start + period_step(grain))::date, stop::date) as period_end
    from (select unnest(generate_series(period_of(first, grain), stop::date - 1, period_step(grain)))::date
                 as period_start);
-- The member of a breakdown dimension a row belongs to (dim, bound as $by: a key of
-- cxdata.filters.DIMENSIONS; 'none': the whole view, null). A row without a value there is the
-- member '(not set)' (e.g. a relationship survey has no department), so the members add up to the
-- whole view. Customer tables have only the customer attributes.
create or replace macro customer_member(r, dim) as
    case when dim <> 'none' then coalesce(
        case dim when 'segment' then r.segment when 'region' then r.region when 'plan' then r.plan end,
        '(not set)') end;
create or replace macro activity_member(r, dim) as
    case when dim <> 'none' then coalesce(
        case dim when 'channel' then r.channel when 'department' then r.department
                 when 'journey_stage' then r.journey_stage when 'segment' then r.segment
                 when 'region' then r.region when 'plan' then r.plan end,
        '(not set)') end;

-- ---- Revenue per customer and lifetime value ---------------------------------------------------------
-- Revenue per active customer: revenue in a period / the average of the customers active at its
-- start and at its end.
create or replace macro revenue_per_active_of(revenue, n_active_at_start, n_active_at_end) as
    revenue / nullif((n_active_at_start + n_active_at_end) / 2.0, 0);
-- Customer lifetime value: revenue per active customer per year x gross margin / annual churn rate,
-- where a period of `days` days is annualised: revenue x 365.25 / days, and churn compounded,
-- 1 - (1 - churn)^(365.25 / days). No customer lost: no lifetime to measure (null).
create or replace macro annual_churn_of(churn_pct, days) as 1 - pow(1 - churn_pct / 100.0, 365.25 / days);
create or replace macro clv_of(revenue_per_active, days, churn_pct, gross_margin) as
    revenue_per_active * 365.25 / days * gross_margin / nullif(annual_churn_of(churn_pct, days), 0);

-- ---- Revenue retention (NRR, GRR) ----------------------------------------------------------------
-- Trailing twelve months in whole calendar months, as of the first day of the month of a period's
-- stop (exclusive): the last complete month by the period's end. The trailing year is the 12 months
-- before that day, the base year the 12 before those; the cohort is the customers with positive net
-- revenue in the base year, so new customers are excluded by construction.
create or replace macro retention_as_of(stop) as whole_months_to(stop);
create or replace macro trailing_year_start(as_of) as (as_of::date - interval 12 month)::date;
create or replace macro base_year_start(as_of) as (as_of::date - interval 24 month)::date;
-- The cohort: customers already signed up when the base year began (no signup date: long ago) who
-- paid in it. A customer who joined during the base year paid for part of it only, so a whole
-- trailing year would read as expansion.
create or replace macro is_in_retention_cohort(base_revenue, signup_date, as_of) as
    base_revenue > 0 and coalesce(signup_date, date '1900-01-01') < base_year_start(as_of);
-- A customer's retained revenue for GRR: expansion capped at the base, refunds beyond it floored at 0.
create or replace macro retained_revenue_of(current_revenue, base_revenue) as
    least(greatest(current_revenue, 0), base_revenue);
-- NRR: the cohort's trailing-year revenue / its base-year revenue; GRR: its retained revenue / the base.
create or replace macro nrr_of(current_revenue, base_revenue) as 100.0 * current_revenue / nullif(base_revenue, 0);
create or replace macro grr_of(retained_revenue, base_revenue) as 100.0 * retained_revenue / nullif(base_revenue, 0);
-- The as-of months the transactions cover: the base year starts on or after the first
-- transaction's day, and the trailing year ends by the month after the last transaction's day.
create or replace macro first_covered_as_of(first_on) as whole_months_from((first_on::date + interval 24 month)::date);
create or replace macro last_covered_as_of(last_on) as whole_months_to(last_on::date + 1);
-- Why a retention figure is withheld (null: it is shown), from the transactions' first and last
-- day and the cohort's base revenue.
create or replace macro retention_withheld(as_of, first_on, last_on, base_revenue) as
    case when first_on is null then 'no_transactions'
         when as_of < first_covered_as_of(first_on) then 'base_year_not_covered'
         when as_of > last_covered_as_of(last_on) then 'trailing_year_not_covered'
         when coalesce(base_revenue, 0) <= 0 then 'empty_cohort' end;

-- One row per as-of month in [first_as_of, last_as_of] (first days of months) x customer with
-- revenue in the two years before it: base-year and trailing-year net revenue, with the customer's
-- attributes (null for a customer not in customers). Transactions are first summed per customer
-- and month, so each as-of month adds up at most 24 small rows per customer, and the attributes
-- are joined to those sums rather than to every transaction.
create or replace macro customer_revenue_years(first_as_of, last_as_of) as table
    with as_of_months as (
        select unnest(generate_series(first_as_of::date, last_as_of::date, interval 1 month))::date as as_of
    ),
    monthly as (
        select customer_id, date_trunc('month', occurred_at)::date as month_start, sum(amount) as amount
        from transactions
        where occurred_at >= base_year_start(first_as_of) and occurred_at < last_as_of::date
        group by all
    ),
    years as (
        select a.as_of, m.customer_id,
               sum(m.amount) filter (where m.month_start < trailing_year_start(a.as_of)) as base_revenue,
               coalesce(sum(m.amount) filter (where m.month_start >= trailing_year_start(a.as_of)), 0) as current_revenue
        from as_of_months a
        join monthly m on m.month_start >= base_year_start(a.as_of) and m.month_start < a.as_of
        group by a.as_of, m.customer_id
    )
    select y.as_of, y.customer_id, c.segment, c.region, c.plan, c.signup_date, y.base_revenue, y.current_revenue
    from years y left join customers c using (customer_id);

-- ---- Journey map: complaints, SLA breaches, bad experiences, follow-up windows -------------------
create or replace macro is_complaint(kind) as kind = 'complaint';
-- Share of interactions that were complaints, and of the SLA-judged ones that missed their SLA.
create or replace macro complaint_pct_of(n_complaints, n) as 100.0 * n_complaints / nullif(n, 0);
create or replace macro complaint_moe_of(n_complaints, n) as pct_moe(n_complaints / nullif(n, 0), n);
create or replace macro sla_breach_pct_of(n_met, n_judged) as 100.0 - sla_pct_of(n_met, n_judged);
-- A bad experience in an answer: an NPS detractor (0-6), CSAT 1-2, CES 1-3 (7 = very easy).
create or replace macro is_bad_score(survey, s) as
    case survey when 'nps' then is_detractor(s) when 'csat' then s <= 2 when 'ces' then s <= 3 end;
-- A customer is lost within `days` of an experience on `day` when churned_on falls in [day, day + days).
create or replace macro is_lost_within(churned_on, day, days) as
    churned_on >= day and churned_on < day + to_days(days::integer);
-- Those days are all observed when the last of them is on or before the data's newest day;
-- a customer whose days are not over yet is censored (neither a stayer nor a leaver).
create or replace macro is_followed_up(day, days, newest_on) as day + to_days(days::integer) <= newest_on + 1;

-- ---- Churn risk (cxdata/churn, docs/churn-model.md) ----------------------------------------------
-- Revenue at risk: annual value x the risk score read as a probability of leaving (score in %).
create or replace macro value_at_risk_of(annual_value, score) as coalesce(annual_value, 0) * score / 100.0;
-- The explicit warning signs, each one alone an alert and the high band whatever the score, when it is
-- switched on as an alert rule (signs_on: a struct of one boolean per sign, cxdata/churn/alerts.py
-- Rules.params): asked to cancel in the last 90 days, a detractor with an open complaint, a failed
-- payment in the last 90 days not recovered (no payment since). has_explicit_signal: any of them fires
-- for a churn_scores row r. (Booleans, not a list searched on every row: the page reads every customer.)
create or replace macro has_explicit_signal(r, signs_on) as
    (coalesce(r.is_cancellation_contact, false) and signs_on.cancellation_contact)
    or (coalesce(r.is_detractor_open_complaint, false) and signs_on.detractor_open_complaint)
    or (coalesce(r.has_failed_payment, false) and signs_on.failed_payment);
-- The alert rules that fire for row r: 'score' (at or above the threshold) first, then its signs.
create or replace macro alert_rules_of(r, threshold, signs_on) as
    list_concat(list_concat(
        case when r.score >= threshold then ['score'] else [] end,
        case when coalesce(r.is_cancellation_contact, false) and signs_on.cancellation_contact
             then ['cancellation_contact'] else [] end),
        list_concat(
        case when coalesce(r.is_detractor_open_complaint, false) and signs_on.detractor_open_complaint
             then ['detractor_open_complaint'] else [] end,
        case when coalesce(r.has_failed_payment, false) and signs_on.failed_payment
             then ['failed_payment'] else [] end));
-- Risk band, the one verdict every query shows: high from the alert threshold or with an explicit
-- warning sign (is_explicit: has_explicit_signal), medium from half the threshold, else low.
create or replace macro churn_band_of(score, threshold, is_explicit) as
    case when score >= threshold or is_explicit then 'high' when score >= threshold / 2.0 then 'medium' else 'low' end;

-- ---- Service levels: who owes an answer, and contacts never answered (docs/service-levels.md) --------
-- Who owes an answer (is_answer_due) is decided with the interactions' rows: see interaction_rows.
-- Never answered: an answer was due and none came, judged once the contact was closed or has been
-- open for a day (as of now_at); a contact opened an hour ago without a reply is not judged yet.
create or replace macro is_unanswered(is_due, first_response_seconds, started, resolved, now_at) as
    is_due and first_response_seconds is null and (resolved is not null or started + interval 1 day <= now_at);
-- The first-response time that response levels count, over the contacts due an answer: the response,
-- else +infinity for a contact never answered (slower than any answer, so it counts against the median
-- instead of vanishing from it); null when no answer was due or the contact is not judged yet. A
-- median that is +infinity means over half of those contacts were never answered, and reads so
-- (cxdata.formatting.over_half_unanswered), never as a number.
create or replace macro counted_response_seconds(is_due, first_response_seconds, started, resolved, now_at) as
    case when not is_due then null
         when first_response_seconds is not null then first_response_seconds
         when is_unanswered(is_due, first_response_seconds, started, resolved, now_at) then 'infinity'::double end;
-- Shares of the contacts due an answer: answered immediately, never answered, escalated; and of the
-- deferred ones judged, resolved within the deferred promise. All are proportions with pct_moe.
create or replace macro service_pct_of(n_part, n) as 100.0 * n_part / nullif(n, 0);
create or replace macro service_moe_of(n_part, n) as pct_moe(n_part / nullif(n, 0), n);
