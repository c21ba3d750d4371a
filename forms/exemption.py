"""Forms of the exemption from work and activity (miễn công tác và sinh hoạt đảng)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from .fields import LabelledVoteForm, PersonField, note_field, reason_field, required, select_choices

KIND_CHOICES = [("work", _l("Party work")), ("work_and_activity", _l("Party work and activity"))]


class RequestExemptionForm(Form):
    """The member's request, as the branch secretary records it."""

    person_id = PersonField(_l("Party member"), validators=[required()], choices_of="members_of_branch")
    kind = SelectField(_l("Exempted from"), choices=select_choices([("", _l("— choose —"))] + KIND_CHOICES),
                       validators=[required()], validate_choice=True)
    reason = TextAreaField(_l("Reason (age, illness...)"), validators=[required(), Length(max=4000)])
    exempt_from = DateField(_l("Exempted from (date)"), validators=[required()])
    exempt_until = DateField(_l("Exempted until (optional)"), validators=[Optional()])


class DecideExemptForm(LabelledVoteForm):
    """The branch meeting's decision to exempt: a majority of those present."""


class DecideRefuseForm(Form):
    """The branch meeting refuses the request."""

    meeting_date = DateField(_l("Meeting date"), validators=[required()])
    reason = reason_field()


class ResumeForm(Form):
    """The member resumes work and activity, on their request."""

    resumed_on = DateField(_l("Date of resumption"), validators=[required()])
    note = note_field()
