"""The words of a notification (in the active Babel locale), for the app's
list, the API and the emails alike."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from cases.registry import all_entries
from core.models import Person
from workflow.models import Case

from .models import ACTIONABLE, DECIDED, INFORMED, OVERDUE, Notification


@dataclasses.dataclass
class Item:
    """A notification with what its words need: the case's process, its person's name, the step's words."""

    notification: Notification
    process: str
    person_name: str
    step_label: str
    deadline: dt.date | None

    @property
    def title(self) -> str:
        """One line: what happened, the person's name and the step (no other personal data)."""
        return headline(self.notification.kind, self.person_name, self.step_label, self.notification.case_id)

    @property
    def detail(self) -> str:
        """A sentence saying what to do, with the deadline's date when there is one."""
        return explanation(self.notification.kind, self.deadline)


def step_label(process: str, step: str) -> str:
    """The words for a step of a process (the step itself for an unknown process)."""
    entry = all_entries().get(process)
    return entry.state_label(step) if entry is not None else step


def headline(kind: str, name: str, step: str, case_id: int) -> str:
    """The title of a notification (and an immediate email's subject)."""
    if kind == ACTIONABLE:
        return _("To act on: %(name)s, %(step)s (case no. %(id)s)", name=name, step=step, id=case_id)
    if kind == OVERDUE:
        return _("Deadline passed: %(name)s, %(step)s (case no. %(id)s)", name=name, step=step, id=case_id)
    if kind == DECIDED:
        return _("Decided: %(name)s, %(step)s (case no. %(id)s)", name=name, step=step, id=case_id)
    if kind == INFORMED:
        return _("For your information: %(name)s, %(step)s (case no. %(id)s)", name=name, step=step, id=case_id)
    return _("Deadline near: %(name)s, %(step)s (case no. %(id)s)", name=name, step=step, id=case_id)


def explanation(kind: str, deadline: dt.date | None) -> str:
    """What the recipient should do, in one sentence."""
    if kind == ACTIONABLE:
        return _("The case has reached a step where you can act.")
    if kind == DECIDED:
        return _("A case you acted on has been decided.")
    if kind == INFORMED:
        return _("A party organisation under your committee has decided; your committee is informed.")
    when = format_date(deadline, "dd/MM/yyyy") if deadline else ""
    if kind == OVERDUE:
        return _("The deadline of this step passed on %(date)s.", date=when)
    days = kind.rpartition("_")[2]
    return _("The deadline of this step is %(date)s, %(days)s working day(s) away or less.", date=when, days=days)


def items(session: Session, notifications: list[Notification]) -> list[Item]:
    """The notifications with their words, reading their cases and people in one query."""
    ids = sorted({n.case_id for n in notifications})
    rows = {r.id: r for r in session.execute(
        sa.select(Case.id, Case.process, Person.full_name).outerjoin(Person, Person.id == Case.person_id)
        .where(Case.id.in_(ids))).all()} if ids else {}
    out = []
    for n in notifications:
        row = rows.get(n.case_id)
        process = row.process if row else ""
        deadline = None
        if n.occurrence[:4].isdigit() and "-" in n.occurrence:
            deadline = dt.date.fromisoformat(n.occurrence)
        out.append(Item(n, process, (row.full_name if row else None) or "", step_label(process, n.step), deadline))
    return out
