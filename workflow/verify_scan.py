"""The verifier's scans: raw database reads and the checks run on each range.

Each scan reads plain driver rows (no ORM objects, no SQLAlchemy result
processing) inside one read snapshot, so that it can run in a worker process
over a range of cases or of the global sequence and return a small,
picklable result. :mod:`workflow.verify` plans the ranges and merges.
Whole batches of rows go through the fast paths of :mod:`workflow.verify_batch`
first; a batch they do not pass is checked here row by row, which names the
problem.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from itertools import groupby
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from .audit import canonical_fast
from .merkle import Frontier
from .verify_batch import canonical_payload, clean_chains, clean_sequence, leaves_of, loads
from .models import GENESIS_HASH

_sha256 = hashlib.sha256
# The columns every chain check reads, in this order.
EVENT_COLS = ("id, case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at, "
              "request_id, prev_hash, hash")
# On PostgreSQL the chain checks read the same 14 positions, but the server writes the
# canonical JSON around the payload itself (to_json escapes strings exactly as Python's
# json does with ensure_ascii=False; integers and to_char's "YYYY-MM-DDTHH:MM:SS.ffffff"
# are the canonical texts): position 4 holds the text before the payload's value, 11 the
# text after it, 8 the payload's JSON text; the positions the check does not read are NULL.
# The client then only re-encodes the payload with sorted keys and hashes (check_chain).
_J = "coalesce(to_json({})::text, 'null')"
CHAIN_COLS_PG = (
    "id, case_id, seq, NULL, "
    f"""'{{"action":' || {_J.format('action')} || ',"actor_id":' || coalesce(actor_id::text, 'null') """
    f"""|| ',"actor_name":' || {_J.format('actor_name')} """
    f"""|| ',"at":"' || to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '","case_id":' || case_id::text """
    f"""|| ',"comment":' || {_J.format('comment')} || ',"from_state":' || {_J.format('from_state')} """
    """|| ',"payload":', """
    "NULL, NULL, to_state, payload::text, NULL, NULL, "
    f"""',"request_id":' || {_J.format('request_id')} || ',"seq":' || seq::text """
    f"""|| ',"to_state":' || {_J.format('to_state')} || '}}', """
    "prev_hash, hash")
BATCH = 5000


def event_cols(dialect: str) -> str:
    """The select list of the chain checks for a dialect: :data:`EVENT_COLS`, or
    :data:`CHAIN_COLS_PG` (rows for ``check_chain(..., sql_body=True)``)."""
    return CHAIN_COLS_PG if dialect == "postgresql" else EVENT_COLS


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One thing the verifier found wrong: in an event (``event_id`` is its
    global sequence number), in a case row, or in the history as a whole."""

    case_id: int | None
    seq: int | None
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        if self.case_id is None and self.event_id is None:
            return self.reason
        if self.case_id is None:
            return f"at id {self.event_id}: {self.reason}"
        where = f"case {self.case_id}"
        if self.seq is not None:
            where += f" event seq {self.seq}"
            if self.event_id is not None:
                where += f" (id {self.event_id})"
        return f"{where}: {self.reason}"

    def sort_key(self) -> tuple:
        """Earliest in the global sequence first; case-row problems, then whole-history ones, last."""
        return (self.event_id is None, self.event_id or 0, self.case_id is None, self.case_id or 0)


