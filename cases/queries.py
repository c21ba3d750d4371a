"""Reading cases for the pages and the JSON API: load one, list, filter, the inbox.

Every query is filtered by :func:`core.permissions.visible` (in SQL) or
checked with :func:`core.permissions.can_view`; something absent and
something outside the user's scope both raise :class:`NotFound`. Lists are
keyset-paginated with the one cursor codec of :mod:`cases.cursor`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from core import clock
from core.levels import role_rows_of
from core.models import Person, Unit
from core.permissions import (can_view, in_transit_cases, scope_paths, sees_in_transit, transferred_history,
                              visible)
from core.text import fold
from workflow import access, calendar
from workflow.definition import registered
from workflow.models import AuditEvent, Case
from workflow.setup_log import LEDGER_PROCESS

from . import inbox_scans, report_facts
from .cursor import ID_MAX, BadCursor, decode_ids, keyset_page
from .registry import all_entries, get_entry


class NotFound(Exception):
    """Absent, or outside the user's scope (the two look the same)."""


# ---- one case, one person --------------------------------------------------------------------------

def get_visible(session: Session, user, model, obj_id):
    """The row of ``model`` with id ``obj_id`` (anything ``int()`` takes) if ``user``
    may see it; raises :class:`NotFound` otherwise, also for an id that is not a number."""
    try:
        row = session.get(model, int(obj_id))
    except (TypeError, ValueError):
        row = None
    if row is None or not (can_view(user, row, session) or sees_in_transit(session, user, row)):
        raise NotFound(obj_id)
    return row


def get_case(session: Session, user, case_id: int) -> Case:
    """The case ``case_id`` if ``user`` may see it; raises :class:`NotFound` otherwise."""
    case = get_visible(session, user, Case, case_id)
    if case.process == LEDGER_PROCESS:  # the set-up log is not a procedure
        raise NotFound(case_id)
    return case


def get_person(session: Session, user, person_id) -> Person:
    """The person ``person_id`` if ``user`` may see them; raises :class:`NotFound` otherwise."""
    return get_visible(session, user, Person, person_id)


def state_label(case: Case) -> str:
    """The case's current step in words (its type's label for the state)."""
    return get_entry(case.process).state_label(case.state)


def is_overdue(case: Case, now: dt.datetime | None = None) -> bool:
    """Open, with a deadline before ``now`` (default: the clock's now)."""
    now = now or clock.now()
    return case.closed_at is None and case.deadline_at is not None and case.deadline_at < now


def working_days_left(case: Case) -> int | None:
    """Working days from today to the deadline's last day (None without a deadline)."""
    if case.deadline_at is None:
        return None
    last_day = clock.local(case.deadline_at).date() - dt.timedelta(days=1)
    return calendar.working_days_between(clock.today(), last_day)


def history(session: Session, case: Case) -> list[AuditEvent]:
    """Every audit event of the case, oldest first."""
    return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.seq)))


# ---- lists -------------------------------------------------------------------------------------------

@dataclass
class Filters:
    """The filters of the case list; None means "any"."""

    type: str | None = None
    state: str | None = None
    unit: int | None = None
    overdue: bool | None = None
    q: str | None = None
    # A report's drill-down (cases/reports.py): the cases behind a count of the fact table
    # (cases/report_facts.py) of kind ``fact``, dated from–to, of ``detail`` (a form, a state);
    # and the cases opened from–to.
    fact: str | None = None
    detail: str | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None


def visible_cases(session: Session, user):
    """SELECT of the cases the user may see (joined to the home unit): in their scope,
    their own, a transfer to a unit they see (:func:`core.permissions.in_transit_cases`), or a case of a
    member transferred from or to such a unit (:func:`core.permissions.transferred_history`)."""
    return (sa.select(Case).join(Unit, Unit.id == Case.unit_id)
            .where(sa.or_(visible(user, Unit.path, session, person_column=Case.person_id),
                          in_transit_cases(session, user, Case.process, Case.state, Case.reviewing_unit_id),
                          transferred_history(session, user, Case.person_id)),
                   Case.process != LEDGER_PROCESS))


