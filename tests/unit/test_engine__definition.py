"""Definitions are compiled and validated at class creation; versions are kept."""

from __future__ import annotations

import enum

import pytest

from core.enums import Level, Role
from tests.fixtures_engine import Review, make_person
from workflow import access, engine
from workflow.definition import Process, Start, Transition, get_process
from workflow.errors import DefinitionError
from workflow.votes import MAJORITY


class S(str, enum.Enum):
    a = "a"
    b = "b"
    c = "c"


def define(name, transitions, ends=(S.c,), starts=None, state_enum=S):
    return type(f"P_{name}", (Process,), {
        "name": name, "version": 1, "State": state_enum,
        "starts": starts or [Start(S.a, Role.branch_secretary, Level.branch)],
        "ends": list(ends), "transitions": transitions,
    })


def t(action, src, dst, **kw):
    kw.setdefault("role", Role.branch_secretary)
    return Transition(action, src, dst, **kw)


def test_a_valid_definition_compiles_with_a_class_level_machine():
    P = define("def_ok", [t("go", S.a, S.b), t("finish", S.b, S.c)])
    assert P.machine.models == []  # one class-level machine, no per-row models
    assert set(P.machine.events) == {"go", "finish"}
    assert P.compiled[("a", "go")].targets == {"": "b"}
    assert get_process("def_ok", 1) is P


@pytest.mark.parametrize("transitions, ends, message", [
    ([t("go", S.a, "zzz")], (S.c,), "unknown state"),
    ([t("go", S.a, S.c)], (S.c,), "unreachable states ['b']"),
    ([t("go", S.a, S.b), t("go2", S.a, S.c)], (S.c,), "no way out that are not ends: ['b']"),
    ([t("go", S.a, S.b), t("go", S.a, S.c), t("x", S.b, S.c)], (S.c,), "duplicate action 'go' from state 'a'"),
    ([t("go", S.a, S.b, role="pope"), t("x", S.b, S.c)], (S.c,), "unknown role 'pope'"),
    ([t("go", S.a, S.b, level="galaxy"), t("x", S.b, S.c)], (S.c,), "unknown level 'galaxy'"),
    ([t("go", S.a, {"yes": S.b, "no": S.c}), t("x", S.b, S.c)], (S.c,), "need a vote or a choose"),
    ([t("go", S.a, {"yes": S.b, "no": S.c}, vote=MAJORITY), t("x", S.b, S.c)], (S.c,), "'passed' and 'failed'"),
    ([t("go", S.a, S.b, choose=lambda ctx: "b"), t("x", S.b, S.c)], (S.c,), "choose= needs a mapping"),
    ([t("go", S.a, S.b), t("x", S.b, S.c)], (), "declare the end states"),
])
def test_invalid_definitions_fail_loudly(transitions, ends, message):
    with pytest.raises(DefinitionError) as exc:
        define(f"bad_{abs(hash(message))}", transitions, ends=ends)
    assert message in str(exc.value)


def test_a_start_state_must_exist_and_a_name_is_required():
    with pytest.raises(DefinitionError):
        define("bad_start", [t("go", S.a, S.b), t("x", S.b, S.c)], starts=[Start("nowhere", Role.admin)])
    with pytest.raises(DefinitionError):
        define("", [t("go", S.a, S.b), t("x", S.b, S.c)])


def test_the_same_name_and_version_cannot_be_defined_twice():
    define("twice", [t("go", S.a, S.b), t("x", S.b, S.c)])
    with pytest.raises(DefinitionError):
        type("Other", (Process,), {"name": "twice", "version": 1, "State": S,
                                   "starts": [Start(S.a, Role.branch_secretary)], "ends": [S.c],
                                   "transitions": [t("go", S.a, S.b), t("x", S.b, S.c)]})


class ReviewV2(Process):
    """Version 2 of the shared Review process: a shorter path."""

    name = "test_review"
    version = 2

    class State(str, enum.Enum):
        draft = "draft"
        done = "done"

    starts = [Start(State.draft, Role.branch_secretary, Level.branch)]
    ends = [State.done]
    transitions = [Transition("finish", State.draft, State.done, role=Role.branch_secretary)]


def test_running_cases_keep_the_version_they_started_on(dbsession, org):
    old = engine.start(dbsession, Review, unit=org.branch, actor=org.secretary,
                       person=make_person(dbsession, org.branch))
    new = engine.start(dbsession, "test_review", unit=org.branch, actor=org.secretary)
    assert (old.process_version, new.process_version) == (1, 2)
    assert get_process("test_review") is ReviewV2
    assert [a.action for a in access.available_actions(dbsession, old.id, org.secretary)] == ["submit", "withdraw"]
    assert [a.action for a in access.available_actions(dbsession, new.id, org.secretary)] == ["finish"]
    assert engine.act(dbsession, new.id, "finish", org.secretary).to_state == "done"
