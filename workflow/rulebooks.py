"""Versioned rulebooks: the mechanism, without any domain's values.

A rulebook is a dated set of values a process's rules read (its deadlines, and
whatever a domain subclass adds). A process declares the versions it knows as a
:class:`Rulebooks` set; a case stores the code of the version in force on the
day it was opened and keeps it for life. The values themselves belong to the
domain (for the party's procedures: :mod:`cases.rulebooks`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable, Iterator, Mapping


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rulebook:
    """One version of a process's rules.

    ``deadlines`` maps a deadline kind (e.g. ``"decision"``) to ``(working days,
    extension in working days)``; a step's :class:`~workflow.definition.Deadline`
    names its kind. Domain subclasses add their own values as fields.
    """

    code: str
    title: str
    effective: dt.date
    deadlines: Mapping[str, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def deadline(self, kind: str) -> tuple[int, int]:
        """``(working days, extension working days)`` of the deadline ``kind``;
        raises ``KeyError`` naming the rulebook when it has no such deadline."""
        try:
            return self.deadlines[kind]
        except KeyError:
            raise KeyError(f"rulebook {self.code} has no deadline {kind!r}") from None


class Rulebooks:
    """The versions of a rulebook a process knows, by code and by date."""

    def __init__(self, rulebooks: Iterable[Rulebook]):
        self._by_date = sorted(rulebooks, key=lambda r: r.effective)
        if not self._by_date:
            raise ValueError("a rulebook set needs at least one rulebook")
        self._by_code = {r.code: r for r in self._by_date}
        if len(self._by_code) != len(self._by_date):
            raise ValueError("two rulebooks of the set share a code")

    def get(self, code: str) -> Rulebook:
        """The rulebook with this ``code`` (the one a case stored); ``KeyError`` if unknown."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"no rulebook {code!r}") from None

    def in_force(self, day: dt.date) -> Rulebook:
        """The rulebook in force on ``day`` (a local date). Before the first
        one's effective date the earliest is used (older rules are out of scope)."""
        chosen = self._by_date[0]
        for rulebook in self._by_date:
            if rulebook.effective <= day:
                chosen = rulebook
        return chosen

    def without_deadline(self, kind: str) -> list[str]:
        """The codes of the rulebooks of the set that have no deadline ``kind``."""
        return [r.code for r in self._by_date if kind not in r.deadlines]

    def __iter__(self) -> Iterator[Rulebook]:
        return iter(self._by_date)

    def __len__(self) -> int:
        return len(self._by_date)


# The set a process without rules of its own gets: one rulebook, no deadlines.
GENERIC = Rulebooks([Rulebook(code="generic", title="Generic", effective=dt.date.min)])
