-- one row: which risk score the current churn_scores come from, trained on what (cxdata.churn.scoring)
create or replace table churn_model as
select $kind::varchar as kind, $as_of::date as scored_as_of, $trained_on::date[] as trained_on,
       $n_train::bigint as n_train, $n_churners::bigint as n_churners, $min_churners::integer as min_churners,
       $weights::varchar as weights_json
