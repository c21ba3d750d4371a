"""Issue 11, classes 2 and 3, at the engine, with real threads on SQLite (the
run's database file) and on PostgreSQL (its own database, in both runs):

- a process declaring ``one_open_per_person`` gets one open case per person
  however many opens race, and the losers get the refusal a later second
  open gets (its guard's words; the engine's own words for a process whose
  guards say nothing);
- the same idempotency key sent by eight threads at once acts once, and each
  caller gets the first result; the same key with another request is refused.
"""

from __future__ import annotations

import enum

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import Level, Role
from core.models import Person, User
from tests.concurrency import together
from tests.fixtures_engine import SUBMIT_OK, Review, build_org, make_person, open_review
from workflow import engine
from workflow.definition import Process, Start, Transition
from workflow.errors import GuardFailed
from workflow.idempotency import KeyReused
from workflow.models import AuditEvent, Case

THREADS = 8


class Single(str, enum.Enum):
    open = "open"
    done = "done"


def no_other_open_single(ctx):
    """The person has no open case of this process (what a sequential second open meets)."""
    open_id = ctx.session.scalar(sa.select(Case.id).where(
        Case.process == ctx.process.name, Case.person_id == ctx.snapshot.person_id, Case.closed_at.is_(None)))
    return f"Already open: case {open_id}." if open_id else None


class Guarded(Process):
    """One open case per person, with a guard that words the refusal."""

    name = "test_one_open_guarded"
    one_open_per_person = True
    State = Single
    starts = [Start(Single.open, Role.branch_secretary, Level.branch, guards=[no_other_open_single])]
    ends = [Single.done]
    transitions = [Transition("finish", Single.open, Single.done, role=Role.branch_secretary, level=Level.branch)]


class Unguarded(Process):
    """One open case per person, and no guard: the index alone refuses."""

    name = "test_one_open_unguarded"
    one_open_per_person = True
    State = Single
    starts = [Start(Single.open, Role.branch_secretary, Level.branch)]
    ends = [Single.done]
    transitions = [Transition("finish", Single.open, Single.done, role=Role.branch_secretary, level=Level.branch)]


def open_unguarded(ctx):
    """Effect: open a linked ``Unguarded`` case about the same person."""
    engine.start_linked(ctx, Unguarded.name)


class Spawner(Process):
    """A process whose one transition opens a linked one-open case (like candidacy's ``open_admission``)."""

    name = "test_one_open_spawner"
    State = Single
    starts = [Start(Single.open, Role.branch_secretary, Level.branch)]
    ends = [Single.done]
    transitions = [Transition("finish", Single.open, Single.done, role=Role.branch_secretary, level=Level.branch,
                              effects=[open_unguarded])]


@pytest.fixture(params=["run_db", "postgresql"])
def threaded_engine(request):
    """The run's own database (a SQLite file, or PostgreSQL) and the PostgreSQL engine database."""
    return request.getfixturevalue("db_engine" if request.param == "run_db" else "pg_engine")


def _as(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    session.rollback()
    return user


def _setup(engine_):
    with Session(engine_, expire_on_commit=False) as session:
        org = build_org(session)
        person = make_person(session, org.branch)
        session.commit()
        return org, org.secretary.id, person.id


def _open_in_threads(engine_, process, secretary_id, person_id, key=None):
    def open_one(_i):
        with Session(engine_, expire_on_commit=False) as s:
            actor = _as(s, secretary_id)
            unit_id = s.get(Person, person_id).unit_id
            s.rollback()
            return engine.start(s, process, unit=unit_id, actor=actor, person=person_id, idempotency_key=key).id

    return together(THREADS, open_one)


def _open_ids(engine_, process, person_id) -> list[int]:
    with Session(engine_) as s:
        return list(s.scalars(sa.select(Case.id).where(Case.process == process.name, Case.person_id == person_id,
                                                       Case.closed_at.is_(None))))


@pytest.mark.parametrize("process", [Guarded, Unguarded])
def test_doubles__simultaneous_opens_of_a_one_open_process_make_one_case(threaded_engine, process):
    org, secretary_id, person_id = _setup(threaded_engine)
    results = _open_in_threads(threaded_engine, process, secretary_id, person_id)
    opened = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, GuardFailed)]
    assert len(opened) == 1 and len(refused) == THREADS - 1, results
    assert _open_ids(threaded_engine, process, person_id) == opened
    # The losers were told what a later, sequential second open is told.
    with Session(threaded_engine, expire_on_commit=False) as s:
        with pytest.raises(GuardFailed) as sequential:
            engine.start(s, process, unit=org.branch.id, actor=_as(s, secretary_id), person=person_id)
    assert {tuple(r.reasons) for r in refused} == {tuple(sequential.value.reasons)}
    if process is Unguarded:
        assert sequential.value.reasons == [f"This person already has an open case of this kind (no. {opened[0]})."]
    # Once it is closed, the person may have a new one.
    with Session(threaded_engine, expire_on_commit=False) as s:
        engine.act(s, opened[0], "finish", _as(s, secretary_id))
        again = engine.start(s, process, unit=org.branch.id, actor=_as(s, secretary_id), person=person_id)
    assert _open_ids(threaded_engine, process, person_id) == [again.id]


