"""The initiatives: the loaded tables merged with the app's edits, each with its status and checkpoints.

An initiative is loaded from a file (the `initiatives` and `initiative_checkpoints` tables) or created
in the app; either way the app's changes live in the store beside the database (kind `initiative`,
keyed by the initiative's name), with who made them and when, and are laid over the loaded row field
by field, so a later load of the file never erases what someone decided in the app.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import duckdb
import pandas as pd

from cxdata import formatting as fmt
from cxdata.i18n import N_, _
from cxdata.initiatives.kpis import MEASURED, SCOPE_COLUMNS, split_values
from cxdata.store import Store

KIND = "initiative"   # the store's record kind
STATUSES = ("planned", "running", "done")
CHECKPOINT_STATES = ("upcoming", "due", "met", "missed")
# The fields an edit may set (Plan's own names); `checkpoint_states` marks a checkpoint met or missed
# by hand: {"<due ISO date>|<what>": "met" | "missed"}.
EDITABLE = ("owner", "department", "start", "end", "cost", "kpi", "expected_change", "scope", "checkpoints",
            "checkpoint_states")


class InitiativeError(ValueError):
    """An edit that can't be saved as given (a message for the person who made it)."""


@dataclass(frozen=True)
class Checkpoint:
    due: dt.date
    what: str
    state: str                      # upcoming, due, met or missed
    metric: str | None = None       # judged from the data when given, with `target`
    target: float | None = None
    value: float | None = None      # the metric on the scope from the start to the due date, when judged

    @property
    def key(self) -> str:
        """How `checkpoint_states` names it."""
        return f"{self.due.isoformat()}|{self.what}"


@dataclass(frozen=True)
class Plan:
    key: str                       # the name (the loaded table's key, and the store's)
    name: str
    owner: str | None
    department: str | None
    start: dt.date
    end: dt.date | None
    cost: float | None
    kpi: str
    expected_change: float | None
    scope: dict[str, tuple[str, ...]] = field(default_factory=dict)  # row dimension -> values; {} = company-wide
    checkpoints: tuple[Checkpoint, ...] = ()
    status: str = "planned"
    is_loaded: bool = True         # False: created in the app
    version: int = 0               # the store record's newest event id (save's `seen`); 0: never edited
    marks: dict[str, str] = field(default_factory=dict)  # checkpoint key -> "met"/"missed" as marked in the app

    @property
    def is_company_wide(self) -> bool:
        return not any(self.scope.values())


def status_of(start: dt.date, end: dt.date | None, today: dt.date) -> str:
    """planned before its start, done after its end, running in between (both days included)."""
    if start > today:
        return "planned"
    if end is not None and end < today:
        return "done"
    return "running"


def plans(reader, today: dt.date, store: Store | None = None) -> list[Plan]:
    """Every initiative the user may see: the loaded rows with the store's edits laid over them, plus the
    ones created in the app, oldest start first. `store` defaults to the one beside the reader's database."""
    store = store if store is not None else _store_of(reader)
    loaded = _loaded(reader)
    checkpoints = _loaded_checkpoints(reader)
    records = store.records(KIND) if store is not None else {}
    versions = store.versions(KIND) if store is not None else {}
    out = []
    for name in list(loaded) + [k for k in records if k not in loaded]:
        base = loaded.get(name)
        edits = records.get(name, {})
        if base is None and not _visible_created(reader, edits):
            continue
        fields = {**(base or {}), **{k: _parsed(k, v) for k, v in edits.items() if k in EDITABLE}}
        if fields.get("start") is None or fields.get("kpi") not in MEASURED:
            continue   # an app record without the two things a plan needs
        points = fields["checkpoints"] if "checkpoints" in edits else checkpoints.get(name, [])
        marks = {**{checkpoint_key(p["due"], p["what"]): p["state"] for p in points if p.get("state")},
                 **(edits.get("checkpoint_states") or {})}
        plan = Plan(key=name, name=name, owner=fields.get("owner"), department=fields.get("department"),
                    start=fields["start"], end=fields.get("end"), cost=fields.get("cost"), kpi=fields["kpi"],
                    expected_change=fields.get("expected_change"), scope=dict(fields.get("scope") or {}),
                    status=status_of(fields["start"], fields.get("end"), today), is_loaded=base is not None,
                    version=int(versions.get(name, 0)), marks=marks)
        judged = tuple(_checkpoint(reader, plan, point, marks, today) for point in sorted(
            points, key=lambda p: (p["due"], p["what"])))
        out.append(replace(plan, checkpoints=judged))
    return sorted(out, key=lambda p: (p.start, p.name))


