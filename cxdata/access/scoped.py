"""Every read narrowed to the user's scope: a reader that intersects a query's $filters with the
user's scope before the query runs (and before any cache key is formed), and fails closed on the rest.

Queries in sql/ fall in two kinds. Those that take `$filters` are narrowed here, so a URL, a
clicked bar or a command-line option can narrow a view and never widen it. Those that take none
must be named below: reference data anyone signed in may read (the data's extent, the stage
names, the load history), data narrowed here after it is read (the sidebar's choices, targets),
load diagnostics for those who load, or writes, which never go through a reader. A query named
nowhere is refused, so a new query is out of reach until someone decides who may read it
(tests/test_access_scoped.py checks every file in sql/).

Customer rows (the at-risk list, the customers and transactions behind a number) have no
department, channel or journey stage, so a scope on one of those cannot narrow them: a user so
scoped (a department head) sees no customer rows at all, only customer-level figures as company
context. Users whose role does not see rows (board, viewer) get no rows of any kind.
"""
from __future__ import annotations

import pandas as pd

from cxdata import db
from cxdata.access.roles import NOTHING, ROLE_NAMES, User
from cxdata.filters import DIMENSIONS
from cxdata.i18n import N_, _

# Reference and metadata: the same for every user, no customer's data in them.
REFERENCE = frozenset({
    "churn_model_info", "cx_tables", "data_extent", "data_source", "dataset_id", "derived_status",
    "derived_version", "journey_stages_seen", "load_history", "load_warnings_kept", "load_warnings_latest",
    "monthly_volume", "provided_columns", "service_settings", "table_stats", "unknown_customers",
})
# Read whole, then narrowed here: rows of a dimension outside the scope are dropped.
NARROWED_AFTER = {  # untranslated: why each is narrowed, for developers
    "filter_options": "the sidebar offers only the values in scope",
    "kpi_targets": "targets of departments outside the scope are dropped",
    "trend_targets": "targets of departments outside the scope are dropped",
    "initiative_list": "initiatives of departments outside the scope are dropped",
    "initiative_checkpoint_list": "checkpoints of initiatives of departments outside the scope are dropped",
}
# Raw rows of loads and whole-company model inputs: for those who load (may("load")).
FOR_LOADERS = frozenset({"answers_without_contact", "answers_without_contact_count", "churn_features",
                         "rejected_reasons", "rejected_rows"})
# Customers named by id, the ids taken from a list already narrowed (the saved alerts' outcome).
BY_CUSTOMER_ID = frozenset({"churn_customer_status", "followup_customer_names"})
# Writes and definitions: run by writers on their own connection, never through a reader.
WRITES = frozenset({
    "churn_model_write", "customer_history_close", "customer_history_open", "dataset_first", "derived",
    "derived_stamp", "journey_flow_presets_write", "load_answers_due", "load_check_answer_order",
    "load_check_columns_customers", "load_check_columns_feedback", "load_check_columns_interactions",
    "load_check_columns_transactions", "load_check_service", "load_macros", "macros", "schema",
    "touchpoints_expects_answer_write", "initiative_scope_unknown",
    "derived_update", "derived_update_check", "refresh_changes", "refresh_changes_clear", "refresh_changes_full",
    "refresh_changes_noted",
    "last_write_forget", "last_write_keep", "last_write_replay", "last_write_replayable", "spare_sync",
    "spare_tables", "table_rows", "write_state", "write_state_get", "write_state_set",
})
# Filter-taking queries whose rows are single customers: see the module's docstring.
CUSTOMER_ROWS = frozenset({"churn_alerts", "churn_alert_ids", "churn_risk_points", "drill_customers",
                           "drill_transactions",
                           "customer_header", "customer_risk", "customer_search", "customer_timeline"})
# Filter-taking queries whose rows are single contacts or answers (not comments, which are masked
# for everyone and carry no customer); asked with $limit 0 they give their counts alone, for everyone.
CONTACT_ROWS = frozenset({"drill_answers", "drill_contacts", "service_backlog"})
CONTACT_DIMENSIONS = frozenset(key for key, d in DIMENSIONS.items() if not d.of_customer)