def test_doubles__a_process_without_the_rule_opens_several_cases(threaded_engine):
    """Like discipline (one case per violation report): no uniqueness per person."""
    org, secretary_id, person_id = _setup(threaded_engine)
    results = _open_in_threads(threaded_engine, Review, secretary_id, person_id)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == THREADS


@pytest.mark.parametrize("process", [Review, Guarded])
def test_doubles__simultaneous_starts_with_one_key_land_on_one_case(threaded_engine, process):
    """Three rounds (three people, three keys): a race lost once is a failure."""
    org, secretary_id, _person_id = _setup(threaded_engine)
    for round_ in range(3):
        with Session(threaded_engine) as s:
            person_id = make_person(s, s.get(type(org.branch), org.branch.id)).id
            s.commit()
        results = _open_in_threads(threaded_engine, process, secretary_id, person_id, key=f"double-click-{round_}")
        assert all(isinstance(r, int) for r in results), results
        assert len(set(results)) == 1
        assert _open_ids(threaded_engine, process, person_id) == results[:1]


def test_doubles__simultaneous_identical_acts_with_one_key_act_once(threaded_engine):
    with Session(threaded_engine, expire_on_commit=False) as session:
        org = build_org(session)
        case_id, secretary_id = open_review(session, org).id, org.secretary.id

    def submit(_i):
        with Session(threaded_engine, expire_on_commit=False) as s:
            return engine.act(s, case_id, "submit", _as(s, secretary_id), SUBMIT_OK, expected_version=1,
                              idempotency_key="retry")

    results = together(THREADS, submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.replayed for r in results].count(False) == 1
    assert len({tuple(sorted(r.as_dict().items())) for r in results}) == 1
    with Session(threaded_engine) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "submit")) == 1
        assert s.get(Case, case_id).version == 2


def test_doubles__simultaneous_different_requests_with_one_key_act_once(threaded_engine):
    """Half the threads send one payload, half another, under the same key: one
    acts, those with its payload replay it, the others are refused."""
    with Session(threaded_engine, expire_on_commit=False) as session:
        org = build_org(session)
        case_id, secretary_id = open_review(session, org).id, org.secretary.id
    payloads = [SUBMIT_OK, dict(SUBMIT_OK, reason="another complete dossier")]

    def submit(i):
        with Session(threaded_engine, expire_on_commit=False) as s:
            return engine.act(s, case_id, "submit", _as(s, secretary_id), payloads[i % 2], idempotency_key="k")

    results = together(THREADS, submit)
    acted = [i for i, r in enumerate(results) if not isinstance(r, Exception) and not r.replayed]
    assert len(acted) == 1, results
    for i, r in enumerate(results):
        if i % 2 == acted[0] % 2:
            assert not isinstance(r, Exception) and r.as_dict() == results[acted[0]].as_dict(), r
        else:
            assert isinstance(r, KeyReused), r
    with Session(threaded_engine) as s:
        assert s.get(Case, case_id).version == 2


def test_doubles__linked_starts_racing_direct_opens_make_one_case(threaded_engine):
    """Four threads open the case directly, four open it from another case's
    transition (each on its own spawner case): one case, seven refusals, and
    the refused transitions leave their spawner cases where they were."""
    org, secretary_id, person_id = _setup(threaded_engine)
    with Session(threaded_engine, expire_on_commit=False) as s:
        spawners = [engine.start(s, Spawner, unit=org.branch.id, actor=_as(s, secretary_id), person=person_id).id
                    for _i in range(THREADS // 2)]

    def open_one(i):
        with Session(threaded_engine, expire_on_commit=False) as s:
            actor = _as(s, secretary_id)
            if i % 2:
                return engine.start(s, Unguarded, unit=org.branch.id, actor=actor, person=person_id).id
            return engine.act(s, spawners[i // 2], "finish", actor)

    results = together(THREADS, open_one)
    refused = [r for r in results if isinstance(r, GuardFailed)]
    assert len(refused) == THREADS - 1, results
    assert len(_open_ids(threaded_engine, Unguarded, person_id)) == 1
    with Session(threaded_engine) as s:
        finished = s.scalar(sa.select(sa.func.count()).select_from(Case).where(
            Case.id.in_(spawners), Case.state == "done"))
    assert finished == sum(1 for r in results if not isinstance(r, (int, Exception)))
