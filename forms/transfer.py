"""Forms of the transfer of party activity (chuyển sinh hoạt đảng)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .fields import BranchField, PersonField, note_field, reason_field, required, select_choices

KIND_CHOICES = [("official", _l("Official (moved for good)")), ("temporary", _l("Temporary (away and returning)"))]
PURPOSE_CHOICES = [("work_or_residence", _l("Work or residence away (3 months to under 1 year)")),
                   ("study", _l("Full-time study (3 months to 2 years)"))]


class RequestTransferForm(Form):
    """The member's request, as the branch secretary records it."""

    person_id = PersonField(_l("Party member"), validators=[required()], choices_of="members_of_branch")
    kind = SelectField(_l("Kind of transfer"), choices=select_choices([("", _l("— choose —"))] + KIND_CHOICES),
                       validators=[required()], validate_choice=True)
    purpose = SelectField(_l("Purpose of a temporary transfer"),
                          choices=select_choices([("", _l("— choose —"))] + PURPOSE_CHOICES),
                          validators=[Optional()], validate_choice=True)
    grounds = TextAreaField(_l("Grounds of the transfer"), validators=[required(), Length(max=4000)],
                            description=_l("New work unit, retirement, end of a job, demobilisation, new residence, "
                                           "work or study away..."))
    moved_on = DateField(_l("Date of the decision or the move"), validators=[required()])
    planned_until = DateField(_l("Planned end of a temporary transfer"), validators=[Optional()])
    destination_unit_id = BranchField(_l("Destination branch in the system"), validators=[Optional()])
    destination_text = StringField(_l("Destination outside the system"), validators=[Optional(), Length(max=300)],
                                   description=_l("Another province's organisation, the party committee abroad... "
                                                  "Leave empty when the destination is a branch of the system."))
    dues_paid_to = DateField(_l("Party dues paid up to (month)"), validators=[required()])
    late_reason = TextAreaField(_l("Reason for starting after the deadline"), validators=[Optional(), Length(max=4000)])


class ConfirmForm(Form):
    """The branch confirms the request and sends it to the grassroots committee."""

    note = note_field()


class CancelForm(Form):
    """The request is withdrawn or refused at the branch."""

    reason = reason_field()


class IntroduceForm(Form):
    """The grassroots committee's introduction letter."""

    intro_number = StringField(_l("Introduction letter number"), validators=[required(), Length(max=50)])
    intro_date = DateField(_l("Introduction letter date"), validators=[required()])


class IssueLetterForm(Form):
    """The transfer letter (giấy giới thiệu sinh hoạt đảng)."""

    letter_number = StringField(_l("Transfer letter number"), validators=[required(), Length(max=50)])
    letter_date = DateField(_l("Transfer letter date"), validators=[required()])


class ReceiveForm(Form):
    """The destination records the day the member presented the letter."""

    received_on = DateField(_l("Date the member presented the letter"), validators=[required()])
    late_reason = TextAreaField(_l("Reason for presenting it late"), validators=[Optional(), Length(max=4000)],
                                description=_l("Required when the letter is presented more than the rulebook's "
                                               "working days after it was issued."))


class ReturnForm(Form):
    """The member is back at the home branch."""

    returned_on = DateField(_l("Date of return"), validators=[required()])
    host_comment = TextAreaField(_l("The host branch's comment on the member"),
                                 validators=[required(), Length(max=4000)])
