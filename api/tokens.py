"""Bearer tokens (issue, revoke) and the caller (``/me``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify
from flask_babel import gettext as _

from app.extensions import db
from app.throttle import credential_limits
from core.models import User
from core.passwords import DUMMY_HASH, verify_password
from core.permissions import ADMINISTER, allowed_somewhere, roles_of

from . import auth
from .blueprint import bp
from .caller import current
from .openapi import operation, ref
from .render import iso, me_json
from .requests import ApiError, invalid, json_body


@bp.post("/auth/token")
@credential_limits
@operation("Get a bearer token", tags=["auth"], body=ref("TokenRequest"), response=ref("Token"),
           errors=(403, 422), public=True,
           description="Exchanges a username and password for a token valid API_TOKEN_HOURS hours. "
                       "Failed attempts are limited per account and per address, together with the login page "
                       "(LOGIN_ACCOUNT_RATE_LIMIT, LOGIN_RATE_LIMIT).")
def issue_token():
    body = json_body()
    username, password = body.get("username"), body.get("password")
    errors = {}
    for name, value, longest in (("username", username, 80), ("password", password, 200)):
        if not isinstance(value, str) or not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > longest:
            errors[name] = [_("Enter at most %(max)s characters.", max=longest)]
    if errors:
        raise invalid(errors)
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(DUMMY_HASH, password)  # same time as a wrong password
        raise ApiError(401, _("Wrong username or password."))
    if not user.active or not user.check_password(password):
        raise ApiError(401, _("Wrong username or password."))
    if user.must_change_password:
        raise ApiError(403, _("Change your one-time password on the login page first."))
    secret, token = auth.issue_token(db.session, user, int(current_app.config["API_TOKEN_HOURS"]))
    db.session.commit()
    return jsonify({"token": secret, "expires_at": iso(token.expires_at)})


@bp.post("/auth/revoke")
@operation("Revoke every token of a user (admins)", tags=["auth"], body=ref("RevokeRequest"),
           response=ref("Revoked"), errors=(403, 422))
def revoke_tokens():
    body = json_body()
    if not allowed_somewhere(db.session, current(), ADMINISTER):
        raise ApiError(403, _("Only an administrator may revoke tokens."))
    username = body.get("username")
    if not isinstance(username, str) or not username:
        raise invalid({"username": [_("This field is required.")]})
    count = auth.revoke_tokens(db.session, username[:80], by=current())
    if count is None:
        raise invalid({"username": [_("No such user.")]})
    db.session.commit()
    return jsonify({"revoked": count})


@bp.get("/me")
@operation("The caller and their role assignments", tags=["org"], response=ref("Me"))
def me():
    return jsonify(me_json(current(), roles_of(db.session, current())))
