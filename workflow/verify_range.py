"""The full check in one pass over the global sequence (commit order).

Each task reads the events of one range of ids in id order, which is the
table's physical order, and checks in that single read what the reference
plan needed two reads for (one per case through the ``(case_id, seq)`` index,
one in id order): the sequence, the MACs and the Merkle leaves
(:class:`~workflow.verify_scan.LeafFold`, unchanged), each event's content
hash, and the links of every case's chain, with a dictionary of case →
(last seq, last hash, last state) for the range. What crosses a range's ends
goes back to the parent in a :class:`RangeResult` and :func:`merge` joins the
ranges in order.

This pass is a filter, not a judge: a case where anything at all looks
unusual (a hash, a link, a number, its row, a case row without events) is a
*suspect*, and the suspects are checked again by the reference per-case check
(:func:`~workflow.verify_scan.check_chain`), which names the problem. A case
that is not a suspect has passed every condition ``check_chain`` tests, so the
problems, their order and their wording are the reference ones.
"""

from __future__ import annotations

import dataclasses
from itertools import groupby

from .models import GENESIS_HASH
from .verify_batch import canonical_payload
from .verify_scan import (EVENT_COLS, Db, LeafFold, LeafResult, Problem, _sha256, check_chain, event_body, event_cols,
                          scan_cases, scan_leaves)

SUSPECTS_PER_QUERY = 500


@dataclasses.dataclass
class RangeResult(LeafResult):
    """One range of ids: the sequence's result (:class:`LeafResult`) and what
    its chains leave for :func:`merge`: ``suspects`` (case ids to check again),
    ``opens`` (case → ``(seq, prev_hash)`` of its first event here when that is
    not a chain's start), ``carries`` (case → ``(seq, hash)`` of its last event
    here when its row says more follow) and ``ended`` (cases whose row names
    their last event here)."""

    suspects: set[int] = dataclasses.field(default_factory=set)
    opens: dict[int, tuple[int, str]] = dataclasses.field(default_factory=dict)
    carries: dict[int, tuple[int, str]] = dataclasses.field(default_factory=dict)
    ended: list[int] = dataclasses.field(default_factory=list)


def content_hashes(rows: list[tuple], pg: bool) -> list[str | None]:
    """The hash each chain row's content gives when linked to its stored
    ``prev_hash`` (:data:`~workflow.verify_scan.event_cols` rows), None where unreadable."""
    try:
        if pg:
            return [_sha256((r[12] + r[4] + canonical_payload(r[8]) + r[11]).encode("utf-8")).hexdigest()
                    for r in rows]
    except (TypeError, ValueError, AttributeError):
        pass
    return [_row_hash(r, pg) for r in rows]


def _row_hash(r: tuple, pg: bool) -> str | None:
    try:
        return _sha256((r[12] + event_body(r, pg)).encode("utf-8")).hexdigest()
    except (TypeError, ValueError, AttributeError):
        return None


def scan_range(db: Db, after: int, upto: int, block: int, targets: tuple[int, ...], mac_key: bytes | None,
               mac_from: int) -> RangeResult:
    """Events ``after+1..upto`` in id order: everything :func:`scan_leaves`
    checks, plus each event's content hash and its link to the case's
    previous event in the range; then the case rows of the cases seen."""
    fold = LeafFold(after, block, targets, mac_key, mac_from)
    fold.out = out = RangeResult()
    pg = db.dialect == "postgresql"
    last: dict[int, tuple] = {}
    suspects, opens = out.suspects, out.opens
    for batch in db.batches(f"SELECT {event_cols(db.dialect)}, mac FROM audit_event WHERE id > {int(after)} "
                            f"AND id <= {int(upto)} ORDER BY id"):
        fold.feed([(r[0], r[1], r[2], r[13], r[14]) for r in batch])
        for r, h in zip(batch, content_hashes(batch, pg)):
            case, seq = r[1], r[2]
            prev = last.get(case)
            if prev is None:
                if seq != 1 or r[12] != GENESIS_HASH:
                    opens[case] = (seq, r[12])
            elif seq != prev[0] + 1 or r[12] != prev[1]:
                suspects.add(case)
            if h != r[13]:
                suspects.add(case)
            last[case] = (seq, r[13], r[7])
    fold.end(upto)
    heads = _heads(db, sorted(last))
    for case, (seq, h, state) in last.items():
        head = heads.get(case)
        if head is None or seq > head[1]:
            suspects.add(case)
        elif seq < head[1]:
            out.carries[case] = (seq, h)
        elif (state, h) == (head[0], head[2]):
            out.ended.append(case)
        else:
            suspects.add(case)
    return out


