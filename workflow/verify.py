"""The audit verifier: every chain, the global sequence, and the signed checkpoints.

What it checks (the README's "Audit trail" section says what each catches):

* every case's chain: events numbered 1..n, each linked to the previous
  hash and hashing its own content, and the case row's head and state
  naming its last event (:func:`workflow.verify_scan.check_chain`);
* the global sequence: ids 1..max without a gap, and each event's MAC
  (a key the database does not hold) from the first MAC'd event on;
* the Merkle root of events 1..N against every signed checkpoint given.

:func:`verify_all` checks the whole history, in a process pool when
``workers > 1`` (each worker reads plain rows in its own snapshot): by
default one pass over each range of ids in id order
(:mod:`workflow.verify_range`), or the reference plan over ranges of cases
and of the global sequence; :func:`verify_since` checks only what was
appended after a checkpoint, which is what the periodic checkpoint runs
before signing. :func:`verify_case` checks one case (the API's check).
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from itertools import groupby
from typing import Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import audit
from .merkle import Frontier
from .verify_range import check_suspects, merge, run_scan, run_task, unnamed_cases
from .verify_scan import EVENT_COLS, Db, Problem, SequenceCheck, check_chain, event_cols, leaf_of, mac_problem

__all__ = ["Problem", "VerifyReport", "verify_all", "verify_case", "verify_since"]

BLOCK = 1 << 14          # leaves per Merkle block computed by one worker
CASES_PER_TASK = 20_000  # at most this many case ids per chain task
MIN_CASES_PER_TASK = 1000
LEAF_BLOCKS_PER_TASK = 16  # at most this many blocks per sequence task
TASKS_PER_WORKER = 4     # of each kind, so that the workers finish together
MAX_PROBLEMS = 1000


@dataclasses.dataclass
class VerifyReport:
    """What a verification saw: counts, problems (earliest first) and the
    Merkle edge of events ``1..size`` (what the next checkpoint signs)."""

    cases: int = 0
    events: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    size: int = 0
    frontier: Frontier | None = None
    checkpoints: int = 0
    mac_checked: bool = False
    mac_from: int = 1
    mode: str = "full"

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The earliest problem in the global sequence (the first bad event when there is one)."""
        return self.problems[0] if self.problems else None

    def add(self, problems) -> None:
        """Record problems, keeping the earliest first (at most MAX_PROBLEMS)."""
        self.problems.extend(problems)
        self.problems.sort(key=Problem.sort_key)
        del self.problems[MAX_PROBLEMS:]


@contextlib.contextmanager
def snapshot(session: Session) -> Iterator[Db]:
    """A read snapshot for the verifier: its own pooled connection, or the
    session's own connection for an in-memory SQLite database."""
    bind = session.get_bind()
    if _in_memory(bind.url):
        db = Db(session.connection().connection.driver_connection, bind.dialect.name, owned=False)
    else:
        raw = bind.raw_connection()
        db = Db(raw.driver_connection, bind.dialect.name, owned=True, closer=raw.close)
    try:
        yield db
    finally:
        db.close()


