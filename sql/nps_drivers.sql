-- one row per driver dimension (touchpoint, department, channel) x member, plus one 'company' row
-- (member null) for the whole view: how NPS differs between the respondents who had a good and a
-- bad experience there in $start..$stop, and how satisfied customers are there; read from the
-- derived survey_answers (sql/raw_nps_drivers.sql computes the same from raw rows). The method is
-- nps_drivers_of in sql/derived.sql; docs/metrics.md, "Drivers of NPS", explains it.
-- Respondents take the customer filters (segment, region, plan) only: NPS is the customer's
-- verdict on the company. Experiences and performance take every filter.
-- Columns: n_nps_respondents (customers with an NPS answer in view), n_respondents (those with an
-- experience here) = n_good + n_bad, reach (% of respondents with an experience here), the NPS of
-- each group with its 95% margin, and CSAT here (csat, csat_moe, n_csat: every CSAT answer here).
select * from nps_drivers_of($start, $stop, $filters, true)
order by dimension, member
