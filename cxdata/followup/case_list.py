"""Follow-up cases: one per unhappy answer or complaint contact (sql/followup_cases.sql, the rules
in cxdata/followup/rules.py), with its state kept in the store beside the database (kind
`followup_case`, as churn alerts keep theirs): status, root cause, notes, each change with who and when.

A case nobody has touched is "new". Its key carries the dataset id (sql/dataset_id.sql), so a rebuilt
demo that reuses answer ids starts with fresh cases. Times are UTC, tz-aware: the data's timestamps
are on the company's clock ($CX_TIMEZONE) and are converted, so a due time compares with a change
made in the app.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxdata import db, exports
from cxdata.access.roles import User
from cxdata.access.scoped import Refused, require, sees_customer_rows
from cxdata.filters import Filters
from cxdata.followup import worked
from cxdata.followup.worked import EDITABLE
from cxdata.followup.rules import (CLOSED, KIND, Settings, check_transition, reason_label, root_cause_label,
                                   status_label, ROOT_CAUSES)
from cxdata.i18n import N_, _
from cxdata.load.zones import company_timezone
from cxdata.store import Store

COLUMNS = ["case_id", "source_id", "customer_id", "customer_name", "opened_at", "due_at", "reason", "score",
           "department", "owner", "segment", "region", "plan", "status", "root_cause", "note", "first_contact_at",
           "changed_at", "changed_by", "version", "overdue", "next_answer_at", "is_next_unhappy", "churned_on"]


def dataset_id(reader: db.Reader) -> str:
    found = reader.run("dataset_id")
    return "unnamed" if found.empty else str(found.iloc[0]["dataset_id"])


def case_rows(reader: db.Reader, filters: Filters | None, today: dt.date, settings: Settings,
              customer_id: str | None = None) -> pd.DataFrame:
    """The cases the rules open under the filters since the settings' start (one customer's only, with
    `customer_id`), oldest first, without their state: case_id (the store key), opened_at and due_at in UTC."""
    rows = reader.run("followup_cases", settings.params(filters, today) | {"customer_id": customer_id})
    dataset = dataset_id(reader)
    rows.insert(0, "case_id", dataset + ":" + rows["source_id"].astype(str))
    rows["opened_at"] = _utc(rows["opened_at"])
    rows["next_answer_at"] = _utc(rows["next_answer_at"])
    rows["due_at"] = rows["opened_at"] + pd.Timedelta(hours=settings.due_hours)
    return rows


def _utc(times: pd.Series) -> pd.Series:
    """Timestamps on the company's clock as UTC (an hour that happens twice: its first time)."""
    times = pd.to_datetime(times)
    if times.dt.tz is not None:
        return times.dt.tz_convert("UTC")
    return times.dt.tz_localize(company_timezone(), ambiguous=np.ones(len(times), dtype=bool),
                                nonexistent="shift_forward").dt.tz_convert("UTC")


def zone_params(since: dt.datetime, until: dt.datetime) -> dict:
    """How the SQL turns the company's clock into UTC as `_utc` does, from `since` to `until` (naive,
    on that clock): the offset before the first change ($zone_offset, seconds), then per change of
    offset its first local time ($zone_starts: the instant on the old clock), the offset after it and
    its instant in UTC. A local time at or after a change is its UTC time by the new offset, but never
    before the change (a time the clock skipped becomes the change itself, an hour that happens twice
    its first time), as pandas' shift_forward and ambiguous=True do."""
    zone = company_timezone()
    grid = pd.date_range(pd.Timestamp(since) - pd.Timedelta(days=2), pd.Timestamp(until) + pd.Timedelta(days=2),
                         freq="15min", tz="UTC")   # every modern change falls on a quarter hour
    offsets = np.array([(t.utcoffset() or dt.timedelta()).total_seconds() for t in grid[[0]].tz_convert(zone)])
    if zone.upper() != "UTC":
        local = grid.tz_convert(zone)
        offsets = ((local.tz_localize(None) - grid.tz_localize(None)) / pd.Timedelta(seconds=1)).to_numpy()
    changed = np.flatnonzero(np.diff(offsets)) + 1 if len(offsets) > 1 else np.array([], dtype=int)
    instants = [grid[i].tz_localize(None).to_pydatetime() for i in changed]
    return {"zone_offset": float(offsets[0]),
            "zone_starts": [at + dt.timedelta(seconds=float(offsets[i - 1])) for at, i in zip(instants, changed)],
            "zone_offsets": [float(offsets[i]) for i in changed], "zone_instants": instants}


