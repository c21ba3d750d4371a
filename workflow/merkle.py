"""The Merkle tree over all audit events, as RFC 6962 / RFC 9162 define it.

The leaves are the events' hashes in global-sequence order (leaf ``i`` is the
event with ``id = i + 1``): ``leaf = SHA-256(0x00 || event hash)``,
``node = SHA-256(0x01 || left || right)``, and a tree of ``n`` leaves splits
at the largest power of two below ``n``. Such a tree is built leaf by leaf by
keeping only its right edge (:class:`Frontier`: the roots of its perfect
subtrees, largest first); a checkpoint stores that edge, so the next one
extends it by reading only the events added since.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from typing import Iterable, Iterator

_sha256 = hashlib.sha256

EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(event_hash_hex: str) -> bytes:
    """The leaf of an event, from its hash (64 hex digits)."""
    return _sha256(b"\x00" + bytes.fromhex(event_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An inner node from its two children."""
    return _sha256(b"\x01" + left + right).digest()


def peak_heights(size: int) -> list[int]:
    """Heights of the perfect subtrees on the right edge of a tree of ``size`` leaves."""
    return [h for h in range(size.bit_length() - 1, -1, -1) if size >> h & 1]


def fold(peaks: Iterable[bytes]) -> bytes:
    """The root of a tree from the roots of its perfect subtrees, largest first."""
    peaks = list(peaks)
    if not peaks:
        return EMPTY_ROOT
    root = peaks[-1]
    for p in reversed(peaks[:-1]):
        root = node_hash(p, root)
    return root


class Frontier:
    """The right edge of a tree being built in order: ``size`` and the
    ``(height, hash)`` of each perfect subtree, largest first."""

    __slots__ = ("size", "peaks")

    def __init__(self, size: int = 0, peaks: Iterable[tuple[int, bytes]] = ()):
        self.size = size
        self.peaks = list(peaks)

    @classmethod
    def from_hex(cls, size: int, peaks_hex: Iterable[str]) -> "Frontier":
        """A stored edge; raises ValueError when it cannot belong to ``size`` leaves."""
        hashes = [bytes.fromhex(p) for p in peaks_hex]
        heights = peak_heights(size)
        if len(hashes) != len(heights) or any(len(h) != 32 for h in hashes):
            raise ValueError(f"{len(hashes)} peaks do not describe a tree of {size} leaves")
        return cls(size, zip(heights, hashes))

    def push(self, node: bytes, height: int = 0) -> None:
        """Append a leaf hash (height 0) or the root of a perfect subtree of
        ``2**height`` leaves that starts at the current size."""
        if self.size & ((1 << height) - 1):
            raise ValueError("a subtree must start at a multiple of its size")
        self.size += 1 << height
        peaks = self.peaks
        while peaks and peaks[-1][0] == height:
            node = node_hash(peaks.pop()[1], node)
            height += 1
        peaks.append((height, node))

    def push_leaves(self, leaves: Iterable[bytes]) -> None:
        """Append leaf hashes in order."""
        for leaf in leaves:
            self.push(leaf)

    def root(self) -> bytes:
        """The root of the tree so far."""
        return fold(h for _height, h in self.peaks)

    def peaks_hex(self) -> list[str]:
        """The perfect subtrees' roots as hex, largest first (what a checkpoint stores)."""
        return [h.hex() for _height, h in self.peaks]


def subtree_root(leaves: Iterable[bytes]) -> bytes:
    """The root of the tree over ``leaves`` (leaf hashes) alone."""
    f = Frontier()
    f.push_leaves(leaves)
    return f.root()


def _split(n: int) -> int:
    """The largest power of two below ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_paths(size: int, targets: Iterable[int], leaves: Iterator[bytes]) -> tuple[bytes, dict[int, list[bytes]]]:
    """The root of the tree of ``size`` leaves and the audit path (RFC 6962
    ``PATH(m, D[n])``, deepest sibling first) of each leaf index in ``targets``.

    ``leaves`` yields the ``size`` leaf hashes in order and is read once, so it
    may stream from the database.
    """
    wanted = sorted(set(targets))
    if wanted and (wanted[0] < 0 or wanted[-1] >= size):
        raise ValueError("a target leaf is outside the tree")
    paths: dict[int, list[bytes]] = {t: [] for t in wanted}

    def take(count: int) -> Iterator[bytes]:
        for _ in range(count):
            try:
                yield next(leaves)
            except StopIteration:
                raise ValueError("fewer leaves than the tree's size") from None

    def walk(lo: int, hi: int) -> bytes:
        i, j = bisect_left(wanted, lo), bisect_left(wanted, hi)
        if i == j:
            return subtree_root(take(hi - lo))
        if hi - lo == 1:
            return next(take(1))
        k = lo + _split(hi - lo)
        left, right = walk(lo, k), walk(k, hi)
        mid = bisect_left(wanted, k)
        for t in wanted[i:mid]:
            paths[t].append(right)
        for t in wanted[mid:j]:
            paths[t].append(left)
        return node_hash(left, right)

    return (walk(0, size) if size else EMPTY_ROOT), paths


def root_from_path(index: int, size: int, leaf: bytes, path: Iterable[bytes]) -> bytes | None:
    """The root that ``path`` proves ``leaf`` (at ``index``) under, in a tree of
    ``size`` leaves (RFC 9162, 2.1.3.2); None when the path cannot be one."""
    if index < 0 or index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None
