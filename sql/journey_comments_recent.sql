-- one row per comment, the $limit newest in $start..$stop under $filters about stage $stage and
-- touchpoint $touchpoint (null: all of the stage's): when, which survey, the score and the text
-- (unmasked: cxdata.journey masks e-mail addresses and phone numbers before anything shows it)
select submitted_at, survey, score, comment, touchpoint, channel, department
from journey_comments c
where c.submitted_at >= $start and c.submitted_at < $stop and matches_activity($filters, c)
  and c.journey_stage = $stage and ($touchpoint is null or c.touchpoint = $touchpoint)
order by submitted_at desc, comment
limit $limit
