"""Real threads released at the same instant, for the double-submission tests."""

from __future__ import annotations

import threading
from typing import Callable


def together(n: int, fn: Callable[[int], object], timeout: float = 120) -> list:
    """Run ``fn(i)`` for i in 0..n-1 in ``n`` threads that start at once (a barrier);
    the results in order, an exception standing for a call that raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return results
