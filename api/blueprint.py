"""The JSON API blueprint (``/api/v1``) and its wiring into the app.

Each resource module adds its routes to :data:`bp` when imported;
:func:`init_api` imports them all, so every route registers before the
blueprint does.
"""

from __future__ import annotations

import importlib

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The modules that hang handlers on ``bp``: the caller check and error handlers, then one per resource.
MODULES = ("caller", "errors", "tokens", "units", "people", "cases", "documents", "audit", "processes", "reports",
           "openapi")


def init_api(app) -> None:
    """Register the blueprint with every resource's routes (and the candidate
    training calls under it), exempt it from CSRF (bearer tokens, no cookies) and
    add the ``flask api`` commands."""
    from app.extensions import csrf

    for name in MODULES:
        importlib.import_module(f"{__package__}.{name}")
    from .candidacy import attach

    attach()
    csrf.exempt(bp)
    app.register_blueprint(bp)
    from .cli import api_cli

    app.cli.add_command(api_cli)
