-- one row per driver dimension x member, plus the company row, as sql/nps_drivers.sql, computed
-- from raw rows (feedback joined to the interactions it rates and to customers): the reference the
-- derived path is checked against (tests/test_derived_parity.py) and timed against.
select * from nps_drivers_of($start, $stop, $filters, false)
order by dimension, member
