"""Signed checkpoints: the audit history anchored outside the database.

A checkpoint says "the events with global sequence numbers 1..N have this
Merkle root" (:mod:`workflow.merkle`), with the time, the signing key's id,
the tree's right edge (``peaks``, so that the next checkpoint extends it by
reading only newer events) and ``mac_from`` (the first event that must carry a
MAC). It is signed with the Ed25519 key of :mod:`workflow.signing` and
appended as one JSON line to the checkpoint log, a file outside the database
that auditors copy. Whoever rewrites the database cannot produce a signed
line for the rewritten history, and every copy of the log still holds the old
root: ``flask audit verify --checkpoint FILE`` shows where they part.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from sqlalchemy.orm import Session

from .merkle import Frontier
from .signing import PublicKey, SigningKey
from .verify import Problem, VerifyReport, verify_all, verify_since

FORMAT = "party-audit-checkpoint/1"


class CheckpointError(Exception):
    """A checkpoint log that cannot be read."""


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """One signed line of the checkpoint log."""

    seq: int          # the last global sequence number covered
    count: int        # how many events (= seq: the sequence has no gaps)
    root: str         # Merkle root of events 1..count, hex
    time: str         # when it was signed, ISO 8601 UTC
    key_id: str       # the signing key's id
    peaks: tuple[str, ...]
    mac_from: int
    signature: str = ""

    def body(self) -> dict:
        """Every signed field (all but the signature)."""
        d = dataclasses.asdict(self)
        d.pop("signature")
        d["peaks"] = list(self.peaks)
        d["format"] = FORMAT
        return d

    def message(self) -> bytes:
        """The bytes the signature covers: canonical JSON of :meth:`body`."""
        return json.dumps(self.body(), sort_keys=True, separators=(",", ":")).encode("ascii")

    def as_dict(self) -> dict:
        """Every field, signature included (a log line, parsed)."""
        return dict(self.body(), signature=self.signature)

    def line(self) -> str:
        """The log line (JSON, sorted keys)."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))

    def frontier(self) -> Frontier:
        """The Merkle edge it stores (raises ValueError when malformed)."""
        return Frontier.from_hex(self.count, self.peaks)

    @classmethod
    def from_dict(cls, d: dict) -> "Checkpoint":
        """A checkpoint from a parsed log line; raises :class:`CheckpointError`."""
        try:
            if d.get("format") != FORMAT:
                raise ValueError(f"unknown format {d.get('format')!r}")
            cp = cls(seq=int(d["seq"]), count=int(d["count"]), root=str(d["root"]), time=str(d["time"]),
                     key_id=str(d["key_id"]), peaks=tuple(str(p) for p in d["peaks"]),
                     mac_from=int(d["mac_from"]), signature=str(d["signature"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"not a checkpoint: {exc}") from exc
        return cp


def _tail(path: Path, count: int, chunk: int = 1 << 16) -> list[bytes]:
    """The last ``count`` non-empty lines of a file, read from its end."""
    with open(path, "rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        data, pos = b"", end
        while pos > 0 and data.count(b"\n") <= count:
            pos = max(0, pos - chunk)
            fh.seek(pos)
            data = fh.read(end - pos)
    lines = [line for line in data.split(b"\n") if line.strip()]
    return lines[-count:]


def read_log(path: str | os.PathLike, last: int | None = None) -> list[Checkpoint]:
    """The checkpoints in a log file, oldest first ([] when there is no file);
    only the ``last`` newest ones when given (read from the end of the file)."""
    path = Path(path)
    try:
        raw = _tail(path, last) if last else path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    out = []
    for number, line in enumerate(raw, 1):
        if not line.strip():
            continue
        try:
            out.append(Checkpoint.from_dict(json.loads(line)))
        except (ValueError, CheckpointError) as exc:
            where = f"line {number}" if not last else f"line {number} of the last {len(raw)}"
            raise CheckpointError(f"{path}, {where}: {exc}") from exc
    return out


def check_log(checkpoints: list[Checkpoint], public_key: PublicKey) -> tuple[list[Checkpoint], list[Problem]]:
    """The checkpoints whose signature ``public_key`` verifies and that extend
    the ones before, and a problem for every other one."""
    good, problems = [], []
    for number, cp in enumerate(checkpoints, 1):
        reason = None
        if cp.key_id != public_key.key_id:
            reason = f"is signed by key {cp.key_id}, not by the trusted key {public_key.key_id}"
        elif not public_key.verify(cp.message(), cp.signature):
            reason = "has an invalid signature (the line was edited, or forged)"
        elif cp.seq != cp.count or (good and cp.count < good[-1].count):
            reason = "does not extend the checkpoints before it"
        else:
            try:
                if cp.frontier().root().hex() != cp.root:
                    reason = "stores a Merkle edge that does not give its root"
            except ValueError as exc:
                reason = f"stores an invalid Merkle edge ({exc})"
        if reason:
            problems.append(Problem(None, None, None, f"checkpoint #{number} ({cp.time}, {cp.count} events) {reason}"))
        else:
            good.append(cp)
    return good, problems


def last_checkpoint(path: str | os.PathLike, public_key: PublicKey) -> Checkpoint | None:
    """The newest checkpoint of the log, if there is one and its signature verifies."""
    good, _problems = check_log(read_log(path, last=1), public_key)
    return good[-1] if good else None


def _iso(now: dt.datetime) -> str:
    return now.replace(microsecond=0).isoformat() + "Z"


@dataclasses.dataclass
class Outcome:
    """What :func:`create` did: the new (or unchanged latest) checkpoint, and the verification it rests on."""

    checkpoint: Checkpoint | None
    report: VerifyReport
    written: bool = False


def create(session: Session, key: SigningKey, log_path: str | os.PathLike, now: dt.datetime,
           workers: int = 1) -> Outcome:
    """Sign a checkpoint over every committed event and append it to the log.

    Verifies first, and signs only a history that verifies: from the last
    checkpoint, only the events added since (:func:`verify_since`); the first
    time, the whole history. Writes nothing when no event was added since the
    last checkpoint, or when the log's newest line fails its signature check.
    Holds an exclusive lock on the log while it works, so concurrent runs
    (beat and the command) append one line each at most.
    """
    path = Path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        good, problems = check_log(read_log(path, last=1), key.public())
        if problems:
            report = VerifyReport(mode="log")
            report.add(problems)
            return Outcome(None, report)
        last = good[-1] if good else None
        if last is not None:
            report = verify_since(session, last, mac_key=key.mac_key)
        else:
            report = verify_all(session, mac_key=key.mac_key, workers=workers)
        session.rollback()
        if not report.ok or report.frontier is None:
            return Outcome(None, report)
        if report.size == 0 or (last is not None and report.size == last.count):
            return Outcome(last, report)
        frontier = report.frontier
        unsigned = Checkpoint(seq=frontier.size, count=frontier.size, root=frontier.root().hex(), time=_iso(now),
                              key_id=key.key_id, peaks=tuple(frontier.peaks_hex()),
                              mac_from=last.mac_from if last else report.mac_from)
        cp = dataclasses.replace(unsigned, signature=key.sign(unsigned.message()))
        fh.write(cp.line() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return Outcome(cp, report, written=True)
