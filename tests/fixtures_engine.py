"""Engine fixtures (owned by the workflow engine work): factories for an org
tree, users holding roles at units, and people, on a plain SQLAlchemy session."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import Education, Gender, Level, PersonStatus, Role
from core.models import Person, RoleAssignment, Unit, User, assign_path

_counter = itertools.count(1)

PG_ENGINE_URL = os.environ.get("ENGINE_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_engine_pg")


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


@pytest.fixture(scope="session")
def engine_pg_url():
    """A PostgreSQL database of its own, migrated to head, for PostgreSQL-only
    engine tests (they run in the SQLite and the PostgreSQL test runs alike)."""
    from core.schema import upgrade

    admin = sa.create_engine(PG_ENGINE_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    dbname = PG_ENGINE_URL.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
    admin.dispose()
    engine = upgrade(PG_ENGINE_URL)
    engine.dispose()
    return PG_ENGINE_URL


@pytest.fixture
def pg_engine(engine_pg_url):
    from tests.conftest import _truncate_all

    engine = sa.create_engine(engine_pg_url, pool_size=60, max_overflow=10)
    _truncate_all(engine)
    yield engine
    engine.dispose()
