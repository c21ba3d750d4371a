"""Idempotency keys: an act (or a start) sent twice with the same key, by the
same actor, takes effect once; the second call gets the first one's result.

A key is stored in the acting transaction (``wf_idempotency``, unique on actor
and key), so it exists exactly when the act committed. It is bound to the
request it was first used for: the record keeps a :func:`fingerprint` of that
request (for an act: the case, the action and the payload; for a start: the
process, unit, person, start state, data and payload), and the same key sent with
another request is refused with :class:`KeyReused` (422) before anything else
is checked. Records written before fingerprints existed (``NULL``) replay as
they always did.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.prepared import Prepared

from .audit import json_safe
from .errors import WorkflowError
from .i18n import _
from .models import IdempotencyRecord

T = TypeVar("T")

_idem_t = IdempotencyRecord.__table__

P_IDEM_GET = Prepared(sa.select(_idem_t.c.result, _idem_t.c.fingerprint).where(
    _idem_t.c.actor_id == sa.bindparam("aid"), _idem_t.c.key == sa.bindparam("key")))
P_IDEM_PUT = Prepared(_idem_t.insert().values({c.name: sa.bindparam(c.name) for c in _idem_t.c
                                               if c.name != "id"}))


class KeyReused(WorkflowError):
    """The idempotency key was first used for another request (another case, action or payload)."""

    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(_("This idempotency key was already used for a different request (another case, "
                           "action or data); nothing was changed. Reload the form, or send a new key."))


def fingerprint(**request) -> str:
    """The sha256 (hex) of the canonical JSON of ``request`` (sorted keys, JSON-safe values,
    no insignificant whitespace): equal for equal requests, whatever the order of their fields."""
    text = json.dumps(json_safe(request), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def act_fingerprint(case_id: int, action: str, payload: dict | None) -> str:
    """The fingerprint of an act: its case, action and payload."""
    return fingerprint(case_id=case_id, action=action, payload=payload or {})


def start_fingerprint(process, unit, person, state, data: dict | None, payload: dict | None, reviewing_unit) -> str:
    """The fingerprint of a start: process (a class or its name), home unit, person,
    start state, initial data, payload and reviewing unit (objects or ids)."""
    return fingerprint(process=getattr(process, "name", process), unit=getattr(unit, "id", unit),
                       person=getattr(person, "id", person), state=getattr(state, "value", state),
                       data=data or {}, payload=payload or {},
                       reviewing_unit=getattr(reviewing_unit, "id", reviewing_unit))


def recall(conn, actor_id: int | None, key: str, request_fingerprint: str | None = None) -> dict | None:
    """The result stored under ``key`` for this actor (None = the system), or None.

    Raises :class:`KeyReused` when the key was stored for a request whose
    fingerprint is not ``request_fingerprint``.
    """
    row = P_IDEM_GET.first(conn, {"aid": actor_id or 0, "key": key})
    if row is None:
        return None
    result, stored = row
    if request_fingerprint is not None and stored is not None and stored != request_fingerprint:
        raise KeyReused()
    return result


def remember(conn, actor_id: int | None, key: str, case_id: int, result: dict, at: dt.datetime,
             request_fingerprint: str | None = None) -> None:
    """Store ``result`` under ``key``, bound to ``request_fingerprint``, in the current transaction.

    Raises ``IntegrityError`` (at insert or at commit) when a concurrent call
    stored the same key first.
    """
    P_IDEM_PUT.execute(conn, {"actor_id": actor_id or 0, "key": key, "case_id": case_id, "result": result,
                              "created_at": at, "fingerprint": request_fingerprint})


def run_once(session, actor_id: int | None, key: str | None, request_fingerprint: str,
             work: Callable[[], T], replayed: Callable[[dict], T]) -> T:
    """Run ``work()`` (one transaction that it commits) for a request that may be
    sent twice at the same instant; roll back on any error.

    When ``work`` is refused after its own look-up of ``key`` missed, the refusal
    can be the trace of a concurrent call with the same key: it moved the case
    (``StaleCase``, ``ActionNotAvailable``), opened the case a guard now sees,
    or stored the key first (``IntegrityError``). The key is then read again and
    its result returned through ``replayed(stored)``. Whoever was refused had to
    wait for that call's commit (SQLite's single writer, PostgreSQL's row lock
    and unique indexes), so the key is visible by then: no waiting loop is
    needed. After an ``IntegrityError`` that is no such replay, ``work`` runs
    once more, so that its checks see what the other writer committed and
    refuse as they refuse a later request (e.g. a second open case, which the
    unique index refused); a second ``IntegrityError`` is raised.
    :class:`KeyReused` is raised as it is.
    """
    for attempt in (1, 2):
        try:
            return work()
        except Exception as exc:
            session.rollback()
            conflicted = _is_integrity_error(session, exc)
            if not (conflicted or isinstance(exc, WorkflowError)):
                raise
            if key is not None and not isinstance(exc, KeyReused):
                try:
                    stored = recall(session.connection(), actor_id, key, request_fingerprint)
                finally:
                    session.rollback()
                if stored is not None:
                    return replayed(stored)
            if not conflicted or attempt == 2:
                raise
        except BaseException:  # KeyboardInterrupt and the like
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _is_integrity_error(session, exc: BaseException) -> bool:
    """A constraint refused a write: SQLAlchemy's ``IntegrityError``, or the driver's own
    (the prepared statements of :mod:`core.prepared` run on the DBAPI cursor)."""
    return isinstance(exc, (IntegrityError, session.get_bind().dialect.loaded_dbapi.IntegrityError))
