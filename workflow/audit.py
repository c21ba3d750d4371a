"""The append-only, hash-chained audit trail: the one place an event is written.

Each event's hash is ``sha256(prev_hash + canonical_json(event))`` where the
canonical JSON holds the case id, sequence number, actor, action, states,
payload, comment, time and request id, with sorted keys and no whitespace.
The first event of a case chains to :data:`GENESIS_HASH`. The case row keeps
the chain head (``audit_seq``, ``audit_hash``), so appending never reads the
event table's rows.

Every event also takes the next number of one global sequence, its ``id``
(the *gseq*): ``max(id) + 1`` read under an append lock held until commit (on
SQLite the database's single write lock; on PostgreSQL a transaction-level
advisory lock taken by ``audit_next_gseq()``), so numbers follow commit order,
are never shared and never skipped, and a gap means a deletion. When a MAC key
is set (:func:`set_mac_key`, from the signing key kept outside the database),
each event carries ``mac = HMAC-SHA256(key, "<gseq>:<hash>")``. The verifier
is :mod:`workflow.verify`; signed Merkle checkpoints over the global sequence
are :mod:`workflow.checkpoints`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any, Callable

import sqlalchemy as sa

from core.prepared import Prepared

from .models import AuditEvent

SYSTEM_NAME = "system"

_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_sha256 = hashlib.sha256

_mac_key: bytes | None = None


def set_mac_key(key: bytes | None) -> None:
    """The key that authenticates appended events (None: events carry no MAC)."""
    global _mac_key
    _mac_key = key


def mac_key() -> bytes | None:
    """The MAC key set by :func:`set_mac_key`, if any."""
    return _mac_key


def event_mac(key: bytes, gseq: int, event_hash_hex: str) -> str:
    """The event's MAC: binds its hash (hence its content, case and chain) to its global position."""
    return hmac.new(key, f"{gseq}:{event_hash_hex}".encode("ascii"), _sha256).hexdigest()


def format_at(at: dt.datetime) -> str:
    """An event time as the canonical JSON writes it (ISO 8601, microseconds, no zone: UTC)."""
    return at.isoformat(timespec="microseconds")


def canonical_fields(case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at,
                     request_id) -> dict[str, Any]:
    """The hashed fields of an event as a JSON object (``at`` as ISO text); what
    an inclusion proof carries so that it can be checked offline."""
    return {
        "action": action,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "at": at if isinstance(at, str) else format_at(at),
        "case_id": case_id,
        "comment": comment,
        "from_state": from_state,
        "payload": payload,
        "request_id": request_id,
        "seq": seq,
        "to_state": to_state,
    }


def canonical(case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at,
              request_id) -> str:
    """The canonical JSON of an event: sorted keys, no whitespace, UTF-8 text."""
    return _dumps(canonical_fields(case_id, seq, actor_id, actor_name, action, from_state, to_state, payload,
                                   comment, at, request_id))


_str = json.encoder.encode_basestring  # what the encoder above uses for strings (ensure_ascii=False)
_CANON = ('{{"action":{},"actor_id":{},"actor_name":{},"at":{},"case_id":{},"comment":{},"from_state":{},'
          '"payload":{},"request_id":{},"seq":{},"to_state":{}}}').format


def _value(v) -> str:
    t = type(v)
    if t is str:
        return _str(v)
    if v is None:
        return "null"
    if t is int:
        return int.__repr__(v)
    return _dumps(v)


def canonical_fast(case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at,
                   request_id) -> str:
    """The same text as :func:`canonical`, byte for byte (a test compares them
    over awkward values), without building a dict: the verifier's hot path.
    ``at`` is a datetime or its canonical text."""
    return _CANON(_value(action), _value(actor_id), _value(actor_name),
                  _str(at) if type(at) is str else _value(at if at is None else format_at(at)),
                  _value(case_id), _value(comment), _value(from_state), _dumps(payload), _value(request_id),
                  _value(seq), _value(to_state))


