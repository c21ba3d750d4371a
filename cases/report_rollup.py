"""The reports' rollup: counts per unit subtree, per month, per kind, kept current.

Summing the fact table (:mod:`cases.report_facts`) over a province's subtree
reads every fact of the year (hundreds of thousands of index entries at two
million cases). This table holds the same counts already summed: one row per
``(kind, unit_path, month, process, detail)`` with ``n`` facts, the sum of
their ``value`` (``value_sum``) and how many had one (``value_n``), where
``unit_path`` is *every ancestor-or-self* of the fact's unit: the row of a unit
counts its whole subtree, so a report on a unit reads its own rows (an exact
key, a dozen rows a year) whatever the size of the subtree.

Kinds: every kind of :data:`cases.report_facts.KINDS` (dated by the fact's day), and
``moved`` for the cases (dated by the Vietnamese month the case was opened, of
``opened_at``, as the report always counted them): ``detail`` is ``from>to``, each side
the state while open, empty when closed, ``*`` for the opening. Summed, they give the
cases opened (``*>…``) and open now by state (arriving minus leaving), read as the kinds
``opened`` and ``open``; a rebuild writes each case's net ``*>state``.

Kept current in the engine's transaction (:mod:`workflow.event_hooks`): after an event's
facts are written (:func:`on_event`), and when a case is opened, changes state, closes
or reopens (:func:`on_move`); each one prepared upsert (``INSERT … ON CONFLICT DO UPDATE
n = n + delta``) of the ancestors' rows, in key order. :func:`rebuild` refills it
set-based.

Reading (:func:`counts`): whole months of a period from here, partial months at
its ends from the fact table or the cases, and the user's own cases outside
their scope (which :func:`core.permissions.reported` also counts) from there too.
"""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from core import clock
from core.db import Base
from core.prepared import Prepared
from core.models import Unit
from workflow import event_hooks
from workflow.models import AuditEvent, Case

from .report_facts import KINDS, ReportFact, local_day, month_of

CASE_KINDS = ("opened", "open")  # read from the rows of kind "moved"
# Moves (every transition) are rolled up at one level only: the case's ancestor MOVE_DEPTH
# levels down (a district), or its own unit when higher; one upsert row per transition (the
# engine's benchmark must not slow by more than 10 %). A report on the province sums its
# districts' rows; one rooted deeper counts its (small) subtree's cases directly.
MOVE_DEPTH = 2
_DEEPER = "/%" * (MOVE_DEPTH + 1) + "/"  # LIKE: a path of more than MOVE_DEPTH ids


class ReportRollup(Base):
    """Counts of one kind in one unit's subtree in one month (see the module docstring)."""

    __tablename__ = "report_rollup"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: the key is the table (one b-tree per upsert)

    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    unit_path: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    month: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)  # the month's first day
    process: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    detail: Mapped[str] = mapped_column(sa.String(80), primary_key=True, default="")
    n: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    value_sum: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    value_n: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)


class month_start(FunctionElement):
    """SQL: the first day of a date's month, as a date."""
    type = sa.Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    return "CAST(date_trunc('month', %s) AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return "date(%s, 'start of month')" % compiler.process(element.clauses, **kw)


_EMPTY = sa.literal_column("''", sa.String)
_KEY = ("kind", "unit_path", "month", "process", "detail")
_SUMS = ("n", "value_sum", "value_n")
_T = ReportRollup.__table__


@functools.lru_cache(maxsize=65536)
def ancestors(path: str) -> tuple[str, ...]:
    """The materialised paths of ``path``'s unit and of every unit above it: ``/1/4/17/`` →
    ``("/1/", "/1/4/", "/1/4/17/")`` (a pure function of the string, cached)."""
    ids = [p for p in path.strip("/").split("/") if p]
    return tuple("/" + "/".join(ids[:i]) + "/" for i in range(1, len(ids) + 1))


_UPSERT: dict[str, Prepared] = {}


