-- one row per week x group: the answers of one survey around an initiative's start, in its scope or
-- not (the comparison), as sums of each answer's value (cxdata/initiatives/kpis.py): NPS +100 / 0 /
-- -100, CSAT 100 / 0, CES its 1-7 score. week 0 = the 7 days from $start_on, negative = before it.
-- $scope: a list of values per dimension (empty = every value), bound like $filters.
with answers as (
    select floor(date_diff('day', $start_on::date, r.submitted_at::date) / 7)::integer as week,
           coalesce(in_filter($scope['segment'], r.segment) and in_filter($scope['region'], r.region)
                    and in_filter($scope['channel'], r.channel) and in_filter($scope['touchpoint'], r.touchpoint)
                    and in_filter($scope['department'], r.department), false) as is_in_scope,
           case $survey when 'nps' then 100.0 * (is_promoter(r.score)::integer - is_detractor(r.score)::integer)
                        when 'csat' then 100.0 * is_satisfied(r.score)::integer
                        else r.score::double end as y
    from filtered_feedback($first_on::date, $stop_on::date, $filters) r
    where r.survey = $survey
),

final as (
    select 'week' as span, week, case when is_in_scope then 'scope' else 'comparison' end as "group",
           count(*) as n, sum(y) as sum_y, sum(y * y) as sum_y2, null::double as value_sum
    from answers
    group by all
)

select * from final order by week, "group"