def chain_hash(prev_hash: str, body: str) -> str:
    """``sha256(prev_hash + body)`` as hex: an event's hash from its canonical JSON."""
    return _sha256((prev_hash + body).encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, **fields: Any) -> str:
    """The hash of an event given its fields (those of :func:`canonical`)."""
    return chain_hash(prev_hash, canonical(**fields))


_event_t = AuditEvent.__table__
P_INSERT_EVENT = Prepared(_event_t.insert().values({c.name: sa.bindparam(c.name) for c in _event_t.c}))
# The next global sequence number, read under the append lock (see the module docstring).
_NEXT_GSEQ_SQLITE = "SELECT coalesce(max(id), 0) + 1 FROM audit_event"
P_NEXT_GSEQ_PG = Prepared(sa.text("SELECT audit_next_gseq()"))
# The same transaction-level advisory lock audit_next_gseq() takes (migration 0010_audit_anchor).
APPEND_LOCK = 0x6175646974
P_LOCK_APPENDS_PG = Prepared(sa.text(f"SELECT pg_advisory_xact_lock({APPEND_LOCK})"))


def lock_appends(conn) -> None:
    """Take the append lock now, before any row lock (PostgreSQL; a no-op on
    SQLite, whose single write lock plays that part). Every writer that locks a
    case row and then appends takes it first, so two transactions never wait for
    each other in opposite orders (e.g. a course-results sheet moving several
    cases and a single act on one of them)."""
    if conn.dialect.name == "postgresql":
        P_LOCK_APPENDS_PG.first(conn, {})


def next_gseq(conn) -> int:
    """Take the append lock (PostgreSQL; SQLite's write lock is already held by
    the caller's first write) and return the next global sequence number."""
    if conn.dialect.name == "postgresql":
        return int(P_NEXT_GSEQ_PG.first(conn, {})[0])
    return conn.connection.driver_connection.execute(_NEXT_GSEQ_SQLITE).fetchone()[0]


def actor_id(actor) -> int | None:
    """The acting user's id as recorded on an event (None for the system)."""
    return None if actor is None else actor.id


def actor_name(actor) -> str:
    """The acting user's name as recorded on an event (``system`` for the system)."""
    if actor is None:
        return SYSTEM_NAME
    return getattr(actor, "display_name", None) or getattr(actor, "username", "") or str(actor.id)


def append(conn, *, case_id: int, prev_seq: int, prev_hash: str, actor_id: int | None, actor_name: str,
           action: str, from_state: str | None, to_state: str, payload: Any, comment: str | None,
           at: dt.datetime, request_id: str | None,
           move_head: Callable[[int, str], None] | None = None) -> tuple[int, str]:
    """Append the next event of a case's chain; the one place an event is written.

    Computes the event's hash over its canonical JSON chained to ``prev_hash``,
    calls ``move_head(seq, hash)`` first when given (the caller's conditional
    UPDATE of the case's chain head, which raises when another writer moved
    it), takes the next global sequence number (the append lock is then held
    until the caller's transaction ends), MACs the event when a key is set,
    and inserts it in the caller's transaction. ``payload`` must already be
    JSON-safe (:func:`json_safe`); ``at`` is a naive UTC datetime.
    Returns ``(seq, hash)`` of the new event.
    """
    seq = prev_seq + 1
    new_hash = chain_hash(prev_hash, canonical(
        case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at, request_id))
    if move_head is not None:
        move_head(seq, new_hash)
    gseq = next_gseq(conn)
    P_INSERT_EVENT.execute(conn, {
        "id": gseq, "case_id": case_id, "seq": seq, "actor_id": actor_id, "actor_name": actor_name,
        "action": action, "from_state": from_state, "to_state": to_state, "payload": payload, "comment": comment,
        "at": at, "request_id": request_id, "prev_hash": prev_hash, "hash": new_hash,
        "mac": None if _mac_key is None else event_mac(_mac_key, gseq, new_hash),
    })
    return seq, new_hash


def json_safe(value: Any) -> Any:
    """Payload values as JSON types (dates as ISO strings)."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value"), (str, int)):  # enums
        return value.value
    return str(value)
