"""An admin's accounts and role assignments (DOMAIN.md "Setting up an
organisation"): create an account with a one-time password its user must
change at the next login, disable it (its sessions and tokens stop at once),
enable it again, reset its password; never delete one. Grant a role at a unit
of the subtree from a day; revoke it on a day (the assignment is removed, its
dates stay in the set-up log). Every change is a set-up event
(:func:`workflow.setup_log.log`).

An admin manages the accounts whose roles are all inside the subtrees they
administer (an account without any role: admins at the top of a tree), and
sees those with a role there. Errors as in :mod:`cases.setup_units`.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from core import clock
from core.enums import Role
from core.models import RoleAssignment, Unit, User
from core.permissions import ADMINISTER, allows, where_allowed
from forms.admin import AccountForm, RoleGrantForm, RoleRevokeForm
from workflow.errors import GuardFailed, InvalidPayload
from workflow.guards import validate_form
from workflow.i18n import _
from workflow.setup_log import log

from .queries import NotFound
from .setup_units import administered

# Letters and digits a person reads without confusing them (no 0/O, 1/l/I).
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def one_time_password() -> str:
    """A random 12-character password shown once to the admin (about 70 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _i in range(12))


def roles_state(user: User) -> list[dict]:
    """The user's role assignments as the set-up log keeps them."""
    return [{"unit_id": ra.unit_id, "role": ra.role.value, "start": ra.starts_on} for ra in user.roles]


def account_state(user: User) -> dict:
    """What the set-up log keeps of an account (never a password or its hash)."""
    return {"username": user.username, "display_name": user.display_name, "active": bool(user.active),
            "must_change_password": bool(user.must_change_password), "roles": roles_state(user)}


def visible_accounts(session: Session, user) -> list[User]:
    """Accounts with a role in a subtree ``user`` administers (and, for an admin at
    the top of a tree, accounts without any role), by username."""
    admin_units = sa.select(Unit.id).where(where_allowed(session, user, ADMINISTER))
    with_role = sa.select(RoleAssignment.user_id).where(RoleAssignment.unit_id.in_(admin_units))
    cond = User.id.in_(with_role)
    if _at_top(session, user):
        cond = sa.or_(cond, ~sa.exists().where(RoleAssignment.user_id == User.id))
    return list(session.scalars(sa.select(User).where(cond).options(
        selectinload(User.roles).selectinload(RoleAssignment.unit)).order_by(User.username)))


def _at_top(session: Session, user) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Unit).where(
        Unit.parent_id.is_(None), where_allowed(session, user, ADMINISTER))) > 0


def managed_account(session: Session, user, user_id) -> User:
    """The account ``user_id`` if ``user`` manages it (every role it holds is in a
    subtree ``user`` administers); :class:`NotFound` otherwise."""
    try:
        account = session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        account = None
    if account is None:
        raise NotFound(user_id)
    units = [ra.unit for ra in account.roles]
    if units and all(allows(session, user, ADMINISTER, u) for u in units):
        return account
    if not units and _at_top(session, user):
        return account
    raise NotFound(user_id)


def _unit_field(session: Session, user, unit_id) -> Unit:
    try:
        return administered(session, user, unit_id)
    except NotFound:
        raise InvalidPayload({"unit_id": [_("No such unit among the units you administer.")]}) from None


def create_account(session: Session, user, payload: dict) -> tuple[User, str]:
    """A new account (fields of :class:`forms.admin.AccountForm`) with its first
    role at a unit the user administers and a one-time password it must change
    at the next login; returns ``(account, password)`` (the password is shown
    once and never stored in clear). Flushes and logs ``user.create``."""
    _data, data = validate_form(AccountForm, payload)
    unit = _unit_field(session, user, data["unit_id"])
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == data["username"].lower())):
        raise InvalidPayload({"username": [_("This username is taken.")]})
    password = one_time_password()
    account = User(username=data["username"], display_name=data["display_name"], must_change_password=True)
    account.set_password(password)
    account.roles.append(RoleAssignment(unit_id=unit.id, role=Role(data["role"]),
                                        starts_on=data.get("start") or clock.today()))
    session.add(account)
    session.flush()
    log(session, user, "user.create", unit, target={"kind": "user", "id": account.id}, after=account_state(account))
    return account, password


