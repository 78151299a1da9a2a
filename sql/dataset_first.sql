-- one row at most: the dataset id of a database that has none yet (its first load)
insert into dataset
select $dataset_id, $created_at
where not exists (select 1 from dataset)
