"""The reports' fact table: one row per decision or event a report counts.

DOMAIN.md "Reports" counts decisions by their own date (the decision or
meeting date a vote or decision records), never by the day they were typed in.
Reading that date out of every audit event's JSON payload, joined through the
case and its unit, does not hold at national scale (20 million events), so each
counted event is also written here, in the same transaction, with its date as a
real ``DATE`` column, its unit's path and its kind, indexed on
``(kind, unit_path, day)``: a report is then one index range per kind.

One SQL definition per kind (:data:`KINDS`) serves both ways of writing rows:

* live: :func:`on_event`, registered with :mod:`workflow.event_hooks`, runs after
  every transition (after its effects, so the case row holds its new data) the
  kinds the event may be, as ``INSERT … SELECT … WHERE event = this one``;
* in bulk: :func:`rebuild` empties the table and refills it with one
  ``INSERT … SELECT`` per kind over the whole audit trail (migrations, bulk
  loaders; no Python row loop).

Kinds: ``admitted``, ``recognised``, ``probation_removed`` (admission decisions),
``disciplined`` (``detail``: the form), ``removed`` (from the rolls),
``exempted``, ``transfer_in`` (the unit is the destination; ``detail``: the
state reached, ``value``: 1 when late), ``transfer_out`` (``detail``: the state
reached), ``closed`` (``detail``: the end state). ``admitted`` carries in
``value`` the days from the branch vote to the decision.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from core.db import Base
from core.models import Unit
from core.prepared import Prepared
from workflow import event_hooks
from workflow.models import AuditEvent, Case


class ReportFact(Base):
    """One counted decision or event (see the module docstring)."""

    __tablename__ = "report_fact"
    __table_args__ = (
        sa.Index("ix_report_fact_kind_path_day", "kind", "unit_path", "day"),
        sa.Index("ix_report_fact_kind_day", "kind", "day"),
    )

    event_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # an event may be two kinds (removed, closed)
    day: Mapped[sa.Date] = mapped_column(sa.Date)
    unit_id: Mapped[int] = mapped_column(sa.Integer)
    unit_path: Mapped[str] = mapped_column(sa.String(255))
    person_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    case_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    process: Mapped[str] = mapped_column(sa.String(32))
    detail: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    value: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


# ---- dialect-neutral SQL for dates ------------------------------------------------------------------

class iso_day(FunctionElement):
    """SQL: an ISO text ``YYYY-MM-DD`` (or NULL) as a date."""
    type = sa.Date()
    inherit_cache = True


@compiles(iso_day)
def _iso_day_default(element, compiler, **kw):
    return "CAST(%s AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(iso_day, "sqlite")
def _iso_day_sqlite(element, compiler, **kw):
    return "date(%s)" % compiler.process(element.clauses, **kw)


class local_day(FunctionElement):
    """SQL: the Vietnamese calendar day (UTC+7 all year, no daylight saving) of a naive UTC timestamp."""
    type = sa.Date()
    inherit_cache = True


@compiles(local_day)
def _local_day_default(element, compiler, **kw):
    return "CAST(%s + INTERVAL '7 hours' AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return "date(%s, '+7 hours')" % compiler.process(element.clauses, **kw)


class days_between(FunctionElement):
    """SQL: whole days from the ISO date text ``earlier`` to ``later`` (``days_between(later, earlier)``)."""
    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return "(CAST(%s AS DATE) - CAST(%s AS DATE))" % (compiler.process(later, **kw), compiler.process(earlier, **kw))


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return "CAST(julianday(%s) - julianday(%s) AS INTEGER)" % (compiler.process(later, **kw),
                                                               compiler.process(earlier, **kw))


class month_of(FunctionElement):
    """SQL: the month ``YYYY-MM`` of a date."""
    type = sa.String()
    inherit_cache = True


@compiles(month_of)
def _month_default(element, compiler, **kw):
    return "to_char(%s, 'YYYY-MM')" % compiler.process(element.clauses, **kw)


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return "strftime('%%Y-%%m', %s)" % compiler.process(element.clauses, **kw)


def _p(key: str) -> ColumnElement:
    return AuditEvent.payload[key].as_string()


def own_day() -> ColumnElement:
    """SQL: the day an event bears: its payload's ``decision_date``, else ``meeting_date``, else the
    Vietnamese day it was recorded (a timer, a withdrawal)."""
    return sa.func.coalesce(iso_day(_p("decision_date")), iso_day(_p("meeting_date")), local_day(AuditEvent.at))


# ---- the kinds ---------------------------------------------------------------------------------------

# kind -> (may_match(action, to_state, closed) in Python, the SELECT's parts)
FORM = sa.func.coalesce(_p("final_form"), _p("proposed_form"))


def _select(kind: str, where, *, day=None, detail=None, value=None, unit=None):
    unit = unit if unit is not None else aliased(Unit, name="home")
    on = Case.reviewing_unit_id if kind == "transfer_in" else Case.unit_id
    return (sa.select(AuditEvent.id.label("event_id"), sa.literal(kind, sa.String(32)).label("kind"),
                      (day if day is not None else own_day()).label("day"), unit.id.label("unit_id"),
                      unit.path.label("unit_path"), Case.person_id.label("person_id"), Case.id.label("case_id"),
                      Case.process.label("process"), sa.cast(detail, sa.String(32)).label("detail")
                      if detail is not None else sa.null().label("detail"),
                      sa.cast(value, sa.Integer).label("value") if value is not None else sa.null().label("value"))
            .select_from(AuditEvent).join(Case, Case.id == AuditEvent.case_id).join(unit, unit.id == on)
            .where(where))


def _kinds() -> dict:
    e, c = AuditEvent, Case
    out = {}

    def kind(name, may_match, where, **parts):
        out[name] = (may_match, _select(name, where, **parts))

    for name, action in (("admitted", "decide_admit"), ("recognised", "decide_recognise"),
                         ("probation_removed", "decide_remove")):
        value = days_between(_p("decision_date"), c.data["branch_vote_date"].as_string()) \
            if name == "admitted" else None
        kind(name, lambda a, s, closed, action=action: a == action,
             sa.and_(c.process == "admission", e.action == action), value=value)
    kind("disciplined", lambda a, s, closed: s == "decided",
         sa.and_(c.process == "discipline", e.to_state == "decided", e.from_state != "decided"), detail=FORM)
    kind("removed", lambda a, s, closed: s == "removed",
         sa.and_(c.process == "removal", e.to_state == "removed", e.from_state != "removed"))
    kind("exempted", lambda a, s, closed: a == "decide_exempt",
         sa.and_(c.process == "exemption", e.action == "decide_exempt", e.to_state == "exempted"))
    kind("transfer_in", lambda a, s, closed: a == "receive",
         sa.and_(c.process == "transfer", e.action == "receive", _p("received_on").is_not(None)),
         day=iso_day(_p("received_on")), detail=e.to_state,
         value=sa.case((c.data["late"].as_boolean(), 1), else_=0))
    kind("transfer_out", lambda a, s, closed: (a, s) in (("receive", "transferred"), ("issue_letter", "transferred_out")),
         sa.and_(c.process == "transfer", sa.or_(
             sa.and_(e.action == "receive", e.to_state == "transferred", _p("received_on").is_not(None)),
             sa.and_(e.action == "issue_letter", e.to_state == "transferred_out", _p("letter_date").is_not(None)))),
         day=sa.case((e.action == "receive", iso_day(_p("received_on"))), else_=iso_day(_p("letter_date"))),
         detail=e.to_state)
    kind("closed", lambda a, s, closed: closed,
         sa.and_(c.closed_at.is_not(None), e.at == c.closed_at, e.to_state == c.state), detail=e.to_state)
    return out


KINDS = _kinds()
_COLUMNS = [c.name for c in ReportFact.__table__.c]
# The live statements, prepared (compiled once per dialect, run on the transaction's DBAPI connection).
_LIVE = {name: Prepared(sa.insert(ReportFact).from_select(
    _COLUMNS, stmt.where(AuditEvent.case_id == sa.bindparam("cid"), AuditEvent.seq == sa.bindparam("seq"))))
    for name, (_m, stmt) in KINDS.items()}


@event_hooks.register
def on_event(conn, case_id: int, seq: int, action: str, to_state: str, closed: bool) -> None:
    """The engine's hook (:mod:`workflow.event_hooks`): write the facts the event ``seq`` of case
    ``case_id`` is, in the caller's transaction. Most events are none, and cost no statement."""
    for name, (may_match, _stmt) in KINDS.items():
        if may_match(action, to_state, closed):
            _LIVE[name].execute(conn, {"cid": case_id, "seq": seq})


