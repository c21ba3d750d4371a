"""The transfer process (chuyển sinh hoạt đảng), as DOMAIN.md's table gives it."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cases.dates import as_date, local_midnight
from cases.guards import event_date, open_case_of, party_member_of_branch
from cases.registry import all_entries
from cases.rulebooks import RULEBOOKS
from core.enums import LEVEL_RANK, Level, PersonStatus, Role
from core.levels import REVIEWING, at_or_above
from core.models import Unit
from forms import transfer as f
from workflow.definition import Deadline, Process, Start, TimerSpec, Transition
from workflow.i18n import _

from . import rules


class State(str, enum.Enum):
    """The steps of a transfer (DOMAIN.md, "Transfer of party activity")."""

    requested = "requested"
    grassroots_review = "grassroots_review"
    superior_review = "superior_review"
    in_transit = "in_transit"
    hosted = "hosted"
    return_due = "return_due"
    transferred = "transferred"
    transferred_out = "transferred_out"
    returned = "returned"
    cancelled = "cancelled"


STATE_LABELS = {
    State.requested: _l("Transfer requested"),
    State.grassroots_review: _l("Grassroots committee's introduction"),
    State.superior_review: _l("Transfer letter of the superior committee"),
    State.in_transit: _l("In transit: the member presents the letter"),
    State.hosted: _l("Temporarily hosted"),
    State.return_due: _l("Return due: planned end reached"),
    State.transferred: _l("Transferred"),
    State.transferred_out: _l("Transferred out of the system"),
    State.returned: _l("Returned to the home branch"),
    State.cancelled: _l("Transfer cancelled"),
}

S = State
BS, CM, OO = Role.branch_secretary, Role.committee_member, Role.organisation_officer


def _kind(ctx) -> str:
    return ctx.data.get("kind") or ctx.payload.get("kind")


def member_not_under_discipline(ctx):
    """DOMAIN: refused while the member has an open discipline case or one in force
    (the discipline's own check, through the registry: no process imports another)."""
    person_id = ctx.snapshot.person_id
    open_id = open_case_of(ctx.session, "discipline", person_id)
    if open_id:
        return _("%(name)s has an open discipline case (no. %(id)s) and cannot be transferred until it ends.",
                 name=ctx.person.full_name, id=open_id)
    for entry in all_entries().values():
        reason = entry.appointment_bar(ctx.session, person_id, ctx.today) if entry.appointment_bar else None
        if reason:
            return reason
    return None


def request_valid(ctx):
    """The member's request: a party member of the branch, one destination, the period of a
    temporary transfer, and a reason when an official transfer starts after its deadline."""
    reason = party_member_of_branch(ctx)
    if reason:
        return reason
    p = ctx.payload
    reason = (rules.destination_check(p.get("kind"), p.get("destination_unit_id"), p.get("destination_text"),
                                      ctx.snapshot.unit_id)
              or rules.temporary_period_check(p.get("kind"), p.get("purpose"), as_date(p.get("moved_on")),
                                              as_date(p.get("planned_until"))))
    if reason:
        return reason
    moved = as_date(p.get("moved_on"))
    if moved is not None and moved > ctx.today:
        return None if p.get("kind") == rules.TEMPORARY else _("The decision or move is dated in the future.")
    if p.get("kind") == rules.OFFICIAL:
        return rules.lateness_check(moved, ctx.today, ctx.rulebook.deadline("transfer_start")[0],
                                    p.get("late_reason"), _("A request"))[1]
    return None


def store_request(ctx):
    """Keep the request; the destination branch becomes the case's reviewing unit (it receives)."""
    p = ctx.payload
    late = p.get("kind") == rules.OFFICIAL and rules.lateness_check(
        as_date(p.get("moved_on")), ctx.today, ctx.rulebook.deadline("transfer_start")[0], "-", "")[0]
    ctx.update_data(kind=p["kind"], purpose=p.get("purpose") or None, grounds=p["grounds"], moved_on=p["moved_on"],
                    planned_until=p.get("planned_until"), destination_unit_id=p.get("destination_unit_id"),
                    destination_text=(p.get("destination_text") or "").strip() or None,
                    dues_paid_to=p["dues_paid_to"], late_start=late,
                    late_start_reason=(p.get("late_reason") or "").strip() or None if late else None)
    ctx.set_reviewing_unit(p.get("destination_unit_id"))


def store_cancel(ctx):
    """Keep why the request was cancelled."""
    ctx.update_data(cancel_reason=ctx.payload["reason"])


def _superior_path(session, unit_path: str) -> str:
    """The path of the committee directly above the grassroots on ``unit_path``: the
    nearest unit of ``superior`` level or higher (the province for a grassroots organisation
    directly under it)."""
    ids = [int(i) for i in unit_path.strip("/").split("/") if i]
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if LEVEL_RANK[units[uid].level] <= LEVEL_RANK[Level.superior]:
            return units[uid].path
    return unit_path


def introduce_route(ctx) -> str:
    """DOMAIN: an official transfer leaving the superior's subtree (or the system) goes to the
    superior committee's letter; any other goes in transit with the grassroots letter."""
    if _kind(ctx) != rules.OFFICIAL:
        return "in_transit"
    destination = ctx.session.get(Unit, ctx.data.get("destination_unit_id") or 0)
    if destination is None or not destination.path.startswith(_superior_path(ctx.session, ctx.snapshot.unit_path)):
        return "superior_review"
    return "in_transit"


def store_introduction(ctx):
    """Keep the grassroots introduction letter (it is the letter presented when no superior one follows)."""
    ctx.update_data(intro_number=ctx.payload["intro_number"], intro_date=ctx.payload["intro_date"])
    if ctx.to_state == S.in_transit.value:
        ctx.update_data(letter_date=ctx.payload["intro_date"])


def letter_route(ctx) -> str:
    """DOMAIN: a destination in the system receives; one outside ends the transfer out of it."""
    return "in_transit" if ctx.data.get("destination_unit_id") else "transferred_out"


def store_letter(ctx):
    """Keep the transfer letter; out of the system, the person becomes ``transferred_out``."""
    ctx.update_data(letter_number=ctx.payload["letter_number"], letter_date=ctx.payload["letter_date"])
    if ctx.to_state == S.transferred_out.value:
        ctx.person.status = PersonStatus.transferred_out
        ctx.update_data(transferred_out_on=ctx.payload["letter_date"])
        ctx.session.flush()


def letter_anchor(ctx):
    """The letter's date (the 30 working days to present it count from it)."""
    return as_date(ctx.payload.get("letter_date") or ctx.payload.get("intro_date"))


def presented_in_time(ctx):
    """DOMAIN: the member presents the letter within 30 working days of it; later, only with a reason."""
    return rules.lateness_check(as_date(ctx.data.get("letter_date")), as_date(ctx.payload.get("received_on")),
                                ctx.rulebook.deadline("transfer_letter")[0], ctx.payload.get("late_reason"),
                                _("Presenting the letter"))[1]


def receive_route(ctx) -> str:
    """An official transfer is done; a temporary one is hosted."""
    return "transferred" if _kind(ctx) == rules.OFFICIAL else "hosted"


def receive(ctx):
    """Official: the home branch moves to the destination. Temporary: the host unit is recorded
    while the home branch stays. A late presentation is flagged with its reason."""
    p = ctx.payload
    late = rules.lateness_check(as_date(ctx.data.get("letter_date")), as_date(p["received_on"]),
                                ctx.rulebook.deadline("transfer_letter")[0], "-", "")[0]
    ctx.update_data(received_on=p["received_on"], late=late,
                    late_reason=(p.get("late_reason") or "").strip() or None if late else None,
                    received_by_unit_id=ctx.acting_unit_id)
    person = ctx.person
    if ctx.to_state == S.transferred.value:
        ctx.update_data(from_unit_id=person.unit_id)
        person.unit_id = ctx.data["destination_unit_id"]
        person.joined_unit_on = as_date(p["received_on"])
    else:
        person.host_unit_id = ctx.data["destination_unit_id"]
    ctx.session.flush()


def return_due(ctx):
    """The timer at the planned end: the start (local midnight) of the planned end date."""
    return local_midnight(as_date(ctx.data["planned_until"]))


def store_return_due(ctx):
    """The planned end came: the return waits in the home branch's inbox."""
    ctx.update_data(return_due_on=ctx.today.isoformat())


def store_return(ctx):
    """The member is back: the host unit is cleared; the host branch's comment is kept."""
    ctx.update_data(returned_on=ctx.payload["returned_on"], host_comment=ctx.payload["host_comment"])
    ctx.person.host_unit_id = None
    ctx.session.flush()


LETTER_DEADLINE = Deadline("transfer_letter", label="transfer_letter",
                           anchor=letter_anchor, when=lambda ctx: ctx.to_state == S.in_transit.value)


class Transfer(Process):
    """Transfer of party activity (chuyển sinh hoạt đảng): official or temporary."""

    name = "transfer"
    version = 1
    title = _l("Transfer of party activity")
    State = State
    state_labels = STATE_LABELS
    initial = S.requested
    rulebooks = RULEBOOKS
    one_open_per_person = True  # one transfer case per person at a time (DOMAIN.md); a unique index holds it
    # An official transfer, until it arrives, takes the member out of their organisation unless its
    # destination is in the same one (cases.strength warns).
    takes_out = {state: (lambda data: data.get("kind") == "official")
                 for state in ("requested", "grassroots_review", "superior_review", "in_transit")}
    starts = [Start(S.requested, BS, Level.branch, form=f.RequestTransferForm,
                    guards=[request_valid, member_not_under_discipline], effects=[store_request],
                    label=_l("Record a member's request to transfer"))]
    ends = [S.transferred, S.transferred_out, S.returned, S.cancelled]
    transitions = [
        Transition("confirm", S.requested, S.grassroots_review, role=BS, level=Level.branch, form=f.ConfirmForm,
                   guards=[member_not_under_discipline], label=_l("Confirm the request and send it to the committee")),
        Transition("cancel", S.requested, S.cancelled, role=BS, level=Level.branch, form=f.CancelForm,
                   effects=[store_cancel], label=_l("Cancel the request")),
        Transition("introduce", S.grassroots_review, {"superior_review": S.superior_review,
                                                      "in_transit": S.in_transit},
                   roles=(CM, OO), level=Level.grassroots, form=f.IntroduceForm, choose=introduce_route,
                   guards=[event_date("intro_date"), member_not_under_discipline], effects=[store_introduction],
                   deadline=LETTER_DEADLINE, label=_l("Issue the grassroots introduction letter")),
        Transition("issue_letter", S.superior_review, {"in_transit": S.in_transit,
                                                       "transferred_out": S.transferred_out},
                   role=OO, level=at_or_above(Level.superior), form=f.IssueLetterForm, choose=letter_route,
                   guards=[event_date("letter_date", {"intro_date": _l("the introduction letter")})],
                   effects=[store_letter], deadline=LETTER_DEADLINE, label=_l("Issue the transfer letter")),
        Transition("receive", S.in_transit, {"transferred": S.transferred, "hosted": S.hosted},
                   roles=(BS, CM), level=REVIEWING, form=f.ReceiveForm, choose=receive_route,
                   guards=[event_date("received_on", {"letter_date": _l("the letter")}), presented_in_time],
                   effects=[receive], label=_l("Receive the member")),
        Transition("end_hosting", S.hosted, S.return_due, timer=TimerSpec(due=return_due),
                   effects=[store_return_due], label=_l("Planned end of the temporary transfer reached")),
        Transition("return", S.return_due, S.returned, role=BS, level=Level.branch, form=f.ReturnForm,
                   guards=[event_date("returned_on")], effects=[store_return],
                   label=_l("Record the member's return")),
    ]