def _upsert_stmt(dialect: str) -> Prepared:
    """The one-row upsert ``n = n + :n`` (…) for ``dialect``, compiled once."""
    if dialect not in _UPSERT:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(_T).values({c: sa.bindparam(c, type_=_T.c[c].type) for c in _KEY + _SUMS})
        _UPSERT[dialect] = Prepared(stmt.on_conflict_do_update(index_elements=list(_KEY), set_={
            c: _T.c[c] + stmt.excluded[c] for c in _SUMS}))
    return _UPSERT[dialect]


def _upsert(conn, deltas: dict[tuple, list[int]]) -> None:
    """Add ``deltas`` (key ``(kind, unit_path, month, process, detail)`` → ``[n, value_sum,
    value_n]``) to the rollup, creating rows, in key order (two writers never wait in opposite
    orders): one prepared statement, ``executemany`` for the few rows."""
    _upsert_stmt(conn.dialect.name).executemany(conn, [
        dict(zip(_KEY, key), n=d[0], value_sum=d[1], value_n=d[2]) for key, d in sorted(deltas.items()) if d[0]])


def _add(deltas: dict, kind: str, path: str, month: dt.date, process: str, detail: str | None,
         n: int, value: int | None = None) -> None:
    for p in ancestors(path):
        d = deltas.setdefault((kind, p, month, process, detail or ""), [0, 0, 0])
        d[0] += n
        if value is not None:
            d[1] += n * value
            d[2] += n


_EVENT_FACTS = Prepared(
    sa.select(ReportFact.kind, ReportFact.unit_path, ReportFact.day, ReportFact.process, ReportFact.detail,
              ReportFact.value)
    .where(ReportFact.event_id == sa.select(AuditEvent.id).where(
        AuditEvent.case_id == sa.bindparam("cid"), AuditEvent.seq == sa.bindparam("seq")).scalar_subquery()))
_LOCAL = dt.timedelta(hours=7)  # Vietnam: UTC+7 all year (as ``report_facts.local_day``)


@functools.lru_cache(maxsize=4096)
def _may_be_fact(action: str, to_state: str, closed: bool) -> bool:
    """May an event of ``action`` to ``to_state`` be a fact (of any kind)? Cached: asked on every act."""
    return any(may_match(action, to_state, closed) for may_match, _stmt in KINDS.values())


@event_hooks.register
def on_event(conn, case_id: int, seq: int, action: str, to_state: str, closed: bool) -> None:
    """Add the facts :func:`cases.report_facts.on_event` wrote for event ``seq`` of case
    ``case_id`` (registered after it) to the rollup; no statement when the event is none. On
    PostgreSQL the trigger of :data:`FACT_TRIGGER_DDL` has added them already."""
    if conn.dialect.name == "postgresql" or not _may_be_fact(action, to_state, closed):
        return
    deltas: dict = {}
    for kind, path, day, process, detail, value in _EVENT_FACTS.all(conn, {"cid": case_id, "seq": seq}):
        _add(deltas, kind, path, day.replace(day=1), process, detail, 1, value)
    _upsert(conn, deltas)


