"""The JSON API blueprint (``/api/v1``): each resource module adds its routes to
:data:`bp`; :func:`api.wiring.init_api` imports them all and registers it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
