"""Churn risk: features as of a date, the risk score and its reasons, alerts and their follow-up.

Public API (for pages and the board pack):
- `refresh(con)`: rebuild churn_scores and churn_model (derive.refresh calls it on every write)
- `alerts.Rules.from_env()`: the alert threshold and single-signal rules in force
- `revenue_at_risk(reader, filters, rules)`: value at risk and customers at risk, total / by segment / by owner
- `headline(reader, filters, rules)`: the same as four numbers
- `model_info(reader)`: which score is in use (model or rule score) and what it was trained on
- `at_risk(reader, filters, store, rules)`: the alert list with follow-up status
- `risk_points(reader, filters, rules)`: points for charts.churn_risk_value
"""
from pathlib import Path

from cxdata.churn.alerts import at_risk, headline, model_info, revenue_at_risk, risk_points
from cxdata.churn.scoring import refresh

_HERE = Path(__file__).resolve().parent
_SQL = _HERE.parent.parent / "sql"
# What the derived churn tables depend on: a change to any rebuilds them (derive.VERSION).
SCORING_FILES = (_SQL / "churn_features.sql", _SQL / "churn_model_write.sql",
                 _HERE / "features.py", _HERE / "model.py", _HERE / "scoring.py")

__all__ = ["at_risk", "headline", "model_info", "refresh", "revenue_at_risk", "risk_points", "SCORING_FILES"]
