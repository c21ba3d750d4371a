"""Load-and-authorise helpers: the one place a view turns an id into an object
the user may see, or a 404 (outside the scope looks the same as absent)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from core.permissions import can_view

from .extensions import db


def get_visible_or_404(model, obj_id: int):
    obj = db.session.get(model, obj_id)
    if obj is None or not can_view(current_user, obj, db.session):
        abort(404)
    return obj
