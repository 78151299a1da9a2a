-- one row (none in a database written before datasets had an id): the dataset this database holds
select dataset_id from dataset order by created_at limit 1
