"""The declarations a transition or a start carries besides its states and
roles: its deadline, its timer, where it applies, and a start state's spec.
Re-exported by :mod:`workflow.definition`, where processes import them from."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable, Sequence

from core.enums import Level
from core.levels import LevelSpec


@dataclasses.dataclass(frozen=True)
class Deadline:
    """The step's deadline, set on ``case.deadline_at`` when the transition is taken.

    ``working_days`` is a number, or the kind of a deadline of the process's
    rulebooks (None: ``kind``), whose days and extension come from the case's
    rulebook. ``anchor`` gives the local date to count from (default: today): a
    payload field name or ``fn(ctx) -> date``. ``extend=True`` instead extends the
    current deadline by the rulebook's extension (once per deadline).
    """

    kind: str
    label: str = ""
    working_days: int | str | None = None
    anchor: str | Callable[..., dt.date] | None = None
    extend: bool = False
    # ``when(ctx) -> bool``: set the deadline only when true (e.g. for one of a transition's
    # targets, ``ctx.to_state``); otherwise the case is left with no deadline.
    when: Callable[..., bool] | None = None


# A transition declared with ``deadline=CLEAR`` removes the case's deadline.
CLEAR = Deadline(kind="__clear__")


@dataclasses.dataclass(frozen=True)
class TimerSpec:
    """When the system transition's source state is entered, a durable timer
    is created that fires the transition at ``due(ctx)`` (or after ``delay``).
    Leaving the state cancels it."""

    delay: dt.timedelta | None = None
    due: Callable[..., dt.datetime] | None = None
    # ``when(ctx) -> bool``: create the timer only when true (e.g. not for an expulsion).
    when: Callable[..., bool] | None = None

    def applies(self, ctx) -> bool:
        """Is a timer created for this case (``when``, default yes)?"""
        return self.when is None or bool(self.when(ctx))

    def due_at(self, ctx) -> dt.datetime:
        """When it fires (naive UTC): ``due(ctx)``, else ``delay`` from now."""
        return self.due(ctx) if self.due is not None else ctx.now + (self.delay or dt.timedelta(0))


@dataclasses.dataclass(frozen=True)
class Applies:
    """Where a transition makes sense, from the case's facts alone.

    ``test(facts) -> bool`` reads ``facts.data`` (the case's data) and
    ``facts.person`` (its person, or None): an action
    :class:`~workflow.guards.Context` and a ``Case`` row both have them.
    ``sql()`` is its SQL twin, a criterion on ``wf_case`` (it may look up the
    person by ``wf_case.person_id``) that holds for exactly the same cases: the
    inbox lists a case for the transition only where it holds. ``reason(facts)``
    words the engine's refusal where the transition does not apply."""

    name: str
    test: Callable[[Any], bool]
    sql: Callable[[], Any]
    reason: Callable[[Any], str]

    def __call__(self, facts) -> bool:
        return bool(self.test(facts))


@dataclasses.dataclass(frozen=True)
class Start:
    """A state a case may start in, and who may open it there."""

    state: Any
    roles: Any
    level: LevelSpec = Level.branch
    guards: Sequence[Callable] = ()
    form: type | None = None
    label: str = ""
    # Effects run when the case is opened (e.g. copy the report into case.data).
    effects: Sequence[Callable] = ()
