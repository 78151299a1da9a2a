-- one row per week x group: the contacts around an initiative's start, in its scope or not (the
-- comparison), as sums of each contact's value: 100 for a complaint, else 0 (complaint_pct_of's
-- parts), from the daily parts of the derived layer (journey_touchpoints_daily: every contact, by
-- touchpoint). week 0 = the 7 days from $start_on, negative = before it. $scope as in initiative_answers.
with contacts as (
    select floor(date_diff('day', $start_on::date, d.started_on) / 7)::integer as week,
           coalesce(in_filter($scope['segment'], d.segment) and in_filter($scope['region'], d.region)
                    and in_filter($scope['channel'], d.channel) and in_filter($scope['touchpoint'], d.touchpoint)
                    and in_filter($scope['department'], d.department), false) as is_in_scope,
           d.n_interactions, d.n_complaints
    from journey_touchpoints_daily d
    where d.started_on >= $first_on::date and d.started_on < $stop_on::date and matches_activity($filters, d)
),

final as (
    select 'week' as span, week, case when is_in_scope then 'scope' else 'comparison' end as "group",
           sum(n_interactions) as n, 100.0 * sum(n_complaints) as sum_y, 10000.0 * sum(n_complaints) as sum_y2,
           null::double as value_sum
    from contacts
    group by all
)

select * from final order by week, "group"
