"""``flask audit ...``: verify the trail, sign checkpoints, prove a case's events.

    flask audit verify                      # what was added since the last signed checkpoint
    flask audit verify --full               # the whole history against every checkpoint of the log
    flask audit verify --checkpoint FILE    # the whole history against a copy of the log
    flask audit verify --case ID            # one case
    flask audit checkpoint                  # verify what is new, sign a checkpoint, append it to the log
    flask audit prove CASE_ID > proof.json  # an inclusion proof for one case's events
    flask audit check-proof proof.json      # check it (as scripts/verify_proof.py does, offline)
    flask audit keygen | public-key         # create the signing key / print its public half
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The append-only, hash-chained audit trail and its signed checkpoints.")

ROOT = Path(__file__).resolve().parent.parent
SHOWN = 20


def _session():
    return current_app.extensions["sqlalchemy"].session


def _workers(option: int | None) -> int:
    configured = option if option is not None else int(current_app.config.get("AUDIT_VERIFY_WORKERS") or 0)
    return configured or os.cpu_count() or 1


def _fail(problems, checked: str) -> None:
    for p in problems[:SHOWN]:
        click.echo(f"BROKEN {p}", err=True)
    if len(problems) > SHOWN:
        click.echo(f"... and {len(problems) - SHOWN} more", err=True)
    click.echo(f"audit verify: {len(problems)} problem(s) in {checked}; first bad event: {problems[0]}", err=True)
    raise SystemExit(1)


@audit_cli.command("verify")
@click.option("--case", "case_id", type=int, default=None, help="Check only this case.")
@click.option("--full", is_flag=True, help="Check the whole history, not only what came after the last checkpoint.")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), default=None,
              help="Check the whole history against the checkpoints in this file (a copy of the log).")
@click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Verify checkpoint signatures with this public key (default: the app's signing key).")
@click.option("--workers", type=int, default=None, help="Processes for a full check (default: one per CPU).")
@click.option("--plan", type=click.Choice(["range", "cases"]), default="range", show_default=True,
              help="How a full check reads: one pass in id order, or the reference plan by case (for comparison).")
def verify(case_id, full, checkpoint_file, public_key_file, workers, plan) -> None:
    """Verify the audit trail; exit 1 and name the first bad event when broken."""
    from workflow import signing
    from workflow.checkpoints import CheckpointError, check_log, read_log
    from workflow.verify import verify_all, verify_case, verify_since

    from .audit_setup import signing_key

    session = _session()
    if case_id is not None:
        problem = verify_case(session, case_id)
        session.rollback()
        if problem:
            _fail([problem], f"case {case_id}")
        click.echo(f"audit verify: OK (case {case_id})")
        return
    public = signing.load_public(public_key_file) if public_key_file else signing_key().public()
    log = checkpoint_file or current_app.config.get("AUDIT_CHECKPOINT_LOG") or ""
    if checkpoint_file and not Path(checkpoint_file).is_file():
        raise click.UsageError(f"no such checkpoint file: {checkpoint_file}")
    whole = bool(full or checkpoint_file)
    try:
        good, log_problems = check_log(read_log(log, last=None if whole else 1), public) if log else ([], [])
    except CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc
    started = time.perf_counter()
    if whole or not good:
        report = verify_all(session, checkpoints=good, workers=_workers(workers), plan=plan)
    else:
        report = verify_since(session, good[-1])
    session.rollback()
    report.add(log_problems)
    seconds = time.perf_counter() - started
    if good:
        which = f"checkpoint #{len(good)}" if whole else "the last checkpoint"
        anchor = f"{which} of {good[-1].time}: {good[-1].count} events, key {good[-1].key_id}"
    else:
        anchor = "no signed checkpoint"
    scope = (f"{report.cases} cases, {report.events} events" if report.mode == "full"
             else f"{report.events} events since the checkpoint, {report.cases} cases touched")
    checked = f"{scope}; {anchor}; {seconds:.1f} s"
    if not report.ok:
        _fail(report.problems, checked)
    macs = "" if report.mac_checked else "; MACs not checked (no key)"
    click.echo(f"audit verify: OK ({checked}{macs})")


@audit_cli.command("checkpoint")
@click.option("--workers", type=int, default=None, help="Processes for the first (full) verification.")
def checkpoint(workers) -> None:
    """Verify what is new, then sign a checkpoint over every event and append it to the log."""
    from core import clock
    from workflow.checkpoints import create

    from .audit_setup import checkpoint_log, signing_key

    outcome = create(_session(), signing_key(), checkpoint_log(), clock.now(), workers=_workers(workers))
    if outcome.checkpoint is None and not outcome.report.ok:
        for p in outcome.report.problems[:SHOWN]:
            click.echo(f"BROKEN {p}", err=True)
        click.echo("audit checkpoint: refused, the history does not verify", err=True)
        raise SystemExit(1)
    cp = outcome.checkpoint
    if cp is None:
        click.echo("audit checkpoint: no events yet")
    elif not outcome.written:
        click.echo(f"audit checkpoint: no new events since the checkpoint of {cp.time} ({cp.count} events)")
    else:
        click.echo(f"audit checkpoint: {cp.count} events, root {cp.root}, key {cp.key_id}, {cp.time}")


@audit_cli.command("prove")
@click.argument("case_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the proof here (default: standard output).")
def prove(case_id: int, output) -> None:
    """Print an inclusion proof (JSON) of a case's events against the last checkpoint."""
    from workflow.checkpoints import last_checkpoint
    from workflow.proof import ProofError, prove as make_proof

    from .audit_setup import checkpoint_log, signing_key

    public = signing_key().public()
    cp = last_checkpoint(checkpoint_log(), public)
    if cp is None:
        raise click.ClickException("no signed checkpoint yet: run `flask audit checkpoint` first")
    session = _session()
    try:
        proof = make_proof(session, case_id, cp, public)
    except ProofError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        session.rollback()
    text = json.dumps(proof, ensure_ascii=False, indent=1)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


def _proof_checker():
    spec = importlib.util.spec_from_file_location("verify_proof", ROOT / "scripts" / "verify_proof.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@audit_cli.command("check-proof")
@click.argument("proof_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--public-key", "public_key_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The public key to trust (default: the one inside the proof).")
def check_proof(proof_file, public_key_file) -> None:
    """Check an inclusion proof offline (the same code as scripts/verify_proof.py)."""
    argv = [proof_file] + (["--public-key", public_key_file] if public_key_file else [])
    status = _proof_checker().main(argv)
    sys.stdout.flush()
    raise SystemExit(status)


@audit_cli.command("keygen")
def keygen() -> None:
    """Create the signing key file AUDIT_SIGNING_KEY if it does not exist; print its id."""
    from workflow import signing

    path = current_app.config.get("AUDIT_SIGNING_KEY") or ""
    if not path:
        raise click.ClickException("AUDIT_SIGNING_KEY is not set")
    key = signing.load_or_generate(path)
    click.echo(f"audit signing key {path}: id {key.key_id}")


@audit_cli.command("public-key")
def public_key() -> None:
    """Print the public half of the signing key (PEM) for auditors."""
    from .audit_setup import signing_key

    click.echo(signing_key().pem(), nl=False)
