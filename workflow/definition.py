"""Process definitions: a class of states and transitions, compiled once.

A process is declared as a class (viewflow style)::

    class Approval(Process):
        name = "approval"
        version = 1

        class State(str, enum.Enum):
            draft = "draft"
            done = "done"

        starts = [Start(State.draft, Role.branch_secretary, Level.branch)]
        ends = [State.done]
        transitions = [
            Transition("approve", State.draft, State.done,
                       role=Role.committee_member, level=Level.grassroots),
        ]

When the class is created it is compiled and validated with ``transitions``
(one class-level ``Machine``, see :mod:`workflow.machine`): unknown states,
unreachable states, non-end states with no way out, duplicate actions from one
source, unknown roles, malformed targets and deadlines missing from the
process's ``rulebooks`` raise :class:`~workflow.errors.DefinitionError` at
import time. The class is then registered under ``(name, version)``; a running
case keeps the version it started on, and the rulebook it was opened under.

Levels say where the role must be held, relative to the case's home unit:
a :class:`~core.enums.Level`, :func:`core.levels.at_or_above` ``(level)`` or
:data:`core.levels.REVIEWING` (the rule and its SQL twin live in
:mod:`core.levels`). Anything else, a callable included, is a
:class:`~workflow.errors.DefinitionError`: every level must be listable in SQL
(the inbox), so a level computed from the case is an effect that sets the
case's reviewing unit.

A transition's ``role`` of ``None`` makes it a system transition: only a timer
(or the engine acting as the system) may take it. ``also=((roles, level), ...)``
lets further roles take it at another level (e.g. committee members, but only
at a grassroots reviewing unit).

A transition that makes sense only for some cases declares ``applies=``
:class:`Applies`: a predicate on the case's facts (its data and its person,
never the payload) with its SQL twin. The engine refuses the transition where
it does not apply, ``available_actions`` does not offer it there and the inbox
does not list the case for it: all three read the same predicate.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import os
from typing import Any, Callable, Mapping, Sequence

from transitions import Machine

from core.enums import LEVEL_RANK, Level, Role
from core.levels import LevelSpec, level_spec

from .errors import DefinitionError
from .machine import build_machine, role_values, state_value
from .rulebooks import GENERIC, Rulebooks
from .specs import CLEAR, Applies, Deadline, Start, TimerSpec

__all__ = ["Applies", "CLEAR", "CompiledTransition", "Deadline", "Process", "Start", "TimerSpec", "Transition",
           "get_process", "registered"]


class Transition:
    """One action of a process (see the module docstring)."""

    def __init__(
        self,
        action: str,
        source: Any,
        target: Any,
        *,
        role: Any = None,
        roles: Any = None,
        level: LevelSpec | None = Level.branch,
        form: type | None = None,
        guards: Sequence[Callable] = (),
        vote: Any = None,
        choose: Callable[..., str] | None = None,
        deadline: Deadline | None = None,
        timer: TimerSpec | None = None,
        effects: Sequence[Callable] = (),
        label: str = "",
        closes: bool = False,
        also: Sequence[tuple[Any, LevelSpec]] = (),
        applies: Applies | None = None,
        schema: dict | None = None,
    ):
        self.action = action
        self.sources = tuple(source) if isinstance(source, (list, tuple, set, frozenset)) else (source,)
        self.target = target
        given = roles if roles is not None else role
        if given is None:
            self.roles: tuple[Role, ...] = ()
        elif isinstance(given, (list, tuple, set, frozenset)):
            self.roles = tuple(given)
        else:
            self.roles = (given,)
        self.level = level
        self.form = form
        self.guards = tuple(guards)
        self.vote = vote
        self.choose = choose
        self.deadline = deadline
        self.timer = timer
        self.effects = tuple(effects)
        self.label = label or action.replace("_", " ").capitalize()
        # The case is closed after this transition although its target is not an
        # end state for every case (e.g. an expulsion once the appeal window passed).
        self.closes = closes
        # Further (roles, level) pairs that may take it.
        self.also = tuple(also)
        self.applies = applies
        # The JSON Schema of a payload its guards validate instead of a form (e.g. a sheet of
        # one line per member); what the API describes and checks top-level keys against.
        self.schema = schema

    @property
    def is_system(self) -> bool:
        """Only the system (a timer) takes it: it names no role."""
        return not self.roles

    def __repr__(self) -> str:
        return f"<Transition {self.action}>"


@dataclasses.dataclass
class CompiledTransition:
    """A transition with its states resolved to strings, ready for the engine."""

    action: str
    sources: tuple[str, ...]
    targets: dict[str, str]  # outcome key -> state ("" key = the only target)
    roles: frozenset[str]
    level: Any
    form: type | None
    guards: tuple
    vote: Any
    choose: Callable | None
    deadline: Deadline | None
    timer: TimerSpec | None
    effects: tuple
    label: str
    spec: Transition
    # Who may take it: (role values, level spec) pairs, the first being ``roles`` at ``level``
    # (``roles`` is then the union of every pair's roles).
    grants: tuple[tuple[frozenset[str], Any], ...] = ()
    applies: Applies | None = None

    @property
    def is_system(self) -> bool:
        """Only the system (a timer) takes it: it names no role."""
        return not self.roles

    @property
    def possible_targets(self) -> tuple[str, ...]:
        """The states it may lead to, each once, in declaration order."""
        return tuple(dict.fromkeys(self.targets.values()))


_REGISTRY: dict[tuple[str, int], type["Process"]] = {}


def _import_process_modules() -> None:
    """Import the modules named in ``WORKFLOW_PROCESS_MODULES`` (comma-separated),
    so that a process running elsewhere (a worker) knows extra definitions."""
    for module in filter(None, (m.strip() for m in os.environ.get("WORKFLOW_PROCESS_MODULES", "").split(","))):
        importlib.import_module(module)


def get_process(name: str, version: int | None = None) -> type["Process"]:
    """The registered definition ``(name, version)``; the latest if no version."""
    for attempt in (1, 2):
        if version is None:
            versions = [v for (n, v) in _REGISTRY if n == name]
            if versions:
                return _REGISTRY[(name, max(versions))]
        elif (name, int(version)) in _REGISTRY:
            return _REGISTRY[(name, int(version))]
        if attempt == 1:
            _import_process_modules()
    raise KeyError(f"no process definition {name!r} version {version}")


def registered() -> dict[tuple[str, int], type["Process"]]:
    """Every registered definition by ``(name, version)`` (a copy)."""
    return dict(_REGISTRY)


def _check_level(level, where: str) -> Any:
    if level is None:
        return None
    try:
        return level_spec(level)
    except ValueError as exc:
        raise DefinitionError(f"{where}: {exc}") from None


def _check_deadline(spec: Deadline | None, rulebooks: Rulebooks, where: str) -> None:
    """A deadline counted from the rulebook must be in every rulebook of the process."""
    if spec is None or spec.kind == CLEAR.kind or isinstance(spec.working_days, int):
        return
    kind = spec.kind if spec.extend else (spec.working_days or spec.kind)
    if rulebooks.without_deadline(kind):
        raise DefinitionError(f"{where}: rulebooks {rulebooks.without_deadline(kind)} have no deadline {kind!r}")


class Process:
    """Base class of process definitions; subclasses are compiled on creation."""

    name: str = ""
    version: int = 1
    State: type[enum.Enum]
    initial: Any = None
    starts: Sequence[Start] = ()
    ends: Sequence[Any] = ()
    transitions: Sequence[Transition] = ()
    title: str = ""
    rulebooks: Rulebooks = GENERIC  # the versions of its rules; a case keeps the one it opened under

    # Filled in by compilation.
    machine: Machine
    compiled: dict[tuple[str, str], CompiledTransition]
    by_action: dict[str, list[CompiledTransition]]
    from_state: dict[str, list[CompiledTransition]]
    start_specs: dict[str, Start]
    end_states: frozenset[str]
    timer_states: frozenset[str]
    states: tuple[str, ...]

    def __init_subclass__(cls, abstract: bool = False, register: bool = True, **kw):
        super().__init_subclass__(**kw)
        if abstract:
            return
        _compile(cls)
        if register:
            key = (cls.name, int(cls.version))
            old = _REGISTRY.get(key)
            if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
                raise DefinitionError(f"process {key} is defined twice ({old.__qualname__}, {cls.__qualname__})")
            _REGISTRY[key] = cls


def _compile(cls) -> None:
    where = f"process {getattr(cls, 'name', '') or cls.__name__}"
    if not cls.name:
        raise DefinitionError(f"{cls.__qualname__}: a process needs a name")
    state_enum = getattr(cls, "State", None)
    if not (isinstance(state_enum, type) and issubclass(state_enum, enum.Enum)) or not list(state_enum):
        raise DefinitionError(f"{where}: State must be a non-empty Enum")
    states = tuple(s.value for s in state_enum)
    for s in states:
        if not isinstance(s, str) or not s:
            raise DefinitionError(f"{where}: state values must be non-empty strings")

    starts = list(cls.starts)
    if cls.initial is not None and not any(
        state_value(state_enum, s.state, where) == state_value(state_enum, cls.initial, where) for s in starts
    ):
        raise DefinitionError(f"{where}: initial must be listed in starts (with who may start there)")
    if not starts:
        raise DefinitionError(f"{where}: declare at least one Start(state, roles, level)")
    start_specs: dict[str, Start] = {}
    for s in starts:
        value = state_value(state_enum, s.state, f"{where} start")
        roles = s.roles if isinstance(s.roles, (list, tuple, set, frozenset)) else (s.roles,)
        role_values(roles, f"{where} start {value}")
        _check_level(s.level, f"{where} start {value}")
        if value in start_specs:
            raise DefinitionError(f"{where}: start state {value} listed twice")
        start_specs[value] = s
    if not isinstance(cls.rulebooks, Rulebooks):
        raise DefinitionError(f"{where}: rulebooks must be a workflow.rulebooks.Rulebooks set")
    ends = frozenset(state_value(state_enum, e, f"{where} ends") for e in cls.ends)
    if not ends:
        raise DefinitionError(f"{where}: declare the end states")

    compiled: dict[tuple[str, str], CompiledTransition] = {}
    by_action: dict[str, list[CompiledTransition]] = {}
    from_state: dict[str, list[CompiledTransition]] = {}
    machine_transitions = []
    for t in cls.transitions:
        tw = f"{where} transition {t.action!r}"
        if not isinstance(t, Transition):
            raise DefinitionError(f"{where}: {t!r} is not a Transition")
        if not t.action or not t.action.isidentifier():
            raise DefinitionError(f"{tw}: the action must be an identifier")
        sources = tuple(state_value(state_enum, s, tw) for s in t.sources)
        if isinstance(t.target, Mapping):
            targets = {str(k): state_value(state_enum, v, tw) for k, v in t.target.items()}
            if not targets:
                raise DefinitionError(f"{tw}: empty target mapping")
            if t.choose is None:
                if t.vote is None:
                    raise DefinitionError(f"{tw}: several targets need a vote or a choose= function")
                if set(targets) != {"passed", "failed"}:
                    raise DefinitionError(f"{tw}: a vote's targets are 'passed' and 'failed'")
        else:
            if t.choose is not None:
                raise DefinitionError(f"{tw}: choose= needs a mapping of possible targets")
            targets = {"": state_value(state_enum, t.target, tw)}
        roles = role_values(t.roles, tw)
        level = _check_level(t.level, tw) if roles else None
        if roles and level is None:
            raise DefinitionError(f"{tw}: a human transition needs a level")
        if t.timer is not None and roles:
            raise DefinitionError(f"{tw}: only system transitions (no role) may have a timer")
        _check_deadline(t.deadline, cls.rulebooks, tw)
        grants = ((roles, level),) if roles else ()
        for also_roles, also_level in t.also:
            if not roles:
                raise DefinitionError(f"{tw}: a system transition takes no further roles")
            more = role_values(also_roles if isinstance(also_roles, (list, tuple, set, frozenset)) else (also_roles,),
                               tw)
            grants += ((more, _check_level(also_level, tw)),)
        if t.applies is not None and not (isinstance(t.applies, Applies) and callable(t.applies.sql)):
            raise DefinitionError(f"{tw}: applies= must be an Applies with its SQL twin (the inbox lists by it)")
        ct = CompiledTransition(
            action=t.action, sources=sources, targets=targets,
            roles=frozenset().union(*(g[0] for g in grants)) if grants else roles, level=level,
            form=t.form, guards=t.guards, vote=t.vote, choose=t.choose, deadline=t.deadline,
            timer=t.timer, effects=t.effects, label=t.label, spec=t, grants=grants, applies=t.applies,
        )
        for src in sources:
            if (src, t.action) in compiled:
                raise DefinitionError(f"{where}: duplicate action {t.action!r} from state {src!r}")
            compiled[(src, t.action)] = ct
            from_state.setdefault(src, []).append(ct)
        by_action.setdefault(t.action, []).append(ct)
        for dest in ct.possible_targets:
            machine_transitions.append({"trigger": t.action, "source": list(sources), "dest": dest})

    cls.machine = build_machine(states, list(start_specs), ends, machine_transitions, where)
    cls.states = states
    cls.compiled = compiled
    cls.by_action = by_action
    cls.from_state = from_state
    cls.start_specs = start_specs
    cls.end_states = ends
    cls.timer_states = frozenset(s for ct in compiled.values() if ct.timer is not None for s in ct.sources)
    cls.rank = LEVEL_RANK
