"""Engine fixtures (owned by the workflow engine work): factories for an org
tree, users holding roles at units, and people, on a plain SQLAlchemy session."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import Education, Gender, Level, PersonStatus, Role
from core.models import Person, RoleAssignment, Unit, User, assign_path

_counter = itertools.count(1)


def make_unit(session: Session, name: str, level: Level, parent: Unit | None = None, **kw) -> Unit:
    unit = Unit(name=name, level=level, parent=parent, **kw)
    session.add(unit)
    assign_path(session, unit)
    session.flush()
    return unit


def make_user(session: Session, *roles: tuple[Role, Unit], name: str | None = None) -> User:
    n = next(_counter)
    user = User(username=name or f"user{n}", display_name=(name or f"User {n}").title(), password_hash="x")
    session.add(user)
    session.flush()
    for role, unit in roles:
        session.add(RoleAssignment(user_id=user.id, unit_id=unit.id, role=role))
    session.flush()
    return user


def make_person(session: Session, unit: Unit, status: PersonStatus = PersonStatus.candidate, **kw) -> Person:
    n = next(_counter)
    person = Person(
        full_name=kw.pop("full_name", f"Nguyễn Văn {n}"), date_of_birth=kw.pop("date_of_birth", dt.date(1995, 1, 1)),
        gender=Gender.male, national_id=f"{n:012d}", education=Education.upper_secondary, unit_id=unit.id,
        status=status, **kw,
    )
    session.add(person)
    session.flush()
    return person


@dataclasses.dataclass
class Org:
    """province > superior > grassroots > (branch_a, branch_b); a second superior
    with its own grassroots and branch; one user per role and level."""

    province: Unit
    superior: Unit
    grassroots: Unit
    branch: Unit
    branch_b: Unit
    other_superior: Unit
    other_grassroots: Unit
    other_branch: Unit
    secretary: User
    secretary_b: User
    committee: User
    organiser: User
    standing: User
    inspector: User
    other_secretary: User
    other_committee: User
    nobody: User


def build_org(session: Session) -> Org:
    province = make_unit(session, "Province", Level.province)
    superior = make_unit(session, "District", Level.superior, province)
    grassroots = make_unit(session, "Commune committee", Level.grassroots, superior)
    branch = make_unit(session, "Branch A", Level.branch, grassroots)
    branch_b = make_unit(session, "Branch B", Level.branch, grassroots)
    other_superior = make_unit(session, "Other district", Level.superior, province)
    other_grassroots = make_unit(session, "Other commune", Level.grassroots, other_superior)
    other_branch = make_unit(session, "Other branch", Level.branch, other_grassroots)
    org = Org(
        province=province, superior=superior, grassroots=grassroots, branch=branch, branch_b=branch_b,
        other_superior=other_superior, other_grassroots=other_grassroots, other_branch=other_branch,
        secretary=make_user(session, (Role.branch_secretary, branch), name="secretary"),
        secretary_b=make_user(session, (Role.branch_secretary, branch_b), name="secretary_b"),
        committee=make_user(session, (Role.committee_member, grassroots), name="committee"),
        organiser=make_user(session, (Role.organisation_officer, superior), name="organiser"),
        standing=make_user(session, (Role.standing_member, superior), name="standing"),
        inspector=make_user(session, (Role.inspection_officer, grassroots), name="inspector"),
        other_secretary=make_user(session, (Role.branch_secretary, other_branch), name="other_secretary"),
        other_committee=make_user(session, (Role.committee_member, other_grassroots), name="other_committee"),
        nobody=make_user(session, name="nobody"),
    )
    session.commit()
    return org


@pytest.fixture
def org(dbsession) -> Org:
    return build_org(dbsession)


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of the engine's tables plus the case versions (to prove nothing changed)."""
    out = {}
    for table in ("wf_case", "audit_event", "wf_timer", "wf_idempotency", "person"):
        out[table] = session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    out["versions"] = tuple(session.execute(sa.text("SELECT id, version, state, audit_seq FROM wf_case ORDER BY id")).all())
    out["statuses"] = tuple(session.execute(sa.text("SELECT id, status FROM person ORDER BY id")).all())
    session.rollback()
    return out


@pytest.fixture
def pg_engine(migrated_db):
    """An engine with room for many threads on the suite's own PostgreSQL database
    (``TEST_DATABASE_URL``), emptied, for the ``postgres_only`` tests."""
    from tests.conftest import _truncate_all, is_postgres

    if not is_postgres():
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    engine = sa.create_engine(migrated_db, pool_size=60, max_overflow=10)
    _truncate_all(engine)
    yield engine
    engine.dispose()


# ---- a small process shared by the engine tests -----------------------------------------

import enum as _enum  # noqa: E402

from wtforms import Form  # noqa: E402
from wtforms.fields import DateField, StringField  # noqa: E402
from wtforms.validators import InputRequired, Length  # noqa: E402

