"""Case operations shared by the pages and the JSON API.

Both front ends call these functions, which call the engine: there is no
second path to a state change and no second permission check. Functions take
a plain SQLAlchemy session and the acting user; they raise the engine's typed
errors or :class:`NotFound` (absent or outside the user's scope).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import LEVEL_RANK, Level, Role
from core.models import Person, RoleAssignment, Unit
from core.permissions import can_view, visible
from core.text import fold
from workflow import access, calendar, clock, engine
from workflow.definition import REVIEWING, AtOrAbove
from workflow.errors import ActionNotAvailable, NotPermitted
from workflow.i18n import _
from workflow.models import AuditEvent, Case

from .documents import UploadRefused, check_upload, storage_path, store
from .models import DOCUMENT_KINDS, Document
from .registry import all_types, get_type


class NotFound(Exception):
    """Absent, or outside the user's scope (the two look the same)."""


# ---- loading ----------------------------------------------------------------------------------

def get_case(session: Session, user, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_view(user, case, session):
        raise NotFound(case_id)
    return case


def get_person(session: Session, user, person_id) -> Person:
    try:
        person = session.get(Person, int(person_id))
    except (TypeError, ValueError):
        person = None
    if person is None or not can_view(user, person, session):
        raise NotFound(person_id)
    return person


def state_label(case: Case) -> str:
    return get_type(case.process).state_label(case.state)


# ---- opening and acting -----------------------------------------------------------------------

def open_case(session: Session, user, type_name: str, person_id, payload: dict | None = None,
              request_id: str | None = None, state: str | None = None) -> Case:
    """Open a case of ``type_name`` about a person, at the person's unit (in ``state``,
    one of the process's start states; default the first)."""
    case_type = get_type(type_name)
    person = get_person(session, user, person_id)
    payload = dict(payload or {})
    payload.setdefault("person_id", person.id)
    return engine.start(session, case_type.process, unit=person.unit_id, actor=user, person=person.id,
                        payload=payload, request_id=request_id, state=state)


def take_action(session: Session, user, case: Case, action: str, payload: dict | None = None, *,
                expected_version: int | None = None, idempotency_key: str | None = None,
                comment: str | None = None, request_id: str | None = None):
    """Act through the engine. An action the user could take in no state of the
    case (not their role at this case's units) is refused as not permitted
    (403) rather than as unavailable in this state (409)."""
    try:
        return engine.act(session, case.id, action, user, payload or {}, expected_version=expected_version,
                          idempotency_key=idempotency_key, comment=comment or None, request_id=request_id)
    except ActionNotAvailable:
        if not could_ever_take(session, user, case, action):
            raise NotPermitted() from None
        raise


def could_ever_take(session: Session, user, case: Case, action: str) -> bool:
    """Does the user hold a role that may take ``action`` on this case in some state?"""
    from workflow.guards import Context, matching_unit, path_ids, role_rows

    process = case.definition()
    snap = access.load_snapshot(session, case.id)
    rows = role_rows(session.connection(), user.id)
    for ct in process.by_action.get(action, ()):
        if ct.is_system:
            continue
        ctx = Context(session, process, snap, user, ct)
        if matching_unit(ct.roles, ct.level, rows, path_ids(snap.unit_path), snap.reviewing_unit_id, ctx) is not None:
            return True
    return False


def available(session: Session, user, case: Case):
    return access.available_actions(session, case.id, user)


# ---- documents ----------------------------------------------------------------------------------

def may_upload(session: Session, user, case: Case) -> bool:
    """Those who can act on the case now, or the secretary of its branch, may add documents."""
    if case.is_closed:
        return False
    if available(session, user, case):
        return True
    return session.scalar(sa.select(sa.func.count()).select_from(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.unit_id == case.unit_id,
        RoleAssignment.role.in_([Role.branch_secretary, Role.branch_deputy]))) > 0


def add_document(session: Session, user, case: Case, *, kind: str, filename: str | None, stream,
                 issued_on: dt.date | None, upload_dir: str, max_bytes: int,
                 request_id: str | None = None) -> Document:
    if not may_upload(session, user, case):
        raise NotPermitted(_("You may not add documents to this case."))
    if kind not in DOCUMENT_KINDS:
        raise UploadRefused(_("Unknown document kind “%(kind)s”.", kind=kind), field="kind")
    issued_on = issued_on or clock.today()
    if issued_on > clock.today():
        raise UploadRefused(_("The document date %(date)s is in the future.", date=issued_on.strftime("%d/%m/%Y")),
                            field="issued_on")
    checked = check_upload(filename, stream, max_bytes, _)  # nothing touches the disk before this passes
    doc = Document(case_id=case.id, kind=kind, filename=checked.filename, content_type=checked.content_type,
                   size=checked.size, sha256=checked.sha256, issued_on=issued_on, uploaded_by_id=user.id,
                   uploaded_at=clock.now())
    session.add(doc)
    session.flush()
    store(upload_dir, checked)
    engine.record(session, case.id, "upload_document", user,
                  {"document_id": doc.id, "kind": kind, "filename": checked.filename, "size": checked.size,
                   "sha256": checked.sha256, "content_type": checked.content_type,
                   "issued_on": issued_on.isoformat()}, request_id=request_id)
    return doc


def get_document(session: Session, user, case_id: int, doc_id: int) -> tuple[Case, Document]:
    case = get_case(session, user, case_id)
    doc = session.get(Document, doc_id)
    if doc is None or doc.case_id != case.id:
        raise NotFound(doc_id)
    return case, doc


def open_document(session: Session, user, case: Case, doc: Document, upload_dir: str,
                  request_id: str | None = None):
    """Audit the download and return the file path."""
    engine.record(session, case.id, "download_document", user,
                  {"document_id": doc.id, "kind": doc.kind, "sha256": doc.sha256}, request_id=request_id)
    return storage_path(upload_dir, doc.sha256)


def documents_of(session: Session, case: Case) -> list[Document]:
    return list(session.scalars(sa.select(Document).where(Document.case_id == case.id)
                                .order_by(Document.kind, Document.id)))


def history(session: Session, case: Case) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.seq)))