class Db:
    """A DBAPI connection holding one read snapshot, and how to stream from it."""

    def __init__(self, dbapi, dialect: str, owned: bool, closer=None):
        self.dbapi, self.dialect, self.owned, self._closer = dbapi, dialect, owned, closer
        if owned:
            if dialect == "postgresql":
                self.all("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # The verifier runs its own pool, one process a core: PostgreSQL's parallel
                # workers for its sorts and scans would only compete with it for the same cores.
                self.all("SET LOCAL max_parallel_workers_per_gather = 0")
                # Its queries are simple scans: compiling them (JIT) costs more than it saves
                # (measured at 20,000,000 events: the quick check's IN-list reads 1.55 → 1.11 s).
                self.all("SET LOCAL jit = off")
            else:
                self.dbapi.execute("BEGIN")

    @classmethod
    def connect(cls, url: str) -> "Db":
        """A snapshot on a new connection to ``url`` (in a worker process)."""
        engine = sa.create_engine(url, poolclass=NullPool)
        raw = engine.raw_connection()

        def close():
            raw.close()
            engine.dispose()
        return cls(raw.driver_connection, engine.dialect.name, True, close)

    def all(self, sql: str) -> list[tuple]:
        """Every row of a query (none for a statement)."""
        cur = self.dbapi.cursor()
        try:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []
        finally:
            cur.close()

    def one(self, sql: str) -> tuple:
        """The first row of a query."""
        return self.all(sql)[0]

    def stream(self, sql: str) -> Iterator[tuple]:
        """The rows of a query (read in batches); exhaust or close it."""
        for rows in self.batches(sql):
            yield from rows

    def batches(self, sql: str) -> Iterator[list[tuple]]:
        """The rows of a query in lists of at most BATCH (a server-side cursor on PostgreSQL: flat memory)."""
        if self.owned and self.dialect == "postgresql":
            cur = self.dbapi.cursor(name="audit_verify_scan")
            cur.itersize = BATCH
        else:
            cur = self.dbapi.cursor()
        try:
            cur.execute(sql)
            while True:
                rows = cur.fetchmany(BATCH)
                if not rows:
                    return
                yield rows
        finally:
            cur.close()

    def close(self) -> None:
        """End the snapshot and give the connection back."""
        if self.owned:
            self.dbapi.rollback()
        if self._closer is not None:
            self._closer()


def decode(row: tuple) -> tuple:
    """A raw event row with ``payload`` as a Python value and ``at`` as a
    datetime or its canonical text (SQLite stores both as text)."""
    payload, at = row[8], row[10]
    if isinstance(payload, (str, bytes)):
        payload = loads(payload)
    if isinstance(at, str):
        # SQLite holds "YYYY-MM-DD HH:MM:SS.ffffff" (PostgreSQL's to_char the same with a "T"):
        # the canonical text is that with a "T".
        at = at[:10] + "T" + at[11:] if len(at) == 26 and at[10] in " T" else dt.datetime.fromisoformat(at)
    return row[:8] + (payload, row[9], at) + row[11:]


def event_body(r: tuple, sql_body: bool) -> str:
    """The canonical text an event row's hash covers (after its ``prev_hash``): from the
    database's canonical text around the payload (``sql_body``, :data:`CHAIN_COLS_PG` rows),
    else from the raw row (:func:`decode`). Raises TypeError or ValueError (or AttributeError)
    for an unreadable row."""
    if sql_body:
        return r[4] + canonical_payload(r[8]) + r[11]
    d = decode(r)
    return canonical_fast(d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11])


def check_chain(case_id: int, head: tuple | None, rows, sql_body: bool = False) -> tuple[Problem | None, int]:
    """The first problem of one case: its events (``EVENT_COLS`` rows in seq
    order) must number 1..n, each link to the previous hash and hash its own
    content; the case row ``head`` = ``(state, audit_seq, audit_hash)`` must
    name the last event's state, number and hash. With ``sql_body`` the rows
    are :data:`CHAIN_COLS_PG` rows (the database wrote the canonical text
    around the payload). Returns it and the count."""
    prev, expected, count, last = GENESIS_HASH, 1, 0, None
    problem = None
    for raw in rows:
        count += 1
        if problem is not None:
            continue
        r = last = raw
        gseq, seq = r[0], r[2]
        if head is None:
            problem = Problem(case_id, seq, gseq, "event of a case that does not exist")
        elif seq != expected:
            problem = Problem(case_id, seq, gseq, f"sequence number {seq}, expected {expected}")
        elif r[12] != prev:
            problem = Problem(case_id, seq, gseq, "prev_hash does not match the previous event's hash")
        else:
            try:
                body = event_body(r, sql_body)
            except (TypeError, ValueError) as exc:
                problem = Problem(case_id, seq, gseq, f"unreadable event: {exc}")
                continue
            if _sha256((prev + body).encode("utf-8")).hexdigest() != r[13]:
                problem = Problem(case_id, seq, gseq, "hash does not match the event's content")
            prev, expected = r[13], expected + 1
    if problem is not None:
        return problem, count
    if head is not None:
        state, head_seq, head_hash = head
        if last is None:
            return Problem(case_id, None, None, "the case has no events"), count
        if head_seq != expected - 1:
            return Problem(case_id, None, None, f"the case records {head_seq} events but {expected - 1} exist"), count
        if head_hash != prev:
            return Problem(case_id, None, None, "the case's chain head does not match its last event"), count
        if state != last[7]:
            return Problem(case_id, None, None, f"the case's state {state!r} is not its last event's "
                                                f"{last[7]!r}"), count
    return None, count


