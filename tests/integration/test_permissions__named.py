"""The named permissions of ``core.permissions``: each check agrees with its
SQL twin for every demo account at every demo unit, and holds for the people
DOMAIN.md names; a level without an SQL twin does not compile; core stands
below the engine."""

from __future__ import annotations

import ast
import enum
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import permissions as p

NAMED = [p.REGISTER_PERSON, p.RECORD_CERTIFICATE, p.SET_PLAN, p.ORGANISE_COURSE, p.ADMINISTER, p.UPLOAD,
         p.RECORD_PRIOR_CERTIFICATE, p.MANAGE_POSTS]


def _holders(app, permission) -> dict[str, set[str]]:
    """unit key -> usernames holding ``permission`` there, by :func:`allows`, after
    checking that :func:`where_allowed` lists exactly the same units."""
    from app.extensions import db
    from core.demo import TREE
    from core.models import Unit, User

    with app.app_context():
        s = db.session
        units = {key: s.scalar(sa.select(Unit).where(Unit.name == name)) for key, name, *_ in TREE}
        holders: dict[str, set[str]] = {key: set() for key in units}
        for user in s.scalars(sa.select(User)):
            listed = set(s.scalars(sa.select(Unit.id).where(p.where_allowed(s, user, permission))))
            for key, unit in units.items():
                allowed = p.allows(s, user, permission, unit)
                assert allowed == (unit.id in listed), (permission.name, user.username, key)
                if allowed:
                    holders[key].add(user.username)
            assert p.allowed_somewhere(s, user, permission) == bool(listed)
        return holders


@pytest.mark.parametrize("permission", NAMED, ids=lambda perm: perm.name)
def test_permissions__check_and_sql_twin_agree_for_every_account_and_unit(app, demo, permission):
    holders = _holders(app, permission)
    assert any(holders.values()), f"nobody holds {permission.name}: the comparison is vacuous"


def test_permissions__who_holds_what(app, demo):
    organise = _holders(app, p.ORGANISE_COURSE)
    assert organise == {k: ({"tochuc.nghiahung"} if k == "nghiahung" else set()) for k in organise}
    assert _holders(app, p.RECORD_CERTIFICATE) == organise

    plans = _holders(app, p.SET_PLAN)
    assert plans["phucthang"] == {"danguy.phucthang", "tochuc.nghiahung", "thuongvu.nghiahung", "thuongvu.tinh"}
    assert plans["locvuong"] == {"danguy.locvuong", "thuongvu.thanhpho", "thuongvu.tinh"}
    assert not any(plans[k] for k in ("tinh", "nghiahung", "thanhpho", "trung", "dong", "tdp4"))

    register = _holders(app, p.REGISTER_PERSON)
    assert register["trung"] == {"admin", "bithu.trung", "danguy.phucthang", "kiemtra.phucthang", "thuongvu.phucthang",
                                 "tochuc.nghiahung", "thuongvu.nghiahung", "kiemtra.nghiahung", "kiemtra.tinh",
                                 "thuongvu.tinh"}
    assert "thanhtra.tinh" not in set().union(*register.values())  # the auditor only reads

    administer = _holders(app, p.ADMINISTER)
    assert all(names == {"admin"} for names in administer.values())

    upload = _holders(app, p.UPLOAD)
    assert upload["trung"] == {"bithu.trung"} and upload["phucthang"] == set()


def test_permissions__a_level_without_an_sql_twin_does_not_compile():
    from core.enums import Level, Role
    from workflow.definition import Process, Start, Transition
    from workflow.errors import DefinitionError

    class State(str, enum.Enum):
        a = "a"
        b = "b"

    def parent_of_unit(ctx):
        return [1]

    with pytest.raises(DefinitionError, match="no SQL twin"):
        type("Computed", (Process,), {
            "name": "computed_level", "State": State, "starts": [Start(State.a, Role.branch_secretary, Level.branch)],
            "ends": [State.b], "transitions": [Transition("go", State.a, State.b, role=Role.committee_member,
                                                          level=parent_of_unit)],
        })


def test_permissions__core_imports_nothing_above_it():
    root = Path(__file__).resolve().parents[2]
    above = ("workflow", "cases", "app", "api", "tasks", "forms", "flask")
    for path in sorted((root / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            assert not [n for n in names if n.split(".")[0] in above], f"{path.name} imports {names}"
