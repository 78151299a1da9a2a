-- one row per filter dimension x value that exists in the data: the choices the sidebar offers
-- and the allow-list that URL parameters are checked against.
select 'segments' as dimension, segment as value from customers where segment is not null group by all
union
select 'regions', region from customers where region is not null group by all
union
select 'channels', channel from interactions where channel is not null group by all
union
select 'departments', department from interactions where department is not null group by all
union
select 'departments', department from feedback where department is not null group by all
order by dimension, value
