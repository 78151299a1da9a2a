-- The spare (the previous generation of the database, cxdata/db.py) takes the rows the live file's last
-- write changed, from the live file attached read-only as live: the raw rows by key as the write noted
-- them (sql/last_write_keep.sql), each customer's attribute spans with the customer, the loads' records
-- by load, and the small tables whole. The same refresh of the derived layer follows (cxdata.derive).
create temp table spare_keys as select distinct source, row_id from live.last_write_changes where row_id is not null;

delete from customers where customer_id in (select row_id from spare_keys where source = 'customers');
insert into customers by name select * from live.customers
where customer_id in (select row_id from spare_keys where source = 'customers');
delete from customer_history where customer_id in (select row_id from spare_keys where source = 'customers');
insert into customer_history by name select * from live.customer_history
where customer_id in (select row_id from spare_keys where source = 'customers');
delete from interactions where interaction_id in (select row_id from spare_keys where source = 'interactions');
insert into interactions by name select * from live.interactions
where interaction_id in (select row_id from spare_keys where source = 'interactions');
delete from feedback where feedback_id in (select row_id from spare_keys where source = 'feedback');
insert into feedback by name select * from live.feedback
where feedback_id in (select row_id from spare_keys where source = 'feedback');
delete from transactions where transaction_id in (select row_id from spare_keys where source = 'transactions');
insert into transactions by name select * from live.transactions
where transaction_id in (select row_id from spare_keys where source = 'transactions');

create temp table spare_new_loads as select load_id from live.loads except select load_id from main.loads;
insert into loads by name select * from live.loads where load_id in (select load_id from spare_new_loads);
insert into load_warnings by name select * from live.load_warnings where load_id in (select load_id from spare_new_loads);
insert into provided_columns by name select * from live.provided_columns
where load_id in (select load_id from spare_new_loads);
insert into rejected_rows by name select * from live.rejected_rows where load_id in (select load_id from spare_new_loads);

delete from targets;
insert into targets by name select * from live.targets;
delete from initiatives;
insert into initiatives by name select * from live.initiatives;
delete from initiative_checkpoints;
insert into initiative_checkpoints by name select * from live.initiative_checkpoints;
delete from channels;
insert into channels by name select * from live.channels;
delete from touchpoints;
insert into touchpoints by name select * from live.touchpoints;
delete from journey_stages;
insert into journey_stages by name select * from live.journey_stages;
delete from dataset;
insert into dataset by name select * from live.dataset;

drop table spare_keys;
drop table spare_new_loads
