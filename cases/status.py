"""The case page's header: what happened last (the outcome in words), who acts
next (role, unit, by name where the post is held, and by when), what is still
missing for that step, and the facts its decider needs.

Everything is read from the same functions the engine applies:
:func:`workflow.access.next_turns` (the level rule of :mod:`core.levels` and the
transitions' ``applies``), the audit trail's payloads (the vote's own result), and
each process's hooks (``ProcessEntry.missing`` / ``ProcessEntry.step_facts``,
which call the process's rule functions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import Unit
from forms.shared import CommitteeVoteForm
from workflow import access
from workflow.i18n import _
from workflow.models import AuditEvent, Case

from . import strength
from .dates import as_date, d


@dataclass
class Outcome:
    """The last step's result: ``tone`` is ``passed``, ``failed``, ``returned``,
    ``decided``, ``closed`` or ``done``; ``headline`` the result in a few words (a
    vote's figures; None: the tone's word), ``text`` the step and its date or reason."""

    tone: str
    text: str
    headline: str | None = None


@dataclass
class NextActor:
    """One (role, unit) that may act next: ``who`` in words (role · unit), the
    ``names`` of the users holding it, whether the viewer is one of them, the
    actions in words, and for the system, the instant it acts (``due_at``)."""

    who: str
    names: list[str]
    you: bool
    actions: list[str]
    main: bool
    due_at: object = None


@dataclass
class Header:
    """What the header block shows (see the module)."""

    outcome: Outcome | None
    next: list[NextActor] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def vote_words(payload: dict, committee: bool = False) -> str | None:
    """A recorded vote's result in the reader's language, from its figures:
    "Passed: 9 of 10 entitled voted for (7 needed)." or "Failed: 6 of 10 ... (7 needed).";
    ``committee``: counted in committee members (ủy viên). None when ``payload`` records no vote."""
    vote = payload.get("vote") if isinstance(payload, dict) else None
    if not isinstance(vote, dict) or payload.get("votes_for") is None:
        return None
    figures = {"yes": payload.get("votes_for"), "entitled": payload.get("entitled"),
               "present": payload.get("present"), "needed": vote.get("needed")}
    if committee:
        if vote.get("outcome") == "passed":
            return _("Passed: %(yes)s of %(entitled)s committee members entitled voted for (%(needed)s needed).",
                     **figures)
        return _("Failed: %(yes)s of %(entitled)s committee members entitled voted for; %(needed)s needed.",
                 **figures)
    if vote.get("outcome") == "passed":
        return _("Passed: %(yes)s of %(entitled)s entitled voted for (%(needed)s needed).", **figures)
    needed = vote.get("needed")
    if isinstance(needed, int) and isinstance(figures["yes"], int) and figures["yes"] >= needed:
        return _("Failed: too few present (%(present)s of %(entitled)s entitled).", **figures)
    return _("Failed: %(yes)s of %(entitled)s entitled voted for; %(needed)s needed.", **figures)


def committee_vote(case: Case, event: AuditEvent) -> bool:
    """Whether ``event`` records a committee's vote (its step's form is a
    :class:`~forms.shared.CommitteeVoteForm`: the voters are the committee's members, ủy viên)."""
    ct = case.definition().compiled.get((event.from_state, event.action))
    return bool(ct and ct.form and issubclass(ct.form, CommitteeVoteForm))


def vote_lines(case: Case, event: AuditEvent) -> tuple[str, str | None] | None:
    """The history's words for a recorded vote: the meeting's figures and the result
    (:func:`vote_words`), both counted in committee members (ủy viên) for a committee's
    vote. None when the event records no vote."""
    p = event.payload if isinstance(event.payload, dict) else {}
    if p.get("votes_for") is None:
        return None
    figures = {"date": d(as_date(p.get("meeting_date"))), "entitled": p.get("entitled"), "present": p.get("present"),
               "yes": p.get("votes_for"), "no": p.get("votes_against")}
    committee = committee_vote(case, event)
    if committee:
        meeting = _("Meeting %(date)s: %(entitled)s committee members entitled, %(present)s present, %(yes)s for, "
                    "%(no)s against.", **figures)
    else:
        meeting = _("Meeting %(date)s: %(entitled)s entitled, %(present)s present, %(yes)s for, %(no)s against.",
                    **figures)
    vote = p.get("vote") if isinstance(p.get("vote"), dict) else None
    return meeting, (vote_words(p, committee=committee) or vote.get("summary")) if vote else None