def _open_state(process: str | None, state: str) -> bool:
    """Is ``state`` a step of an open case: not an end state of ``process`` (any
    version), or of any process when none is named? A case in it is open."""
    procs = [p for (name, _v), p in registered().items() if process is None or name == process]
    return bool(procs) and all(state not in {getattr(s, "value", s) for s in p.end_states} for p in procs)


# A scope of at most this many units is listed by their ids (each unit's cases from its
# index); a larger one by its path, newest first from the primary key (docs/DECISIONS.md).
SCOPE_UNITS_LIMIT = 500


def _scope_units(session: Session, user) -> list[int] | None:
    """The ids of the units in ``user``'s scope when they are at most
    :data:`SCOPE_UNITS_LIMIT`, else None; read once a request (kept on the user)."""
    cached = getattr(user, "_scope_units", False)
    if cached is not False:
        return cached
    ids = list(session.scalars(sa.select(Unit.id).where(visible(user, Unit.path, session))
                               .limit(SCOPE_UNITS_LIMIT + 1)))
    result = ids if len(ids) <= SCOPE_UNITS_LIMIT else None
    try:
        user._scope_units = result
    except AttributeError:  # pragma: no cover - exotic user objects
        pass
    return result


def _ways_of_seeing(session: Session, user) -> list:
    """The criteria on ``Case`` (and its joined ``Unit``) whose union is what
    :func:`visible_cases` admits, each one an index can serve alone: the scope's
    units (by id when few, :func:`_scope_units`, else by path), the user's own
    cases, transfers to a unit they see, the history of members transferred from
    or to one (those two also by the units' ids when few: the planner then reads
    ``ix_wf_case_transfer`` instead of every transfer newest first)."""
    units = _scope_units(session, user)
    parts = [visible(user, Unit.path, session) if units is None else Case.unit_id.in_(units)]
    own = getattr(user, "person_id", None)
    if own is not None:
        parts.append(Case.person_id == own)
    parts.append(in_transit_cases(session, user, Case.process, Case.state, Case.reviewing_unit_id, units=units))
    parts.append(transferred_history(session, user, Case.person_id, units=units))
    return parts


def visible_page(session: Session, user, criteria: list, order: tuple, limit: int):
    """SELECT of the first ``limit`` visible cases matching ``criteria`` in ``order``, their
    unit and person joined (eager), as one statement: each way of seeing
    (:func:`_ways_of_seeing`) picks its own first ``limit`` ids (a narrow scope from
    its units' index, the province from the primary key), and the page is the first
    ``limit`` of their union. The same rows as :func:`visible_cases` filtered and
    ordered, without an OR across the ways that no index serves."""
    subs = []
    for part in _ways_of_seeing(session, user):
        inner = (sa.select(Case.id).join(Unit, Unit.id == Case.unit_id)
                 .where(part, Case.process != LEDGER_PROCESS, *criteria).order_by(*order).limit(limit).subquery())
        subs.append(sa.select(inner.c.id))
    ids = sa.union(*subs).subquery() if len(subs) > 1 else subs[0].subquery()
    return (sa.select(Case).join(ids, ids.c.id == Case.id).join(Unit, Unit.id == Case.unit_id)
            .outerjoin(Person, Person.id == Case.person_id)
            .options(contains_eager(Case.unit), contains_eager(Case.person)).order_by(*order).limit(limit))


