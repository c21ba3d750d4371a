"""``flask registry import FILE [--dry-run]`` and ``flask registry export UNIT_ID FILE``:
the bulk import of units and people from the member record's spreadsheet, as
the system (no scope), and its export (DOMAIN.md "Setting up an organisation")."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from .extensions import db

registry_cli = AppGroup("registry", help="The member registry: bulk import and export.")


@registry_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def import_file(file: Path, dry_run: bool) -> None:
    """Import units and people from FILE (XLSX or UTF-8 CSV); all or nothing."""
    from cases.imports import run_import
    from cases.spreadsheet import read_sheets

    data = file.read_bytes()
    started = time.perf_counter()
    try:
        total = sum(max(len(rows) - 1, 0) for rows in read_sheets(data, "unreadable").values())
    except ValueError:
        total = 1
    from flask import current_app

    with current_app.test_request_context(), \
            click.progressbar(length=2 * total, label="Importing " + file.name) as bar:
        report = run_import(db.session, None, data, filename=file.name, dry_run=dry_run, progress=bar.update)
        if report.written:
            db.session.commit()
        else:
            db.session.rollback()
        errors = [dict(e, message=str(e["message"])) for e in report.errors]
    for e in errors:
        click.echo(f"  row {e['row']}" + (f" [{e['sheet']}]" if e.get("sheet") else "") +
                   f", {e['column'] or '-'}: {e['message']}", err=True)
    click.echo(f"{report.rows} rows: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.errors)} errors"
               f"{' (dry run: nothing written)' if dry_run else ''} in {time.perf_counter() - started:.1f} s; "
               f"sha256 {report.sha256}")
    if report.errors:
        raise SystemExit(1)


@registry_cli.command("export")
@click.argument("unit_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_file(unit_id: int, file: Path) -> None:
    """Write UNIT_ID's units and people to FILE (XLSX), in the import's columns."""
    from cases.exports import export_unit
    from core.models import Unit

    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise click.ClickException(f"no unit {unit_id}")
    file.write_bytes(export_unit(db.session, None, unit))
    click.echo(f"Wrote {file}.")