@dataclasses.dataclass
class ChainResult:
    """What one range of cases held: counts and each broken case's first problem."""

    cases: int = 0
    events: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)


def scan_cases(db: Db, lo: int, hi: int) -> ChainResult:
    """Check every case with an id in ``lo..hi`` and every event that names one."""
    heads = {r[0]: r[1:] for r in db.all(
        f"SELECT id, state, audit_seq, audit_hash FROM wf_case WHERE id >= {int(lo)} AND id <= {int(hi)}")}
    out = ChainResult()
    seen: set[int] = set()
    sql_body = db.dialect == "postgresql"
    pending: list[tuple] = []
    for batch in db.batches(f"SELECT {event_cols(db.dialect)} FROM audit_event WHERE case_id >= {int(lo)} "
                            f"AND case_id <= {int(hi)} ORDER BY case_id, seq"):
        rows = pending + batch if pending else batch
        k = len(rows)  # the last case may go on in the next batch
        while k and rows[k - 1][1] == rows[-1][1]:
            k -= 1
        _check_cases(rows[:k], heads, seen, out, sql_body)
        pending = rows[k:]
    _check_cases(pending, heads, seen, out, sql_body)
    for case_id in sorted(heads.keys() - seen):
        out.cases += 1
        out.problems.append(check_chain(case_id, heads[case_id], ())[0])
    return out


def _check_cases(rows: list[tuple], heads: dict, seen: set[int], out: ChainResult, sql_body: bool) -> None:
    """Whole cases' rows: the batch fast path when it finds nothing, else case by case."""
    if sql_body and clean_chains(rows, heads):
        ids = {r[1] for r in rows}
        seen |= ids
        out.cases += len(ids)
        out.events += len(rows)
        return
    for case_id, group in groupby(rows, key=lambda r: r[1]):
        seen.add(case_id)
        head = heads.get(case_id)
        problem, count = check_chain(case_id, head, group, sql_body)
        out.cases += head is not None
        out.events += count
        if problem:
            out.problems.append(problem)


@dataclasses.dataclass
class LeafResult:
    """Roots of the full blocks of a range of the global sequence, and the
    partial-block edge at each target size inside it."""

    events: int = 0
    blocks: list[bytes] = dataclasses.field(default_factory=list)
    partial: dict[int, list[tuple[int, bytes]]] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)


def mac_problem(mac_key: bytes, case_id: int, seq: int, gseq: int, h: str, mac: str | None) -> Problem | None:
    """The problem with an event's MAC, if any (``mac`` as stored, ``h`` its stored hash)."""
    if mac is None:
        return Problem(case_id, seq, gseq, "the event has no MAC")
    if not hmac.compare_digest(mac, hmac.digest(mac_key, f"{gseq}:{h}".encode(), "sha256").hex()):
        return Problem(case_id, seq, gseq, "the MAC does not match (not written by this application, or moved)")
    return None