# PostgreSQL counts the moves in a trigger on ``wf_case`` (the same rule as :func:`on_move`,
# inside the engine's own UPDATE or INSERT: no round trip more per transition, which cost the
# engine's benchmark 14 %); created by migration 0016. A bulk load with triggers off (COPY as
# replica) is followed by :func:`rebuild`.
MOVE_TRIGGER_DDL = (
    "CREATE OR REPLACE FUNCTION report_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE p text; d text; BEGIN "
    "IF TG_OP = 'UPDATE' THEN "
    "  IF NEW.state IS NOT DISTINCT FROM OLD.state AND (NEW.closed_at IS NULL) = (OLD.closed_at IS NULL) "
    "  THEN RETURN NULL; END IF; "
    "  d := CASE WHEN OLD.closed_at IS NULL THEN OLD.state ELSE '' END; "
    "  SELECT path INTO p FROM unit WHERE id = OLD.unit_id; "
    "ELSE d := '*'; SELECT path INTO p FROM unit WHERE id = NEW.unit_id; END IF; "
    "d := d || '>' || CASE WHEN NEW.closed_at IS NULL THEN NEW.state ELSE '' END; "
    "INSERT INTO report_rollup (kind, unit_path, month, process, detail, n, value_sum, value_n) "
    f"VALUES ('moved', coalesce(substring(p from '^{'/[^/]+' * MOVE_DEPTH}/'), p), "
    "CAST(date_trunc('month', NEW.opened_at + interval '7 hours') AS date), NEW.process, d, 1, 0, 0) "
    "ON CONFLICT (kind, unit_path, month, process, detail) DO UPDATE SET n = report_rollup.n + 1; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER report_rollup_move AFTER INSERT OR UPDATE OF state, closed_at ON wf_case "
    "FOR EACH ROW EXECUTE FUNCTION report_rollup_move()",
)
# And the facts, in a trigger on ``report_fact``: each fact added to every ancestor's row (the
# rule of :func:`_add`), ancestors root first, facts in the order the engine writes them (its
# kinds in :data:`KINDS` order), so two writers lock shared rows in the same order.
FACT_TRIGGER_DDL = (
    "CREATE OR REPLACE FUNCTION report_rollup_fact() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE ids text[] := string_to_array(trim(both '/' from NEW.unit_path), '/'); i int; BEGIN "
    "FOR i IN 1..coalesce(array_length(ids, 1), 0) LOOP "
    "INSERT INTO report_rollup (kind, unit_path, month, process, detail, n, value_sum, value_n) "
    "VALUES (NEW.kind, '/' || array_to_string(ids[1:i], '/') || '/', CAST(date_trunc('month', NEW.day) AS date), "
    "NEW.process, coalesce(NEW.detail, ''), 1, coalesce(NEW.value, 0), CASE WHEN NEW.value IS NULL THEN 0 ELSE 1 END) "
    "ON CONFLICT (kind, unit_path, month, process, detail) DO UPDATE SET n = report_rollup.n + 1, "
    "value_sum = report_rollup.value_sum + excluded.value_sum, value_n = report_rollup.value_n + excluded.value_n; "
    "END LOOP; RETURN NULL; END $$",
    "CREATE TRIGGER report_rollup_fact AFTER INSERT ON report_fact "
    "FOR EACH ROW EXECUTE FUNCTION report_rollup_fact()",
)
TRIGGERS_DROP = ("DROP TRIGGER IF EXISTS report_rollup_move ON wf_case",
                     "DROP FUNCTION IF EXISTS report_rollup_move()",
                     "DROP TRIGGER IF EXISTS report_rollup_fact ON report_fact",
                     "DROP FUNCTION IF EXISTS report_rollup_fact()")


@event_hooks.register_move
def on_move(conn, case, from_state: str | None, to_state: str, was_open: bool, now_open: bool) -> None:
    """Count the move in ``moved`` (see :data:`MOVE_DEPTH`): ``case`` (the engine's snapshot:
    ``process``, ``opened_at``, ``unit_path``) was opened (``from_state`` None) or went from
    ``from_state`` (open or not) to ``to_state`` (open or not). No read: one upsert of one row, at
    the case's ancestor :data:`MOVE_DEPTH` levels down (or its own unit, if higher). On
    PostgreSQL the trigger of :data:`MOVE_TRIGGER_DDL` has counted it already."""
    if conn.dialect.name == "postgresql":
        return
    month = (case.opened_at + _LOCAL).date().replace(day=1)
    detail = ("*" if from_state is None else from_state if was_open else "") + ">" + (to_state if now_open else "")
    _upsert_stmt(conn.dialect.name).execute(conn, {
        "kind": "moved", "unit_path": ancestors(case.unit_path)[:MOVE_DEPTH][-1], "month": month,
        "process": case.process, "detail": detail, "n": 1, "value_sum": 0, "value_n": 0})


