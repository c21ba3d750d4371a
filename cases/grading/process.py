"""The annual grading round of one branch (DOMAIN.md "Annual quality grading"):

self_assessment → branch_review (record_self_assessments) → grassroots_decision
(record_branch_proposal) → graded (decide_grades), or back to branch_review (return).

One case per branch and year, about no one person: each step is a sheet, one line
per member (:mod:`cases.grading.sheet`), written as the step's one audit event. The
grassroots committee opens the rounds of all its branches at once
(:func:`cases.grading.rounds.open_rounds`). The decision writes each member's grade
(``grading_result``); a member graded ``not_complete`` two years running is offered
to the branch for a linked ``removal`` case (``open_removal`` on the graded case).
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cases.dates import as_date
from cases.guards import event_date
from cases.rulebooks import GRADING_RULEBOOKS, get_grading_rulebook, grading_rulebook_for_year
from core.enums import Level, Role
from core.models import Person, Unit
from workflow import engine
from workflow.definition import Process, Start, Transition
from workflow.errors import InvalidPayload
from workflow.i18n import _
from workflow.models import Case

from . import rules
from .models import GRADES, GradingResult
from .sheet import parse_rows, required_date, required_text


class State(str, enum.Enum):
    """The steps of a branch's grading round."""

    self_assessment = "self_assessment"  # members' self-assessment (tự đánh giá)
    branch_review = "branch_review"  # the branch meeting proposes (chi bộ đề xuất)
    grassroots_decision = "grassroots_decision"  # the grassroots committee decides (đảng ủy quyết định)
    graded = "graded"


STATE_LABELS = {
    State.self_assessment: _l("Members' self-assessment"),
    State.branch_review: _l("Branch proposal"),
    State.grassroots_decision: _l("Grassroots committee decision"),
    State.graded: _l("Graded"),
}

S = State
BS, CM = Role.branch_secretary, Role.committee_member
FIRST_YEAR = 2019  # the first year of the rulebooks known (hd21_2019)


# ---- start -------------------------------------------------------------------------------------

def year_of(ctx) -> int:
    """The year graded (the start's payload, then the case's data)."""
    return int(ctx.data.get("year") or ctx.payload.get("year"))


def round_can_open(ctx):
    """The year is a whole number from 2019 to this year; the unit is a branch (or a chi bộ
    cơ sở); the branch has no grading case for that year yet. Raises InvalidPayload for the year."""
    year = ctx.payload.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= ctx.today.year:
        raise InvalidPayload({"year": [str(_("Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR,
                                                 last=ctx.today.year))]})
    ctx.payload["year"] = year
    unit = ctx.unit
    if unit.level is not Level.branch and not (unit.level is Level.grassroots and unit.grassroots_branch):
        return _("Grading rounds are opened for branches (chi bộ).")
    existing = ctx.session.scalar(sa.select(Case.id).where(Case.process == Grading.name, Case.unit_id == unit.id,
                                                           Case.data["year"].as_integer() == year))
    if existing:
        return _("%(unit)s already has a grading round for %(year)s (case no. %(id)s).", unit=unit.name, year=year,
                 id=existing)
    return None


def list_members(ctx):
    """Keep the year, the rulebook of the year, the grassroots organisation and the members:
    those graded here and those listed but not graded (exempted, hosted elsewhere)."""
    year = int(ctx.payload["year"])
    members = [pid for pid, _name in rules.members_of(ctx.session, ctx.unit.id)]
    skipped = rules.not_graded_here(ctx.session, members)
    ctx.update_data(year=year, grading_rulebook=grading_rulebook_for_year(year).code,
                    grassroots_id=rules.grassroots_of(ctx.session, ctx.unit).id,
                    graded=[pid for pid in members if pid not in skipped],
                    not_graded={str(pid): reason for pid, reason in skipped.items()})


# ---- sheets ------------------------------------------------------------------------------------

def rulebook_of(ctx):
    """The grading rulebook of the case's year."""
    return get_grading_rulebook(ctx.data["grading_rulebook"])


def graded_now(ctx) -> list[int]:
    """The members the round grades at this act (:func:`rules.listing`: exempted or hosted
    members are not graded, read again at every step), kept on ``ctx`` for the act."""
    if not hasattr(ctx, "grading_listing"):
        ctx.grading_listing = rules.listing(ctx.session, ctx.snapshot)
    return ctx.grading_listing[0]


def names_of(ctx) -> dict[int, str]:
    """The names of the members graded on the case (loaded once per act)."""
    if not hasattr(ctx, "grading_names"):
        ids = graded_now(ctx)
        ctx.grading_names = dict(ctx.session.execute(sa.select(Person.id, Person.full_name)
                                                     .where(Person.id.in_(ids))).all()) if ids else {}
    return ctx.grading_names


