-- The derived layer after a load, rebuilt only where the load's rows reach (cxdata.derive.refresh;
-- docs/performance.md, "Daily loads"). Runs on the writable copy, after the load, in place of
-- sql/derived.sql when the layer was built by this version of the code and the load changed only
-- customers, contacts, answers and transactions. Each table is rebuilt by the same <table>_rows macro
-- as the full rebuild, for the days in refresh_days (or the customers in refresh_customers) only; the
-- small customer-level tables are rebuilt whole. The parity test (tests/test_incremental.py) checks
-- that this leaves every table equal to a full rebuild, row for row.
--
-- The load's changes are in the table refresh_changes (source, row_id, customer_id, on_day), one
-- row for each new or updated row, for its values before and after (cxdata/load/write.py).

delete from refresh_days;
delete from refresh_customers;

-- The days and customers a changed row reaches: its own day and customer, before and after.
insert into refresh_days
select distinct source, on_day from refresh_changes
where source in ('interactions', 'feedback', 'transactions') and on_day is not null;
insert into refresh_customers
select distinct customer_id from refresh_changes where customer_id is not null;

-- A customer whose attributes changed (segment, region, plan, churn, value): every day of theirs.
insert into refresh_days
with changed as (select row_id as customer_id from refresh_changes where source = 'customers')
select 'interactions', started_at::date from interactions where customer_id in (select * from changed)
union select 'feedback', submitted_at::date from feedback where customer_id in (select * from changed)
union select 'transactions', occurred_at::date from transactions where customer_id in (select * from changed);

-- An answer takes its channel, department, stage and touchpoint from the contact it rates: the answers
-- rating a changed contact (arriving before or after it) are rebuilt on their own days.
insert into refresh_days
select distinct 'feedback', submitted_at::date from feedback
where interaction_id in (select row_id from refresh_changes where source = 'interactions');
insert into refresh_customers
select distinct customer_id from feedback
where interaction_id in (select row_id from refresh_changes where source = 'interactions');

-- Contacts are judged as of the data's latest event: when a load moves it, a contact whose promise
-- (its SLA, or the deferred promise of the service levels) or whose day to be answered falls between
-- the old and the new latest event is judged differently, so its day and its customer are rebuilt.
create or replace temp table refresh_judged as
with moved as (
    select least(old_at, new_at) as low_at, greatest(old_at, new_at) as high_at
    from (select (select latest_event_at from derived_info) as old_at, interactions_as_of() as new_at)
    where old_at is distinct from new_at
)
select i.customer_id, i.started_at::date as started_on
from interactions i, moved m, service_settings s
where i.started_at > m.low_at - to_seconds(greatest((select max(sla_seconds) from interactions),
                                                    s.deferred_seconds, 86400))  -- the longest wait below
  and ((i.started_at + to_seconds(i.sla_seconds) > m.low_at and i.started_at + to_seconds(i.sla_seconds) <= m.high_at)
   or (i.started_at + to_seconds(s.deferred_seconds) > m.low_at
       and i.started_at + to_seconds(s.deferred_seconds) <= m.high_at)
   or (i.started_at + interval 1 day > m.low_at and i.started_at + interval 1 day <= m.high_at));
insert into refresh_days select distinct 'interactions', started_on from refresh_judged;
insert into refresh_customers select distinct customer_id from refresh_judged;
drop table refresh_judged;

-- The days as lists, for the macros' filters (is_rebuilt_day in sql/derived.sql).
set variable rebuilt_interactions = (select coalesce(list(distinct day order by day), [])
                                     from refresh_days where source = 'interactions');
set variable rebuilt_feedback = (select coalesce(list(distinct day order by day), [])
                                 from refresh_days where source = 'feedback');
set variable rebuilt_transactions = (select coalesce(list(distinct day order by day), [])
                                     from refresh_days where source = 'transactions');
-- A customer's journey row of a day holds that day's contacts and answers: the days of either.
set variable rebuilt_journey = (select coalesce(list(distinct day order by day), [])
                                from refresh_days where source in ('interactions', 'feedback'));

-- ---- The tables by day: what the macros give for the days above replaces what was there ---------
delete from channel_modes;
insert into channel_modes select * from channel_modes_rows();