def list_cases(session: Session, user, filters: Filters, cursor: str | None = None,
               limit: int = 50) -> tuple[list[Case], str | None]:
    """A page of cases, newest first, keyset-paginated on the id: ``(cases, next_cursor)``,
    in one statement (:func:`visible_page`: their unit and person with them).

    ``filters.q`` is a case number (digits) or part of the person's name, with
    or without diacritics. Raises :class:`BadCursor` for a malformed cursor.
    """
    criteria = []
    if filters.type:
        criteria.append(Case.process == filters.type)
    if filters.state:
        criteria.append(Case.state == filters.state)
        if _open_state(filters.type, filters.state):  # lets ix_wf_case_open_process_state serve it
            criteria.append(Case.closed_at.is_(None))
    unit = session.get(Unit, filters.unit) if filters.unit else None
    if filters.unit and (unit is None or not can_view(user, unit, session)):
        criteria.append(sa.false())
    elif unit is not None and not filters.fact:
        criteria.append(Unit.path.startswith(unit.path, autoescape=True))
    if filters.fact:  # the unit is then the fact's (a transfer's destination for transfer_in)
        criteria.append(Case.id.in_(report_facts.case_ids(filters.fact, filters.day_from, filters.day_to,
                                                          filters.detail, unit.path if unit else None)))
    if filters.opened_from:
        criteria.append(Case.opened_on >= filters.opened_from)
    if filters.opened_to:
        criteria.append(Case.opened_on <= filters.opened_to)
    if filters.overdue is True:
        criteria.append(calendar.overdue_filter(Case))
    elif filters.overdue is False:
        criteria.append(sa.not_(calendar.overdue_filter(Case)))
    if filters.q:
        q = filters.q.strip()
        if q.isdigit():  # a case number: one that no 32-bit id can be matches nothing
            number = int(q) if q.isascii() and len(q) <= 10 else None
            criteria.append(Case.id == number if number is not None and number <= ID_MAX else sa.false())
        else:
            named = sa.select(Person.id).where(Person.name_folded.contains(fold(q), autoescape=True))
            if _scope_units(session, user) is None:  # a wide scope: the people named once for every way
                named = sa.select(named.cte("named").c.id)  # of seeing (the trigram index read once)
            criteria.append(Case.person_id.in_(named))
    after = decode_ids(cursor, 1)
    if after:
        criteria.append(Case.id < after[0])
    stmt = visible_page(session, user, criteria, (Case.id.desc(),), limit + 1)
    return keyset_page(session, stmt, limit, lambda case: (case.id,))


def cases_of_person(session: Session, user, person: Person) -> list[Case]:
    """The cases about ``person`` that ``user`` may see, newest first."""
    return list(session.scalars(visible_cases(session, user).where(Case.person_id == person.id)
                                .options(contains_eager(Case.unit)).order_by(Case.id.desc())))


# ---- the inbox ---------------------------------------------------------------------------------------

def _inbox_processes():
    """Every registered version of every process (a running case keeps its version)."""
    names = {process_entry.process.name for process_entry in all_entries().values()}
    return [proc for (name, _version), proc in sorted(registered().items()) if name in names]


def _inbox_key(case: Case) -> tuple:
    if case.deadline_at is None:
        return (1, None, case.id)
    return (0, case.deadline_at.isoformat(), case.id)


def _inbox_ids(session: Session, user, rows, windows: list, limit: int):
    """Subquery (``id``, ``deadline_at``) of the first ``limit`` cases of the inbox in
    its order within ``windows``, or None when the user may act nowhere
    (:func:`cases.inbox_scans.merged_ids` over :func:`workflow.access.actable_steps`;
    a scope of one path and few units holds every case of its path atoms)."""
    units = _scope_units(session, user)
    paths = scope_paths(session, user)
    steps = access.actable_steps(rows, _inbox_processes(), unit_path=Unit.path,
                                 implied=frozenset(paths) if units is not None and len(paths) == 1 else frozenset())
    return inbox_scans.merged_ids(steps, units, lambda: visible_cases(session, user).whereclause, windows, limit)


def _role_rows(session: Session, user):
    """The user's role rows with paths (:func:`core.levels.role_rows_of`), read once a
    request (kept on the user, as :func:`_scope_units`)."""
    cached = getattr(user, "_role_rows", None)
    if cached is not None:
        return cached
    rows = role_rows_of(session, user.id)
    try:
        user._role_rows = rows
    except AttributeError:  # pragma: no cover - exotic user objects
        pass
    return rows


# The badge's statements, by everything they are built from (the user, their role rows,
# their scope's units and paths, the cap): every page shows the badge, and a statement
# built once is neither rebuilt nor its SQL cache key recomputed. Least recently used out.
_COUNT_STATEMENTS: OrderedDict = OrderedDict()
_COUNT_STATEMENTS_KEPT = 256
_COUNT_STATEMENTS_LOCK = threading.Lock()