def worked_params(store: Store, prefix: str) -> dict:
    """The worked cases' state as the SQL reads it: source ids (the key after `prefix`), status and
    first contact (naive UTC, None when never contacted). The store holds only the cases someone worked.
    Built once per state of the store (worked.bound), not on every view."""
    return worked.bound(store, prefix, _as_params)


def _as_params(found: pd.DataFrame, prefix: str) -> dict:
    """Column at a time: a quarter of a million worked cases at 10 M interactions."""
    first = pd.to_datetime(found["first_contact_at"], utc=True).dt.tz_localize(None)
    texts = {column: found[column].where(found[column].map(type) == str) for column in ("status", "root_cause")}
    return {"worked_ids": found.index.str.slice(len(prefix)).tolist(),
            "worked_status": texts["status"].fillna("new").tolist(),
            "worked_first_contact": first.astype(object).where(first.notna(), None).tolist(),
            "worked_root_cause": texts["root_cause"].fillna("").tolist()}


def sql_params(reader: db.Reader, store: Store, filters: Filters | None, today: dt.date, settings: Settings,
               now: dt.datetime) -> dict:
    """What sql/followup_kpis.sql and sql/followup_case_page.sql bind: the rules and window, the clock's
    changes, the store's worked cases, the due hours and `now` (naive UTC)."""
    params = settings.params(filters, today)
    params |= zone_params(params["since"], params["until"])
    params |= worked_params(store, dataset_id(reader) + ":")
    return params | {"due_hours": float(settings.due_hours), "now_hour": _naive_utc(now).replace(minute=0, second=0,
                                                                                               microsecond=0),
                     "judged_on": dt.datetime.combine(today + dt.timedelta(days=1), dt.time())}


def _naive_utc(now: dt.datetime) -> dt.datetime:
    return _aware(now).astimezone(dt.timezone.utc).replace(tzinfo=None)


def passed_within_hour(due_within_hour, now: dt.datetime) -> tuple[int, int]:
    """Of the new cases due within the hour `now` is in (the SQL's list), how many are overdue at `now`
    (due before it) and how many are due by it but not at the hour's start (due after it, up to `now`)."""
    now = _naive_utc(now)
    hour = now.replace(minute=0, second=0, microsecond=0)
    listed = due_within_hour if isinstance(due_within_hour, (list, tuple, np.ndarray)) else []   # none: NA
    times = [pd.Timestamp(t).to_pydatetime() for t in listed]
    return sum(t < now for t in times), sum(hour < t <= now for t in times)


@dataclass(frozen=True)
class Page:
    """The first cases of the list as the page opens (`rows`: the columns of `cases`, no next answer),
    how many cases its filters keep and how many of those are overdue."""
    rows: pd.DataFrame
    n_kept: int
    n_overdue: int


def first_page(reader: db.Reader, store: Store, today: dt.date, filters: Filters | None = None,
               settings: Settings | None = None, now: dt.datetime | None = None, owners=(), departments=(),
               root_causes=(), statuses=(), limit: int = 1000, names: bool = True) -> Page:
    """`narrow(cases(...), owners, departments, root_causes, statuses).head(limit)` read inside the
    database (sql/followup_case_page.sql): the first `limit` cases oldest first and the counts of all
    that the list's filters keep, without reading every case out."""
    settings = settings or Settings.from_env()
    now = _aware(now)
    params = sql_params(reader, store, filters, today, settings, now) | {
        "owners": list(owners), "departments": list(departments), "root_causes": list(root_causes),
        "statuses": list(statuses), "limit": int(limit)}
    rows = reader.run("followup_case_page", params)
    n_kept = int(rows["n_kept"].iloc[0]) if not rows.empty else 0
    n_overdue = int(rows["n_kept_overdue"].iloc[0]) + passed_within_hour(rows["due_within_hour"].iloc[0], now)[0] \
        if not rows.empty else 0
    rows = rows.drop(columns=["n_kept", "n_kept_overdue", "due_within_hour"])
    prefix = dataset_id(reader) + ":"
    rows.insert(0, "case_id", prefix + rows["source_id"].astype(str))
    rows["opened_at"] = _utc(rows["opened_at"])
    rows["due_at"] = rows["opened_at"] + pd.Timedelta(hours=settings.due_hours)
    rows["next_answer_at"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us, UTC]")
    rows["is_next_unhappy"] = False
    merged = with_state(rows, store, now, prefix)
    merged["customer_name"] = None
    if names and not merged.empty:
        found = reader.run("followup_customer_names", {"customer_ids": sorted(set(merged["customer_id"]))})
        merged["customer_name"] = merged["customer_id"].map(dict(zip(found["customer_id"], found["name"])))
    return Page(merged[COLUMNS].reset_index(drop=True), n_kept, n_overdue)


