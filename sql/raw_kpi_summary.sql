-- one row per KPI x period, as sql/kpi_summary.sql, computed from raw rows: the reference the
-- derived path is checked against (tests/test_derived_parity.py) and timed against (the bench).
with survey_kpis as (
    select survey as kpi, period,
           survey_score(survey, score) as value, survey_moe(survey, score) as moe, count(score) as n
    from feedback_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    group by survey, period
),

nps_parts as (
    select period, count(score) as n, count(*) filter (where is_promoter(score)) as n_promoters,
           count(*) filter (where is_detractor(score)) as n_detractors
    from feedback_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
    where survey = 'nps'
    group by period
),

nps_composition as (  -- one row per class of NPS answer: its share of the answers
    select kpi, period, nps_class_pct_of(n_class, n) as value, nps_class_moe_of(n_class, n) as moe, n
    from (select period, n, unnest(['nps_promoters', 'nps_passives', 'nps_detractors']) as kpi,
                 unnest([n_promoters, nps_passives_of(n_promoters, n_detractors, n), n_detractors]) as n_class
          from nps_parts)
),

interactions_both as (
    select * from interactions_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters)
),

service_counts as (  -- both periods, with 0 contacts when none matches
    select p.period, count(i.period) as n_contacts,
           count(*) filter (where i.is_sla_met) as n_met, count(i.is_sla_met) as n_judged
    from comparison_periods($start, $stop, $cmp_start, $cmp_stop) p
    left join interactions_both i using (period)
    group by p.period
),

response_counts as (
    select period, first_response_kpi(is_live_channel(channel, $live_channels)) as kpi,
           median_ladder(counted_response_seconds(is_due, first_response_seconds, started_at, resolved_at,
                                                  interactions_as_of())) as response_ladder,
           count(counted_response_seconds(is_due, first_response_seconds, started_at, resolved_at,
                                          interactions_as_of())) as n_response
    from interactions_both
    group by all
),

service_kpis as (
    select 'sla_compliance' as kpi, period, sla_pct_of(n_met, n_judged) as value,
           sla_moe_of(n_met, n_judged) as moe, n_judged as n
    from service_counts where n_judged > 0
    union all
    select 'contacts', period, n_contacts, null, n_contacts from service_counts
    union all
    select kpi, period, median_of_ladder(response_ladder),
           median_moe_of_ladder(response_ladder, n_response), n_response
    from response_counts where n_response > 0
),

customer_kpis as (
    select * from customer_kpis_in_periods($start, $stop, $cmp_start, $cmp_stop, $filters, false)
),

revenue_kpis as (
    select 'revenue' as kpi, p.period, coalesce(sum(t.amount), 0)::double as value, null::double as moe,
           count(t.amount) as n
    from comparison_periods($start, $stop, $cmp_start, $cmp_stop) p
    left join filtered_transactions(least($start, $cmp_start), greatest($stop, $cmp_stop), $filters) t
        on t.occurred_at >= p.p_start and t.occurred_at < p.p_stop
    group by p.period
),

final as (
    select * from survey_kpis
    union all select * from nps_composition
    union all select * from service_kpis
    union all select * from customer_kpis
    union all select * from revenue_kpis
)

select kpi, period, value::double as value, moe::double as moe, n::bigint as n from final
order by kpi, period
