#!/usr/bin/env python3
"""Check an audit inclusion proof offline (``flask audit prove CASE_ID`` writes one).

    python3 verify_proof.py proof.json [--public-key audit-public-key.pem]

Needs only Python 3.9+ and the ``cryptography`` package; no database, no
application code. It checks that:

1. the checkpoint is signed by the public key (give the key you were handed
   by another channel with ``--public-key``; without it the key inside the
   proof is used and its id is printed for you to compare);
2. each event's hash is ``sha256(prev_hash + canonical JSON of its fields)``
   and the events form the case's chain from the genesis hash, numbered 1..n;
3. each event's audit path leads from its leaf to the signed Merkle root
   (RFC 6962 hashing, RFC 9162 verification).

Exit status 0 when the proof holds, 1 with the reason when it does not.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CHECKPOINT_FORMAT = "party-audit-checkpoint/1"
PROOF_FORMAT = "party-audit-inclusion-proof/1"
GENESIS_HASH = "0" * 64


class Invalid(Exception):
    """The proof does not hold (the message says why)."""


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def root_from_path(index: int, size: int, leaf: bytes, path: list) -> bytes | None:
    """RFC 9162, 2.1.3.2."""
    if index < 0 or index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = _h(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _h(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def check_signature(checkpoint: dict, public_pem: bytes) -> str:
    """Verify the checkpoint's signature; returns the key id."""
    key = serialization.load_pem_public_key(public_pem)
    if not isinstance(key, Ed25519PublicKey):
        raise Invalid("the public key is not an Ed25519 key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    if checkpoint.get("key_id") != key_id:
        raise Invalid(f"the checkpoint names key {checkpoint.get('key_id')}, the public key is {key_id}")
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise Invalid("unknown checkpoint format")
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    message = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")
    try:
        key.verify(base64.b64decode(checkpoint["signature"], validate=True), message)
    except (InvalidSignature, ValueError, KeyError):
        raise Invalid("the checkpoint's signature is invalid") from None
    return key_id


def check(proof: dict, public_pem: bytes | None = None) -> str:
    """Check a proof; returns a one-line summary or raises :class:`Invalid`."""
    if proof.get("format") != PROOF_FORMAT:
        raise Invalid("not an audit inclusion proof")
    cp = proof["checkpoint"]
    key_id = check_signature(cp, public_pem or proof["public_key"].encode("ascii"))
    root, size = bytes.fromhex(cp["root"]), int(cp["count"])
    events = proof["events"]
    if not events:
        raise Invalid("the proof holds no event")
    prev = GENESIS_HASH
    for number, ev in enumerate(events, 1):
        fields = ev["fields"]
        where = f"event seq {fields.get('seq')} (id {ev.get('gseq')})"
        if fields.get("case_id") != proof["case_id"] or fields.get("seq") != number:
            raise Invalid(f"{where}: not event {number} of case {proof['case_id']}")
        if ev["prev_hash"] != prev:
            raise Invalid(f"{where}: does not chain to the previous event")
        body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        if hashlib.sha256((prev + body).encode("utf-8")).hexdigest() != ev["hash"]:
            raise Invalid(f"{where}: its hash does not match its fields")
        leaf = _h(b"\x00" + bytes.fromhex(ev["hash"]))
        if root_from_path(int(ev["gseq"]) - 1, size, leaf, [bytes.fromhex(p) for p in ev["path"]]) != root:
            raise Invalid(f"{where}: its audit path does not lead to the signed root")
        prev = ev["hash"]
    return (f"OK: case {proof['case_id']}, events 1..{len(events)} are in the history of {size} events signed at "
            f"{cp['time']} by key {key_id}")


def main(argv: list[str] | None = None) -> int:
    """The command line: 0 when the proof holds, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("proof", help="the proof (JSON) written by flask audit prove")
    parser.add_argument("--public-key", help="the signing key's public half (PEM), obtained independently")
    args = parser.parse_args(argv)
    with open(args.proof, encoding="utf-8") as fh:
        proof = json.load(fh)
    pem = None
    if args.public_key:
        with open(args.public_key, "rb") as fh:
            pem = fh.read()
    try:
        print(check(proof, pem))
    except (Invalid, KeyError, TypeError, ValueError) as exc:
        print(f"INVALID: {exc}", file=sys.stderr)
        return 1
    if pem is None:
        print("Compare the key id above with the one your organisation published.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
