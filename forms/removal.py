"""Forms of the removal process (xóa tên)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import IntegerField, SelectField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from .fields import DecisionFields, LabelledVoteForm, PersonField, reason_field, required, select_choices
from .shared import CommitteeVoteForm, resolution_number_field

GROUNDS_CHOICES = [
    ("missed_activities_or_dues", _l("Missed party activities or dues for 3 months in a year without good reason")),
    ("party_card_returned_or_destroyed", _l("Handed back or destroyed the party card")),
    ("no_progress_after_help", _l("No progress after 12 months of the branch's help")),
    ("two_years_violating_standing", _l("Two consecutive years violating member standing")),
    ("probationary_not_recognised", _l("Probationary member not recognised")),
    ("admitted_in_breach", _l("Admitted in breach of the rules")),
    ("probationary_serious_violation", _l("Probationary member whose violation is too serious for a warning")),
]


class ProposeRemovalForm(Form):
    """The branch's proposal: who, on what grounds."""

    person_id = PersonField(_l("Party member"), validators=[required()], choices_of="members_of_unit")
    grounds = SelectField(_l("Grounds"), choices=select_choices([("", _l("— choose —"))] + GROUNDS_CHOICES),
                          validators=[required()], validate_choice=True)
    months_missed = IntegerField(_l("Months missed in the year (for missed activities or dues)"),
                                 validators=[Optional(), NumberRange(min=0, max=12)])
    description = TextAreaField(_l("Facts"), validators=[required(), Length(max=4000)])


class BranchVoteForm(LabelledVoteForm):
    """Branch resolution on the removal."""

    resolution_number = resolution_number_field(mandatory=False)


class GrassrootsVoteForm(CommitteeVoteForm):
    """Grassroots committee resolution on the removal."""

    resolution_number = resolution_number_field(mandatory=False)


class DecideRemoveForm(CommitteeVoteForm, DecisionFields):
    """Decision of the superior standing committee to remove the name."""


class DecideKeepForm(DecisionFields):
    """The decision to keep the member."""

    reason = reason_field()