def sheet(*, dates: tuple[str, ...] = (), texts: tuple[str, ...] = ()):
    """A guard factory: the payload's ``rows`` are a complete sheet (:func:`sheet.parse_rows`),
    put in one shape in the payload the engine writes; ``dates`` and ``texts`` are required.
    Raises InvalidPayload listing every bad field and line."""

    def check(ctx):
        errors = {**required_date(ctx.payload, *dates), **required_text(ctx.payload, *texts)}
        try:
            ctx.payload["rows"] = parse_rows(ctx.payload.get("rows"), graded_now(ctx), names_of(ctx),
                                             rulebook_of(ctx))
        except InvalidPayload as exc:
            errors.update(exc.errors)
        if errors:
            raise InvalidPayload(errors)
        return None

    check.__name__ = "sheet_is_complete"
    return check


def not_good_when_barred(ctx):
    """No ``good`` or above for a member disciplined during the year or reported in breach by
    the residence branch (DOMAIN.md; Quy định 366-QĐ/TW, Hướng dẫn 21-HD/BTCTW)."""
    rows = ctx.payload["rows"]
    high = [r["person_id"] for r in rows if r["grade"] in rules.GOOD_OR_ABOVE]
    barred = rules.bars_good(ctx.session, high, year_of(ctx))
    if not barred:
        return None
    names = names_of(ctx)
    return _("These members cannot be graded good or above for %(year)s: %(list)s.", year=year_of(ctx),
             list="; ".join(f"{names.get(pid, pid)} ({why})" for pid, why in barred.items()))


def not_graded_elsewhere(ctx):
    """A member is graded once a year: one already graded this year by another branch (moved
    between two rounds) is refused by name rather than graded twice."""
    ids = [r["person_id"] for r in ctx.payload["rows"]]
    done = ctx.session.scalars(sa.select(GradingResult.person_id).where(
        GradingResult.person_id.in_(ids), GradingResult.year == year_of(ctx))).all()
    if not done:
        return None
    names = names_of(ctx)
    return _("Already graded for %(year)s by another branch: %(names)s.", year=year_of(ctx),
             names=", ".join(names.get(pid, str(pid)) for pid in done))


def excellent_within_cap(ctx):
    """See :func:`rules.cap_refusal`: the 20% cap over the grassroots organisation so far."""
    grassroots = ctx.session.get(Unit, ctx.data["grassroots_id"])
    grades = {r["person_id"]: r["grade"] for r in ctx.payload["rows"]}
    return rules.cap_refusal(ctx.session, rulebook_of(ctx), grassroots, year_of(ctx), ctx.snapshot.id, grades,
                             names_of(ctx))


def store_step(key: str):
    """An effect factory: keep the sheet's grades (and scores) under ``data[key]``, by member."""

    def store(ctx):
        graded, skipped = ctx.grading_listing if hasattr(ctx, "grading_listing") else rules.listing(ctx.session,
                                                                                                     ctx.snapshot)
        ctx.update_data(**{key: {str(r["person_id"]): [r["grade"], r["score"]] for r in ctx.payload["rows"]}},
                        graded=graded, not_graded={str(pid): why for pid, why in skipped.items()})

    store.__name__ = f"store_{key}"
    return store


def record_grades(ctx):
    """Write each member's final grade (one ``grading_result`` row per member, in bulk), keep
    the decision, and offer a linked removal for members graded ``not_complete`` this year
    and the year before."""
    rows, year = ctx.payload["rows"], year_of(ctx)
    decided_on = as_date(ctx.payload["decision_date"])
    ctx.session.execute(sa.insert(GradingResult), [
        {"case_id": ctx.snapshot.id, "person_id": r["person_id"], "unit_id": ctx.snapshot.unit_id,
         "grassroots_id": ctx.data["grassroots_id"], "year": year, "grade": r["grade"], "score": r["score"],
         "decided_on": decided_on} for r in rows])
    failing = [r["person_id"] for r in rows if r["grade"] == "not_complete"]
    offers = sorted(rules.not_complete_in(ctx.session, failing, year - 1))
    ctx.update_data(decision_number=ctx.payload["decision_number"].strip(), decided_on=decided_on,
                    removal_offers=offers, removal_cases={})


def reason_fits(ctx):
    """The reason for returning a sheet is a text of at most 4,000 characters. Raises InvalidPayload."""
    reason = ctx.payload.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 4000):
        raise InvalidPayload({"reason": [str(_("At most %(n)s characters.", n=4000))]})
    return None


def forget_grades(ctx):
    """A returned sheet goes back to the branch: nothing is kept of the refused decision."""
    ctx.update_data(returned_reason=(ctx.payload.get("reason") or "").strip())


