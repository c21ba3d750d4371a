"""Wiring the JSON API into the app: every module that adds to the blueprint,
the candidate training calls under it, CSRF exemption, ``flask api``."""

from __future__ import annotations

from app.extensions import csrf

from . import (admin, audit, caller, candidacy, cases, documents, errors, imports, notifications, openapi, people,
               printing, processes, reports, tokens, units)
from .blueprint import bp
from .cli import api_cli

# The modules that hang handlers on ``bp`` (importing them registers their routes).
MODULES = (caller, errors, tokens, units, people, cases, documents, printing, audit, processes, reports, admin, imports,
           notifications, openapi)


def init_api(app) -> None:
    """Register the API blueprint on ``app`` with every route of :data:`MODULES`
    and the candidate training calls (``api.candidacy.*``), exempt it from CSRF
    (bearer tokens, no cookies) and add the ``flask api`` commands."""
    if candidacy.bp.name not in {child.name for child, _opts in bp._blueprints}:
        csrf.exempt(candidacy.bp)
        bp.register_blueprint(candidacy.bp)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.cli.add_command(api_cli)
