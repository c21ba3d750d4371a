"""The verifier's fast paths: whole batches of rows checked in comprehensions.

A batch that passes these checks is exactly a batch the row-by-row checks of
:mod:`workflow.verify_scan` would pass (same conditions, fewer interpreter
steps); anything unusual in a batch (a broken link, a bad hash or MAC, a gap,
a value the fast path cannot read) sends the whole batch back to the
row-by-row checks, which name the problem. So the answers and their wording
are the reference ones, and the common case costs about half.
"""

from __future__ import annotations

import hashlib
import json

from .models import GENESIS_HASH

_sha256 = hashlib.sha256
_scan_json = json.scanner.make_scanner(json.JSONDecoder())
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_payload_cache: dict[str, str] = {}
_pad_cache: dict[bytes, tuple] = {}


def loads(text):
    """``json.loads`` for a JSON value the database wrote (no surrounding space), without its wrappers."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        end = -1
    return value if end == len(text) else json.loads(text)


def canonical_payload(text: str) -> str:
    """The canonical JSON of a payload from its stored JSON text (the same
    encoder as :func:`workflow.audit.canonical`; repeated payloads are remembered)."""
    out = _payload_cache.get(text)
    if out is None:
        if len(_payload_cache) > 10_000:  # a few MB at most, in a long-lived worker too
            _payload_cache.clear()
        out = _payload_cache[text] = _dumps(loads(text))
    return out


def clean_chains(rows: list[tuple], heads: dict) -> bool:
    """True when ``rows`` (:data:`~workflow.verify_scan.CHAIN_COLS_PG` rows of
    whole cases, in case and seq order) hold no problem at all: each case
    numbered 1..n from the genesis hash, each event linked to the previous
    one and hashing its content, each case's row naming its last event's
    state, number and hash. False means "check these row by row"."""
    if not rows:
        return True
    try:
        computed = [_sha256((r[12] + r[4] + canonical_payload(r[8]) + r[11]).encode("utf-8")).hexdigest()
                    for r in rows]
    except (TypeError, ValueError, AttributeError):
        return False
    if computed != [r[13] for r in rows]:
        return False
    first = rows[0]
    if first[2] != 1 or first[12] != GENESIS_HASH:
        return False
    if not all((b[2] == a[2] + 1 and b[12] == a[13]) if b[1] == a[1] else (b[2] == 1 and b[12] == GENESIS_HASH)
               for a, b in zip(rows, rows[1:])):
        return False
    ends = [a for a, b in zip(rows, rows[1:]) if a[1] != b[1]]
    ends.append(rows[-1])
    return all(heads.get(r[1]) == (r[7], r[2], r[13]) for r in ends)


def clean_sequence(batch: list[tuple], expected: int, mac_key: bytes | None, mac_from: int) -> bool:
    """True when ``batch`` (``id, case_id, seq, hash, mac`` rows in id order)
    continues the global sequence at ``expected`` without a gap and every
    event from ``mac_from`` on carries its valid MAC. False means "check these
    row by row" (also when the batch straddles ``mac_from``)."""
    first, last = batch[0][0], batch[-1][0]
    if first != expected or last - first != len(batch) - 1:
        return False
    if mac_key is None or last < mac_from:
        return True
    if first < mac_from:
        return False
    inner, outer = _pads(mac_key)
    try:
        return [_hmac(inner, outer, f"{r[0]}:{r[3]}".encode()) for r in batch] == [r[4] for r in batch]
    except (TypeError, ValueError, AttributeError):
        return False


def _pads(key: bytes) -> tuple:
    """The HMAC-SHA256 inner and outer states after the key's pads (RFC 2104), computed once a key."""
    pads = _pad_cache.get(key)
    if pads is None:
        block = (_sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        pads = _pad_cache[key] = (_sha256(bytes(b ^ 0x36 for b in block)), _sha256(bytes(b ^ 0x5C for b in block)))
    return pads


def _hmac(inner, outer, message: bytes) -> str:
    """HMAC-SHA256 as hex from the precomputed pad states (twice as fast as hmac.digest per call)."""
    i = inner.copy()
    i.update(message)
    o = outer.copy()
    o.update(i.digest())
    return o.hexdigest()


def hmac_hex(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` as hex, the same as ``hmac.new(key, message, sha256).hexdigest()``."""
    inner, outer = _pads(key)
    return _hmac(inner, outer, message)


def leaves_of(batch: list[tuple]) -> list[bytes] | None:
    """The Merkle leaves of a batch's stored hashes (position 3), or None when one is malformed."""
    fromhex = bytes.fromhex
    try:
        return [_sha256(b"\x00" + fromhex(r[3])).digest() for r in batch]
    except (TypeError, ValueError):
        return None
