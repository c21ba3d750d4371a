"""``flask demo load [--scale]``: the deterministic demo district."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from .extensions import db

demo_cli = AppGroup("demo", help="Demo data (never run in production).")


def print_accounts() -> None:
    from core.demo import ACCOUNTS, DEMO_PASSWORD

    click.echo("Demo accounts (password: %s):" % DEMO_PASSWORD)
    for username, display, role, unit_key in ACCOUNTS:
        click.echo(f"  {username:<20} {role.value:<22} {display}")


@demo_cli.command("load")
@click.option("--scale", is_flag=True, help="Also build a Nghĩa Hưng-sized district (71 grassroots, 8,741 members).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the demo is already loaded.")
def load(scale: bool, if_empty: bool) -> None:
    """Load the demo tree, people and accounts (password 'demo')."""
    from flask import current_app

    from core.demo import load_demo, scale_district

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refusing to load demo accounts in production")
    started = time.perf_counter()
    try:
        load_demo(db.session)
        db.session.commit()
        click.echo("Demo data loaded.")
    except RuntimeError as exc:
        db.session.rollback()
        # With --scale, a demo already loaded (scripts/run loads it) is what the district builds on.
        if not (if_empty or scale):
            raise click.ClickException(str(exc)) from None
        click.echo(f"Demo data: {exc}; left as it is.")
    if scale:
        from core.demo import SCALE_MEMBERS

        with click.progressbar(length=SCALE_MEMBERS + 350, label="Building the district") as bar:
            try:
                result = scale_district(db.session, progress=bar.update)
            except RuntimeError as exc:
                db.session.rollback()
                raise click.ClickException(str(exc)) from None
            db.session.commit()
        click.echo(
            f"District built: {result['grassroots']} grassroots organisations, "
            f"{result['branches']} branches under đảng bộ, {result['members']} members "
            f"in {time.perf_counter() - started:.1f} s."
        )


@demo_cli.command("accounts")
def accounts() -> None:
    """Print the demo accounts."""
    print_accounts()
