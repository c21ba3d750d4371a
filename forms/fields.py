"""Shared form pieces. Case forms are plain ``wtforms.Form`` classes: the
engine validates API and page payloads with them, the pages add CSRF (see
:func:`forms.web.web_form`), and the API derives its JSON schema from them."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import DateField, IntegerField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from core import offers
from core.enums import Level
from core.models import Person, Post, Unit
from core.permissions import referable
from workflow.votes import VoteForm

WHOLE_NUMBER = re.compile(r"-?[0-9]{1,20}")
NOT_AN_INTEGER = "Not a valid integer value."  # WTForms' own words (api.messages translates them)


class ReferenceField(IntegerField):
    """An id the user sends (a person, a post), resolved through the scope
    permission (:func:`core.permissions.referable`) when the form is
    validated, before any guard or rule reads it: an id outside the user's
    scope, one that does not exist and one no 32-bit column can hold all get
    the same message, and no rule ever sees them (so no refusal can name them).

    The acting user, the session and the case come from the engine's context,
    given to the form as ``meta={"context": ctx}`` (:func:`workflow.guards.validate_form`);
    without a context nothing resolves. The value must be written in ASCII digits."""

    model: type = Person
    not_found = _l("No such person among your units.")

    def __init__(self, label=None, validators=None, choices_of: str = "officials_of_grassroots", **kw):
        super().__init__(label, validators, **kw)
        self.choices_of = choices_of

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not WHOLE_NUMBER.fullmatch(raw):
            self.data = None
            raise ValueError(self.gettext(NOT_AN_INTEGER))
        self.data = int(raw)

    def post_validate(self, form, validation_stopped):
        if validation_stopped or self.errors or self.data is None:
            return
        if self.resolve(getattr(form.meta, "context", None), self.data) is None:
            raise ValidationError(str(self.not_found))

    def resolve(self, ctx, ident: int):
        """The row ``ident`` names for the context's actor, or None (see the class)."""
        if ctx is None or ctx.actor is None:
            return None
        return referable(ctx.session, ctx.actor, self.model, ident, offered=self.offered(ctx))

    def offered(self, ctx):
        """The people the field offers at the case's unit (an SQL criterion), or None."""
        unit = ctx.unit
        if unit is None or self.choices_of not in offers.NAMES:
            return None
        return offers.offered(ctx.session, self.choices_of, unit)


class PersonField(ReferenceField):
    """A person's id; pages render it as a choice among ``choices_of`` people
    (a name of :mod:`core.offers`, e.g. ``officials_of_grassroots``)."""


class PostField(ReferenceField):
    """A post's id (a post of a person the user may see); pages offer the case
    person's current posts."""

    model = Post
    not_found = _l("No such post among your units.")

    def __init__(self, label=None, validators=None, choices_of: str = "posts_of_person", **kw):
        super().__init__(label, validators, choices_of=choices_of, **kw)


class BranchField(IntegerField):
    """A branch (chi bộ) of the system, by id, anywhere in the tree: a destination
    outside the user's scope is a unit the transfer names, not someone's data (the
    org tree holds no personal data). Pages offer every branch (``choices_of =
    "branches"``); an id that is not a branch reads "No such branch"."""

    not_found = _l("No such branch in the system.")

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, **kw)
        self.choices_of = "branches"

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not raw:
            self.data = None
            return
        if not WHOLE_NUMBER.fullmatch(raw):
            self.data = None
            raise ValueError(self.gettext(NOT_AN_INTEGER))
        self.data = int(raw)

    def post_validate(self, form, validation_stopped):
        if validation_stopped or self.errors or self.data is None:
            return
        ctx = getattr(form.meta, "context", None)
        unit = ctx.session.get(Unit, self.data) if ctx is not None and 1 <= self.data <= 2**31 - 1 else None
        if unit is None or not (unit.level is Level.branch or unit.grassroots_branch):
            raise ValidationError(str(self.not_found))


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
