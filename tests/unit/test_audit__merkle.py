"""The Merkle tree follows RFC 6962: roots, frontiers and audit paths."""

from __future__ import annotations

import hashlib

import pytest

from workflow.merkle import (EMPTY_ROOT, Frontier, fold, inclusion_paths, leaf_hash, node_hash, root_from_path,
                             subtree_root)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written as the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return rfc_path(m, leaves[:k]) + [mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [mth(leaves[:k])]


LEAVES = [leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(70)]


def test_leaf_and_node_use_the_rfc_prefixes():
    h = "ab" * 32
    assert leaf_hash(h) == hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert subtree_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 70])
def test_frontier_root_is_the_rfc_root_and_resumes_from_its_stored_edge(n):
    f = Frontier()
    for i, leaf in enumerate(LEAVES[:n]):
        f.push(leaf)
        assert f.root() == mth(LEAVES[:i + 1])
    resumed = Frontier.from_hex(f.size, f.peaks_hex())
    resumed.push_leaves(LEAVES[n:])
    assert resumed.root() == mth(LEAVES)


def test_a_stored_edge_of_the_wrong_shape_is_refused():
    f = Frontier()
    f.push_leaves(LEAVES[:6])
    with pytest.raises(ValueError):
        Frontier.from_hex(7, f.peaks_hex())


def test_perfect_subtrees_push_like_their_leaves():
    blocks = Frontier()
    for start in range(0, 64, 16):
        blocks.push(subtree_root(LEAVES[start:start + 16]), height=4)
    tail = Frontier()
    tail.push_leaves(LEAVES[64:70])
    assert fold([h for _, h in blocks.peaks] + [h for _, h in tail.peaks]) == mth(LEAVES)
    with pytest.raises(ValueError):
        Frontier(size=3).push(LEAVES[0], height=2)


@pytest.mark.parametrize("n", [1, 2, 3, 6, 8, 13, 70])
def test_inclusion_paths_are_the_rfc_paths_and_verify(n):
    targets = {0, n - 1, n // 2, n // 3}
    root, paths = inclusion_paths(n, targets, iter(LEAVES[:n]))
    assert root == mth(LEAVES[:n])
    for m in targets:
        assert paths[m] == rfc_path(m, LEAVES[:n])
        assert root_from_path(m, n, LEAVES[m], paths[m]) == root
        assert root_from_path(m, n, LEAVES[(m + 1) % 70], paths[m]) != root
        if paths[m]:
            assert root_from_path(m, n, LEAVES[m], paths[m][:-1]) != root
    assert root_from_path(n, n, LEAVES[0], []) is None