def _count_statement(session: Session, user, cap: int):
    """SELECT count(*) of the first ``cap + 1`` cases of the user's inbox, or None when
    they may act nowhere (built by :func:`_inbox_ids`, kept in :data:`_COUNT_STATEMENTS`)."""
    rows = _role_rows(session, user)
    units = _scope_units(session, user)
    key = (user.id, getattr(user, "person_id", None), tuple((r.unit_id, r.role, r.levels, r.path) for r in rows),
           None if units is None else tuple(units), scope_paths(session, user), cap)
    with _COUNT_STATEMENTS_LOCK:
        if key in _COUNT_STATEMENTS:
            _COUNT_STATEMENTS.move_to_end(key)
            return _COUNT_STATEMENTS[key]
    ids = _inbox_ids(session, user, rows, [sa.true()], cap + 1)
    stmt = None if ids is None else sa.select(sa.func.count()).select_from(ids)
    with _COUNT_STATEMENTS_LOCK:
        _COUNT_STATEMENTS[key] = stmt
        while len(_COUNT_STATEMENTS) > _COUNT_STATEMENTS_KEPT:
            _COUNT_STATEMENTS.popitem(last=False)
    return stmt


def inbox_count(session: Session, user, cap: int = 99) -> int:
    """How many cases :func:`inbox` lists for ``user``, counted in SQL up to ``cap + 1``
    (a badge shows "99+" beyond ``cap``): the same scans, no rows loaded. Once a request:
    the answer is kept on the user, and a first page of :func:`inbox` read in the same
    request answers it without a query when it holds the whole inbox or more than ``cap``."""
    known = getattr(user, "_inbox_first_page", None)  # (rows on it, more follow)
    if known is not None and (not known[1] or known[0] > cap):
        return min(known[0] + known[1], cap + 1)
    counted = getattr(user, "_inbox_counts", None)
    if counted is not None and cap in counted:
        return counted[cap]
    stmt = _count_statement(session, user, cap)
    n = 0 if stmt is None else session.scalar(stmt) or 0
    try:
        user._inbox_counts = {**(counted or {}), cap: n}
    except AttributeError:  # pragma: no cover - exotic user objects
        pass
    return n


def overdue_count(session: Session, user, cap: int = 999) -> int:
    """How many open cases the user sees are past their deadline now, counted in SQL up to
    ``cap + 1`` (the dashboard shows "999+" beyond ``cap``); no rows loaded."""
    ids = (visible_cases(session, user).with_only_columns(Case.id)
           .where(Case.closed_at.is_(None), calendar.overdue_filter(Case)).limit(cap + 1).subquery())
    return session.scalar(sa.select(sa.func.count()).select_from(ids)) or 0


INBOX_PAGE = 200  # rows of the inbox page (the API's default page is 50)


def inbox(session: Session, user, cursor: str | None = None, limit: int = 50):
    """Cases where the user can act now, soonest deadline first (no deadline last), ties by id.

    Returns ``(items, next_cursor)``: items are ``(case, available transitions)``,
    ``limit`` of them unless this is the last page, and ``next_cursor`` is None
    exactly when no case follows. One query selects the page: the open cases the
    user may see where the level rule lets them act now
    (:func:`workflow.access.actable_steps`, the SQL twin of the engine's
    ``available_actions``, the transitions' predicates on the case's facts
    included), merged from one deadline-ordered scan per step (:func:`_inbox_ids`);
    their person and unit come with it, and their actions are
    computed from the user's role rows, read once, and the case row itself. Raises
    :class:`BadCursor` for a malformed cursor.
    """
    windows = inbox_scans.windows(cursor)
    rows = _role_rows(session, user)
    ids = _inbox_ids(session, user, rows, windows, limit + 1)
    if ids is None:
        return [], None
    stmt = (sa.select(Case).join(ids, ids.c.id == Case.id).join(Unit, Unit.id == Case.unit_id)
            .outerjoin(Person, Person.id == Case.person_id)
            .options(contains_eager(Case.unit), contains_eager(Case.person))
            .order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.id))
    cases, next_cursor = keyset_page(session, stmt, limit, _inbox_key)
    if cursor is None:
        try:
            user._inbox_first_page = (len(cases), next_cursor is not None)
        except AttributeError:  # pragma: no cover - exotic user objects
            pass
    items = [(case, access.permitted_now(case.definition(), case.state, case.unit.path,
                                         case.reviewing_unit_id, rows, case)) for case in cases]
    return items, next_cursor
