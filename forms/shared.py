"""Forms of steps that several case types share: the member's self-review
(kiểm điểm), asked for up to 3 times before a case proceeds without it
(discipline and removal)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from .fields import note_field, required, select_choices

SELF_REVIEW_CHOICES = [("yes", _l("The member submitted a self-review")),
                       ("no", _l("Proceed without it (3 requests went unanswered)"))]


class RequestSelfReviewForm(Form):
    """A request for a self-review that went unanswered."""

    requested_on = DateField(_l("Date the member was asked for a self-review"), validators=[required()])
    note = note_field()


class SelfReviewForm(Form):
    """The member's self-review, or proceeding without it."""

    submitted = SelectField(_l("Self-review"), choices=select_choices(SELF_REVIEW_CHOICES), validators=[required()],
                            validate_choice=True)
    self_criticism = TextAreaField(_l("The member's self-criticism"), validators=[Optional(), Length(max=4000)])
