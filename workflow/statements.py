"""The engine's SQL: Core statements built once at import and run as
:class:`~core.prepared.Prepared` statements on the caller's connection.

The loads return a :class:`~workflow.guards.CaseSnapshot` (and, for an actor,
every role they hold in the same round trip); the case UPDATE compares the
version and the chain head, so a concurrent writer is detected by its row count.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.levels import RoleRow, value_of
from core.models import RoleAssignment, Unit
from core.prepared import Prepared

from .errors import CaseNotFound, WorkflowError
from .guards import CaseSnapshot
from .models import Case, Timer

_case_t = Case.__table__
_timer_t = Timer.__table__
_unit_t = Unit.__table__
_ra_t = RoleAssignment.__table__
_role_unit_t = _unit_t.alias("role_unit")

_SNAPSHOT_COLS = [getattr(_case_t.c, n) for n in CaseSnapshot.__slots__[:-1]] + [_unit_t.c.path]
_NSNAP = len(CaseSnapshot.__slots__)

_LOAD = (
    sa.select(*_SNAPSHOT_COLS)
    .select_from(_case_t.join(_unit_t, _unit_t.c.id == _case_t.c.unit_id))
    .where(_case_t.c.id == sa.bindparam("cid"))
)
# The case and every role the actor holds (one row per role assignment; a
# single row of NULLs for the role columns when they hold none).
_LOAD_WITH_ROLES = (
    sa.select(*_SNAPSHOT_COLS, _ra_t.c.unit_id, _ra_t.c.role, _role_unit_t.c.level,
              _role_unit_t.c.grassroots_branch)
    .select_from(
        _case_t.join(_unit_t, _unit_t.c.id == _case_t.c.unit_id)
        .outerjoin(_ra_t, _ra_t.c.user_id == sa.bindparam("uid"))
        .outerjoin(_role_unit_t, _role_unit_t.c.id == _ra_t.c.unit_id)
    )
    .where(_case_t.c.id == sa.bindparam("cid"))
)

P_LOAD = Prepared(_LOAD)
P_LOAD_FOR_UPDATE = Prepared(_LOAD.with_for_update(of=_case_t))
P_LOAD_WITH_ROLES = Prepared(_LOAD_WITH_ROLES)
P_LOAD_WITH_ROLES_FOR_UPDATE = Prepared(_LOAD_WITH_ROLES.with_for_update(of=_case_t))


def _update_case_stmt(closing: bool, deadline: bool):
    """The UPDATE that moves a case. It sets only the columns that change: SQLite
    rewrites every index (partial ones included) that mentions a SET column, so
    an unchanged ``closed_at`` or deadline in the SET list would cost a page
    write per act in the open-case and deadline indexes."""
    values = dict(state=sa.bindparam("new_state"), version=sa.bindparam("new_version"),
                  audit_seq=sa.bindparam("new_seq"), audit_hash=sa.bindparam("new_hash"))
    if closing:
        values["closed_at"] = sa.bindparam("new_closed_at")
    if deadline:
        values.update(deadline_at=sa.bindparam("new_deadline_at"), deadline_kind=sa.bindparam("new_deadline_kind"),
                      deadline_label=sa.bindparam("new_deadline_label"),
                      deadline_extended=sa.bindparam("new_deadline_extended"))
    return (
        _case_t.update()
        .where(_case_t.c.id == sa.bindparam("cid"), _case_t.c.version == sa.bindparam("old_version"),
               _case_t.c.audit_seq == sa.bindparam("old_seq"))
        .values(**values)
    )


# (closing changes, deadline changes) -> the UPDATE that moves the case.
P_UPDATE_CASE = {(c, d): Prepared(_update_case_stmt(c, d)) for c in (False, True) for d in (False, True)}
P_UPDATE_CASE_DATA = Prepared(
    _case_t.update().where(_case_t.c.id == sa.bindparam("cid"))
    .values(data=sa.bindparam("new_data"), reviewing_unit_id=sa.bindparam("new_reviewing"))
)
P_UPDATE_HEAD = Prepared(
    _case_t.update()
    .where(_case_t.c.id == sa.bindparam("cid"), _case_t.c.audit_seq == sa.bindparam("old_seq"))
    .values(audit_seq=sa.bindparam("new_seq"), audit_hash=sa.bindparam("new_hash"))
)
P_CASE_VERSION = Prepared(sa.select(_case_t.c.version).where(_case_t.c.id == sa.bindparam("cid")))
P_CANCEL_TIMERS = Prepared(
    _timer_t.update()
    .where(_timer_t.c.case_id == sa.bindparam("cid"), _timer_t.c.fired_at.is_(None),
           _timer_t.c.cancelled_at.is_(None))
    .values(cancelled_at=sa.bindparam("now"))
)
P_INSERT_TIMER = Prepared(_timer_t.insert().values({c.name: sa.bindparam(c.name) for c in _timer_t.c
                                                    if c.name != "id"}))
P_UNIT_PATH = Prepared(sa.select(_unit_t.c.path).where(_unit_t.c.id == sa.bindparam("uid")))


def is_pg(conn) -> bool:
    """True on PostgreSQL (row locks are taken there; SQLite has one writer)."""
    return conn.dialect.name == "postgresql"


def load(conn, case_id: int, lock: bool) -> CaseSnapshot:
    """The case row with its unit's path; ``lock`` takes the row lock on PostgreSQL.

    Raises :class:`~workflow.errors.CaseNotFound`.
    """
    stmt = P_LOAD_FOR_UPDATE if lock and is_pg(conn) else P_LOAD
    row = stmt.first(conn, {"cid": case_id})
    if row is None:
        raise CaseNotFound(case_id)
    return CaseSnapshot(row)


def load_with_roles(conn, case_id: int, user_id: int, lock: bool) -> tuple[CaseSnapshot, list[RoleRow]]:
    """The case (as :func:`load`) and every role ``user_id`` holds, in one round trip.

    Raises :class:`~workflow.errors.CaseNotFound`.
    """
    stmt = P_LOAD_WITH_ROLES_FOR_UPDATE if lock and is_pg(conn) else P_LOAD_WITH_ROLES
    rows = stmt.all(conn, {"cid": case_id, "uid": user_id})
    if not rows:
        raise CaseNotFound(case_id)
    snap = CaseSnapshot(rows[0][:_NSNAP])
    roles = [RoleRow(r[_NSNAP], value_of(r[_NSNAP + 1]), value_of(r[_NSNAP + 2]), bool(r[_NSNAP + 3]))
             for r in rows if r[_NSNAP] is not None]
    return snap, roles


def case_version(conn, case_id: int) -> int | None:
    """The case's current version (None when it does not exist)."""
    row = P_CASE_VERSION.first(conn, {"cid": case_id})
    return None if row is None else row[0]


def unit_of(session: Session, unit) -> tuple[int, str]:
    """``(id, materialised path)`` of a unit given as a Unit or an id.

    Raises :class:`~workflow.errors.WorkflowError` when it does not exist.
    """
    if isinstance(unit, Unit):
        return unit.id, unit.path
    row = P_UNIT_PATH.first(session.connection(), {"uid": unit})
    if row is None or row[0] is None:
        raise WorkflowError(f"unit {unit} does not exist")
    return int(unit), row[0]


def sync_orm_copy(session: Session, case_id: int, values: dict) -> None:
    """Set ``values`` as committed on the ORM copy of the case already in the
    session, if any (so it reflects a move made by Core statements)."""
    identity_map = session.identity_map
    if not identity_map:
        return
    obj = identity_map.get((Case, (case_id,), None))
    if obj is not None:
        for k, v in values.items():
            set_committed_value(obj, k, v)
