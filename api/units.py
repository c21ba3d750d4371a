"""Org units: one unit, and its children."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request

from app.extensions import db
from cases import strength
from cases.cursor import decode_ids, keyset_page
from core.models import Unit
from core.permissions import can_view

from .blueprint import bp
from .caller import current
from .openapi import CURSOR, LIMIT, operation, ref
from .render import unit_json
from .requests import ApiError, in_range, limit_arg


def load_unit(unit_id: int) -> Unit:
    """The unit ``unit_id`` if the caller may see it; :class:`ApiError` 404 otherwise."""
    in_range(unit_id)
    unit = db.session.get(Unit, unit_id)
    if unit is None or not can_view(current(), unit, db.session):
        raise ApiError(404)
    return unit


@bp.get("/units/<int:id>")
@operation("An org unit", tags=["org"], response=ref("Unit"))
def get_unit(id: int):  # noqa: A002 (the contract names it id)
    unit = load_unit(id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.parent_id == unit.id))
    return jsonify(unit_json(unit, children_count=count, official=strength.official_counts(db.session, [unit])))


@bp.get("/units/<int:id>/children")
@operation("The children of an org unit", tags=["org"], params=[LIMIT, CURSOR], response=ref("UnitPage"))
def unit_children(id: int):  # noqa: A002
    unit = load_unit(id)
    limit = limit_arg()
    stmt = sa.select(Unit).where(Unit.parent_id == unit.id)
    after = decode_ids(request.args.get("cursor"), 1)
    if after:
        stmt = stmt.where(Unit.id > after[0])
    rows, next_cursor = keyset_page(db.session, stmt.order_by(Unit.id), limit, lambda u: (u.id,))
    official = strength.official_counts(db.session, rows)
    return jsonify({"items": [unit_json(u, official=official) for u in rows], "next_cursor": next_cursor})
