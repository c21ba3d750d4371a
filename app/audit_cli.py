"""``flask audit verify``: check every audit chain, name the first bad event."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The append-only, hash-chained audit trail.")


@audit_cli.command("verify")
@click.option("--case", "case_id", type=int, default=None, help="Check only this case.")
def verify(case_id: int | None) -> None:
    """Verify every case's hash chain (or one case's); exit 1 when broken."""
    from workflow.audit import verify_all, verify_case

    session = current_app.extensions["sqlalchemy"].session
    if case_id is not None:
        problem = verify_case(session, case_id)
        problems = [problem] if problem else []
        checked = f"case {case_id}"
    else:
        report = verify_all(session)
        problems = report.problems
        checked = f"{report.cases} cases, {report.events} events"
    session.rollback()
    if problems:
        for p in problems:
            click.echo(f"BROKEN {p}", err=True)
        click.echo(f"audit verify: {len(problems)} broken chain(s) in {checked}; first bad event: {problems[0]}",
                   err=True)
        raise SystemExit(1)
    click.echo(f"audit verify: OK ({checked})")
