"""The page import as a background job (DOMAIN.md "Setting up an organisation").

The import page checks a file (a dry run, in the request) and keeps it under
``UPLOAD_DIR/imports/<sha256>``; the confirmation hands the writing to the
Celery task ``tasks.import_registry``, whose progress the admin watches on
``/admin/imports/<sha256>``. The job's state lives beside the waiting file as
``<sha256>.json`` (shared storage like the uploads, so the web and the worker
both see it, and no database write competes with the import's own
transaction):

``{"state": "checked" | "queued" | "running" | "done" | "failed",
  "user_id", "filename", "rows", "done", "total", "created", "updated",
  "unchanged", "errors": [{row, column, message}]}``

``done``/``total`` count the import's ticks (:func:`cases.imports.run_import`:
two a row, checking then writing). The file is written atomically (a temporary
file renamed), so a reader never sees half a state.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from cases.imports import run_import
from core.models import User

from .extensions import db

SHA256 = re.compile(r"^[0-9a-f]{64}$")
STATES = ("checked", "queued", "running", "done", "failed")
PROGRESS_EVERY_SECONDS = 0.5


def store() -> Path:
    """The directory holding waiting files and job states (created on demand)."""
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_path(sha: str) -> Path:
    """Where the checked file ``sha`` waits. ``ValueError`` for anything but 64 hex digits."""
    if not SHA256.match(sha or ""):
        raise ValueError("not a sha256")
    return store() / sha


def read(sha: str) -> dict | None:
    """The job state of ``sha``, or None when there is none (or ``sha`` is not a sha256)."""
    try:
        path = data_path(sha).with_suffix(".json")
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None


def write(sha: str, **state) -> dict:
    """Replace the job state of ``sha`` by ``state`` (atomically); returns it."""
    path = data_path(sha).with_suffix(".json")
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    return state


def update(sha: str, **changes) -> dict:
    """Merge ``changes`` into the job state of ``sha``; returns the new state."""
    return write(sha, **{**(read(sha) or {}), **changes})


def owned(sha: str, user_id: int) -> dict | None:
    """The job state of ``sha`` when it belongs to ``user_id`` (who checked the file), else None:
    another admin's job reads as absent."""
    state = read(sha)
    if state is None or state.get("user_id") != user_id:
        return None
    return state


def run(sha: str, user_id: int) -> dict:
    """Write the checked file ``sha`` as the user ``user_id`` (the task's body): all rows or
    none, in one transaction, reporting progress at most every half second. The user must
    still be active and an admin of every unit the file touches (checked again: rights may
    have changed since the dry run). Idempotent: a second run of a done job does nothing, and
    a re-import of the same rows changes nothing. Returns the final state."""
    state = read(sha)
    if state is None or state.get("state") == "done":
        return state or {}
    user = db.session.get(User, int(user_id))
    with force_locale(getattr(user, "language", None) or current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        return _run(sha, user, state)


def _run(sha: str, user, state: dict) -> dict:
    path = data_path(sha)
    if user is None or not user.active or not path.is_file():
        return update(sha, state="failed", errors=[{"row": 1, "column": "", "message": _(
            "The file or the account that checked it is no longer available; upload the file again.")}])
    total = max(2 * int(state.get("rows") or 0), 1)
    ticks = {"done": 0, "written_at": 0.0}

    def progress(n: int) -> None:
        ticks["done"] += n
        now = time.monotonic()
        if now - ticks["written_at"] >= PROGRESS_EVERY_SECONDS:
            ticks["written_at"] = now
            update(sha, state="running", done=min(ticks["done"], total), total=total)

    update(sha, state="running", done=0, total=total)
    try:
        report = run_import(db.session, user, path.read_bytes(), filename=state.get("filename", ""),
                            progress=progress)
        if report.errors:
            db.session.rollback()
            return update(sha, state="failed", errors=report.errors, done=total, total=total)
        db.session.commit()
    except Exception:
        db.session.rollback()
        update(sha, state="failed", errors=[{"row": 1, "column": "", "message": _(
            "The import failed and nothing was written. Try again, or ask the administrator.")}])
        raise
    finally:
        db.session.remove()
    path.unlink(missing_ok=True)
    return update(sha, state="done", done=total, total=total, rows=report.rows, created=report.created,
                  updated=report.updated, unchanged=report.unchanged, errors=[])
