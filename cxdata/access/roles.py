"""The roles file (`roles.toml`, path in CX_ROLES): each user's or group's role and scope.

    [users."ana@example.com"]
    role = "department_head"
    departments = ["Billing"]

    [groups."board"]
    role = "board"

A user entry wins over a group entry; among groups, the first listed in the file that the user
belongs to wins. Without a roles file the app is a single-user local tool and the command line
acts as admin (`LOCAL_ADMIN`). Mistakes in the file are reported with the entry and the reason,
never silently read as "all data".
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from cxdata.access.sentence import Sentence
from cxdata.filters import Filters
from cxdata.i18n import N_

ROLES_ENV = "CX_ROLES"

# What each role may do. Scope (which rows) is separate: see Scope.
ROLES: dict[str, str] = {  # untranslated: the roles described for developers; never shown
    "admin": "loads, settings, targets and roles; all data",
    "executive": "all data; edits targets; works every alert and case",
    "cx_manager": "the segments and regions given; works alerts and cases there",
    "department_head": "their departments' contacts and answers, company totals as context",
    "board": "aggregates, the board pack and presentation mode; no customer names or rows",
    "viewer": "read-only aggregates",
}
# Each role as a sentence names it ("the department head role may not export rows"); translated where shown.
ROLE_NAMES: dict[str, str] = {"admin": N_("admin"), "executive": N_("executive"), "cx_manager": N_("cx manager"),
                              "department_head": N_("department head"), "board": N_("board"),
                              "viewer": N_("viewer")}
ACTIONS: dict[str, frozenset[str]] = {
    "load": frozenset({"admin"}),                       # uploads, loads, demo, refresh
    "edit_settings": frozenset({"admin"}),
    "edit_roles": frozenset({"admin"}),
    "read_audit": frozenset({"admin"}),
    "edit_targets": frozenset({"admin", "executive"}),
    "work_alerts": frozenset({"admin", "executive", "cx_manager"}),  # and an alert's own owner
    "edit_initiatives": frozenset({"admin", "executive", "cx_manager"}),  # create, change, mark checkpoints
    "export_rows": frozenset({"admin", "executive", "cx_manager", "department_head"}),
    "see_rows": frozenset({"admin", "executive", "cx_manager", "department_head"}),
    "see_names": frozenset({"admin", "executive", "cx_manager"}),
}
# The keys of a roles entry that scope it, and the filter dimension each narrows.
SCOPE_KEYS: dict[str, str] = {"segments": "segment", "regions": "region", "plans": "plan",
                              "channels": "channel", "departments": "department"}
# A value no row carries: a filter narrowed to nothing matches nothing (never "all").
NOTHING = "\x00nothing in scope"  # untranslated: a value no row carries, never shown


class RolesError(Exception):
    """The roles file can't be read or holds a mistake (a message for the admin, not a traceback)."""


@dataclass(frozen=True)
class Scope:
    """The values a user may see per filter dimension; a dimension not named is unrestricted."""

    allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, **allowed: Iterable[str]) -> Scope:
        return cls(tuple((key, tuple(dict.fromkeys(values))) for key, values in allowed.items()))

    @property
    def is_all(self) -> bool:
        return not self.allowed

    def __getitem__(self, key: str) -> tuple[str, ...] | None:
        """The values allowed for a dimension, or None when it is unrestricted."""
        return dict(self.allowed).get(key)

    def narrow(self, filters: Filters) -> Filters:
        """The view's filters intersected with the scope: a URL can narrow a view, never widen it.

        A dimension the view leaves open becomes the scope's values; a choice outside the scope
        is dropped; a choice wholly outside it matches nothing."""
        chosen = dict(filters.chosen)
        for key, values in self.allowed:
            wanted = chosen.get(key)
            kept = [v for v in wanted if v in values] if wanted else list(values)
            chosen[key] = kept or [NOTHING]
        return Filters(filters.start, filters.end, **chosen)

    def describe(self) -> str:
        """'Billing' or 'SMB · Europe': the scope in words for the sidebar; '' when all data."""
        return " · ".join(", ".join(values) for _, values in self.allowed)


