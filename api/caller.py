"""Who is calling: the bearer token checked before every API request."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from app.extensions import db
from core.models import User

from . import auth
from .blueprint import bp
from .problems import problem

# A token is 43 characters; anything much longer is not one (and is not hashed).
MAX_SECRET = 200
# Endpoints answered without a token.
PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi"}


def current() -> User:
    """The user whose token this request carries (set by :func:`authenticate`)."""
    return g.api_user


@bp.before_request
def authenticate():
    """Outside :data:`PUBLIC_ENDPOINTS`, refuse a missing, expired, revoked or
    unknown token (401). (The edge, :mod:`app.edge`, has screened the request.)"""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and secret.strip() and len(secret) <= MAX_SECRET:
        user = auth.user_for_token(db.session, secret.strip())
    if user is None:
        response = problem(401, _("Log in first: a valid token is required."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    g.api_user = user
    return None
