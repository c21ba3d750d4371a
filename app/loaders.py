"""Load-and-authorise helpers: the one place a view turns an id into an object
the user may see, or a 404 (outside the scope looks the same as absent)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from core.permissions import can_view, sees_in_transit

from .extensions import db


def get_visible_or_404(model, obj_id: int, *, in_transit: bool = False):
    """The row, or 404 when absent or outside the user's scope; with ``in_transit``, also
    a person in transit to a unit the user sees (:func:`core.permissions.sees_in_transit`)."""
    obj = db.session.get(model, obj_id)
    if obj is None or not (can_view(current_user, obj, db.session)
                           or (in_transit and sees_in_transit(db.session, current_user, obj))):
        abort(404)
    return obj