def rebuild(session: Session) -> int:
    """Empty ``report_rollup`` and refill it from ``report_fact`` (rebuild that first) and the
    cases, set-based: three ``INSERT … SELECT … GROUP BY`` over a unit-to-ancestor closure (a
    recursive CTE), no row through Python. Runs in the caller's transaction; returns the rows written."""
    session.execute(sa.delete(ReportRollup))
    up = aliased(Unit, name="up")
    closure = sa.select(Unit.id.label("unit_id"), Unit.path.label("path"), Unit.parent_id.label("parent_id")) \
        .cte("closure", recursive=True)
    closure = closure.union_all(sa.select(closure.c.unit_id, up.path, up.parent_id)
                                .join(up, up.id == closure.c.parent_id))
    cols = list(_KEY) + ["n", "value_sum", "value_n"]
    f = ReportFact
    facts = (sa.select(f.kind, closure.c.path, month_start(f.day), f.process, sa.func.coalesce(f.detail, _EMPTY),
                       sa.func.count(), sa.func.coalesce(sa.func.sum(f.value), 0), sa.func.count(f.value))
             .join(closure, closure.c.unit_id == f.unit_id)
             .group_by(f.kind, closure.c.path, month_start(f.day), f.process, sa.func.coalesce(f.detail, _EMPTY)))
    session.execute(sa.insert(ReportRollup).from_select(cols, facts))
    # A case's moves add up to its opening and its state now: one "*>state" (or "*>") per case.
    detail = sa.literal_column("'*>'", sa.String) + sa.case((Case.closed_at.is_(None), Case.state), else_=_EMPTY)
    month = month_start(local_day(Case.opened_at))
    home = aliased(Unit, name="home")
    at_depth = sa.and_(closure.c.path.not_like(_DEEPER), sa.or_(closure.c.path.like("/%" * MOVE_DEPTH + "/"),
                                                              closure.c.path == home.path))
    cases = (sa.select(sa.literal("moved"), closure.c.path, month, Case.process, detail, sa.func.count(),
                       sa.literal(0), sa.literal(0))
             .join(closure, closure.c.unit_id == Case.unit_id).join(home, home.id == Case.unit_id).where(at_depth)
             .group_by(closure.c.path, month, Case.process, detail))
    session.execute(sa.insert(ReportRollup).from_select(cols, cases))
    return int(session.scalar(sa.select(sa.func.count()).select_from(ReportRollup)) or 0)


class _id_array(FunctionElement):
    """SQL (PostgreSQL): ``ARRAY(subquery)``."""
    type = sa.ARRAY(sa.Integer)
    inherit_cache = True


@compiles(_id_array)
def _id_array_pg(element, compiler, **kw):
    return "ARRAY(%s)" % compiler.process(element.clauses, **kw)


def in_ids(session: Session, column, ids: sa.Select):
    """SQL: ``column`` is one of the ids ``ids`` selects. On PostgreSQL ``= ANY(ARRAY(…))``: the ids
    are read first, then the column's index is probed with them (a district's 1,300 units: a
    bitmap scan of its people, 40 ms instead of a parallel scan of a million, 170 ms); elsewhere
    ``IN (…)``."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(_id_array(ids.scalar_subquery()))
    return column.in_(ids)


# ---- reading ---------------------------------------------------------------------------------------

def split(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """The period ``start``–``end`` (inclusive) as its whole months (first day of the first, last
    day of the last; None when it holds none) and the partial pieces at its ends (inclusive)."""
    first = start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    after = end + dt.timedelta(days=1)
    last_end = end if after.day == 1 else end.replace(day=1) - dt.timedelta(days=1)
    if first > last_end:
        return None, [(start, end)]
    pieces = [(a, b) for a, b in ((start, first - dt.timedelta(days=1)), (last_end + dt.timedelta(days=1), end))
              if a <= b]
    return (first, last_end), pieces


def _utc(day: dt.date) -> dt.datetime:
    """The local (Vietnamese) start of ``day`` as a naive UTC instant."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=clock.LOCAL_TZ)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _raw(kind: str, start: dt.date, end: dt.date, who, by_month: bool):
    """SELECT (process, detail[, month]), n, value_sum, value_n of ``kind`` from the facts or the
    cases dated ``start``–``end``, for the rows ``who(path_column, person_column)`` admits."""
    if kind in CASE_KINDS:
        lo, hi = _utc(start), _utc(end + dt.timedelta(days=1))
        detail = Case.state if kind == "open" else _EMPTY
        keys = [Case.process, detail] + ([month_of(local_day(Case.opened_at))] if by_month else [])
        grouped = [k for k in keys if k is not _EMPTY]
        stmt = (sa.select(*keys, sa.func.count(), sa.literal(0), sa.literal(0)).select_from(Case)
                .join(Unit, Unit.id == Case.unit_id)
                .where(Case.opened_at >= lo, Case.opened_at < hi, who(Unit.path, Case.person_id)))
        if kind == "open":
            stmt = stmt.where(Case.closed_at.is_(None))
        return stmt.group_by(*grouped)
    f = ReportFact
    keys = [f.process, sa.func.coalesce(f.detail, _EMPTY)] + ([month_of(f.day)] if by_month else [])
    return (sa.select(*keys, sa.func.count(), sa.func.sum(f.value), sa.func.count(f.value))
            .where(f.kind == kind, f.day >= start, f.day <= end, who(f.unit_path, f.person_id))
            .group_by(*keys))