from core.levels import REVIEWING, at_or_above  # noqa: E402
from workflow.definition import CLEAR, Deadline, Process, Start, TimerSpec, Transition  # noqa: E402
from workflow.rulebooks import Rulebook, Rulebooks  # noqa: E402
from workflow.votes import TWO_THIRDS  # noqa: E402


class SubmitForm(Form):
    reason = StringField(validators=[InputRequired(), Length(max=200)])
    submitted_on = DateField(validators=[InputRequired()])


def set_reviewing_unit(ctx):
    """Effect: the unit where the reviewer acted becomes the reviewing unit."""
    ctx.set_reviewing_unit(ctx.acting_unit_id)


def make_probationary(ctx):
    """Effect: the person's status changes (only the engine does that)."""
    ctx.person.status = PersonStatus.probationary
    ctx.update_data(decided_on=ctx.today)


def reason_not_blocked(ctx):
    if ctx.payload.get("reason") == "blocked":
        return "The reason may not be 'blocked'."
    return None


def reason_not_short(ctx):
    if len(ctx.payload.get("reason") or "") < 3:
        return "The reason is too short."
    return None


# Two versions of the rules, told apart by the day a case is opened.
REVIEW_RULEBOOKS = Rulebooks([Rulebook(code="qd24_2021", title="Until June 2025", effective=dt.date(2021, 7, 30)),
                              Rulebook(code="qd294_2025", title="From July 2025", effective=dt.date(2025, 7, 1))])


class Review(Process):
    """draft -> submitted -> vote -> decision -> approved -> confirmed (and side exits)."""

    name = "test_review"
    version = 1
    rulebooks = REVIEW_RULEBOOKS

    class State(str, _enum.Enum):
        draft = "draft"
        submitted = "submitted"
        vote = "vote"
        decision = "decision"
        approved = "approved"
        confirmed = "confirmed"
        expired = "expired"
        rejected = "rejected"
        withdrawn = "withdrawn"

    S = State
    starts = [
        Start(S.draft, Role.branch_secretary, Level.branch),
        Start(S.submitted, Role.inspection_officer, at_or_above(Level.grassroots)),
    ]
    ends = [S.confirmed, S.expired, S.rejected, S.withdrawn]
    transitions = [
        Transition("submit", S.draft, S.submitted, role=Role.branch_secretary, level=Level.branch,
                   form=SubmitForm, guards=[reason_not_blocked, reason_not_short],
                   deadline=Deadline("decision", "Decision", working_days=10, anchor="submitted_on")),
        Transition("review", S.submitted, S.vote, role=Role.committee_member, level=Level.grassroots,
                   effects=[set_reviewing_unit]),
        Transition("record_vote", S.vote, {"passed": S.decision, "failed": S.rejected},
                   role=Role.branch_secretary, level=Level.branch, vote=TWO_THIRDS),
        Transition("decide", S.decision, S.approved, role=Role.standing_member, level=Level.superior,
                   effects=[make_probationary], deadline=CLEAR),
        Transition("extend", S.decision, S.decision, role=Role.organisation_officer, level=Level.superior,
                   deadline=Deadline("decision", extend=True, working_days=5)),
        Transition("send_back", S.decision, S.draft, role=Role.organisation_officer, level=Level.superior),
        Transition("confirm", S.approved, S.confirmed, roles=[Role.inspection_officer, Role.committee_member],
                   level=REVIEWING),
        Transition("expire", S.approved, S.expired, timer=TimerSpec(delay=dt.timedelta(days=30))),
        Transition("withdraw", [S.draft, S.submitted], S.withdrawn, role=Role.branch_secretary,
                   level=Level.branch),
    ]


VOTE_OK = {"meeting_date": "2025-03-03", "entitled": 9, "present": 8, "votes_for": 6, "votes_against": 2}
VOTE_FAIL = {"meeting_date": "2025-03-03", "entitled": 9, "present": 8, "votes_for": 5, "votes_against": 3}
SUBMIT_OK = {"reason": "complete dossier", "submitted_on": "2025-03-03"}


def open_review(session: Session, org: Org, *, person: bool = True, unit: Unit | None = None):
    """A Review case at the org's branch A (with a candidate), in ``draft``."""
    from workflow import engine

    unit = unit or org.branch
    p = make_person(session, unit) if person else None
    session.commit()
    return engine.start(session, Review, unit=unit, actor=org.secretary, person=p)


def advance_review(session: Session, org: Org, case, to: str):
    """Drive a Review case along the happy path until it is in state ``to``."""
    from workflow import access, engine

    steps = [
        ("draft", "submitted", "submit", org.secretary, SUBMIT_OK),
        ("submitted", "vote", "review", org.committee, None),
        ("vote", "decision", "record_vote", org.secretary, VOTE_OK),
        ("decision", "approved", "decide", org.standing, None),
        ("approved", "confirmed", "confirm", org.committee, None),
    ]
    state = access.load_snapshot(session, case.id).state
    session.rollback()
    for source, target, action, actor, payload in steps:
        if source != state:
            continue
        engine.act(session, case.id, action, actor, payload)
        state = target
        if state == to:
            return
    raise AssertionError(f"{to} is not on the happy path")
