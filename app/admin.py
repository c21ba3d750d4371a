"""The admin's pages (DOMAIN.md "Setting up an organisation"): the units of the
subtree (create, rename, move, flags, dissolve an empty one), accounts (create
with a one-time password, disable, enable, reset the password) and their role
assignments (grant, revoke, with dates), and the set-up log that admins and
auditors read. The forms post to the services the API calls too
(:mod:`cases.setup_units`, :mod:`cases.setup_accounts`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cases import setup_accounts as accounts
from cases import setup_units as units
from core.permissions import ADMINISTER, allowed_somewhere, roles_of, scope_paths
from forms.admin import AccountForm, RoleGrantForm, RoleRevokeForm, UnitEditForm, UnitForm
from workflow.errors import GuardFailed, InvalidPayload, NotPermitted, WorkflowError
from workflow.setup_log import events_for

from .extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _admin():
    if not allowed_somewhere(db.session, current_user, ADMINISTER):
        abort(403)
    return current_user._get_current_object()


def _payload() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def _bound(cls, sent: bool, errors: dict | None = None):
    form = cls(formdata=request.form if sent else None)
    for name, messages in (errors or {}).items():
        if hasattr(form, name):
            getattr(form, name).errors = list(messages)
    return form


def _refusal(exc: WorkflowError) -> tuple[dict, list[str]]:
    """(field errors, reasons) of a refused form; the transaction is rolled back."""
    db.session.rollback()
    if isinstance(exc, InvalidPayload):
        return exc.errors, []
    return {}, exc.reasons if isinstance(exc, GuardFailed) else [exc.message]


def _unit_choices(user) -> list[tuple[int, str]]:
    return [(u.id, "— " * (len(u.ancestor_ids) - 1) + u.name) for u in units.administered_units(db.session, user)]


def overview(status: int = 200, *, failed: str | None = None, errors=None, reasons=None):
    """The set-up page: units, accounts, and the forms to add either."""
    user = _admin()
    return render_template(
        "admin/index.html", units=units.administered_units(db.session, user), unit_choices=_unit_choices(user),
        accounts=accounts.visible_accounts(db.session, user),
        unit_form=_bound(UnitForm, failed == "unit", errors if failed == "unit" else None),
        account_form=_bound(AccountForm, failed == "account", errors if failed == "account" else None),
        failed=failed, reasons=reasons), status


@bp.route("/")
@login_required
def index():
    return overview()


@bp.route("/units", methods=["POST"])
@login_required
def create_unit():
    user = _admin()
    try:
        unit = units.create_unit(db.session, user, _payload())
    except WorkflowError as exc:
        errors, reasons = _refusal(exc)
        return overview(422, failed="unit", errors=errors, reasons=reasons)
    db.session.commit()
    flash(_("The unit %(name)s was created.", name=unit.name), "success")
    return redirect(url_for("admin.index") + "#units")


def _unit_page(unit, status: int = 200, *, sent: bool = False, errors=None, reasons=None):
    user = _admin()
    form = _bound(UnitEditForm, sent, errors)
    if not sent:
        form.name.data = unit.name
        form.parent_id.data = unit.parent_id
        for flag in units.FLAGS:
            getattr(form, flag).data = bool(getattr(unit, flag))
    choices = [(i, n) for i, n in _unit_choices(user) if i != unit.id]
    return render_template("admin/unit.html", unit=unit, form=form, unit_choices=choices, reasons=reasons), status


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
def edit_unit(unit_id: int):
    user = _admin()
    unit = units.administered(db.session, user, unit_id)  # NotFound: the app's 404 page
    if request.method == "GET":
        return _unit_page(unit)
    try:
        unit = units.update_unit(db.session, user, unit, _payload())
    except WorkflowError as exc:
        errors, reasons = _refusal(exc)
        return _unit_page(units.administered(db.session, user, unit_id), 422, sent=True, errors=errors,
                          reasons=reasons)
    db.session.commit()
    flash(_("The unit %(name)s was saved.", name=unit.name), "success")
    return redirect(url_for("admin.edit_unit", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/dissolve", methods=["POST"])
@login_required
def dissolve_unit(unit_id: int):
    user = _admin()
    unit = units.administered(db.session, user, unit_id)  # NotFound: the app's 404 page
    name = unit.name
    try:
        units.dissolve_unit(db.session, user, unit)
    except WorkflowError as exc:
        _errors, reasons = _refusal(exc)
        return _unit_page(units.administered(db.session, user, unit_id), 422, reasons=reasons)
    db.session.commit()
    flash(_("The unit %(name)s was dissolved.", name=name), "success")
    return redirect(url_for("admin.index") + "#units")


@bp.route("/users", methods=["POST"])
@login_required
def create_user():
    user = _admin()
    try:
        account, password = accounts.create_account(db.session, user, _payload())
    except WorkflowError as exc:
        errors, reasons = _refusal(exc)
        return overview(422, failed="account", errors=errors, reasons=reasons)
    db.session.commit()
    return _account_page(account, password=password)


def _account_page(account, status: int = 200, *, password: str | None = None, failed: str | None = None,
                  errors=None, reasons=None):
    user = _admin()
    return render_template(
        "admin/user.html", account=account, password=password, unit_choices=_unit_choices(user),
        grant_form=_bound(RoleGrantForm, failed == "grant", errors if failed == "grant" else None),
        revoke_form=RoleRevokeForm(), failed=failed, reasons=reasons), status


def _managed(user_id: int):
    return accounts.managed_account(db.session, _admin(), user_id)  # NotFound: the app's 404 page


@bp.route("/users/<int:user_id>")
@login_required
def user_page(user_id: int):
    return _account_page(_managed(user_id))


def _account_action(user_id: int, failed: str, action, done: str):
    account = _managed(user_id)
    try:
        result = action(account)
    except (InvalidPayload, GuardFailed, NotPermitted) as exc:
        errors, reasons = _refusal(exc)
        return _account_page(_managed(user_id), 422, failed=failed, errors=errors, reasons=reasons)
    db.session.commit()
    if failed == "reset":
        return _account_page(account, password=result)
    flash(done, "success")
    return redirect(url_for("admin.user_page", user_id=account.id))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@login_required
def grant_role(user_id: int):
    return _account_action(user_id, "grant", lambda a: accounts.grant_role(db.session, current_user, a, _payload()),
                           _("The role was granted."))


@bp.route("/users/<int:user_id>/roles/revoke", methods=["POST"])
@login_required
def revoke_role(user_id: int):
    return _account_action(user_id, "revoke",
                           lambda a: accounts.revoke_role(db.session, current_user, a, _payload()),
                           _("The role was revoked."))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@login_required
def disable_user(user_id: int):
    return _account_action(user_id, "disable", lambda a: accounts.set_active(db.session, current_user, a, False),
                           _("The account was disabled: its sessions and tokens no longer work."))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@login_required
def enable_user(user_id: int):
    return _account_action(user_id, "enable", lambda a: accounts.set_active(db.session, current_user, a, True),
                           _("The account was enabled."))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@login_required
def reset_password(user_id: int):
    return _account_action(user_id, "reset", lambda a: accounts.reset_password(db.session, current_user, a), "")


@bp.route("/log")
@login_required
def setup_log():
    """The set-up events about units the reader sees (admins and auditors), newest first."""
    roles = {ra.role.value for ra in roles_of(db.session, current_user)}
    if not roles & {"admin", "auditor"}:
        abort(403)
    events = events_for(db.session, scope_paths(db.session, current_user))
    return render_template("admin/log.html", events=events)
