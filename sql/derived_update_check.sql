-- one row: whether a load's changes (the table refresh_changes) can be applied to the derived layer by
-- sql/derived_update.sql instead of a full rebuild (cxdata.derive.refresh): not when a table the
-- layer reads whole changed (a 'full' row: channels, touchpoints, journey stages), nor when a changed
-- contact or answer names a journey stage or touchpoint the layer's enums do not hold, nor before the
-- layer holds any contact.
with changed as (
    select journey_stage, touchpoint from interactions
    where interaction_id in (select row_id from refresh_changes where source = 'interactions')
    union all
    select journey_stage, touchpoint from feedback
    where feedback_id in (select row_id from refresh_changes where source = 'feedback')
)
select
    (select count(*) from refresh_changes where source = 'full') as n_full,
    (select count(*) from changed
     where journey_stage not in (select unnest(enum_range(null::journey_stage_name))::varchar)) as n_new_stages,
    (select count(*) from changed
     where touchpoint not in (select unnest(enum_range(null::touchpoint_name))::varchar)) as n_new_touchpoints,
    (select latest_event_at from derived_info) as latest_event_at