def _in_memory(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def mac_floor(query, checkpoint=None) -> int:
    """The first global sequence number that must carry a MAC: the signed
    checkpoint's, else the first MAC'd event (events older than MACs have
    none). ``query(sql)`` returns rows."""
    if checkpoint is not None:
        return checkpoint.mac_from
    row = query("SELECT id FROM audit_event WHERE mac IS NOT NULL ORDER BY id LIMIT 1")
    if row:
        return row[0][0]
    return query("SELECT coalesce(max(id), 0) + 1 FROM audit_event")[0][0]


def verify_case(session: Session, case_id: int, *, mac_key: bytes | None = None,
                mac_from: int | None = None) -> Problem | None:
    """The first problem in one case's chain (its row included), or None. With
    a MAC key (default: the one set for appending), its MACs are checked too."""
    mac_key = audit.mac_key() if mac_key is None else mac_key
    head = session.execute(sa.text("SELECT state, audit_seq, audit_hash FROM wf_case WHERE id = :c"),
                           {"c": case_id}).first()
    rows = [tuple(r) for r in session.execute(sa.text(
        f"SELECT {EVENT_COLS}, mac FROM audit_event WHERE case_id = :c ORDER BY seq"), {"c": case_id})]
    if head is None and not rows:
        return None
    problem, _count = check_chain(case_id, tuple(head) if head else None, [r[:-1] for r in rows])
    if mac_key is not None:
        floor = mac_floor(lambda sql: session.execute(sa.text(sql)).all()) if mac_from is None else mac_from
        candidates = [p for p in (problem, _first_mac_problem(mac_key, floor, rows)) if p is not None]
        return min(candidates, key=Problem.sort_key) if candidates else None
    return problem


def _step(total: int, workers: int, least: int, most: int) -> int:
    """A task size giving each worker about TASKS_PER_WORKER tasks, within [least, most]."""
    return max(least, min(most, -(-total // (workers * TASKS_PER_WORKER))))


def _interleave(a: list, b: list) -> list:
    """Alternate the two kinds of task (heavier chain scans, lighter sequence scans)."""
    out = []
    for i in range(max(len(a), len(b))):
        out += a[i:i + 1] + b[i:i + 1]
    return out


def _ranges(lo: int, hi: int, step: int) -> list[tuple[int, int]]:
    return [(a, min(a + step - 1, hi)) for a in range(lo, hi + 1, step)] if hi >= lo else []


def verify_all(session: Session, *, mac_key: bytes | None = None, checkpoints: Sequence = (),
               workers: int = 1, plan: str = "range") -> VerifyReport:
    """Check the whole history: every case, every event, the global sequence
    and each checkpoint's root (``checkpoints`` already signature-checked, in
    order). ``workers > 1`` runs the scans in that many processes. ``plan``:
    ``"range"`` reads the events once, in id order, a range of ids a task
    (:mod:`workflow.verify_range`); ``"cases"`` is the reference plan, ranges of
    cases read through the ``(case_id, seq)`` index plus ranges of ids for the
    sequence. Both give the same report."""
    if plan not in ("range", "cases"):
        raise ValueError(f"unknown verification plan {plan!r}")
    mac_key = audit.mac_key() if mac_key is None else mac_key
    report = VerifyReport(mode="full", mac_checked=mac_key is not None, checkpoints=len(checkpoints))
    with snapshot(session) as db:
        top = db.one("SELECT coalesce(max(id), 0) FROM audit_event")[0]
        report.mac_from = mac_floor(db.all, checkpoints[-1] if checkpoints else None)
        targets = sorted({cp.count for cp in checkpoints if cp.count <= top} | {top})
        span = BLOCK * _step(-(-top // BLOCK), workers, 1, LEAF_BLOCKS_PER_TASK)
        leaf_args = [(a, min(a + span, top), BLOCK, tuple(t for t in targets if a < t <= min(a + span, top)),
                      mac_key, report.mac_from) for a in range(0, top, span)]
        if plan == "range":
            tasks = [("range", args) for args in leaf_args]
        else:
            tasks = _interleave([("cases", r) for r in _case_ranges(db, workers)], [("leaves", a) for a in leaf_args])
        if workers > 1 and len(tasks) > 1 and not _in_memory(session.get_bind().url):
            results = _run_pool(session.get_bind().url.render_as_string(hide_password=False), tasks, workers)
        else:
            results = [run_scan(db, kind, args) for kind, args in tasks]
        leaf_results = [(args[0], args[1], res) for (kind, args), res in zip(tasks, results) if kind != "cases"]
        if plan == "range":
            _merge_ranges(db, report, [res for _a, _b, res in leaf_results])
        for (kind, _args), res in zip(tasks, results):
            if kind == "cases":
                report.cases += res.cases
                report.events += res.events
            report.add(res.problems)
    roots = _roots(leaf_results, targets, top)
    report.size = top
    report.frontier = roots.get(top)
    report.add(check_roots(checkpoints, {t: (f.root() if f else None) for t, f in roots.items()}, top))
    return report


def _case_ranges(db: Db, workers: int) -> list[tuple[int, int]]:
    """The reference plan's ranges of case ids (of both tables)."""
    c_lo, c_hi = db.one("SELECT min(id), max(id) FROM wf_case")
    e_lo, e_hi = db.one("SELECT min(case_id), max(case_id) FROM audit_event")
    lows = [x for x in (c_lo, e_lo) if x is not None]
    if not lows:
        return []
    lo, hi = min(lows), max(x for x in (c_hi, e_hi) if x is not None)
    return _ranges(lo, hi, _step(hi - lo + 1, workers, MIN_CASES_PER_TASK, CASES_PER_TASK))


def _merge_ranges(db: Db, report: VerifyReport, results: list) -> None:
    """Join the id ranges' chains (:func:`workflow.verify_range.merge`) and
    check every suspect case again by the reference check, in ``db``'s snapshot."""
    n_cases = db.one("SELECT count(*) FROM wf_case")[0]
    suspects, all_named = merge(results, n_cases)
    if not all_named:
        suspects |= unnamed_cases(db, results)
    report.cases = n_cases
    report.events = sum(res.events for res in results)
    report.add(check_suspects(db, sorted(suspects)))


def _run_pool(url: str, tasks: list, workers: int) -> list:
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(run_task, url, kind, args) for kind, args in tasks]
        return [f.result() for f in futures]


def _roots(leaf_results: list, targets: list[int], top: int) -> dict[int, Frontier | None]:
    """The Merkle edge at each target size, from the scans' full blocks and
    partial edges (None where events are missing)."""
    height = BLOCK.bit_length() - 1
    blocks = Frontier()
    out: dict[int, Frontier | None] = {0: Frontier()} if 0 in targets else {}
    for after, upto, res in sorted(leaf_results, key=lambda x: x[0]):
        used = 0
        for t in (t for t in targets if after < t <= upto):
            need = (t - after) // BLOCK
            while used < need and used < len(res.blocks):
                blocks.push(res.blocks[used], height)
                used += 1
            partial = res.partial.get(t)
            out[t] = None if used < need or partial is None else Frontier(t, blocks.peaks + partial)
        for b in res.blocks[used:]:
            blocks.push(b, height)
    return out


def check_roots(checkpoints: Sequence, roots: dict[int, bytes | None], top: int) -> list[Problem]:
    """Compare each checkpoint with the root recomputed from the database;
    name the range where the history first departs from what was signed."""
    problems = []
    matched = 0
    for number, cp in enumerate(checkpoints, 1):
        if cp.count > top:
            problems.append(Problem(None, None, top + 1, f"checkpoint #{number} ({cp.time}) covers {cp.count} events "
                                                         f"but the history has only {top}: events were deleted"))
            continue
        root = roots.get(cp.count)
        if root is not None and root.hex() == cp.root:
            matched = cp.count
            continue
        problems.append(Problem(None, None, None, f"the events 1..{cp.count} do not match checkpoint #{number} "
                                                  f"({cp.time}, root {cp.root[:16]}…): the first difference is "
                                                  f"among events {matched + 1}..{cp.count}"))
    return problems


def verify_since(session: Session, checkpoint, *, mac_key: bytes | None = None) -> VerifyReport:
    """Check what changed after ``checkpoint`` (signature already checked):
    events ``1..N`` still number exactly N; the later ones follow without a
    gap, each with a valid MAC; and every case they touched verifies in full
    (all its events, old ones included, their MACs, its row). Extends the
    checkpoint's Merkle edge over the new events (``report.frontier``). Edits
    to cases untouched since the checkpoint need :func:`verify_all`."""
    mac_key = audit.mac_key() if mac_key is None else mac_key
    n = checkpoint.count
    report = VerifyReport(mode="since", mac_checked=mac_key is not None, checkpoints=1, mac_from=checkpoint.mac_from)
    frontier = Frontier.from_hex(n, checkpoint.peaks)
    if frontier.root().hex() != checkpoint.root:
        report.add([Problem(None, None, None, "the checkpoint's stored Merkle edge does not give its root")])
        return report
    with snapshot(session) as db:
        counting = _count_in_background(session, n)
        if counting is None:
            _check_count(report, n, _count_upto(db, n))
        sequence = SequenceCheck(n, mac_key, checkpoint.mac_from)
        touched: set[int] = set()
        for gseq, case_id, seq, h, mac in db.stream(
                f"SELECT id, case_id, seq, hash, mac FROM audit_event WHERE id > {int(n)} ORDER BY id"):
            report.events += 1
            sequence.see(gseq, case_id, seq, h, mac)
            frontier.push(leaf_of(h))
            touched.add(case_id)
        report.add(sequence.problems)
        for chunk in _chunks(sorted(touched)):
            report.add(_check_cases(db, chunk, mac_key, checkpoint.mac_from))
        if counting is not None:
            _check_count(report, n, counting.result())
    report.cases = len(touched)
    report.size = frontier.size
    report.frontier = frontier
    return report


def _check_count(report: VerifyReport, n: int, found: tuple) -> None:
    count, low, high = found
    if n and (count, low, high) != (n, 1, n):
        report.add([Problem(None, None, None, f"the checkpoint covers events 1..{n} but {count} of them remain "
                                              "(events were deleted or renumbered)")])


def _count_in_background(session: Session, n: int) -> Future | None:
    """On PostgreSQL, :func:`_count_upto` on a connection of its own in a thread, so that it
    overlaps the rest of the quick check (it waits on the server); None elsewhere. The events
    ``1..n`` are immutable unless tampered with, so its snapshot need not be the check's."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or not n:
        return None
    url = bind.url.render_as_string(hide_password=False)

    def count() -> tuple:
        db = Db.connect(url)
        try:
            return _count_upto(db, n)
        finally:
            db.close()
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(count)
    finally:
        pool.shutdown(wait=False)


def _count_upto(db: Db, n: int) -> tuple:
    """``count, min, max`` of the ids ``<= n``: the quick check's one read that grows with the
    history (an index-only scan), so on PostgreSQL both cores share it."""
    pg = db.dialect == "postgresql"
    if pg:
        db.all("SET LOCAL max_parallel_workers_per_gather = 2")
    try:
        return db.one(f"SELECT count(*), min(id), max(id) FROM audit_event WHERE id <= {int(n)}")
    finally:
        if pg:
            db.all("SET LOCAL max_parallel_workers_per_gather = 0")


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _check_cases(db: Db, case_ids: list[int], mac_key: bytes | None, mac_from: int) -> list[Problem]:
    """Every event of these cases (chain, content, first bad MAC) and their rows."""
    ids = ", ".join(str(int(c)) for c in case_ids)
    heads = {r[0]: r[1:] for r in db.all(f"SELECT id, state, audit_seq, audit_hash FROM wf_case WHERE id IN ({ids})")}
    rows = db.all(f"SELECT {event_cols(db.dialect)}, mac FROM audit_event WHERE case_id IN ({ids}) "
                  "ORDER BY case_id, seq")
    events = {case_id: list(group) for case_id, group in groupby(rows, key=lambda r: r[1])}
    problems = []
    for case_id in case_ids:
        chain = [r[:-1] for r in events.get(case_id, ())]
        found = [p for p in [check_chain(case_id, heads.get(case_id), chain, db.dialect == "postgresql")[0],
                             _first_mac_problem(mac_key, mac_from, events.get(case_id, ()))] if p]
        problems.extend(found)
    return problems


def _first_mac_problem(mac_key: bytes | None, mac_from: int, rows) -> Problem | None:
    """The first bad MAC among ``EVENT_COLS + mac`` rows of one case."""
    if mac_key is None:
        return None
    for r in rows:
        if r[0] >= mac_from:
            problem = mac_problem(mac_key, r[1], r[2], r[0], r[13], r[-1])
            if problem:
                return problem
    return None