def save(store: Store, key: str | None, fields: dict[str, object], who, seen: int | None = None) -> str:
    """Save an edit of one initiative in the store, with who made it; returns its key (its name). With
    `key` None, `fields["name"]` creates one (refused when an initiative of that name exists: `existing`).
    `who` is the signed-in User (refused unless they may edit initiatives) or, from a script, a name.
    `seen` is the version the person's page showed (Plan.version): a field changed by someone else since
    refuses the edit (store.Conflict). Values are checked first (InitiativeError)."""
    fields = dict(fields)
    email = _who(who)
    name = str(fields.pop("name", "") or "").strip()
    if key is None:
        key = name
        if not key:
            raise InitiativeError(_("An initiative needs a name."))
        if key in store.records(KIND):
            raise InitiativeError(_("An initiative named {name} exists already; choose another name.").format(
                name=key))
    key = str(key).strip()
    if not key:
        raise InitiativeError(_("An initiative needs a name."))
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValueError(f"not an initiative field: {unknown}; use {EDITABLE}")  # untranslated: a programming error
    stored = {field_name: _stored(field_name, value) for field_name, value in fields.items()}
    start, end = stored.get("start"), stored.get("end")
    if start and end and end < start:
        raise InitiativeError(_("The end ({end}) is before the start ({start}).").format(
            end=fmt.date(dt.date.fromisoformat(end)), start=fmt.date(dt.date.fromisoformat(start))))
    store.change(KIND, key, stored, email, seen=seen, checked=tuple(stored))
    return key


def mark(store: Store, plan: Plan, key: str, state: str | None, who) -> None:
    """Mark one checkpoint met or missed (None: clear the mark, so the data or the date decide again),
    keeping the other marks; refused when the initiative changed since `plan` was read (store.Conflict)."""
    if state not in ("met", "missed", None):
        raise ValueError(f"a checkpoint is marked met, missed or None, not {state!r}")  # untranslated: a programming error
    marks = {k: v for k, v in plan.marks.items() if k != key}
    if state:
        marks[key] = state
    save(store, plan.key, {"checkpoint_states": marks}, who, seen=plan.version)


def _who(who) -> str:
    """The e-mail an edit is recorded under; a User must be allowed to edit initiatives."""
    if hasattr(who, "may"):
        from cxdata.access.scoped import require   # access reads the store too: imported when needed
        require(who, "edit_initiatives")
        return who.email
    return str(who or "")


def checkpoint_key(due: dt.date, what: str) -> str:
    return f"{due.isoformat()}|{what}"


# ---- Reading --------------------------------------------------------------------------------------

def _store_of(reader) -> Store | None:
    path = getattr(reader, "path", None)
    return Store.beside(path) if path else None


def _run(reader, name: str) -> pd.DataFrame | None:
    """A list query, or None on a database written before initiatives could be loaded (no such table)."""
    try:
        return reader.run(name)
    except duckdb.CatalogException:
        return None


def _loaded(reader) -> dict[str, dict]:
    rows = _run(reader, "initiative_list")
    out: dict[str, dict] = {}
    if rows is None:
        return out
    for row in rows.to_dict("records"):
        scope = {column: split_values(row.get(plural), lower=column == "channel")  # channels load lower-cased
                 for plural, column in SCOPE_COLUMNS.items()}
        out[row["name"]] = {
            "owner": _text(row.get("owner")), "department": _text(row.get("department")),
            "start": _day(row.get("start_date")), "end": _day(row.get("end_date")),
            "cost": _number(row.get("cost")), "kpi": row.get("kpi"),
            "expected_change": _number(row.get("expected_change")),
            "scope": {k: v for k, v in scope.items() if v}, "checkpoints": []}
    return out


def _loaded_checkpoints(reader) -> dict[str, list[dict]]:
    rows = _run(reader, "initiative_checkpoint_list")
    out: dict[str, list[dict]] = {}
    if rows is None:
        return out
    for row in rows.to_dict("records"):
        out.setdefault(row["initiative"], []).append({
            "due": _day(row["due_date"]), "what": row["what"], "metric": _text(row.get("metric")),
            "target": _number(row.get("target"))})
    return out


def _visible_created(reader, edits: dict) -> bool:
    """An initiative created in the app is shown to a user scoped to departments only when it is one of
    theirs (or of no department), as the loaded ones are (cxdata/access/scoped.py)."""
    user = getattr(reader, "user", None)
    allowed = user.scope["department"] if user is not None else None
    department = edits.get("department")
    return allowed is None or department is None or department in allowed


