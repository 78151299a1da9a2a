-- one row: of the contacts a load wrote ($loaded names a temp table of their interaction_id), how many
-- were due an answer (is_answer_due) and how many of those never got one (is_unanswered, as of the
-- data's latest event), for the load report
select count(*) filter (where r.is_due) as n_due,
       count(*) filter (where is_unanswered(r.is_due, r.first_response_seconds, r.started_at, r.resolved_at,
                                            interactions_as_of())) as n_unanswered
from interaction_rows() r
where r.interaction_id in (select interaction_id from query_table($loaded))