def with_state(rows: pd.DataFrame, store: Store, now: dt.datetime, prefix: str = "") -> pd.DataFrame:
    """Cases joined to their state: untouched ones are "new"; overdue = still new after the due time."""
    merged = rows.merge(worked.state(store, prefix), how="left", left_on="case_id", right_index=True)
    merged["status"] = merged["status"].fillna("new")
    merged["note"] = merged["note"].fillna("")
    merged["root_cause"] = merged["root_cause"].where(merged["root_cause"].notna(), None)
    merged["version"] = merged["version"].fillna(0).astype(int)
    merged["first_contact_at"] = pd.to_datetime(merged["first_contact_at"], utc=True)
    merged["changed_at"] = pd.to_datetime(merged["changed_at"], utc=True)
    merged["overdue"] = (merged["status"] == "new") & (merged["due_at"] < pd.Timestamp(_aware(now)))
    return merged


def _aware(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)


def cases(reader: db.Reader, store: Store, today: dt.date, filters: Filters | None = None,
          settings: Settings | None = None, now: dt.datetime | None = None, names: bool = True,
          customer_id: str | None = None) -> pd.DataFrame:
    """Every case opened from the settings' start to the end of `today` under the filters (none: the
    reader's whole scope; one customer's only with `customer_id`), oldest first, with its state;
    `overdue` against `now` (default: the clock). `customer_name` only with `names` (the reader must then
    see single customers), else empty. Reads every case out: the page's figures and first screen are
    counted inside the database instead (measures.summary, first_page)."""
    settings = settings or Settings.from_env()
    rows = case_rows(reader, filters, today, settings, customer_id)
    merged = with_state(rows, store, _aware(now), dataset_id(reader) + ":")
    merged["customer_name"] = None
    if names and not merged.empty:
        found = reader.run("followup_customer_names", {"customer_ids": sorted(set(merged["customer_id"]))})
        merged["customer_name"] = merged["customer_id"].map(dict(zip(found["customer_id"], found["name"])))
    return merged[COLUMNS].reset_index(drop=True)


def overdue(reader: db.Reader, store: Store, now: dt.datetime, filters: Filters | None = None,
            settings: Settings | None = None) -> pd.DataFrame:
    """The cases still new after their due time at `now` (for the notifications), oldest first."""
    now = _aware(now)
    listed = cases(reader, store, now.date(), filters, settings, now)
    return listed[listed["overdue"]].reset_index(drop=True)


def history(store: Store, case_id: str) -> pd.DataFrame:
    """Every change of one case, oldest first: field, value, when (UTC) and who."""
    return store.history(KIND, case_id)


def open_cases(listed: pd.DataFrame) -> pd.DataFrame:
    return listed[~listed["status"].isin(CLOSED)]


def narrow(listed: pd.DataFrame, owners=(), departments=(), root_causes=(), statuses=()) -> pd.DataFrame:
    """The list's own filters (none chosen = all). A root cause of "" chooses cases with none yet."""
    keep = pd.Series(True, index=listed.index)
    for column, chosen in (("owner", owners), ("department", departments), ("status", statuses)):
        if chosen:
            keep &= listed[column].isin(chosen)
    if root_causes:
        keep &= listed["root_cause"].fillna("").isin(root_causes)
    return listed[keep]


