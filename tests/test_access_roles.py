"""The roles file: who gets which role and scope, mistakes named, and a scope that only narrows."""
import datetime as dt

import pytest

from cxdata.access import roles
from cxdata.filters import Filters

ROLES_TOML = '''
[users."ana@example.com"]
role = "department_head"
departments = ["Billing"]

[users."Luis@Example.com"]
role = "cx_manager"
segments = ["SMB"]
regions = ["Europe"]

[groups."board"]
role = "board"

[groups."leadership"]
role = "executive"
'''
DAY = dt.date(2026, 11, 1)


@pytest.fixture
def roles_file(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES_TOML)
    return roles.load(path)


def test_users_and_groups_resolve(roles_file):
    ana = roles_file.resolve("ana@example.com")
    assert (ana.role, ana.scope["department"], ana.scope["segment"]) == ("department_head", ("Billing",), None)
    luis = roles_file.resolve(" luis@EXAMPLE.com ")  # e-mail addresses compare without case
    assert luis.role == "cx_manager" and luis.scope.describe() == "SMB · Europe"
    # a user entry wins over groups; among groups the first in the file wins
    assert roles_file.resolve("ana@example.com", ["leadership"]).role == "department_head"
    assert roles_file.resolve("eve@example.com", ["leadership", "board"]).role == "board"
    assert roles_file.resolve("eve@example.com", ["staff"]) is None


def test_permissions_by_role(roles_file):
    board = roles_file.resolve("x@example.com", ["board"])
    assert not board.may("see_rows") and not board.may("export_rows") and not board.may("see_names")
    ana = roles_file.resolve("ana@example.com")
    assert ana.may("export_rows") and not ana.may("see_names") and not ana.may("edit_targets")
    assert roles_file.resolve("x@example.com", ["leadership"]).may("edit_targets")
    assert not roles_file.resolve("x@example.com", ["leadership"]).may("load")
    assert roles.LOCAL_ADMIN.may("load") and roles.LOCAL_ADMIN.scope.is_all
    with pytest.raises(KeyError):
        ana.may("fly")


def test_scope_narrows_and_never_widens(roles_file):
    luis = roles_file.resolve("luis@example.com")
    open_view = Filters(DAY, DAY)
    assert luis.scope.narrow(open_view)["segment"] == ("SMB",)
    assert luis.scope.narrow(open_view)["region"] == ("Europe",)
    # a URL asking for more keeps only what is in scope
    assert luis.scope.narrow(Filters(DAY, DAY, segment=["SMB", "Enterprise"]))["segment"] == ("SMB",)
    # a URL asking only for what is out of scope sees nothing, not everything
    assert luis.scope.narrow(Filters(DAY, DAY, segment=["Enterprise"]))["segment"] == (roles.NOTHING,)
    # dimensions the scope leaves open keep the view's choice
    assert luis.scope.narrow(Filters(DAY, DAY, channel=["chat"]))["channel"] == ("chat",)
    assert roles.LOCAL_ADMIN.scope.narrow(open_view) == open_view


def test_no_roles_file_configured(monkeypatch):
    monkeypatch.delenv(roles.ROLES_ENV, raising=False)
    assert roles.load() is None


@pytest.mark.parametrize("text, words", [
    ('[users."a@x.com"]\nrole = "boss"\n', "role 'boss'; use one of admin"),
    ('[users."a@x.com"]\nrole = "department_head"\n', "department_head without departments"),
    ('[users."a@x.com"]\nrole = "cx_manager"\n', "cx_manager without a scope"),
    ('[users."a@x.com"]\nrole = "viewer"\nsegment = ["SMB"]\n', "unknown key(s) segment"),
    ('[users."a@x.com"]\nrole = "viewer"\nsegments = "SMB"\n', 'segments must be a non-empty list'),
    ('[users."a@x.com"]\nrole = "viewer"\nsegments = []\n', 'segments must be a non-empty list'),
    ('[people."a@x.com"]\nrole = "viewer"\n', "unknown section(s) people"),
    ('[users."a@x.com"\nrole = "viewer"\n', "not valid TOML"),
])
def test_mistakes_are_named(tmp_path, text, words):
    path = tmp_path / "roles.toml"
    path.write_text(text)
    with pytest.raises(roles.RolesError) as err:
        roles.load(path)
    assert words in str(err.value) and str(path) in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(roles.RolesError, match="does not exist"):
        roles.load(tmp_path / "nope.toml")