def _heads(db: Db, ids: list[int]) -> dict[int, tuple]:
    """``id → (state, audit_seq, audit_hash)`` of these case rows (sorted ids):
    one range read when they are dense, else by list."""
    if not ids:
        return {}
    cols = "SELECT id, state, audit_seq, audit_hash FROM wf_case WHERE "
    if ids[-1] - ids[0] < 4 * len(ids):
        wanted = set(ids)
        return {r[0]: r[1:] for r in db.all(f"{cols}id >= {int(ids[0])} AND id <= {int(ids[-1])}")
                if r[0] in wanted}
    if db.dialect == "postgresql":
        listed = ",".join(str(int(i)) for i in ids)
        return {r[0]: r[1:] for r in db.all(f"{cols}id = ANY('{{{listed}}}'::int[])")}
    out = {}
    for i in range(0, len(ids), SUSPECTS_PER_QUERY):
        listed = ", ".join(str(int(c)) for c in ids[i:i + SUSPECTS_PER_QUERY])
        out.update((r[0], r[1:]) for r in db.all(f"{cols}id IN ({listed})"))
    return out


def merge(results: list[RangeResult], n_cases: int) -> tuple[set[int], bool]:
    """Join the ranges' chains (``results`` in id order): every case's first
    event in a range continues the same case's last event of the range
    before; every case row names exactly one last event. Returns the suspects
    and whether every one of the ``n_cases`` rows was named (when not, the
    rows named by none must be found and added)."""
    suspects: set[int] = set()
    pending: dict[int, tuple[int, str]] = {}
    ended: set[int] = set()
    for res in results:
        suspects |= res.suspects
        for case, (seq, prev) in res.opens.items():
            before = pending.pop(case, None)
            if before is None or before[0] + 1 != seq or before[1] != prev:
                suspects.add(case)
        for case, edge in res.carries.items():
            if case in pending:
                suspects.add(case)
            pending[case] = edge
        for case in res.ended:
            if case in ended:
                suspects.add(case)
            ended.add(case)
    suspects |= pending.keys()
    return suspects, len(ended) == n_cases


def unnamed_cases(db: Db, results: list[RangeResult]) -> set[int]:
    """The case rows no range named as ended (rows without events, or whose events stop short)."""
    ended = {c for res in results for c in res.ended}
    return {r[0] for r in db.all("SELECT id FROM wf_case") if r[0] not in ended}


def check_suspects(db: Db, case_ids: list[int]) -> list[Problem]:
    """The reference check of these cases (sorted ids): each one's first problem, if any."""
    problems = []
    pg = db.dialect == "postgresql"
    for i in range(0, len(case_ids), SUSPECTS_PER_QUERY):
        chunk = case_ids[i:i + SUSPECTS_PER_QUERY]
        ids = ", ".join(str(int(c)) for c in chunk)
        heads = {r[0]: r[1:] for r in db.all(f"SELECT id, state, audit_seq, audit_hash FROM wf_case "
                                             f"WHERE id IN ({ids})")}
        rows = db.all(f"SELECT {event_cols(db.dialect)} FROM audit_event WHERE case_id IN ({ids}) "
                      "ORDER BY case_id, seq")
        events = {case: list(group) for case, group in groupby(rows, key=lambda r: r[1])}
        for case in chunk:
            problem = check_chain(case, heads.get(case), events.get(case, ()), pg)[0]
            if problem:
                problems.append(problem)
    return problems


def run_task(url: str, kind: str, args: tuple):
    """Entry point of a worker process: one scan (``range``, ``cases`` or ``leaves``) on its own snapshot."""
    db = Db.connect(url)
    try:
        return run_scan(db, kind, args)
    finally:
        db.close()


def run_scan(db: Db, kind: str, args: tuple):
    """One scan of a plan on ``db``."""
    scan = {"range": scan_range, "cases": scan_cases, "leaves": scan_leaves}[kind]
    return scan(db, *args)


__all__ = ["EVENT_COLS", "RangeResult", "check_suspects", "merge", "run_scan", "run_task", "scan_range",
           "unnamed_cases"]