def rebuild(session: Session) -> int:
    """Empty ``report_fact`` and refill it from the whole audit trail, set-based: one
    ``INSERT … SELECT`` per kind, no row through Python. For migrations and bulk loaders
    (after loading events without the engine). Runs in the caller's transaction (the
    caller commits); returns the number of facts written. On PostgreSQL the table's
    triggers (the rollup's, which its own rebuild refills after) are off while it refills."""
    triggers = session.get_bind().dialect.name == "postgresql"
    session.execute(sa.delete(ReportFact))
    if triggers:
        session.execute(sa.text("ALTER TABLE report_fact DISABLE TRIGGER USER"))
    for _name, (_may_match, stmt) in KINDS.items():
        session.execute(sa.insert(ReportFact).from_select(_COLUMNS, stmt))
    if triggers:
        session.execute(sa.text("ALTER TABLE report_fact ENABLE TRIGGER USER"))
    return int(session.scalar(sa.select(sa.func.count()).select_from(ReportFact)) or 0)


def case_ids(kind: str, day_from, day_to, detail: str | None = None, unit_path: str | None = None):
    """SELECT of the case ids behind the facts of ``kind`` dated ``day_from``–``day_to`` (dates or
    None: open-ended), of ``detail`` when given, in the subtree ``unit_path`` when given: the
    drill-down from a report's count to its list of cases (the list adds the user's scope)."""
    stmt = sa.select(ReportFact.case_id).where(ReportFact.kind == kind)
    if day_from is not None:
        stmt = stmt.where(ReportFact.day >= day_from)
    if day_to is not None:
        stmt = stmt.where(ReportFact.day <= day_to)
    if detail:
        stmt = stmt.where(ReportFact.detail == detail)
    if unit_path:
        stmt = stmt.where(ReportFact.unit_path.startswith(unit_path, autoescape=True))
    return stmt
