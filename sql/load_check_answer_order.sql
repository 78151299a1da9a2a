-- one row: answers (feedback) linked to a loaded contact, and how many are dated before that contact
-- began, for the loader's plausibility checks (cxdata/load/checks.py).
select count(*) as n_linked,
       count(*) filter (where f.submitted_at < i.started_at) as n_before_contact,
       max(i.started_at - f.submitted_at) filter (where f.submitted_at < i.started_at) as most_before
from feedback f
join interactions i using (interaction_id)
