"""``flask api ...``: administration of the JSON API from the server."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

from . import auth

api_cli = AppGroup("api", help="JSON API administration.")


@api_cli.command("revoke-tokens")
@click.argument("username")
def revoke_tokens_command(username: str):
    """Revoke every live API token of USERNAME."""
    count = auth.revoke_tokens(db.session, username)
    if count is None:
        raise click.ClickException(f"no user {username!r}")
    db.session.commit()
    click.echo(f"revoked {count} token(s) of {username}")
