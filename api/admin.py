"""Set-up by an admin of a subtree (API.md: ``GET/POST /api/v1/admin/units``,
``GET/POST /api/v1/admin/users``, ``POST/DELETE /api/v1/admin/users/{id}/roles``),
and the calls the pages have too: change a unit (rename, move, flags), dissolve
an empty one, disable, enable, reset a password. The services are
:mod:`cases.setup_units` and :mod:`cases.setup_accounts`; each change is a set-up
event in the audit trail. A caller who is an admin nowhere gets 403; a unit or
account outside the caller's subtrees is 404."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_babel import gettext as _

from app.extensions import db
from cases import setup_accounts as accounts
from cases import setup_units as units
from cases import strength
from core.permissions import ADMINISTER, allowed_somewhere
from forms.admin import AccountForm, RoleGrantForm, RoleRevokeForm, UnitEditForm, UnitForm

from .blueprint import bp
from .caller import current
from .form_schema import check_payload, form_schema
from .openapi import DATE, INT, STRING, operation
from .render import created, day, iso, unit_json
from .requests import ApiError, in_range, invalid, json_body, type_messages

BOOL = {"type": "boolean"}
ADMIN_UNIT = {"type": "object", "required": ["id", "name", "level", "parent_id", "path"], "properties": {
    "id": INT, "name": STRING, "level": STRING, "parent_id": {**INT, "nullable": True}, "path": STRING,
    "grassroots_branch": BOOL, "hardship_area": BOOL, "may_admit": BOOL, "may_expel": BOOL,
    "official_members": INT, "below_minimum": BOOL}}
ROLE = {"type": "object", "required": ["unit_id", "unit_name", "level", "role", "start"], "properties": {
    "unit_id": INT, "unit_name": STRING, "level": STRING, "role": STRING, "start": {**DATE, "nullable": True}}}
ADMIN_USER = {"type": "object", "required": ["id", "username", "display_name", "active", "must_change_password",
                                             "roles"], "properties": {
    "id": INT, "username": STRING, "display_name": STRING, "active": BOOL, "must_change_password": BOOL,
    "created_at": {"type": "string", "format": "date-time"}, "roles": {"type": "array", "items": ROLE},
    "password": {"type": "string", "description": "the one-time password: only in the answer that set it"}}}


NO_FIELDS = {"type": "object", "additionalProperties": False, "properties": {},
             "description": "an empty object (the body is not read)"}


def _page(item: dict) -> dict:
    return {"type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": {"type": "array", "items": item}, "next_cursor": {"type": "string", "nullable": True}}}


def admin_unit_json(unit, official: dict[int, int] | None = None) -> dict:
    """A unit as an admin sees it: the ``Unit`` fields and every flag (a grassroots
    organisation's official members when ``official`` counts them)."""
    return dict(unit_json(unit, official=official), may_admit=bool(unit.may_admit), may_expel=bool(unit.may_expel))


def admin_user_json(user, password: str | None = None) -> dict:
    """An account as its admin sees it (never its password hash); ``password``
    only in the answer that created or reset it."""
    out = {"id": user.id, "username": user.username, "display_name": user.display_name,
           "active": bool(user.active), "must_change_password": bool(user.must_change_password),
           "created_at": iso(user.created_at),
           "roles": [{"unit_id": ra.unit_id, "unit_name": ra.unit.name, "level": ra.unit.level.value,
                      "role": ra.role.value, "start": day(ra.starts_on)} for ra in user.roles]}
    if password is not None:
        out["password"] = password
    return out


def _admin():
    user = current()
    if not allowed_somewhere(db.session, user, ADMINISTER):
        raise ApiError(403, _("Only an administrator may do this."))
    return user


def _body(form_cls) -> dict:
    body = json_body()
    errors = check_payload(form_cls, body, _("Unknown field."), type_messages())
    if errors:
        raise invalid(errors)
    return body


@bp.get("/admin/units")
@operation("The units of the caller's subtrees (admins)", tags=["admin"], response=_page(ADMIN_UNIT),
           errors=(403,))
def admin_list_units():
    """Every unit of the subtrees the caller administers, by path (one page)."""
    rows = units.administered_units(db.session, _admin())
    official = strength.official_counts(db.session, rows)
    return jsonify({"items": [admin_unit_json(u, official) for u in rows], "next_cursor": None})


@bp.post("/admin/units")
@operation("Create a unit (admins)", tags=["admin"], body=form_schema(UnitForm), ok=201, response=ADMIN_UNIT,
           errors=(403, 422))
def admin_create_unit():
    """A new unit under a unit of the caller's subtree; a set-up event records it."""
    user = _admin()
    unit = units.create_unit(db.session, user, _body(UnitForm))
    db.session.commit()
    return created(admin_unit_json(unit), url_for("api.get_unit", id=unit.id))


@bp.patch("/admin/units/<int:id>")
@operation("Rename, move or flag a unit (admins)", tags=["admin"], body=form_schema(UnitEditForm),
           response=ADMIN_UNIT, errors=(403, 422))
def admin_update_unit(id: int):  # noqa: A002
    """``name`` and the flags; ``parent_id`` moves the unit and its subtree under another unit of the subtree."""
    in_range(id)
    user = _admin()
    unit = units.update_unit(db.session, user, units.administered(db.session, user, id), _body(UnitEditForm))
    db.session.commit()
    return jsonify(admin_unit_json(unit))


@bp.delete("/admin/units/<int:id>")
@operation("Dissolve an empty unit (admins)", tags=["admin"], response={"type": "object"}, errors=(403, 422))
def admin_dissolve_unit(id: int):  # noqa: A002
    """Refused (422, reasons named) while the unit has units under it, people, cases, posts or roles."""
    in_range(id)
    user = _admin()
    units.dissolve_unit(db.session, user, units.administered(db.session, user, id))
    db.session.commit()
    return jsonify({"dissolved": id})


@bp.get("/admin/users")
@operation("The accounts of the caller's subtrees (admins)", tags=["admin"], response=_page(ADMIN_USER),
           errors=(403,))
def admin_list_users():
    """Accounts holding a role in a subtree the caller administers, by username (one page)."""
    return jsonify({"items": [admin_user_json(u) for u in accounts.visible_accounts(db.session, _admin())],
                    "next_cursor": None})


@bp.post("/admin/users")
@operation("Create an account (admins)", tags=["admin"], body=form_schema(AccountForm), ok=201,
           response=ADMIN_USER, errors=(403, 422))
def admin_create_user():
    """A new account with its first role; the answer carries its one-time ``password``,
    which the user must change at the first login (pages) before getting a token (API)."""
    user = _admin()
    account, password = accounts.create_account(db.session, user, _body(AccountForm))
    db.session.commit()
    return created(admin_user_json(account, password), url_for("api.admin_list_users"))


def _account(id: int):  # noqa: A002
    in_range(id)
    user = _admin()
    return user, accounts.managed_account(db.session, user, id)


@bp.post("/admin/users/<int:id>/roles")
@operation("Grant a role (admins)", tags=["admin"], body=form_schema(RoleGrantForm), ok=201, response=ADMIN_USER,
           errors=(403, 422))
def admin_grant_role(id: int):  # noqa: A002
    """``{unit_id, role, start}``: the account holds the role at the unit from ``start`` (default today)."""
    user, account = _account(id)
    accounts.grant_role(db.session, user, account, _body(RoleGrantForm))
    db.session.commit()
    return created(admin_user_json(account), url_for("api.admin_list_users"))


@bp.delete("/admin/users/<int:id>/roles")
@operation("Revoke a role (admins)", tags=["admin"], body=form_schema(RoleRevokeForm), response=ADMIN_USER,
           errors=(403, 422))
def admin_revoke_role(id: int):  # noqa: A002
    """``{unit_id, role, end}``: the role ends on ``end`` (default today); the audit trail keeps its dates."""
    user, account = _account(id)
    accounts.revoke_role(db.session, user, account, _body(RoleRevokeForm))
    db.session.commit()
    return jsonify(admin_user_json(account))


@bp.post("/admin/users/<int:id>/disable")
@operation("Disable an account (admins)", tags=["admin"], body=NO_FIELDS, response=ADMIN_USER, errors=(403, 422))
def admin_disable_user(id: int):  # noqa: A002
    """Its login sessions and API tokens stop working at once; the account is never deleted."""
    user, account = _account(id)
    accounts.set_active(db.session, user, account, False)
    db.session.commit()
    return jsonify(admin_user_json(account))


@bp.post("/admin/users/<int:id>/enable")
@operation("Enable an account again (admins)", tags=["admin"], body=NO_FIELDS, response=ADMIN_USER, errors=(403, 422))
def admin_enable_user(id: int):  # noqa: A002
    user, account = _account(id)
    accounts.set_active(db.session, user, account, True)
    db.session.commit()
    return jsonify(admin_user_json(account))


@bp.post("/admin/users/<int:id>/reset-password")
@operation("Reset a password (admins)", tags=["admin"], body=NO_FIELDS, response=ADMIN_USER, errors=(403, 422))
def admin_reset_password(id: int):  # noqa: A002
    """A new one-time ``password`` in the answer; the user's sessions end and they must change it."""
    user, account = _account(id)
    password = accounts.reset_password(db.session, user, account)
    db.session.commit()
    return jsonify(admin_user_json(account, password))
