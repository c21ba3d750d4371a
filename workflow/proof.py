"""Inclusion proofs: one case's events against a signed checkpoint, checkable offline.

A proof carries the checkpoint line (with its signature), the public key,
and for each of the case's events covered by the checkpoint the fields its
hash covers, its ``prev_hash``, its hash, its global sequence number and its
RFC 6962 audit path. ``scripts/verify_proof.py`` checks it with the Python
standard library and ``cryptography`` alone: the signature, each event's hash
over its fields, the chain from the genesis hash, and each path up to the
signed root.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .audit import canonical_fields
from .checkpoints import Checkpoint
from .merkle import inclusion_paths
from .signing import PublicKey
from .verify import snapshot
from .verify_scan import EVENT_COLS, decode, leaf_of

FORMAT = "party-audit-inclusion-proof/1"


class ProofError(Exception):
    """The database cannot give a proof against this checkpoint."""


def prove(session: Session, case_id: int, checkpoint: Checkpoint, public_key: PublicKey) -> dict:
    """The inclusion proof (a JSON-ready dict) of case ``case_id``'s events up
    to ``checkpoint``. Raises :class:`ProofError` when the case has no event
    the checkpoint covers, or when the database no longer gives the signed root."""
    n = checkpoint.count
    with snapshot(session) as db:
        rows = [decode(r) for r in db.all(f"SELECT {EVENT_COLS} FROM audit_event WHERE case_id = {int(case_id)} "
                                          "ORDER BY seq")]
        covered = [r for r in rows if r[0] <= n]
        if not covered:
            raise ProofError(f"case {case_id} has no event covered by the checkpoint of {checkpoint.time}")

        def leaves():
            expected = 1
            for gseq, h in db.stream(f"SELECT id, hash FROM audit_event WHERE id <= {int(n)} ORDER BY id"):
                if gseq != expected:
                    raise ProofError(f"event {expected} of the global sequence is missing")
                expected += 1
                yield leaf_of(h)

        stream = leaves()
        try:
            root, paths = inclusion_paths(n, {r[0] - 1 for r in covered}, stream)
        finally:
            stream.close()  # while the snapshot is still open
    if root.hex() != checkpoint.root:
        raise ProofError("the database no longer gives the checkpoint's root; run flask audit verify --full")
    return {
        "format": FORMAT,
        "case_id": case_id,
        "checkpoint": checkpoint.as_dict(),
        "public_key": public_key.pem(),
        "events": [{
            "gseq": r[0],
            "fields": canonical_fields(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]),
            "prev_hash": r[12],
            "hash": r[13],
            "path": [p.hex() for p in paths[r[0] - 1]],
        } for r in covered],
        "not_covered": [{"seq": r[2], "gseq": r[0]} for r in rows if r[0] > n],
    }
