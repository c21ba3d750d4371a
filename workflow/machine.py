"""The state graph of a process: built with ``transitions`` and checked.

:mod:`workflow.definition` declares a process; this module turns its states
and edges into one class-level ``Machine`` (``model=None``,
``auto_transitions=False``) and refuses a graph with unknown states,
unreachable states or non-end states with no way out.
"""

from __future__ import annotations

import enum
from typing import Any, Iterable

from transitions import Machine

from core.enums import Role

from .errors import DefinitionError


def state_value(state_enum: type[enum.Enum], value: Any, where: str) -> str:
    """The string value of ``value`` as a member of ``state_enum``; raises
    :class:`DefinitionError` for a member of another enum or an unknown state."""
    if isinstance(value, enum.Enum):
        if not isinstance(value, state_enum):
            raise DefinitionError(f"{where}: {value!r} is not a member of {state_enum.__name__}")
        return value.value
    try:
        return state_enum(value).value
    except ValueError:
        raise DefinitionError(f"{where}: unknown state {value!r}") from None


def role_values(roles: Iterable[Any], where: str) -> frozenset[str]:
    """The roles as :class:`~core.enums.Role` values; raises :class:`DefinitionError` for an unknown one."""
    out = set()
    for r in roles:
        try:
            out.add(Role(r).value)
        except ValueError:
            raise DefinitionError(f"{where}: unknown role {r!r}") from None
    return frozenset(out)


def build_machine(states: tuple[str, ...], starts: list[str], ends: frozenset[str],
                  edges: list[dict], where: str) -> Machine:
    """The class-level machine of ``states`` with ``edges`` (``{"trigger", "source":
    [...], "dest"}``), started in ``starts[0]``. Raises :class:`DefinitionError`
    when the library refuses the graph, a state cannot be reached from ``starts``,
    or a state outside ``ends`` has no way out."""
    try:
        machine = Machine(model=None, states=list(states), transitions=edges, initial=starts[0],
                          auto_transitions=False, send_event=True)
    except ValueError as exc:  # unknown states and the like
        raise DefinitionError(f"{where}: {exc}") from exc

    # Reachability from the start states, over the compiled machine's events.
    graph: dict[str, set[str]] = {s: set() for s in states}
    for event in machine.events.values():
        for src, trans in event.transitions.items():
            for tr in trans:
                graph[src].add(tr.dest)
    seen = set(starts)
    todo = list(starts)
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    unreachable = [s for s in states if s not in seen]
    if unreachable:
        raise DefinitionError(f"{where}: unreachable states {unreachable}")
    dead = [s for s in states if s not in ends and not graph[s]]
    if dead:
        raise DefinitionError(f"{where}: states with no way out that are not ends: {dead}")
    return machine
