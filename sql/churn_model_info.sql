-- one row: which risk score is in use and what it was trained on
select kind, scored_as_of, trained_on, n_train, n_churners, min_churners, weights_json, family,
       auc_logistic, auc_trees, n_check, n_check_churners, calibration_json
from churn_model