def _home(account: User) -> Unit | None:
    return account.roles[0].unit if account.roles else None


def set_active(session: Session, user, account: User, active: bool) -> User:
    """Disable (``active`` False) or enable an account. Disabling ends every
    login session at once (:meth:`core.models.User.end_sessions`) and every API
    token stops working (a token acts only for an active user). Logs
    ``user.disable`` / ``user.enable``; refuses disabling oneself."""
    if account.id == user.id and not active:
        raise GuardFailed([_("You cannot disable your own account.")])
    before = account_state(account)
    if bool(account.active) == active:
        return account
    account.active = active
    session.flush()
    log(session, user, "user.enable" if active else "user.disable", _home(account),
        target={"kind": "user", "id": account.id}, before=before, after=account_state(account))
    return account


def reset_password(session: Session, user, account: User) -> str:
    """A new one-time password the user must change at the next login; their
    sessions end. Returns the password (shown once). Logs ``user.reset_password``."""
    before = account_state(account)
    password = one_time_password()
    account.set_password(password)
    account.must_change_password = True
    session.flush()
    log(session, user, "user.reset_password", _home(account), target={"kind": "user", "id": account.id},
        before=before, after=account_state(account))
    return password


def grant_role(session: Session, user, account: User, payload: dict) -> RoleAssignment:
    """Grant ``account`` a role (fields of :class:`forms.admin.RoleGrantForm`) at a
    unit the user administers, from ``start`` (default today). Logs ``role.grant``.
    Raises ``GuardFailed`` when the account already holds that role there."""
    _data, data = validate_form(RoleGrantForm, payload)
    unit = _unit_field(session, user, data["unit_id"])
    role = Role(data["role"])
    if any(ra.unit_id == unit.id and ra.role is role for ra in account.roles):
        raise GuardFailed([_("%(name)s already holds this role at %(unit)s.", name=account.display_name,
                             unit=unit.name)])
    before = account_state(account)
    assignment = RoleAssignment(unit_id=unit.id, role=role, starts_on=data.get("start") or clock.today())
    account.roles.append(assignment)
    session.flush()
    log(session, user, "role.grant", unit, target={"kind": "user", "id": account.id}, before=before,
        after=account_state(account))
    return assignment


def revoke_role(session: Session, user, account: User, payload: dict) -> None:
    """Revoke the role (fields of :class:`forms.admin.RoleRevokeForm`) ``account``
    holds at a unit the user administers, on ``end`` (default today, not before
    its start). The assignment is removed; the event keeps its start and end.
    Logs ``role.revoke``. Raises ``InvalidPayload`` when the account does not
    hold it, ``GuardFailed`` for an admin revoking their own admin role."""
    _data, data = validate_form(RoleRevokeForm, payload)
    unit = _unit_field(session, user, data["unit_id"])
    role = Role(data["role"])
    held = next((ra for ra in account.roles if ra.unit_id == unit.id and ra.role is role), None)
    if held is None:
        raise InvalidPayload({"role": [_("The account does not hold this role at this unit.")]})
    if account.id == user.id and role is Role.admin:
        raise GuardFailed([_("You cannot revoke your own administrator role.")])
    end = data.get("end") or clock.today()
    if held.starts_on is not None and end < held.starts_on:
        raise InvalidPayload({"end": [_("The role cannot end before it started.")]})
    before = account_state(account)
    account.roles.remove(held)
    session.flush()
    log(session, user, "role.revoke", unit, target={"kind": "user", "id": account.id}, before=before,
        after=dict(account_state(account), revoked={"unit_id": unit.id, "role": role.value,
                                                    "start": held.starts_on, "end": end}))
