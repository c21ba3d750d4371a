"""Registering a candidate (quần chúng) in the member registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.fields import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError

from .fields import required

GENDER_CHOICES = [SelectChoice("male", _l("Male")), SelectChoice("female", _l("Female"))]
EDUCATION_CHOICES = [SelectChoice("none", _l("No schooling")), SelectChoice("primary", _l("Primary")),
                     SelectChoice("lower_secondary", _l("Lower secondary")),
                     SelectChoice("upper_secondary", _l("Upper secondary"))]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def not_in_future(form, field):
    from core import clock

    if field.data is not None and field.data > clock.today():
        raise ValidationError(_l("The date is in the future."))


def not_before_1900(form, field):
    if field.data is not None and field.data.year < 1900:
        raise ValidationError(_l("The date is before 1900."))


class CandidateForm(Form):
    """A new candidate: the fields of DOMAIN.md's "People"."""

    full_name = StringField(_l("Full name"), validators=[required(), Length(min=1, max=200)],
                            filters=[strip])
    date_of_birth = DateField(_l("Date of birth"), validators=[required(), not_in_future, not_before_1900])
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, validators=[required()])
    national_id = StringField(_l("National id number (12 digits)"),
                              validators=[required(), Regexp(r"^[0-9]{12}$", message=_l("Enter exactly 12 digits."))],
                              filters=[strip])
    education = SelectField(_l("General education"), choices=EDUCATION_CHOICES, validators=[required()])
    unit_id = IntegerField(_l("Branch"), validators=[required(), NumberRange(min=1)])
    residence = StringField(_l("Residence"), validators=[Optional(), Length(max=300)], filters=[strip])
    ethnicity = StringField(_l("Ethnicity"), validators=[Optional(), Length(max=50)], filters=[strip])
    youth_union_member = BooleanField(_l("Youth Union member"))
    trade_union_member = BooleanField(_l("Trade union member"))
    joined_unit_on = DateField(_l("In the unit since"), validators=[Optional(), not_in_future, not_before_1900])


class PriorCertificateForm(Form):
    """A certificate of the course on party knowledge earned before the system was
    used, recorded on the person by the organisation board (DOMAIN "Admission")."""

    number = StringField(_l("Certificate number"), validators=[required(), Length(max=50)], filters=[strip])
    issued_on = DateField(_l("Issued on"), validators=[required(), not_in_future, not_before_1900])
    issuer = StringField(_l("Issued by"), validators=[required(), Length(max=200)], filters=[strip])
    course_name = StringField(_l("Course (optional)"), validators=[Optional(), Length(max=200)], filters=[strip])


class AppointForm(Form):
    """Appointing a member to a post (chức vụ) held at a unit from a date (DOMAIN "Posts")."""

    title = StringField(_l("Post"), validators=[required(), Length(max=200)], filters=[strip],
                        description=_l("e.g. Bí thư chi bộ, Đảng ủy viên, Chủ tịch UBND xã"))
    unit_id = IntegerField(_l("At the unit"), validators=[required(), NumberRange(min=1, max=2 ** 31 - 1)])
    start = DateField(_l("Holds it from"), validators=[required(), not_in_future, not_before_1900])
    committee_seat = BooleanField(_l("A seat on the unit's party committee (cấp ủy)"))


class EndPostForm(Form):
    """Ending a post: the day it ended (the post stays in the registry)."""

    end = DateField(_l("Ended on"), validators=[required(), not_in_future, not_before_1900])


class PersonDetailsForm(Form):
    """Correcting a person's details in the registry (never the status)."""

    full_name = CandidateForm.full_name
    date_of_birth = CandidateForm.date_of_birth
    gender = CandidateForm.gender
    national_id = CandidateForm.national_id
    education = CandidateForm.education
    ethnicity = CandidateForm.ethnicity
    residence = CandidateForm.residence


def _member_dates(form, field):
    admitted = form.admission_date.data
    if field.data is not None and admitted is not None and field.data < admitted:
        raise ValidationError(_l("The official date is before the admission date."))


class MemberRecordForm(CandidateForm):
    """One row of the member record (phiếu đảng viên, mẫu 1-HSĐV) in a bulk
    import: a candidate's fields and a member's dates and card (DOMAIN.md
    "Setting up an organisation"). ``unit_id`` is resolved from the branch column."""

    admission_date = DateField(_l("Admission date"), validators=[Optional(), not_in_future, not_before_1900])
    official_date = DateField(_l("Official date"), validators=[Optional(), not_in_future, not_before_1900,
                                                               _member_dates])
    party_card_number = StringField(_l("Party card number"), validators=[Optional(), Length(max=20)],
                                    filters=[strip])
