-- one row per loaded checkpoint, with its initiative's department (a user scoped to departments sees
-- the checkpoints of their departments' initiatives, and of those of no department)
select k.initiative, k.due_date, k.what, k.metric, k.target, i.department
from initiative_checkpoints k
left join initiatives i on i.name = k.initiative
order by k.initiative, k.due_date, k.what
