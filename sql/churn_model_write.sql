-- one row: which risk score the current churn_scores come from, trained on what, how the two model
-- families compared on the held-back customers and how well the kept one's probabilities held there
-- (cxdata.churn.scoring)
create or replace table churn_model as
select $kind::varchar as kind, $as_of::date as scored_as_of, $trained_on::date[] as trained_on,
       $n_train::bigint as n_train, $n_churners::bigint as n_churners, $min_churners::integer as min_churners,
       $weights::varchar as weights_json, $family::varchar as family,
       $auc_logistic::double as auc_logistic, $auc_trees::double as auc_trees,
       $n_check::bigint as n_check, $n_check_churners::bigint as n_check_churners,
       $calibration::varchar as calibration_json
