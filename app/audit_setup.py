"""Wiring the audit anchor into the app: the signing key and the checkpoint log.

The key file (``AUDIT_SIGNING_KEY``) lives outside the database. Development
creates it when it is missing (``scripts/run`` does on first start);
production refuses to start without it; an empty setting gives a throw-away
key in memory (tests only). Every process that appends events (web, worker,
CLI) loads it, because each event is MAC'd with a key derived from it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from workflow import audit, signing
from workflow.checkpoints import Checkpoint, CheckpointError, check_log, last_checkpoint, read_log


def init_audit(app: Flask) -> None:
    """Load (or, outside production, create) the signing key; set the event MAC
    key; add the auditors' checkpoint pages."""
    path = app.config.get("AUDIT_SIGNING_KEY") or ""
    production = app.config["ENV_NAME"] == "production"
    if not path:
        if production:
            raise RuntimeError("AUDIT_SIGNING_KEY must name the audit signing key file in production")
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = signing.SigningKey(Ed25519PrivateKey.generate())
    elif production:
        if not Path(path).is_file():
            raise RuntimeError(f"the audit signing key {path} does not exist; create it with "
                               "`flask audit keygen` (APP_ENV=development) and keep it outside the database")
        key = signing.load(path)
    else:
        key = signing.load_or_generate(path)
    app.extensions["audit_key"] = key
    audit.set_mac_key(key.mac_key)


def signing_key() -> signing.SigningKey:
    """The current app's signing key."""
    return current_app.extensions["audit_key"]


def checkpoint_log() -> str:
    """Path of the checkpoint log; raises RuntimeError when none is configured."""
    path = current_app.config.get("AUDIT_CHECKPOINT_LOG") or ""
    if not path:
        raise RuntimeError("AUDIT_CHECKPOINT_LOG is not set")
    return path


def mac_from() -> int | None:
    """The first event number that must carry a MAC, from the newest signed
    checkpoint (None without one: the verifier then asks the database)."""
    path = current_app.config.get("AUDIT_CHECKPOINT_LOG") or ""
    try:
        cp = last_checkpoint(path, signing_key()) if path else None
    except (CheckpointError, OSError):
        return None
    return cp.mac_from if cp else None


def checkpoints_for_display(limit: int | None = None) -> tuple[list[tuple[Checkpoint, bool]], str | None]:
    """The checkpoints of the configured log, newest first (at most ``limit``),
    each with whether its signature verifies with the app's key; and an error
    reading the log, if any."""
    path = current_app.config.get("AUDIT_CHECKPOINT_LOG") or ""
    if not path:
        return [], None
    try:
        checkpoints = read_log(path, last=limit)
    except (CheckpointError, OSError) as exc:
        return [], str(exc)
    good, _problems = check_log(checkpoints, signing_key())
    valid = {id(cp) for cp in good}
    return [(cp, id(cp) in valid) for cp in reversed(checkpoints)], None
