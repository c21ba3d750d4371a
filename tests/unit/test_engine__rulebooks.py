"""The generic rulebook mechanism: versions by code and date, and a process's
deadlines checked against its rulebooks when it is defined."""

from __future__ import annotations

import datetime as dt
import enum

import pytest

from core.enums import Level, Role
from workflow.definition import Deadline, Process, Start, Transition
from workflow.errors import DefinitionError
from workflow.rulebooks import GENERIC, Rulebook, Rulebooks

OLD = Rulebook(code="old", title="Old", effective=dt.date(2020, 1, 1), deadlines={"decision": (10, 5)})
NEW = Rulebook(code="new", title="New", effective=dt.date(2025, 7, 1), deadlines={"decision": (7, 0)})


def test_rulebooks__by_code_and_by_the_day_in_force():
    books = Rulebooks([NEW, OLD])
    assert [r.code for r in books] == ["old", "new"]
    assert books.in_force(dt.date(2019, 5, 1)) is OLD  # before the first: the earliest
    assert books.in_force(dt.date(2025, 6, 30)) is OLD
    assert books.in_force(dt.date(2025, 7, 1)) is NEW
    assert books.get("new").deadline("decision") == (7, 0)
    with pytest.raises(KeyError, match="no rulebook 'gone'"):
        books.get("gone")
    with pytest.raises(KeyError, match="rulebook old has no deadline 'ceremony'"):
        OLD.deadline("ceremony")
    with pytest.raises(ValueError):
        Rulebooks([OLD, OLD])
    assert books.without_deadline("decision") == [] and books.without_deadline("ceremony") == ["old", "new"]


def _process(deadline: Deadline, rulebooks: Rulebooks | None = None) -> type[Process]:
    class State(str, enum.Enum):
        draft = "draft"
        done = "done"

    attrs = {"name": "test_rulebook_process", "State": State, "starts": [Start(State.draft, Role.branch_secretary)],
             "ends": [State.done], "transitions": [Transition("finish", State.draft, State.done,
                                                             role=Role.branch_secretary, level=Level.branch,
                                                             deadline=deadline)]}
    if rulebooks is not None:
        attrs["rulebooks"] = rulebooks
    return type("Tiny", (Process,), attrs, register=False)


def test_process__a_deadline_from_the_rulebook_must_be_in_each_of_its_rulebooks():
    proc = _process(Deadline("decision", working_days="decision"), Rulebooks([OLD, NEW]))
    assert proc.rulebooks.in_force(dt.date(2026, 1, 1)) is NEW
    assert _process(Deadline("decision", working_days=3)).rulebooks is GENERIC  # a number needs no rulebook
    with pytest.raises(DefinitionError, match=r"rulebooks \['generic'\] have no deadline 'decision'"):
        _process(Deadline("decision"))
    with pytest.raises(DefinitionError, match=r"rulebooks \['old'\] have no deadline 'ceremony'"):
        _process(Deadline("ceremony"), Rulebooks([OLD, Rulebook(code="x", title="X", effective=dt.date(2024, 1, 1),
                                                                  deadlines={"ceremony": (1, 0)})]))