def _moves(kind: str, process: str, detail: str, n: int) -> list[tuple[tuple, int]]:
    """What ``n`` moves ``from>to`` of ``moved`` add to ``opened`` or to ``open`` by state."""
    source, _sep, target = detail.partition(">")
    if kind == "opened":
        return [((process, ""), n)] if source == "*" else []
    out = [((process, target), n)] if target else []
    return out + ([((process, source), -n)] if source not in ("", "*") else [])


def counts(scope, kind: str, start: dt.date, end: dt.date, *, own: bool = True,
           by_month: bool = False) -> dict[tuple, list[int]]:
    """The counts of ``kind`` dated ``start``–``end`` that ``scope`` (``cases.reports._Scope``)
    admits, exactly as counting the facts (or cases) would: ``{(process, detail[, "YYYY-MM"]):
    [n, value_sum, value_n]}``, zero counts left out (``detail`` "" for none). ``own``: the user's
    own cases count too, as for any case. A few aggregate statements, whatever the scope's size."""
    months, pieces = split(start, end)
    out: dict[tuple, list[int]] = {}

    def take(stmt):
        for *key, n, vsum, vn in scope.session.execute(stmt):
            d = out.setdefault(tuple(key), [0, 0, 0])
            d[0] += int(n or 0)
            d[1] += int(vsum or 0)
            d[2] += int(vn or 0)

    for a, b in pieces:
        take(_raw(kind, a, b, lambda path, person: scope.admits(path, person if own else None), by_month))
    if months is not None:
        roots = scope.roots()
        if kind in CASE_KINDS and any(len(ancestors(p)) > MOVE_DEPTH for p in roots):
            take(_raw(kind, months[0], months[1], lambda path, person: scope.admits(path, person), by_month))
            return {k: d for k, d in out.items() if d[0]}
        if roots and kind in CASE_KINDS:
            r = ReportRollup
            rows_at = (sa.select(Unit.path).where(Unit.path.not_like(_DEEPER), sa.or_(
                *(Unit.path.startswith(p, autoescape=True) for p in roots))))
            for process, detail, n in scope.session.execute(
                    sa.select(r.process, r.detail, sa.func.sum(r.n))
                    .where(r.kind == "moved", r.unit_path.in_(rows_at), r.month >= months[0], r.month <= months[1])
                    .group_by(r.process, r.detail)):
                for key, m in _moves(kind, process, detail, int(n or 0)):
                    out.setdefault(key, [0, 0, 0])[0] += m
        elif roots:
            r = ReportRollup
            keys = [r.process, r.detail] + ([month_of(r.month)] if by_month else [])
            take(sa.select(*keys, sa.func.sum(r.n), sa.func.sum(r.value_sum), sa.func.sum(r.value_n))
                 .where(r.kind == kind, r.unit_path.in_(roots), r.month >= months[0], r.month <= months[1])
                 .group_by(*keys))
        if own and scope.own_person() is not None:
            take(_raw(kind, months[0], months[1], scope.own_outside, by_month))
    return {k: d for k, d in out.items() if d[0]}
