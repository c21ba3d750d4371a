"""Setting up an organisation (DOMAIN.md "Setting up an organisation"): the
admin's forms for units, accounts and role assignments, and changing one's own
password. The pages add CSRF (Flask-WTF); the API validates the same classes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, Length, NumberRange, Optional, Regexp, ValidationError

from core.enums import Level, Role

from .fields import required
from .people import not_before_1900, not_in_future, strip

INT_MAX = 2 ** 31 - 1

LEVEL_CHOICES = [SelectChoice("province", _l("Province")), SelectChoice("superior", _l("Superior committee")),
                 SelectChoice("grassroots", _l("Grassroots organisation")),
                 SelectChoice("sub_committee", _l("Sub-committee")), SelectChoice("branch", _l("Party branch"))]
ROLE_CHOICES = [SelectChoice("branch_secretary", _l("Branch secretary")),
                SelectChoice("branch_deputy", _l("Branch deputy secretary")),
                SelectChoice("committee_member", _l("Committee member")),
                SelectChoice("standing_member", _l("Standing committee member")),
                SelectChoice("organisation_officer", _l("Organisation board officer")),
                SelectChoice("inspection_officer", _l("Inspection committee officer")),
                SelectChoice("auditor", _l("Auditor")), SelectChoice("admin", _l("Administrator"))]
assert {c.value for c in LEVEL_CHOICES} | {"central"} == {lv.value for lv in Level}
assert {c.value for c in ROLE_CHOICES} == {r.value for r in Role}


class UnitFlags(Form):
    """The flags of a unit that the rules read."""

    grassroots_branch = BooleanField(_l("A grassroots branch (chi bộ cơ sở): both grassroots and branch"))
    hardship_area = BooleanField(_l("In a hardship area"))
    may_admit = BooleanField(_l("Authorised to admit members"))
    may_expel = BooleanField(_l("Authorised to expel members"))


class UnitForm(UnitFlags):
    """A new unit under a unit of the admin's subtree."""

    name = StringField(_l("Name"), validators=[required(), Length(max=200)], filters=[strip])
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validators=[required()])
    parent_id = IntegerField(_l("Under the unit"), validators=[required(), NumberRange(min=1, max=INT_MAX)])


class UnitEditForm(UnitFlags):
    """Renaming a unit, moving it under another unit of the subtree, its flags."""

    name = StringField(_l("Name"), validators=[required(), Length(max=200)], filters=[strip])
    parent_id = IntegerField(_l("Under the unit"), validators=[Optional(), NumberRange(min=1, max=INT_MAX)])


class RoleGrantForm(Form):
    """Granting a role at a unit, from a day (default today)."""

    unit_id = IntegerField(_l("At the unit"), validators=[required(), NumberRange(min=1, max=INT_MAX)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[required()])
    start = DateField(_l("From"), validators=[Optional(), not_in_future, not_before_1900])


class RoleRevokeForm(Form):
    """Revoking a role held at a unit, on a day (default today)."""

    unit_id = IntegerField(_l("At the unit"), validators=[required(), NumberRange(min=1, max=INT_MAX)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[required()])
    end = DateField(_l("Until"), validators=[Optional(), not_in_future, not_before_1900])


class AccountForm(RoleGrantForm):
    """A new account, with its first role (an account always belongs somewhere)."""

    username = StringField(_l("Username"), filters=[strip], validators=[
        required(), Length(min=3, max=80),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Use lower-case letters without diacritics, digits, dots, dashes."))])
    display_name = StringField(_l("Full name"), validators=[required(), Length(max=200)], filters=[strip])


def _strong_enough(form, field):
    value = field.data or ""
    if len(value) < 10 or value.isdigit() or value.isalpha():
        raise ValidationError(_l("Use at least 10 characters, with letters and digits."))


class PasswordChangeForm(Form):
    """A user chooses their own password (after a one-time password: required)."""

    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(_l("New password"), validators=[required(), Length(max=200), _strong_enough])
    confirm = PasswordField(_l("New password again"), validators=[
        required(), EqualTo("new_password", message=_l("The two passwords differ."))])