@dataclass(frozen=True)
class User:
    email: str
    role: str
    scope: Scope = field(default_factory=Scope)
    groups: tuple[str, ...] = ()

    def may(self, action: str) -> bool:
        if action not in ACTIONS:
            raise KeyError(f"unknown action {action!r}")  # untranslated: a programming error, for developers
        return self.role in ACTIONS[action]


# The command line without a roles file, and the app in local mode: one person, all data.
LOCAL_ADMIN = User("local", "admin")


@dataclass(frozen=True)
class RolesFile:
    users: Mapping[str, tuple[str, Scope]]
    groups: Mapping[str, tuple[str, Scope]]   # in file order

    def resolve(self, email: str, groups: Iterable[str] = ()) -> User | None:
        """The user's role and scope, or None when the file knows neither them nor their groups."""
        email = email.strip().lower()
        groups = tuple(groups)
        if email in self.users:
            role, scope = self.users[email]
            return User(email, role, scope, groups)
        member = set(groups)
        for name, (role, scope) in self.groups.items():
            if name in member:
                return User(email, role, scope, groups)
        return None


def roles_path() -> Path | None:
    configured = os.environ.get(ROLES_ENV)
    return Path(configured) if configured else None


def load(path: Path | str | None = None) -> RolesFile | None:
    """Read the roles file ($CX_ROLES when no path); None when none is configured."""
    path = Path(path) if path else roles_path()
    if path is None:
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RolesError(Sentence(N_("the roles file {path} does not exist"), path=path)) from None
    except OSError as exc:
        raise RolesError(Sentence(N_("the roles file {path} can't be read: {error}"), path=path,
                                  error=exc.strerror or exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RolesError(Sentence(N_("the roles file {path} is not valid TOML: {error}"), path=path,
                                  error=exc)) from None
    unknown = sorted(set(data) - {"users", "groups"})
    if unknown:
        raise RolesError(Sentence(N_('{path}: unknown section(s) {sections}; use [users."EMAIL"] or [groups."NAME"]'),
                                  path=path, sections=", ".join(unknown)))
    users = {str(k).strip().lower(): _entry(path, f'users."{k}"', v)  # untranslated: TOML tables' names
             for k, v in data.get("users", {}).items()}
    groups = {str(k): _entry(path, f'groups."{k}"', v)  # untranslated: TOML tables' names
              for k, v in data.get("groups", {}).items()}
    return RolesFile(users, groups)


def _entry(path: Path, name: str, entry: object) -> tuple[str, Scope]:
    if not isinstance(entry, dict):
        raise RolesError(Sentence(N_("{path}: [{name}] must be a table with a role"), path=path, name=name))
    role = entry.get("role")
    if role not in ROLES:
        raise RolesError(Sentence(N_("{path}: [{name}] has role {role!r}; use one of {roles}"), path=path, name=name,
                                  role=role, roles=", ".join(ROLES)))
    unknown = sorted(set(entry) - {"role"} - set(SCOPE_KEYS))
    if unknown:
        raise RolesError(Sentence(N_("{path}: [{name}] has unknown key(s) {keys}; a scope is given by {scope_keys}"),
                                  path=path, name=name, keys=", ".join(unknown), scope_keys=", ".join(SCOPE_KEYS)))
    allowed = {}
    for key, dimension in SCOPE_KEYS.items():
        if key not in entry:
            continue
        values = entry[key]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            example = "Billing" if key == "departments" else "SMB"  # untranslated: an example value
            raise RolesError(Sentence(N_('{path}: [{name}] {key} must be a non-empty list of names, '
                                         'like {key} = ["{example}"]'), path=path, name=name, key=key, example=example))
        allowed[dimension] = [v.strip() for v in values]
    if role == "department_head" and "department" not in allowed:
        raise RolesError(Sentence(N_('{path}: [{name}] is a department_head without departments; '
                                     'add departments = ["…"]'),
                                  path=path, name=name))
    if role == "cx_manager" and not allowed:
        raise RolesError(Sentence(N_("{path}: [{name}] is a cx_manager without a scope; add segments or regions "
                                     "(an executive sees all data)"), path=path, name=name))
    return role, Scope.of(**allowed)