def may_work(user: User, case) -> bool:
    """Who works a case: executives and the administrator; cx managers whose scope holds the customer;
    department heads whose departments hold the case's department; and the case's owner by e-mail."""
    if user.role in ("admin", "executive"):
        return True
    if user.role == "cx_manager" and sees_customer_rows(user):
        return all(user.scope[key] is None or case.get(key) in user.scope[key] for key in ("segment", "region", "plan"))
    if user.role == "department_head" and user.scope["department"] is not None:
        return case.get("department") in user.scope["department"]
    owner = case.get("owner")
    return isinstance(owner, str) and owner.strip().lower() == user.email.lower()


def change(store: Store, case, user: User, status: str | None = None, root_cause: str | None = None,
           note: str | None = None, seen: int | None = None, at: dt.datetime | None = None) -> dict:
    """Record `user`'s change of a case (its row in the list: case_id, status, department, segment...):
    the status only along the allowed moves (TransitionError otherwise), the root cause from the fixed
    list. With `seen` (the version the page showed), a field changed by someone since refuses the
    change (store.Conflict). The fields written."""
    if not may_work(user, case):
        raise Refused(_("{email} may not work this case: it is worked by its owner, the heads of its department, "
                        "cx managers of its customer's segment and region, and executives").format(email=user.email))
    if status is not None:
        check_transition(case.get("status") or "new", status)
    if root_cause is not None and root_cause != "" and root_cause not in ROOT_CAUSES:
        raise ValueError(f"unknown root cause {root_cause!r}; use one of {', '.join(ROOT_CAUSES)}")  # untranslated: a caller's mistake, for developers
    fields = {name: value for name, value in (("status", status), ("root_cause", root_cause), ("note", note))
              if value is not None}
    if status == (case.get("status") or "new"):
        fields.pop("status")
    store.change(KIND, case["case_id"], fields, user.email, at=at, seen=seen, checked=EDITABLE)
    return fields


def edited(shown: dict[str, object], now: dict[str, object]) -> dict[str, object]:
    """The fields the person changed from what their page showed (None and "" read the same)."""
    return {field: now[field] for field in EDITABLE
            if field in now and (now[field] or "") != (shown.get(field) or "")}


# The list's columns as those who work cases read them (N_): translated by export_frame.
EXPORT_COLUMNS = {"customer_id": N_("Customer id"), "customer_name": N_("Customer"), "opened_at": N_("Opened (UTC)"),
                  "due_at": N_("Due (UTC)"), "reason": N_("Reason"), "score": N_("Score"),
                  "department": N_("Department"), "owner": N_("Owner"), "status": N_("Status"),
                  "overdue": N_("Overdue"), "root_cause": N_("Root cause"),
                  "first_contact_at": N_("First contact (UTC)"), "note": N_("Notes")}


def column_name(key: str) -> str:
    return _(EXPORT_COLUMNS[key])


def for_user(listed: pd.DataFrame, user: User) -> pd.DataFrame:
    """The list as `user` may see it: customer names only for those who see single customers."""
    if sees_customer_rows(user) and user.may("see_names"):
        return listed
    return listed.assign(customer_name=listed["customer_id"])


def export_frame(listed: pd.DataFrame) -> pd.DataFrame:
    """The case list in plain column names and words, times without a zone (UTC)."""
    out = listed.reindex(columns=list(EXPORT_COLUMNS)).copy()
    for column in ("opened_at", "due_at", "first_contact_at"):
        out[column] = pd.to_datetime(out[column], utc=True).dt.tz_localize(None).dt.floor("min")
    out["reason"] = out["reason"].map(reason_label)
    out["status"] = out["status"].map(status_label)
    out["root_cause"] = out["root_cause"].map(root_cause_label)
    out["overdue"] = out["overdue"].map(lambda late: _("yes") if late else "")
    out["score"] = out["score"].astype("Int64")
    return out.rename(columns={key: column_name(key) for key in EXPORT_COLUMNS})


def csv_file(listed: pd.DataFrame, user: User) -> bytes:
    require(user, "export_rows")
    return exports.csv_bytes(export_frame(for_user(listed, user)))


def excel_file(listed: pd.DataFrame, user: User) -> bytes:
    require(user, "export_rows")
    return exports.xlsx_bytes(export_frame(for_user(listed, user)), _("Follow-up cases"))
