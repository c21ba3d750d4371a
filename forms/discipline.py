"""Forms of the discipline process (kỷ luật), one per action that takes data.

A discipline form (hình thức kỷ luật) is a *penalty* in identifiers here; the
field names (``proposed_form``, ``final_form``, ``new_form``,
``member_proposed_form``) are payload keys and keep their names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .fields import DecisionFields, LabelledVoteForm, PersonField, PostField, note_field, reason_field, required, select_choices
from . import shared

# The penalties (hình thức kỷ luật), as choices.
PENALTY_CHOICES = [("reprimand", _l("Reprimand (khiển trách)")), ("warning", _l("Warning (cảnh cáo)")),
                ("dismissal", _l("Dismissal from post (cách chức)")), ("expulsion", _l("Expulsion (khai trừ)"))]
CATEGORY_CHOICES = [
    ("ideology", _l("Political ideology")),
    ("ethics", _l("Ethics")),
    ("lifestyle", _l("Lifestyle")),
    ("party_activity", _l("Party activity")),
    ("member_duties", _l("Member duties")),
    ("assigned_task", _l("A task assigned by a higher level")),
    ("other", _l("Other")),
]
CONCLUSION_CHOICES = [("violation", _l("A violation is established: ask for the member's self-review")),
                      ("no_violation", _l("No violation: close the case"))]
APPEAL_RESULT_CHOICES = [("upheld", _l("Upheld: the discipline stands")),
                         ("changed", _l("Changed to another form")),
                         ("annulled", _l("Annulled"))]


def penalty_field(label=None, optional=False, description=""):
    """A choice of penalty (required unless ``optional``, then "unchanged" first)."""
    choices = ([("", _l("— unchanged —"))] if optional else []) + PENALTY_CHOICES
    return SelectField(label or _l("Form of discipline"), choices=select_choices(choices),
                       validators=[Optional()] if optional else [required()], validate_choice=True,
                       description=description)


def post_field():
    """The post a dismissal removes the member from."""
    return PostField(_l("Post the member is dismissed from (for a dismissal)"), validators=[Optional()])


class ReportForm(Form):
    """The report (or the branch's own finding): who, when, what."""

    person_id = PersonField(_l("Party member"), validators=[required()], choices_of="members_of_unit")
    violation_date = DateField(_l("Date of the violation"), validators=[required()])
    later_violation_date = DateField(_l("Date of a later violation, if any (restarts the limitation period)"),
                                     validators=[Optional()])
    category = SelectField(_l("Category of violation"), choices=select_choices(CATEGORY_CHOICES), validators=[required()],
                           validate_choice=True)
    managed_by_higher_level = BooleanField(_l("The member is managed by a higher level"))
    description = TextAreaField(_l("Description of the violation"), validators=[required(), Length(max=4000)])


class OpenReviewForm(Form):
    """Opening the review of a report."""

    note = note_field(_l("What the review will look at"))


class DismissReportForm(Form):
    """Dismissing a report: no review."""

    reason = reason_field(_l("Why the report is dismissed"))


class ConcludeReviewForm(Form):
    """The review's conclusion and findings."""

    conclusion = SelectField(_l("Conclusion"), choices=select_choices(CONCLUSION_CHOICES), validators=[required()],
                             validate_choice=True)
    findings = TextAreaField(_l("Findings"), validators=[required(), Length(max=4000)])
    later_violation_date = DateField(_l("Date of a later violation, if any (restarts the limitation period)"),
                                     validators=[Optional()])


class SelfReviewForm(shared.SelfReviewForm):
    """The member's self-review, with the penalty they propose for themselves."""

    member_proposed_form = penalty_field(_l("Form the member proposes for themselves"), optional=True)


# Where a body's vote goes (decided there or proposed above) follows from the rules: no field chooses it.
ROUTE_NOTE = _l("Whether this body decides the form or proposes it to the level above follows from the rules "
                "(its authority for this form and this member); the vote is recorded either way.")


class BranchVoteForm(LabelledVoteForm):
    """Resolution of the branch on a form of discipline."""

    resolution_number = shared.resolution_number_field()
    proposed_form = penalty_field(description=ROUTE_NOTE)
    post_id = post_field()


class GrassrootsVoteForm(shared.CommitteeVoteForm):
    """Resolution of the grassroots committee on a form of discipline."""

    resolution_number = shared.resolution_number_field()
    proposed_form = penalty_field(description=ROUTE_NOTE)
    post_id = post_field()


class ProposeRemovalForm(Form):
    """The branch proposes removing a probationary member's name instead of a discipline."""

    meeting_date = DateField(_l("Meeting date"), validators=[required()])
    reason = reason_field(_l("Why a warning is too light for this probationary member"))


class DecideForm(shared.CommitteeVoteForm, DecisionFields):
    """Decision of the superior standing committee (or its inspection committee)."""

    final_form = penalty_field(_l("Form decided"))
    post_id = post_field()


class DecideNoDisciplineForm(DecisionFields):
    """The decision not to discipline."""

    reason = reason_field()


class AnnounceForm(Form):
    """The day the member was told of the decision."""

    announced_on = DateField(_l("Date the member was told of the decision"), validators=[required()])


class AppealForm(Form):
    """The member's appeal."""

    filed_on = DateField(_l("Date the member filed the appeal"), validators=[required()])
    grounds = TextAreaField(_l("Grounds of the appeal"), validators=[required(), Length(max=4000)])


class ResolveAppealForm(DecisionFields):
    """The decision on the appeal: upheld, changed to another penalty, or annulled."""

    result = SelectField(_l("Result of the appeal"), choices=select_choices(APPEAL_RESULT_CHOICES), validators=[required()],
                         validate_choice=True)
    new_form = penalty_field(_l("New form (when changed)"), optional=True)
    post_id = post_field()
    reasoning = reason_field(_l("Reasoning"))