delete from feedback_daily where is_rebuilt_day('feedback', submitted_on, false);
insert into feedback_daily select * from feedback_daily_rows(false);
delete from interactions_daily where is_rebuilt_day('interactions', started_on, false);
insert into interactions_daily select * from interactions_daily_rows(false);
delete from response_times_daily where is_rebuilt_day('interactions', started_on, false);
insert into response_times_daily select * from response_times_daily_rows(false);
delete from resolution_times_daily where is_rebuilt_day('interactions', started_on, false);
insert into resolution_times_daily select * from resolution_times_daily_rows(false);
delete from revenue_daily where is_rebuilt_day('transactions', occurred_on, false);
insert into revenue_daily select * from revenue_daily_rows(false);
delete from survey_answers where is_rebuilt_day('feedback', submitted_at, false);
insert into survey_answers select * from survey_answers_rows(false);
delete from followup_answers where is_rebuilt_day('feedback', submitted_at, false);
insert into followup_answers select * from followup_answers_rows(false);
delete from journey_touchpoints_daily where is_rebuilt_day('interactions', started_on, false);
insert into journey_touchpoints_daily select * from journey_touchpoints_daily_rows(false);
delete from journey_feedback_daily where is_rebuilt_day('feedback', submitted_on, false);
insert into journey_feedback_daily select * from journey_feedback_daily_rows(false);
delete from journey_comments where is_rebuilt_day('feedback', submitted_at, false);
insert into journey_comments select * from journey_comments_rows(false);
delete from feedback_comments where is_rebuilt_day('feedback', submitted_at, false);
insert into feedback_comments select * from feedback_comments_rows(false);
delete from service_daily where is_rebuilt_day('interactions', started_on, false);
insert into service_daily select * from service_daily_rows(false);
delete from open_contacts where is_rebuilt_day('interactions', started_at, false);
insert into open_contacts select * from open_contacts_rows(false);

-- ---- The sums of the daily tables, by the months and quarters of those days ----------------------
delete from resolution_times_company_monthly where is_rebuilt_period('interactions', 'month', started_on, false);
insert into resolution_times_company_monthly select * from resolution_times_company_monthly_rows(false);
delete from response_times_department_quarterly
where is_rebuilt_period('interactions', 'quarter', started_on, false);
insert into response_times_department_quarterly select * from response_times_department_quarterly_rows(false);
delete from resolution_times_department_quarterly
where is_rebuilt_period('interactions', 'quarter', started_on, false);
insert into resolution_times_department_quarterly select * from resolution_times_department_quarterly_rows(false);
delete from response_times_company_daily where is_rebuilt_period('interactions', 'day', started_on, false);
insert into response_times_company_daily select * from response_times_company_daily_rows(false);
delete from response_times_company_monthly where is_rebuilt_period('interactions', 'month', started_on, false);
insert into response_times_company_monthly select * from response_times_company_monthly_rows(false);

-- ---- The customers' journey rows: the customers above on the journey days (their quarters for the
-- first bad days), the new customers numbered after the others ---------------------------------------
insert into journey_customer_keys
select customer_id, (select coalesce(max(customer_key), 0) from journey_customer_keys)
                    + row_number() over (order by customer_id)::uinteger
from (select distinct customer_id from refresh_customers
      where customer_id not in (select customer_id from journey_customer_keys));
delete from journey_first_bad_quarters
where customer_key in (select customer_key from journey_customer_keys
                       where customer_id in (select customer_id from refresh_customers))
  and is_rebuilt_period('journey', 'quarter', quarter_start, false);
delete from journey_customer_days
where customer_key in (select customer_key from journey_customer_keys
                       where customer_id in (select customer_id from refresh_customers))
  and is_rebuilt_day('journey', active_on, false);
insert into journey_customer_days select * from journey_customer_days_rows(false);
insert into journey_first_bad_quarters select * from journey_first_bad_quarters_rows(false);

-- ---- Revenue retention: the as-of months from the month of the earliest day with a changed
-- transaction (a changed customer's transactions are all on such days); none without one.
set variable retention_since = coalesce((select date_trunc('month', min(day))::date from refresh_days
                                         where source = 'transactions'), date '9999-12-01');
delete from revenue_retention_monthly where as_of >= getvariable('retention_since');
insert into revenue_retention_monthly
select * from revenue_retention_monthly_rows(getvariable('retention_since')) order by as_of;

-- ---- Rebuilt whole: one row per customer attribute set or less, and what the data holds -----------
-- The customer spans read the customers, and the first day seen of those without a signup date: only a
-- change to either rebuilds them (a day's contacts of known customers leaves them as they are).
set variable spans_changed = exists (select 1 from refresh_changes where source = 'customers')
    or exists (select 1 from customers where signup_date is null
               and customer_id in (select customer_id from refresh_customers));
delete from customer_spans where getvariable('spans_changed');
insert into customer_spans select * from customer_spans_rows() where getvariable('spans_changed') order by signup_on;
delete from customer_spans_monthly where getvariable('spans_changed');
insert into customer_spans_monthly select * from customer_spans_monthly_rows() where getvariable('spans_changed');
delete from filter_values;
insert into filter_values select * from filter_values_rows() order by dimension, value;
delete from derived_info;
insert into derived_info select * from derived_info_rows();

-- The stored journey views (of the whole company) are out of date once any day or customer changed:
-- the scheduled refresh computes them again (cxdata.journey.store_presets); the page computes a view
-- it does not find.
delete from journey_flow_presets
where exists (select 1 from refresh_days) or exists (select 1 from refresh_customers);
