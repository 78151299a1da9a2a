-- one row per answer whose contact was not loaded (the macro answers_without_contact), newest first,
-- at most $limit rows; n_answers is how many there are in all.
select feedback_id, interaction_id, customer_id, submitted_at, survey, score, journey_stage, touchpoint,
       count(*) over () as n_answers
from answers_without_contact()
order by submitted_at desc, feedback_id
limit $limit
