"""The checkpoint log: read whole, or only its newest lines from the end."""

from __future__ import annotations

import hashlib

from workflow.checkpoints import Checkpoint, _tail, read_log
from workflow.merkle import Frontier, leaf_hash

LEAVES = [leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(70)]


def test_the_log_is_read_from_its_end_when_only_the_newest_lines_are_wanted(tmp_path):
    path = tmp_path / "log.jsonl"
    lines = []
    for n in range(1, 400):
        f = Frontier()
        f.push_leaves(LEAVES[: n % 70 + 1])
        cp = Checkpoint(seq=n, count=n, root=f.root().hex(), time=f"t{n}", key_id="k", peaks=("ab" * 32,) * 3,
                        mac_from=1, signature="s")
        lines.append(cp.line())
    path.write_text("\n".join(lines) + "\n")
    assert [cp.seq for cp in read_log(path, last=3)] == [397, 398, 399]
    assert [cp.seq for cp in read_log(path)] == list(range(1, 400))
    assert _tail(path, 1, chunk=100) == [lines[-1].encode()]
    assert len(_tail(path, 500, chunk=1000)) == 399
    assert read_log(tmp_path / "absent.jsonl", last=1) == []
