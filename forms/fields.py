"""Shared form pieces. Case forms are plain ``wtforms.Form`` classes: the
engine validates API and page payloads with them, the pages add CSRF (see
:func:`forms.web.web_form`), and the API derives its JSON schema from them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, IntegerField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from workflow.votes import VoteForm


class PersonField(IntegerField):
    """A person's id; pages render it as a choice among ``choices_of`` people
    (a name the case page resolves, e.g. ``officials_of_grassroots``)."""

    def __init__(self, label=None, validators=None, choices_of: str = "officials_of_grassroots", **kw):
        super().__init__(label, validators, **kw)
        self.choices_of = choices_of


class Required(InputRequired):
    """Input required, and text that is only spaces counts as missing."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            from wtforms.validators import StopValidation

            field.errors[:] = []
            raise StopValidation(self.message)


def required(message=None):
    """The validator of a required field (spaces only count as missing)."""
    return Required(message or _l("This field is required."))


class LabelledVoteForm(VoteForm):
    """The engine's vote fields with their Vietnamese labels."""

    meeting_date = DateField(_l("Meeting date"), validators=[required()])
    entitled = IntegerField(_l("Members entitled to vote"), validators=[required(), NumberRange(min=1)],
                            description=_l("Official members; absent members who are temporarily transferred or "
                                           "exempted are not counted."))
    present = IntegerField(_l("Present"), validators=[required(), NumberRange(min=0)])
    votes_for = IntegerField(_l("Votes for"), validators=[required(), NumberRange(min=0)])
    votes_against = IntegerField(_l("Votes against"), validators=[required(), NumberRange(min=0)])


class DecisionFields(Form):
    """A decision's number and date."""

    decision_number = StringField(_l("Decision number"), validators=[required(), Length(max=50)])
    decision_date = DateField(_l("Decision date"), validators=[required()])


def reason_field(label=None):
    """A required text of at most 4000 characters."""
    return TextAreaField(label or _l("Reason"), validators=[required(), Length(max=4000)])


def note_field(label=None):
    """An optional text of at most 4000 characters."""
    return TextAreaField(label or _l("Notes"), validators=[Optional(), Length(max=4000)])


def select_choices(pairs):
    """``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
