-- one row per week x group: the contacts around an initiative's start, in its scope or not (the
-- comparison), as sums of each contact's value: 100 for a complaint, else 0 (complaint_pct_of's
-- parts). week 0 = the 7 days from $start_on, negative = before it. $scope as in initiative_answers.
with contacts as (
    select floor(date_diff('day', $start_on::date, r.started_at::date) / 7)::integer as week,
           coalesce(in_filter($scope['segment'], r.segment) and in_filter($scope['region'], r.region)
                    and in_filter($scope['channel'], r.channel) and in_filter($scope['touchpoint'], r.touchpoint)
                    and in_filter($scope['department'], r.department), false) as is_in_scope,
           100.0 * coalesce(is_complaint(r.kind), false)::integer as y
    from filtered_interactions($first_on::date, $stop_on::date, $filters) r
),

final as (
    select 'week' as span, week, case when is_in_scope then 'scope' else 'comparison' end as "group",
           count(*) as n, sum(y) as sum_y, sum(y * y) as sum_y2, null::double as value_sum
    from contacts
    group by all
)

select * from final order by week, "group"
