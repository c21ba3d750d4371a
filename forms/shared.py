"""Forms of steps that several case types share: the member's self-review
(kiểm điểm), asked for up to 3 times before a case proceeds without it
(discipline and removal); and a committee's vote (grassroots committee,
standing committee), whose voters are the committee's members (ủy viên), not
the branch's party members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from .fields import LabelledVoteForm, note_field, required, select_choices

SELF_REVIEW_CHOICES = [("yes", _l("The member submitted a self-review")),
                       ("no", _l("Proceed without it (3 requests went unanswered)"))]


def resolution_number_field(mandatory: bool = True):
    """The number of the body's resolution (số nghị quyết), at most 50 characters. "Every vote
    records its resolution number" (DOMAIN.md, "Discipline"): required on a discipline vote; on
    an admission or removal vote, whose resolution is also the uploaded 6-, 8-, 13- or 15-KNĐ,
    optional, and printed on the resolution form when given (else the form leaves it to be
    numbered by hand)."""
    return StringField(_l("Resolution number (số nghị quyết)"),
                       validators=[required() if mandatory else Optional(), Length(max=50)])


class RequestSelfReviewForm(Form):
    """A request for a self-review that went unanswered."""

    requested_on = DateField(_l("Date the member was asked for a self-review"), validators=[required()])
    note = note_field()


class SelfReviewForm(Form):
    """The member's self-review, or proceeding without it."""

    submitted = SelectField(_l("Self-review"), choices=select_choices(SELF_REVIEW_CHOICES), validators=[required()],
                            validate_choice=True)
    self_criticism = TextAreaField(_l("The member's self-criticism"), validators=[Optional(), Length(max=4000)])


class CommitteeVoteForm(LabelledVoteForm):
    """A committee's vote (đảng ủy, ban thường vụ): its members entitled to vote.
    (Every vote field is declared again so that they keep their order.)"""

    meeting_date = DateField(_l("Meeting date"), validators=[required()])
    entitled = IntegerField(_l("Committee members entitled to vote"), validators=[required(), NumberRange(min=1)],
                            description=_l("Members of the committee (ủy viên), not the party members of the branch; "
                                           "absent members who are temporarily transferred or exempted are not "
                                           "counted."))
    present = IntegerField(_l("Committee members present"), validators=[required(), NumberRange(min=0)])
    votes_for = IntegerField(_l("Votes for"), validators=[required(), NumberRange(min=0)])
    votes_against = IntegerField(_l("Votes against"), validators=[required(), NumberRange(min=0)])
