"""Forms of the discipline process (kỷ luật), one per action that takes data.

A discipline form (hình thức kỷ luật) is a *penalty* in identifiers here; the
field names (``proposed_form``, ``final_form``, ``new_form``,
``member_proposed_form``) are payload keys and keep their names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from .fields import DecisionFields, LabelledVoteForm, PersonField, PostField, note_field, reason_field, required, select_choices
from . import shared

# The penalties, as choices (the name FORM_CHOICES is kept: cases/views.py imports it).
FORM_CHOICES = [("reprimand", _l("Reprimand (khiển trách)")), ("warning", _l("Warning (cảnh cáo)")),
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
RESOLUTION_CHOICES = [("decide", _l("Decide the discipline (within this body's authority)")),
                      ("propose", _l("Propose the discipline to the higher level"))]
CONCLUSION_CHOICES = [("violation", _l("A violation is established: ask for the member's self-review")),
                      ("no_violation", _l("No violation: close the case"))]
APPEAL_RESULT_CHOICES = [("upheld", _l("Upheld: the discipline stands")),
                         ("changed", _l("Changed to another form")),
                         ("annulled", _l("Annulled"))]


def penalty_field(label=None, optional=False):
    """A choice of penalty (required unless ``optional``, then "unchanged" first)."""
    choices = ([("", _l("— unchanged —"))] if optional else []) + FORM_CHOICES
    return SelectField(label or _l("Form of discipline"), choices=select_choices(choices),
                       validators=[Optional()] if optional else [required()], validate_choice=True)


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


class BodyVoteForm(LabelledVoteForm):
    """A body's vote on a form of discipline: it decides it or proposes it."""

    proposed_form = penalty_field()
    post_id = post_field()
    resolution = SelectField(_l("Resolution"), choices=select_choices(RESOLUTION_CHOICES), validators=[required()],
                             validate_choice=True)


class BranchVoteForm(BodyVoteForm):
    """Resolution of the branch."""


class GrassrootsVoteForm(BodyVoteForm):
    """Resolution of the grassroots committee."""


class ProposeRemovalForm(Form):
    """The branch proposes removing a probationary member's name instead of a discipline."""

    meeting_date = DateField(_l("Meeting date"), validators=[required()])
    reason = reason_field(_l("Why a warning is too light for this probationary member"))


class DecideForm(LabelledVoteForm, DecisionFields):
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