def _checkpoint(reader, plan: Plan, point: dict, marks: dict, today: dt.date) -> Checkpoint:
    """upcoming before its due date; after it, met or missed as marked in the app, else as the data
    says when it names a metric and a target, else due (waiting for someone to mark it)."""
    due, what = point["due"], point["what"]
    metric, target = point.get("metric"), point.get("target")
    mark = marks.get(checkpoint_key(due, what))
    if mark in ("met", "missed"):
        return Checkpoint(due, what, mark, metric, target)
    if due > today:
        return Checkpoint(due, what, "upcoming", metric, target)
    if metric in MEASURED and target is not None and due >= plan.start:
        from cxdata.initiatives.effect import scope_value   # effect reads plans' types: imported when needed
        value = scope_value(reader, plan, metric, plan.start, due + dt.timedelta(days=1))
        if value is not None:
            from cxdata.metrics import meets_target
            met = meets_target(metric, value, target)
            if met is not None:
                return Checkpoint(due, what, "met" if met else "missed", metric, target, value)
    return Checkpoint(due, what, "due", metric, target)


# ---- Values in and out of the store ----------------------------------------------------------------

def _stored(name: str, value):
    """A field as the store keeps it (JSON): dates as ISO text, scopes as lists; checked."""
    if name in ("start", "end"):
        value = _as_date(value)
        if value is None and name == "end":
            return None
        if not isinstance(value, dt.date):
            raise InitiativeError(_("A start date is required.") if name == "start" else
                                  _("The end must be a date or empty."))
        return value.isoformat()
    if name == "kpi":
        if value not in MEASURED:
            raise InitiativeError(_("An initiative can be measured on NPS, CSAT, CES, the complaint rate or the "
                                    "churn rate; choose one of them."))
        return value
    if name in ("cost", "expected_change"):
        if value is None:
            return None
        number = float(value)
        if not math.isfinite(number) or (name == "cost" and number < 0):
            raise InitiativeError(_("The cost must be a positive amount or empty.") if name == "cost" else
                                  _("The expected change must be a number or empty."))
        return number
    if name == "scope":
        known = set(SCOPE_COLUMNS.values())
        scope = {str(k): [str(v) for v in values] for k, values in (value or {}).items() if values}
        if set(scope) - known:
            raise ValueError(f"unknown scope dimension(s) {sorted(set(scope) - known)}; use {sorted(known)}")  # untranslated: a programming error
        return scope
    if name == "checkpoints":
        out = []
        for point in value or []:
            due, what = _as_date(point.get("due")), str(point.get("what") or "").strip()
            if not isinstance(due, dt.date) or not what:
                raise InitiativeError(_("Each checkpoint needs a due date and what should be true by then."))
            metric = point.get("metric") or None
            if metric is not None and metric not in MEASURED:
                raise InitiativeError(_("A checkpoint can be judged on NPS, CSAT, CES, the complaint rate or the "
                                        "churn rate; choose one of them or none."))
            target = point.get("target")
            state = point.get("state") or None
            if state not in ("met", "missed", None):
                raise ValueError(f"a checkpoint is marked met, missed or None, not {state!r}")  # untranslated: a programming error
            out.append({"due": due.isoformat(), "what": what, "metric": metric,
                        "target": None if target is None else float(target), "state": state})
        return out
    if name == "checkpoint_states":
        states = dict(value or {})
        if any(state not in ("met", "missed", None) for state in states.values()):
            raise ValueError("a checkpoint is marked met, missed or None")  # untranslated: a programming error
        return {k: v for k, v in states.items() if v}
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _parsed(name: str, value):
    """A stored field back as Plan holds it."""
    if name in ("start", "end"):
        return None if value is None else dt.date.fromisoformat(value)
    if name == "scope":
        return {k: tuple(v) for k, v in (value or {}).items() if v}
    if name == "checkpoints":
        return [{"due": dt.date.fromisoformat(p["due"]), "what": p["what"], "metric": p.get("metric"),
                 "target": p.get("target"), "state": p.get("state")} for p in value or []]
    return value


def _as_date(value):
    """A date, also from ISO text ("2026-03-01"); other values as they are (then refused)."""
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _number(value) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _day(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


STATUS_LABELS = {"planned": N_("planned"), "running": N_("running"), "done": N_("done")}
CHECKPOINT_LABELS = {"upcoming": N_("upcoming"), "due": N_("due"), "met": N_("met"), "missed": N_("missed")}
