"""Idempotency keys: an act (or a start) sent twice with the same key, by the
same actor, takes effect once; the second call gets the first one's result.

A key is stored in the acting transaction (``wf_idempotency``, unique on actor
and key), so it exists exactly when the act committed.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.prepared import Prepared

from .models import IdempotencyRecord

_idem_t = IdempotencyRecord.__table__

P_IDEM_GET = Prepared(sa.select(_idem_t.c.result).where(_idem_t.c.actor_id == sa.bindparam("aid"),
                                                         _idem_t.c.key == sa.bindparam("key")))
P_IDEM_PUT = Prepared(_idem_t.insert().values({c.name: sa.bindparam(c.name) for c in _idem_t.c
                                               if c.name != "id"}))


def recall(conn, actor_id: int | None, key: str) -> dict | None:
    """The result stored under ``key`` for this actor (None = the system), or None."""
    row = P_IDEM_GET.first(conn, {"aid": actor_id or 0, "key": key})
    return None if row is None else row[0]


def remember(conn, actor_id: int | None, key: str, case_id: int, result: dict, at: dt.datetime) -> None:
    """Store ``result`` under ``key`` in the current transaction.

    Raises ``IntegrityError`` (at insert or at commit) when a concurrent call
    stored the same key first.
    """
    P_IDEM_PUT.execute(conn, {"actor_id": actor_id or 0, "key": key, "case_id": case_id, "result": result,
                             "created_at": at})