def outcome_of(events: list[AuditEvent], case: Case, action_label, state_label) -> Outcome | None:
    """The result of the last step that moved the case (a vote, a return, a decision), in words."""
    moves = [e for e in events if e.to_state and e.from_state != e.to_state]
    if not moves:
        return None
    last = moves[-1]
    p = last.payload or {}
    words = vote_words(p, committee=committee_vote(case, last))
    when = d(as_date(p.get("meeting_date") or p.get("decision_date")) or last.at.date())
    if words:
        tone = "passed" if p["vote"].get("outcome") == "passed" else "failed"
        text = _("%(step)s, meeting of %(date)s.", step=action_label(last.action), date=when)
        if p.get("decision_number"):
            text += " " + _("Decision no. %(number)s of %(date)s.", number=p["decision_number"],
                            date=d(as_date(p.get("decision_date"))))
        return Outcome(tone, text, words)
    if last.action == "return":
        return Outcome("returned", _("Returned for correction on %(date)s by %(who)s: %(reason)s",
                                     date=d(last.at.date()), who=last.actor_name or _("System"),
                                     reason=p.get("reason") or last.comment or ""))
    if p.get("decision_number"):
        return Outcome("decided", _("%(step)s: decision no. %(number)s of %(date)s.", step=action_label(last.action),
                                    number=p["decision_number"], date=d(as_date(p.get("decision_date")))))
    if case.is_closed:
        return Outcome("closed", _("Closed: %(state)s (%(step)s on %(date)s).", state=state_label(case.state),
                                   step=action_label(last.action), date=d(last.at.date())))
    return Outcome("done", _("%(step)s on %(date)s, by %(who)s.", step=action_label(last.action),
                             date=d(last.at.date()), who=last.actor_name or _("System")))


def next_actors(session: Session, case: Case, user, role_label) -> list[NextActor]:
    """Who acts next on ``case`` (:func:`workflow.access.next_turns`), in words; empty when it is closed."""
    if case.is_closed:
        return []
    turns = access.next_turns(session, case)
    ids = {t.unit_id for t in turns if t.unit_id}
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    out = []
    for t in turns:
        actions = [str(ct.label) for ct in t.transitions]
        if t.role is None:
            out.append(NextActor(_("The system"), [], False, actions, t.main, t.due_at))
            continue
        unit = units.get(t.unit_id)
        who = _("%(role)s of %(unit)s", role=role_label(t.role), unit=unit.name) if unit else role_label(t.role)
        out.append(NextActor(who, [name for _id, name in t.holders],
                             user is not None and any(uid == user.id for uid, _n in t.holders), actions, t.main))
    return out


def header(session: Session, case: Case, user, entry, events: list[AuditEvent], *, action_label, role_label,
           checklist=None) -> Header:
    """The header block of ``case`` for ``user``; ``entry``: its
    :class:`~cases.registry.ProcessEntry`; ``checklist``: the page's eligibility
    checks when shown (their failures are what is missing)."""
    outcome = outcome_of(events, case, action_label, entry.state_label)
    missing = [c.reason for c in (checklist or []) if not c.passed]
    if outcome is not None and outcome.tone == "returned" and not case.is_closed:
        returned = [e for e in events if e.action == "return"]
        reason = (returned[-1].payload or {}).get("reason") if returned else None
        missing.insert(0, _("What the return asked to correct: %(reason)s", reason=reason) if reason
                       else _("What the return asked to correct (see the history)."))
    if entry.missing is not None and not case.is_closed:
        missing += [m for m in entry.missing(session, case) if m not in missing]
    facts = entry.step_facts(session, case) if entry.step_facts is not None else []
    warning = strength.warning_for_case(session, case)
    return Header(outcome, next_actors(session, case, user, role_label), missing, facts,
                  [warning] if warning else [])
