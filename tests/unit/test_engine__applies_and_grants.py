"""A transition that applies only to some cases' facts (``applies=Applies(...)``)
and one that further roles may take at another level (``also=``): the engine
refuses what ``available_actions`` does not offer, and the inbox's SQL agrees."""

from __future__ import annotations

import enum

import pytest
import sqlalchemy as sa

from core.enums import Level, PersonStatus, Role
from core.levels import REVIEWING, reviewing_at, role_rows_of
from core.models import Person, Unit
from tests.fixtures_engine import make_person, make_user
from workflow import access, engine
from workflow.definition import Applies, Process, Start, Transition
from workflow.errors import DefinitionError, GuardFailed, NotPermitted
from workflow.models import Case

PROBATIONARY = Applies(
    "probationary", test=lambda f: f.person is not None and f.person.status is PersonStatus.probationary,
    sql=lambda: Case.person_id.in_(sa.select(Person.id).where(Person.status == PersonStatus.probationary)),
    reason=lambda f: "only for a probationary member")
NOT_FLAGGED = Applies("not_flagged", test=lambda f: not (f.data or {}).get("flag"),
                      sql=lambda: Case.data["flag"].as_string().is_(None), reason=lambda f: "already flagged")


def flag(ctx):
    ctx.update_data(flag={"on": ctx.today.isoformat()})


def refer_up(ctx):
    ctx.set_reviewing_unit(ctx.unit.parent_id)


class Facts(Process):
    name = "test_facts"
    version = 1

    class State(str, enum.Enum):
        open = "open"
        up = "up"
        done = "done"

    S = State
    starts = [Start(S.open, Role.branch_secretary, Level.branch)]
    ends = [S.done]
    transitions = [
        Transition("only_probationary", S.open, S.done, role=Role.branch_secretary, level=Level.branch,
                   applies=PROBATIONARY),
        Transition("flag", S.open, S.open, role=Role.branch_secretary, level=Level.branch, applies=NOT_FLAGGED,
                   effects=[flag]),
        Transition("refer", S.open, S.up, role=Role.branch_secretary, level=Level.branch, effects=[refer_up]),
        Transition("resolve", S.up, S.done, role=Role.standing_member, level=REVIEWING,
                   also=[(Role.committee_member, reviewing_at(Level.grassroots))]),
    ]


def _world(session, org_status=PersonStatus.official):
    from tests.fixtures_engine import build_org

    org = build_org(session)
    person = make_person(session, org.branch, org_status)
    session.commit()
    case = engine.start(session, Facts, unit=org.branch, actor=org.secretary, person=person)
    return org, person, case


def _offered(session, case, user):
    return [ct.action for ct in access.available_actions(session, case.id, user)]


def _inbox(session, user):
    rows = role_rows_of(session, user.id)
    stmt = (sa.select(Case.id).join(Unit, Unit.id == Case.unit_id)
            .where(access.actable_cases(rows, [Facts], unit_path=Unit.path)))
    return set(session.scalars(stmt))


def test_engine__a_transition_that_does_not_apply_is_neither_offered_nor_accepted(dbsession):
    org, person, case = _world(dbsession)
    assert _offered(dbsession, case, org.secretary) == ["flag", "refer"]
    with pytest.raises(GuardFailed) as refused:
        engine.act(dbsession, case.id, "only_probationary", org.secretary)
    assert refused.value.reasons == ["only for a probationary member"]
    assert dbsession.get(Case, case.id).version == 1  # nothing written
    person.status = PersonStatus.probationary
    dbsession.commit()
    assert _offered(dbsession, case, org.secretary) == ["only_probationary", "flag", "refer"]


def test_engine__a_predicate_on_the_case_data_and_its_sql_twin_agree(dbsession):
    org, person, case = _world(dbsession)
    assert case.id in _inbox(dbsession, org.secretary)
    engine.act(dbsession, case.id, "flag", org.secretary)
    assert _offered(dbsession, case, org.secretary) == ["refer"]
    with pytest.raises(GuardFailed):
        engine.act(dbsession, case.id, "flag", org.secretary)
    # Still in the inbox for "refer"; a process whose only action no longer applies leaves it.
    assert case.id in _inbox(dbsession, org.secretary)
    rows = role_rows_of(dbsession, org.secretary.id)
    only_flag = [(Facts.name, Facts.version, ("open",), frozenset({"branch_secretary"}), Level.branch,
                  NOT_FLAGGED.sql)]
    from core.permissions import actable

    criterion = actable(rows, only_flag, process=Case.process, version=Case.process_version, state=Case.state,
                        unit_path=Unit.path, reviewing_unit=Case.reviewing_unit_id)
    assert dbsession.scalars(sa.select(Case.id).join(Unit, Unit.id == Case.unit_id).where(criterion)).all() == []


def test_engine__further_roles_act_only_at_the_level_they_are_granted(dbsession):
    org, person, case = _world(dbsession)
    engine.act(dbsession, case.id, "refer", org.secretary)
    assert dbsession.get(Case, case.id).reviewing_unit_id == org.grassroots.id
    standing_here = make_user(dbsession, (Role.standing_member, org.grassroots), name="standing_here")
    dbsession.commit()
    for user in (org.committee, standing_here):  # committee member at a grassroots reviewing unit; standing member
        assert _offered(dbsession, case, user) == ["resolve"]
        assert case.id in _inbox(dbsession, user)
    assert _offered(dbsession, case, org.standing) == []  # a standing member of another unit
    engine.act(dbsession, case.id, "resolve", org.committee)
    assert dbsession.get(Case, case.id).state == "done"


def test_engine__further_roles_refused_at_a_reviewing_unit_of_another_level(dbsession):
    org, person, case = _world(dbsession)
    engine.act(dbsession, case.id, "refer", org.secretary)
    dbsession.execute(sa.update(Case).where(Case.id == case.id).values(reviewing_unit_id=org.superior.id))
    district_committee = make_user(dbsession, (Role.committee_member, org.superior), name="district_committee")
    dbsession.commit()
    assert _offered(dbsession, case, district_committee) == []
    assert case.id not in _inbox(dbsession, district_committee)
    with pytest.raises(NotPermitted):
        engine.act(dbsession, case.id, "resolve", district_committee)
    assert _offered(dbsession, case, org.standing) == ["resolve"]


def test_engine__applies_needs_its_sql_twin():
    with pytest.raises(DefinitionError, match="SQL twin"):
        class NoTwin(Process):  # noqa: F841
            name = "test_no_twin"

            class State(str, enum.Enum):
                a = "a"
                b = "b"

            starts = [Start(State.a, Role.branch_secretary, Level.branch)]
            ends = [State.b]
            transitions = [Transition("go", State.a, State.b, role=Role.branch_secretary,
                                      applies=lambda facts: True)]