# ---- lists ----------------------------------------------------------------------------------------

def encode_cursor(*values) -> str:
    raw = "|".join("" if v is None else str(v) for v in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, n: int) -> list[str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError("bad cursor") from None
    parts = raw.split("|")
    if len(parts) != n:
        raise ValueError("bad cursor")
    return parts


@dataclass
class Filters:
    type: str | None = None
    state: str | None = None
    unit: int | None = None
    overdue: bool | None = None
    q: str | None = None


def visible_cases(session: Session, user):
    """SELECT of the cases the user may see (joined to the home unit)."""
    return (sa.select(Case).join(Unit, Unit.id == Case.unit_id)
            .where(visible(user, Unit.path, session, person_column=Case.person_id)))


def list_cases(session: Session, user, filters: Filters, cursor: str | None = None, limit: int = 50):
    """A page of cases, newest first, keyset-paginated on the id."""
    stmt = visible_cases(session, user)
    if filters.type:
        stmt = stmt.where(Case.process == filters.type)
    if filters.state:
        stmt = stmt.where(Case.state == filters.state)
    if filters.unit:
        unit = session.get(Unit, filters.unit)
        if unit is None or not can_view(user, unit, session):
            stmt = stmt.where(sa.false())
        else:
            stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    if filters.overdue is True:
        stmt = stmt.where(calendar.overdue_filter(Case))
    elif filters.overdue is False:
        stmt = stmt.where(sa.not_(calendar.overdue_filter(Case)))
    if filters.q:
        q = filters.q.strip()
        if q.isdigit():
            stmt = stmt.where(Case.id == int(q))
        else:
            stmt = stmt.join(Person, Person.id == Case.person_id).where(
                Person.name_folded.contains(fold(q), autoescape=True))
    after = decode_cursor(cursor, 1)
    if after:
        stmt = stmt.where(Case.id < int(after[0]))
    rows = list(session.scalars(stmt.order_by(Case.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _inbox_criteria(session: Session, user):
    """SQL prefilter for cases where the user may act now (verified exactly afterwards)."""
    assignments = session.execute(
        sa.select(RoleAssignment.role, Unit.id, Unit.path, Unit.level, Unit.grassroots_branch)
        .join(Unit, Unit.id == RoleAssignment.unit_id).where(RoleAssignment.user_id == user.id)).all()
    clauses = []
    for case_type in all_types().values():
        process = case_type.process
        for ct in {id(c): c for cs in process.from_state.values() for c in cs}.values():
            if ct.is_system:
                continue
            for role, unit_id, path, level, grassroots_branch in assignments:
                if role.value not in ct.roles:
                    continue
                levels = {Level.grassroots, Level.branch} if grassroots_branch else {level}
                lv = ct.level
                if lv == REVIEWING:
                    where = Case.reviewing_unit_id == unit_id
                elif isinstance(lv, Level):
                    if lv not in levels:
                        continue
                    where = Unit.path.startswith(path, autoescape=True)
                elif isinstance(lv, AtOrAbove):
                    if min(LEVEL_RANK[x] for x in levels) > LEVEL_RANK[lv.level]:
                        continue
                    where = Unit.path.startswith(path, autoescape=True)
                else:  # a computed level: any case in scope, checked exactly below
                    where = Unit.path.startswith(path, autoescape=True)
                clauses.append(sa.and_(Case.process == process.name, Case.state.in_(ct.sources), where))
    return sa.or_(*clauses) if clauses else sa.false()


def inbox(session: Session, user, limit: int = 200) -> list[tuple[Case, list]]:
    """Cases where the user can act now, oldest deadline first (no deadline last)."""
    stmt = (visible_cases(session, user).where(Case.closed_at.is_(None), _inbox_criteria(session, user))
            .order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.id).limit(limit * 2))
    out = []
    for case in session.scalars(stmt):
        actions = access.available_actions(session, case.id, user)
        if actions:
            out.append((case, actions))
        if len(out) >= limit:
            break
    return out


def is_overdue(case: Case, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return case.closed_at is None and case.deadline_at is not None and case.deadline_at < now


def working_days_left(case: Case) -> int | None:
    if case.deadline_at is None:
        return None
    last_day = clock.local(case.deadline_at).date() - dt.timedelta(days=1)
    return calendar.working_days_between(clock.today(), last_day)


def cases_of_person(session: Session, user, person: Person) -> list[Case]:
    return list(session.scalars(visible_cases(session, user).where(Case.person_id == person.id)
                                .order_by(Case.id.desc())))
