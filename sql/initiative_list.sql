-- one row per loaded initiative (docs/initiatives.md); the app's edits are merged over it from the store
select name, owner, department, start_date, end_date, cost, kpi, expected_change,
       segments, regions, channels, touchpoints, departments
from initiatives
order by start_date, name
