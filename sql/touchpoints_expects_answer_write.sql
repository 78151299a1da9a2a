-- a write, one row per touchpoint of the contacts a file loaded ($loaded names a temp table of their
-- interaction_id and touchpoint): whether it expects an answer, as the file's mapping says
-- ($expects_answer); a touchpoint not yet listed is added as not self-service
merge into touchpoints t
using (select distinct touchpoint from query_table($loaded) where touchpoint is not null) s
on t.touchpoint = s.touchpoint
when matched then update set expects_answer = $expects_answer
when not matched then insert (touchpoint, is_self_service, expects_answer) values (s.touchpoint, false, $expects_answer)
