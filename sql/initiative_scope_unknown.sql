-- one row per scope column of the initiatives table with values no loaded row has (a load warning):
-- the column and those values, sorted. Skipped for a dimension with no data at all.
with scope_values as (
    select 'segments' as column_name, trim(unnest(string_split(segments, ';'))) as value from initiatives
    union all select 'regions', trim(unnest(string_split(regions, ';'))) from initiatives
    union all select 'channels', lower(trim(unnest(string_split(channels, ';')))) from initiatives
    union all select 'touchpoints', trim(unnest(string_split(touchpoints, ';'))) from initiatives
    union all select 'departments', trim(unnest(string_split(departments, ';'))) from initiatives
),

known as (
    select 'segments' as column_name, segment as value from customers
    union select 'regions', region from customers
    union select 'channels', channel from interactions
    union select 'touchpoints', touchpoint from interactions
    union select 'touchpoints', touchpoint from feedback
    union select 'departments', department from interactions
    union select 'departments', department from feedback
),

final as (
    select s.column_name, list_sort(list(distinct s.value)) as unknown_values
    from scope_values s
    where s.value <> ''
      and s.column_name in (select column_name from known where value is not null)
      and not exists (select 1 from known k where k.column_name = s.column_name and k.value = s.value)
    group by all
)

select * from final order by column_name
