"""Forms of candidate training (bồi dưỡng nhận thức về Đảng), courses and plans."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from .fields import PersonField, note_field, reason_field, required

RESULT_CHOICES = [SelectChoice("", _l("— choose —")), SelectChoice("passed", _l("Passed")),
                  SelectChoice("failed", _l("Failed"))]


class NominateForm(Form):
    """The branch lists a candidate as a party sympathiser (cảm tình Đảng)."""

    person_id = PersonField(_l("Candidate"), validators=[required()], choices_of="candidates_of_branch")
    helper_id = PersonField(_l("Official member assigned to help the candidate"), validators=[required()],
                            choices_of="officials_of_branch")
    resolution_number = StringField(_l("Number of the branch resolution"), validators=[required(), Length(max=50)])
    resolution_date = DateField(_l("Date of the branch resolution"), validators=[required()])


class ApproveTrainingForm(Form):
    notes = note_field(_l("Notes (course planned, ...)"))


class DropForm(Form):
    reason = reason_field()


class RecordResultForm(Form):
    """The assessment at the end of the course; a pass gives the certificate."""

    course_name = StringField(_l("Course"), validators=[required(), Length(max=200)])
    course_starts_on = DateField(_l("Course started on"), validators=[required()])
    course_ends_on = DateField(_l("Course ended on"), validators=[required()])
    score = FloatField(_l("Assessment score (out of 10)"), validators=[required(), NumberRange(min=0, max=10)])
    result = SelectField(_l("Result"), choices=RESULT_CHOICES, validators=[required()], validate_choice=True)
    certificate_number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=50)])
    certificate_date = DateField(_l("Certificate issued on"), validators=[Optional()])
    issuer = StringField(_l("Certificate issued by"), validators=[Optional(), Length(max=200)])


class OpenAdmissionFromCertificateForm(Form):
    notes = note_field()


class CourseForm(Form):
    name = StringField(_l("Course name"), validators=[required(), Length(max=200)])
    organiser_unit_id = IntegerField(_l("Organised by"), validators=[required()])
    starts_on = DateField(_l("Starts on"), validators=[required()])
    ends_on = DateField(_l("Ends on"), validators=[required()])
    issuer = StringField(_l("Certificates issued by"), validators=[Optional(), Length(max=200)])


def _target(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=100000)])


class PlanForm(Form):
    target = IntegerField(_l("Members to admit this year"), validators=[required(), NumberRange(min=0, max=100000)])
    target_youth_union = _target(_l("of whom Youth Union members"))
    target_private_enterprise = _target(_l("of whom workers in private enterprises"))
    target_village_heads = _target(_l("of whom village or neighbourhood heads"))
    target_women = _target(_l("of whom women"))
    target_ethnic_minorities = _target(_l("of whom ethnic minorities"))
    note = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=1000)])
