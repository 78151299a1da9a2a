-- one row per survey answer behind a survey score ($kpi: nps, csat or ces) in $start..$stop under
-- $filters (filtered_feedback, as the score itself), with what it counts as; at most $limit rows,
-- the newest first; n_rows is how many there are in all. Comments are masked by the caller.
select r.feedback_id, r.submitted_at, r.survey, r.score,
       case when r.survey = 'nps' then
                case when is_promoter(r.score) then 'promoter' when is_detractor(r.score) then 'detractor'
                     else 'passive' end
            when r.survey = 'csat' then case when is_satisfied(r.score) then 'satisfied' else 'not satisfied' end
       end as counts_as,
       r.customer_id, r.segment, r.region, r.plan, r.channel, r.department, r.journey_stage, r.touchpoint,
       r.comment,
       count(*) over () as n_rows
from filtered_feedback($start, $stop, $filters) r
where r.survey = $kpi
order by r.submitted_at desc, r.feedback_id
limit $limit
