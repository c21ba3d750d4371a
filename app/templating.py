"""Jinja filters and globals."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask

from core.models import Unit
from core import clock

from .extensions import db

# (label, endpoint) pairs; blueprints that exist add theirs in register_nav.
_NAV: list[tuple[object, str]] = []


def register_nav(label, endpoint: str) -> None:
    if all(e != endpoint for _, e in _NAV):
        _NAV.append((label, endpoint))


def vnumber(value) -> str:
    """A number the Vietnamese way: 8.741 and 12,5 (text passes through)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def vdate(value) -> str:
    """A date the Vietnamese way: 22/11/2026."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = clock.local(value)
    return value.strftime("%d/%m/%Y")


def vdatetime(value) -> str:
    """A UTC datetime shown in Vietnam time: 22/11/2026 15:05."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    return clock.local(value).strftime("%d/%m/%Y %H:%M")


def vdeadline(value) -> str:
    """A deadline instant (the end of a local day) as that local day."""
    if value is None:
        return ""
    return (clock.local(value) - dt.timedelta(seconds=1)).strftime("%d/%m/%Y")


def filesize(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def unit_ancestors(unit: Unit) -> list[tuple[Unit, bool]]:
    """The units above ``unit``, root first, each with whether the user may open it."""
    from flask_login import current_user

    from core.permissions import can_view

    ids = unit.ancestor_ids[:-1]
    if not ids:
        return []
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    return [(units[i], can_view(current_user, units[i], db.session)) for i in ids if i in units]


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["vdate"] = vdate
    app.jinja_env.filters["vnumber"] = vnumber
    app.jinja_env.filters["vdatetime"] = vdatetime
    app.jinja_env.filters["vdeadline"] = vdeadline
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.globals["unit_ancestors"] = unit_ancestors
    app.jinja_env.filters["reject_key"] = lambda d, key: {k: v for k, v in d.items() if k != key}
    app.jinja_env.globals["nav_links"] = lambda: [(str(label), endpoint) for label, endpoint in _NAV
                                                  if endpoint in app.view_functions]
