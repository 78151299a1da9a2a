-- one row per filter dimension x value that exists in the data: the choices the sidebar offers
-- and the allow-list that URL parameters are checked against (kept in the derived layer)
select dimension, value from filter_values order by dimension, value
