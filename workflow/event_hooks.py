"""Work the layers above the engine do in the same transaction as a transition.

A hook registered here runs inside :func:`workflow.engine.apply`, after the
event is appended and the transition's effects have run (the case's row then
holds its new state, ``closed_at`` and data), before the caller commits. A
*move* hook also runs when :func:`workflow.engine.start` opens a case. The
engine knows nothing of what a hook does; ``cases/report_facts.py`` registers
the one that keeps the reports' fact table current, ``cases/report_rollup.py``
those that keep their rollup current.
"""

from __future__ import annotations

from typing import Callable, NamedTuple


class Opened(NamedTuple):
    """What a move hook reads of a case just opened (the engine's snapshot has the same fields)."""

    id: int
    process: str
    opened_at: object  # naive UTC datetime
    unit_path: str

# hook(conn, case_id, seq, action, to_state, closed) -> None
_HOOKS: list[Callable] = []
# hook(conn, case, from_state, to_state, was_open, now_open) -> None
_MOVE_HOOKS: list[Callable] = []


def register(hook: Callable) -> Callable:
    """Run ``hook(conn, case_id, seq, action, to_state, closed)`` after every transition
    (``closed``: the transition closed the case). Registering the same hook twice is a no-op."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def register_move(hook: Callable) -> Callable:
    """Run ``hook(conn, case, from_state, to_state, was_open, now_open)`` when a case is opened
    (``from_state`` None, ``was_open`` False) and after every transition that changes its state or
    whether it is open (``closed_at`` is NULL); ``case`` has ``id``, ``process``, ``opened_at``
    (naive UTC) and ``unit_path`` (the engine's snapshot). Registering twice is a no-op."""
    if hook not in _MOVE_HOOKS:
        _MOVE_HOOKS.append(hook)
    return hook


def run(conn, case_id: int, seq: int, action: str, to_state: str, closed: bool) -> None:
    """Run every registered hook for the event ``seq`` of case ``case_id`` (the engine calls this)."""
    for hook in _HOOKS:
        hook(conn, case_id, seq, action, to_state, closed)


def run_move(conn, case, from_state: str | None, to_state: str, was_open: bool = False,
             now_open: bool = True) -> None:
    """Run every move hook (the engine calls this when a case opens, or its state or openness changes;
    the defaults are an opening's)."""
    if from_state is not None and from_state == to_state and was_open == now_open:
        return
    for hook in _MOVE_HOOKS:
        hook(conn, case, from_state, to_state, was_open, now_open)