class SequenceCheck:
    """Events in global order: ids without a gap, and a valid MAC from
    ``mac_from`` on when a key is given."""

    def __init__(self, after: int, mac_key: bytes | None, mac_from: int):
        self.expected, self.mac_key, self.mac_from = after + 1, mac_key, mac_from
        self.problems: list[Problem] = []

    def see(self, gseq: int, case_id: int, seq: int, h: str, mac: str | None) -> None:
        """The next event in global order."""
        if gseq != self.expected:
            self.problems.append(Problem(None, None, self.expected, f"events {self.expected}..{gseq - 1} of the "
                                                                    "global sequence are missing (deleted)"))
        self.expected = gseq + 1
        if self.mac_key is not None and gseq >= self.mac_from:
            problem = mac_problem(self.mac_key, case_id, seq, gseq, h, mac)
            if problem:
                self.problems.append(problem)

    def end(self, upto: int) -> list[Problem]:
        """The problems, with the events missing before ``upto`` (inclusive) if any."""
        if self.expected <= upto:
            self.problems.append(Problem(None, None, self.expected, f"events {self.expected}..{upto} of the global "
                                                                    "sequence are missing (deleted)"))
        return self.problems


def leaf_of(h: str) -> bytes:
    """The Merkle leaf of a stored hash (a malformed hash gives a leaf no real event has)."""
    try:
        return _sha256(b"\x00" + bytes.fromhex(h)).digest()
    except (TypeError, ValueError):
        return _sha256(b"\x02").digest()


class LeafFold:
    """Events in global order fed a batch at a time: the :class:`SequenceCheck`
    and their Merkle leaves folded into blocks of ``block`` leaves (``after``
    is a multiple of ``block``, ``block`` a power of two), with the partial
    block's edge at each target size. ``out`` is the :class:`LeafResult`."""

    def __init__(self, after: int, block: int, targets: tuple[int, ...], mac_key: bytes | None, mac_from: int):
        self.out, self.block, self.wanted = LeafResult(), block, set(targets)
        self.check = SequenceCheck(after, mac_key, mac_from)
        self.mac_key, self.mac_from = mac_key, mac_from
        self.leaves: list[bytes] = []

    def feed(self, batch: list[tuple]) -> None:
        """The next ``id, case_id, seq, hash, mac`` rows (ascending ids, not empty)."""
        out, check, block, wanted = self.out, self.check, self.block, self.wanted
        out.events += len(batch)
        first, last = batch[0][0], batch[-1][0]
        new = None
        if not any(first <= t <= last for t in wanted) and clean_sequence(batch, check.expected, self.mac_key,
                                                                           self.mac_from):
            new = leaves_of(batch)
        if new is not None:  # the common case, a batch at a time
            check.expected = last + 1
            leaves = self.leaves + new
            while len(leaves) >= block:
                out.blocks.append(perfect_root(leaves[:block]))
                leaves = leaves[block:]
            self.leaves = leaves
            return
        for gseq, case_id, seq, h, mac in batch:  # anything unusual: row by row, naming it
            check.see(gseq, case_id, seq, h, mac)
            self.leaves.append(leaf_of(h))
            if len(self.leaves) == block:
                out.blocks.append(perfect_root(self.leaves))
                self.leaves = []
            if gseq in wanted:
                f = Frontier()
                f.push_leaves(self.leaves)
                out.partial[gseq] = list(f.peaks)

    def end(self, upto: int) -> LeafResult:
        """The result, with the events missing before ``upto`` (inclusive) among its problems."""
        self.out.problems = self.check.end(upto)
        return self.out


def scan_leaves(db: Db, after: int, upto: int, block: int, targets: tuple[int, ...], mac_key: bytes | None,
                mac_from: int) -> LeafResult:
    """Events ``after+1..upto`` in global order through a :class:`LeafFold`."""
    fold = LeafFold(after, block, targets, mac_key, mac_from)
    for batch in db.batches(f"SELECT id, case_id, seq, hash, mac FROM audit_event WHERE id > {int(after)} "
                            f"AND id <= {int(upto)} ORDER BY id"):
        fold.feed(batch)
    return fold.end(upto)


def perfect_root(nodes: list[bytes]) -> bytes:
    """The root of a perfect tree over ``nodes`` (a power of two of them), level by level."""
    while len(nodes) > 1:
        nodes = [_sha256(b"\x01" + a + b).digest() for a, b in zip(nodes[0::2], nodes[1::2])]
    return nodes[0]

