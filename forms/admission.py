"""Forms of the admission process (one per action that takes data)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from .fields import DecisionFields, LabelledVoteForm, PersonField, note_field, reason_field, required
from .shared import CommitteeVoteForm, resolution_number_field

UNION_CHOICES = [SelectChoice("", _l("No union resolution (2 member introducers)")),
                 SelectChoice("youth_union", _l("Youth Union resolution (4-KNĐ) and 1 member")),
                 SelectChoice("trade_union", _l("Trade union resolution (4-KNĐ) and 1 member"))]


class OpenAdmissionForm(Form):
    """New admission dossier: the candidate, a person of the branch."""

    person_id = PersonField(_l("Candidate"), validators=[required()], choices_of="candidates_of_branch")


class SubmitForm(Form):
    union_resolution = SelectField(_l("Introduced by"), choices=UNION_CHOICES, default="", validate_choice=True)
    introducer_1 = PersonField(_l("First introducer (official member)"), validators=[Optional()])
    introducer_1_since = DateField(_l("Has worked or lived with the candidate since"), validators=[Optional()])
    introducer_2 = PersonField(_l("Second introducer (official member)"), validators=[Optional()])
    introducer_2_since = DateField(_l("Has worked or lived with the candidate since"), validators=[Optional()])


class BackgroundForm(Form):
    findings = TextAreaField(_l("Findings of the background check (thẩm tra lý lịch)"),
                             validators=[required(), Length(max=4000)])


class OpinionsForm(Form):
    summary = TextAreaField(_l("Summary of the opinions of mass organisations and the residence branch (5-KNĐ)"),
                            validators=[required(), Length(max=4000)])


class BranchVoteForm(LabelledVoteForm):
    """Resolution of the branch (6-KNĐ)."""

    resolution_number = resolution_number_field(mandatory=False)


class GrassrootsVoteForm(CommitteeVoteForm):
    """Resolution of the grassroots committee (8-KNĐ)."""

    resolution_number = resolution_number_field(mandatory=False)


class AppraiseForm(Form):
    appraisal = TextAreaField(_l("Appraisal by the organisation board"), validators=[required(), Length(max=4000)])


class ReturnForm(Form):
    reason = reason_field(_l("What must be corrected"))


class DecideAdmitForm(CommitteeVoteForm, DecisionFields):
    """Decision to admit (9-KNĐ), voted by the standing committee."""


class DecideRefuseForm(DecisionFields):
    reason = reason_field()


class CeremonyForm(Form):
    ceremony_date = DateField(_l("Ceremony date"), validators=[required()])
    mentor_id = PersonField(_l("Official member who will mentor the new member"), validators=[required()],
                            choices_of="officials_of_branch")


class NewMemberCourseForm(Form):
    certificate_number = StringField(_l("Certificate number"), validators=[required(), Length(max=50)])
    issued_on = DateField(_l("Issued on"), validators=[required()])
    issuer = StringField(_l("Issued by"), validators=[Optional(), Length(max=200)])


class ProbationBranchVoteForm(LabelledVoteForm):
    """Branch resolution on recognition (13-KNĐ), after self-review 10-KNĐ,
    the mentor's comments 11-KNĐ and the opinions 12-KNĐ."""

    resolution_number = resolution_number_field(mandatory=False)
    notes = note_field()


class ProbationGrassrootsVoteForm(CommitteeVoteForm):
    """Grassroots committee resolution on recognition (15-KNĐ)."""

    resolution_number = resolution_number_field(mandatory=False)


class DecideRecogniseForm(CommitteeVoteForm, DecisionFields):
    """Decision recognising the official member (16-KNĐ)."""

    party_card_number = StringField(_l("Party card number"), validators=[Optional(), Length(max=20)])


class DecideRemoveForm(DecisionFields):
    reason = reason_field()


class WithdrawForm(Form):
    reason = reason_field()


class ExtendForm(Form):
    reason = reason_field(_l("Why the deadline is extended"))
