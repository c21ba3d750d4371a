"""Command-line commands (``flask ...``)."""

from __future__ import annotations


def register_cli(app) -> None:
    from .demo import demo_cli

    app.cli.add_command(demo_cli)
    try:
        from .audit_cli import audit_cli
    except ModuleNotFoundError as exc:  # until the engine's audit command exists
        if exc.name != "app.audit_cli":
            raise
    else:
        app.cli.add_command(audit_cli)