# ---- the removal offer -------------------------------------------------------------------------

def offered_removal(ctx):
    """The member is one the decision offered a removal for, not opened yet."""
    pid = ctx.payload.get("person_id")
    pid = int(pid) if isinstance(pid, int) or (isinstance(pid, str) and pid.isdigit() and len(pid) < 10) else None
    if pid is None or pid not in ctx.data.get("removal_offers", []):
        raise InvalidPayload({"person_id": [str(_("Choose a member this decision offers a removal for."))]})
    ctx.payload["person_id"] = pid
    opened = ctx.data.get("removal_cases", {}).get(str(pid))
    if opened:
        return _("A removal case was already opened for this member (case no. %(id)s).", id=opened)
    return None


def open_linked_removal(ctx):
    """Open the ``removal`` case in ``proposed`` through the engine (the removal's own start
    checks, same actor, same transaction), on the ground of two consecutive years
    ``not_complete``, and link the two cases."""
    pid, year = ctx.payload["person_id"], year_of(ctx)
    removal = engine.start_linked(
        ctx, "removal", person=pid,
        payload={"person_id": pid, "grounds": "two_years_violating_standing",
                 "description": str(_("Graded as not completing duties in %(before)s and %(year)s.",
                                      before=year - 1, year=year))},
        data={"grading_case_id": ctx.snapshot.id},
        comment=str(_("Opened from grading case no. %(id)s.", id=ctx.snapshot.id)))
    ctx.update_data(removal_cases={**ctx.data.get("removal_cases", {}), str(pid): removal.id})


def sheet_schema(**fields) -> dict:
    """The JSON Schema of a sheet payload (for the API): ``rows``, plus ``fields``."""
    line = {"type": "object", "required": ["person_id"], "properties": {
        "person_id": {"type": "integer", "minimum": 1},
        "grade": {"type": "string", "enum": list(GRADES)},
        "score": {"type": "number", "minimum": 0, "maximum": 100,
                  "description": "required under qd366_2025; gives the grade"}}}
    return {"type": "object", "additionalProperties": False, "required": ["rows", *fields],
            "properties": {"rows": {"type": "array", "items": line,
                                    "description": "one line per member graded on the case"}, **fields}}


DATE = {"type": "string", "format": "date"}
TEXT = {"type": "string", "maxLength": 100}


class Grading(Process):
    """The annual quality grading of a branch's members for one year."""

    name = "grading"
    version = 1
    title = _l("Annual quality grading")
    State = State
    state_labels = STATE_LABELS
    initial = S.self_assessment
    rulebooks = GRADING_RULEBOOKS  # read by the year graded (data["grading_rulebook"]), not the opening day
    one_open_per_person = False  # about no one person: one case per branch and year (guard round_can_open)
    starts = [Start(S.self_assessment, CM, Level.grassroots, guards=[round_can_open], effects=[list_members],
                    label=_l("Open the grading round"))]
    ends = [S.graded]
    transitions = [
        Transition("record_self_assessments", S.self_assessment, S.branch_review, role=BS, level=Level.branch,
                   guards=[sheet()], effects=[store_step("self_assessed")], schema=sheet_schema(),
                   label=_l("Record the members' self-assessments")),
        Transition("record_branch_proposal", S.branch_review, S.grassroots_decision, role=BS, level=Level.branch,
                   guards=[sheet(dates=("meeting_date",)), event_date("meeting_date")],
                   schema=sheet_schema(meeting_date=DATE),
                   effects=[store_step("proposed")], label=_l("Record the branch meeting's proposal")),
        Transition("decide_grades", S.grassroots_decision, S.graded, role=CM, level=Level.grassroots,
                   guards=[sheet(dates=("decision_date",), texts=("decision_number",)), event_date("decision_date"),
                           not_graded_elsewhere, not_good_when_barred, excellent_within_cap],
                   schema=sheet_schema(decision_number=TEXT, decision_date=DATE),
                   effects=[store_step("final"), record_grades], label=_l("Decide the grades")),
        Transition("return", S.grassroots_decision, S.branch_review, role=CM, level=Level.grassroots,
                   guards=[reason_fits], effects=[forget_grades], label=_l("Return the sheet to the branch"),
                   schema={"type": "object", "additionalProperties": False,
                           "properties": {"reason": {"type": "string", "maxLength": 4000}}}),
        Transition("open_removal", S.graded, S.graded, role=BS, level=Level.branch, guards=[offered_removal],
                   effects=[open_linked_removal], label=_l("Open the removal case offered by the decision"),
                   schema={"type": "object", "additionalProperties": False, "required": ["person_id"],
                           "properties": {"person_id": {"type": "integer", "minimum": 1}}}),
    ]
