-- one row per week x group: the answers of one survey around an initiative's start, in its scope or
-- not (the comparison), as sums of each answer's value (cxdata/initiatives/kpis.py): NPS +100 / 0 /
-- -100, CSAT 100 / 0, CES its 1-7 score, from the daily parts of the derived layer. week 0 = the 7 days
-- from $start_on, negative = before it. $scope: a list of values per dimension (empty = every value),
-- bound like $filters. A scope on touchpoints reads journey_feedback_daily (answers about a touchpoint);
-- the comparison is every answer (feedback_daily) less the scope's.
with every_answer as (
    select floor(date_diff('day', $start_on::date, d.submitted_on) / 7)::integer as week, d.*,
           coalesce(in_filter($scope['segment'], d.segment) and in_filter($scope['region'], d.region)
                    and in_filter($scope['channel'], d.channel)
                    and in_filter($scope['department'], d.department), false) as is_in_scope
    from feedback_daily d
    where d.survey = $survey and d.submitted_on >= $first_on::date and d.submitted_on < $stop_on::date
      and matches_activity($filters, d)
),

by_touchpoint as (
    select floor(date_diff('day', $start_on::date, d.submitted_on) / 7)::integer as week, d.*
    from journey_feedback_daily d
    where len($scope['touchpoint']) > 0
      and d.survey = $survey and d.submitted_on >= $first_on::date and d.submitted_on < $stop_on::date
      and matches_activity($filters, d)
      and coalesce(in_filter($scope['segment'], d.segment) and in_filter($scope['region'], d.region)
                   and in_filter($scope['channel'], d.channel) and in_filter($scope['touchpoint'], d.touchpoint)
                   and in_filter($scope['department'], d.department), false)
),

parts as (
    select 'all' as part, week, n, n_promoters, n_detractors, n_satisfied, score_sum, score_sumsq
    from every_answer
    union all
    select 'scope', week, n, n_promoters, n_detractors, n_satisfied, score_sum, score_sumsq
    from every_answer where is_in_scope and len($scope['touchpoint']) = 0
    union all
    select 'scope', week, n, n_promoters, n_detractors, n_satisfied, score_sum, score_sumsq
    from by_touchpoint
),

sums as (
    select part, week, sum(n) as n,
           case $survey when 'nps' then 100.0 * sum(n_promoters - n_detractors)
                        when 'csat' then 100.0 * sum(n_satisfied)
                        else sum(score_sum)::double end as sum_y,
           case $survey when 'nps' then 10000.0 * sum(n_promoters + n_detractors)
                        when 'csat' then 10000.0 * sum(n_satisfied)
                        else sum(score_sumsq)::double end as sum_y2
    from parts
    group by all
),

final as (
    select 'week' as span, a.week, g."group",
           case g."group" when 'scope' then coalesce(s.n, 0) else a.n - coalesce(s.n, 0) end as n,
           case g."group" when 'scope' then coalesce(s.sum_y, 0) else a.sum_y - coalesce(s.sum_y, 0) end as sum_y,
           case g."group" when 'scope' then coalesce(s.sum_y2, 0) else a.sum_y2 - coalesce(s.sum_y2, 0) end as sum_y2,
           null::double as value_sum
    from sums a
    cross join (select unnest(['scope', 'comparison']) as "group") g
    left join sums s on s.part = 'scope' and s.week = a.week
    where a.part = 'all'
)

select * from final where n > 0 order by week, "group"
