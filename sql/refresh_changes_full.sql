-- A change the derived layer must be rebuilt whole for (sql/refresh_changes.sql).
insert into refresh_changes values ('full', null, null, null)
