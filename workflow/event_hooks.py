"""Work the layers above the engine do in the same transaction as a transition.

A hook registered here runs inside :func:`workflow.engine.apply`, after the
event is appended and the transition's effects have run (the case's row then
holds its new state, ``closed_at`` and data), before the caller commits. The
engine knows nothing of what a hook does; ``cases/report_facts.py`` registers
the one that keeps the reports' fact table current.
"""

from __future__ import annotations

from typing import Callable

# hook(conn, case_id, seq, action, to_state, closed) -> None
_HOOKS: list[Callable] = []


def register(hook: Callable) -> Callable:
    """Run ``hook(conn, case_id, seq, action, to_state, closed)`` after every transition
    (``closed``: the transition closed the case). Registering the same hook twice is a no-op."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def run(conn, case_id: int, seq: int, action: str, to_state: str, closed: bool) -> None:
    """Run every registered hook for the event ``seq`` of case ``case_id`` (the engine calls this)."""
    for hook in _HOOKS:
        hook(conn, case_id, seq, action, to_state, closed)
