-- one row: the code version that built the derived layer of this database
select version from derived_info
