"""Command-line commands (``flask ...``)."""

from __future__ import annotations


def register_cli(app) -> None:
    from .audit_cli import audit_cli
    from .demo import demo_cli
    from .registry_cli import registry_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(registry_cli)