# What a refusal says for each right a role lacks (roles.ACTIONS), as one sentence per right.
MAY_NOT = {
    "load": N_("the {role} role may not load data"),
    "edit_settings": N_("the {role} role may not change settings"),
    "edit_roles": N_("the {role} role may not change roles"),
    "read_audit": N_("the {role} role may not read the audit log"),
    "edit_targets": N_("the {role} role may not edit targets"),
    "work_alerts": N_("the {role} role may not work churn alerts"),
    "edit_initiatives": N_("the {role} role may not edit initiatives"),
    "export_rows": N_("the {role} role may not export rows"),
    "see_rows": N_("the {role} role may not see single rows"),
    "see_names": N_("the {role} role may not see customer names"),
}


class Refused(PermissionError):
    """A query or an action this user may not run; the message says why in words, in the language of this run."""


def require(user: User, action: str) -> None:
    """Refuse an export or a change unless the user's role may `action`; the refusal's sentence is
    the action's (MAY_NOT), so it can be translated whole."""
    if not user.may(action):
        raise Refused(_(MAY_NOT[action]).format(role=role_name(user)))


def role_name(user: User) -> str:
    """The user's role as a sentence names it: "department head", "jefe de departamento"."""
    return _(ROLE_NAMES[user.role]) if user.role in ROLE_NAMES else user.role.replace("_", " ")


def sees_rows(user: User) -> bool:
    """Single contacts and answers: roles that see rows."""
    return user.may("see_rows")


def sees_customer_rows(user: User) -> bool:
    """Single customers: roles that see rows, with a scope a customer can be held to (not a department)."""
    return user.may("see_rows") and not any(user.scope[key] for key in CONTACT_DIMENSIONS)


def narrow_params(user: User, filters: dict | None) -> dict:
    """$filters (a list per dimension, empty = all) intersected with the user's scope."""
    chosen = {key: list((filters or {}).get(key) or []) for key in DIMENSIONS}
    for key in DIMENSIONS:
        allowed = user.scope[key]
        if allowed is None:
            continue
        kept = [v for v in chosen[key] if v in allowed] if chosen[key] else list(allowed)
        chosen[key] = kept or [NOTHING]
    return chosen


class ScopedReader:
    """Runs named queries for one user, each narrowed to their scope, through another reader
    (db.Reader, or the app's CachedReader: the narrowed parameters form its cache key)."""

    def __init__(self, inner, user: User):
        self.inner = inner
        self.user = user

    @property
    def path(self):
        return self.inner.path

    @property
    def stamp(self):
        """The app's reader: the database file's identity (what its cache is keyed on)."""
        return self.inner.stamp

    def run(self, name: str, params: dict | None = None) -> pd.DataFrame:
        params = dict(params or {})
        self._check(name, params)
        if "filters" in db.query_params(name):
            params["filters"] = narrow_params(self.user, params.get("filters"))
            return self.inner.run(name, params)
        rows = self.inner.run(name, params)
        return _narrow_rows(name, rows, self.user) if name in NARROWED_AFTER else rows

    def _check(self, name: str, params: dict) -> None:
        user = self.user
        if name in WRITES:
            raise Refused(f"{name} is a write; readers only read")  # untranslated: a programming error
        if name in CUSTOMER_ROWS or name in BY_CUSTOMER_ID:
            if not sees_customer_rows(user):
                raise Refused(_("the {role} role does not see single customers").format(role=role_name(user)))
            return
        if name in CONTACT_ROWS:
            if not sees_rows(user) and params.get("limit") != 0:  # limit 0: the counts alone
                raise Refused(_("the {role} role sees aggregates only, not single rows").format(role=role_name(user)))
            return
        if name in FOR_LOADERS:
            if not user.may("load"):
                raise Refused(f"{name} is for those who load data")  # untranslated: pages ask may("load") first
            return
        if name in REFERENCE or name in NARROWED_AFTER or "filters" in db.query_params(name):
            return
        raise Refused(f"{name} takes no filters and is not on the list of queries readable without "
                      "them (cxdata/access/scoped.py)")  # untranslated: a programming error, for developers


def _narrow_rows(name: str, rows: pd.DataFrame, user: User) -> pd.DataFrame:
    if user.scope.is_all:
        return rows
    if name == "filter_options":
        keep = pd.Series(True, index=rows.index)
        for key in DIMENSIONS:
            allowed = user.scope[key]
            if allowed is not None:
                keep &= (rows["dimension"] != key) | rows["value"].isin(allowed)
        return rows[keep].reset_index(drop=True)
    allowed = user.scope["department"]
    if allowed is None:
        return rows
    return rows[rows["department"].isna() | rows["department"].isin(allowed)].reset_index(drop=True)
