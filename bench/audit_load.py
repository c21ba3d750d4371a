"""Bulk-writing real audit chains with COPY, for the benchmarks (bench/audit_verify.py,
bench/scale.py).

:func:`copy_audit_events` is the one place a benchmark writes audit events: it
hashes each event with :mod:`workflow.audit`'s own canonical form, chain hash
and MAC (so the verifier sees exactly what :func:`workflow.audit.append` would
have written) and streams the rows into ``audit_event`` with PostgreSQL's
``COPY FROM STDIN``. The caller writes the ``wf_case`` rows (it knows their
units, people and dates) from the chain heads it is given back.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Callable, Iterable, Iterator, Sequence

from workflow.audit import canonical, chain_hash, event_mac, format_at
from workflow.models import GENESIS_HASH

# One event of a chain, in the order of workflow.audit.append's keyword arguments
# (case_id and seq are implied): actor_id, actor_name, action, from_state, to_state,
# payload (JSON-safe), comment, at (naive UTC datetime), request_id.
Event = tuple

EVENT_COLUMNS = ("id", "case_id", "seq", "actor_id", "actor_name", "action", "from_state", "to_state", "payload",
                 "comment", "at", "request_id", "prev_hash", "hash", "mac")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value in COPY's text format (None is \\N)."""
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime):
        return format_at(value)
    return str(value).translate(_ESCAPES)


def copy_audit_events(cur, chains: Iterable[tuple[int, Sequence[Event]]], *, first_gseq: int = 1,
                      mac_key: bytes | None = None, window: int = 1000,
                      on_head: Callable[[int, int, str, str], None] | None = None,
                      heads: dict[int, tuple[int, str]] | None = None, batch_rows: int = 200_000) -> int:
    """COPY the events of many cases into ``audit_event``, with real chains.

    ``cur`` is a psycopg (3) cursor (the caller commits). ``chains`` yields
    ``(case_id, events)`` with each case's events in order (see :data:`Event`);
    a case's ``seq`` runs 1..n from :data:`workflow.models.GENESIS_HASH`. The
    global sequence (``id``) starts at ``first_gseq`` and interleaves the
    events of ``window`` consecutive cases round-robin, as concurrent work
    does, so that one case's events are spread over the table (what the
    verifier meets in production). Each event carries the MAC under
    ``mac_key`` when given. ``on_head(case_id, seq, hash, to_state)`` is called
    with each case's chain head, for the caller's ``wf_case`` row
    (``audit_seq``, ``audit_hash``, ``state``). ``heads`` continues existing
    chains: ``{case_id: (seq, hash)}`` of their last events. Returns the next
    free id.
    """
    gseq = first_gseq
    buf = io.StringIO()
    rows = 0
    for group in _windows(chains, window):
        start = {case_id: (heads or {}).get(case_id, (0, GENESIS_HASH)) for case_id, _events in group}
        prev = {case_id: start[case_id][1] for case_id in start}
        depth = max((len(events) for _case, events in group), default=0)
        for i in range(depth):
            for case_id, events in group:
                if i >= len(events):
                    continue
                actor_id, actor_name, action, from_state, to_state, payload, comment, at, request_id = events[i]
                seq = start[case_id][0] + i + 1
                h = chain_hash(prev[case_id], canonical(case_id, seq, actor_id, actor_name, action, from_state,
                                                        to_state, payload, comment, at, request_id))
                mac = event_mac(mac_key, gseq, h) if mac_key is not None else None
                buf.write("\t".join((str(gseq), str(case_id), str(seq), _text(actor_id), _text(actor_name),
                                     _text(action), _text(from_state), _text(to_state), _text(_dumps(payload)),
                                     _text(comment), _text(at), _text(request_id), prev[case_id], h,
                                     _text(mac))))
                buf.write("\n")
                prev[case_id] = h
                gseq += 1
                rows += 1
                if rows >= batch_rows:
                    _flush(cur, buf)
                    buf, rows = io.StringIO(), 0
        if on_head is not None:
            for case_id, events in group:
                if events:
                    on_head(case_id, start[case_id][0] + len(events), prev[case_id], events[-1][4])
    if rows:
        _flush(cur, buf)
    return gseq


def _windows(chains, size: int) -> Iterator[list]:
    group = []
    for item in chains:
        group.append(item)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def _flush(cur, buf: io.StringIO) -> None:
    with cur.copy(f"COPY audit_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
        copy.write(buf.getvalue())
