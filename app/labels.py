"""Words a person reads for the canonical identifiers (through Babel)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import Education, Gender, Level, PersonStatus, Role

LEVELS = {
    Level.central: _l("Central"),
    Level.province: _l("Province"),
    Level.superior: _l("Superior committee"),
    Level.grassroots: _l("Grassroots organisation"),
    Level.sub_committee: _l("Sub-committee"),
    Level.branch: _l("Party branch"),
}

ROLES = {
    Role.branch_secretary: _l("Branch secretary"),
    Role.branch_deputy: _l("Branch deputy secretary"),
    Role.committee_member: _l("Committee member"),
    Role.standing_member: _l("Standing committee member"),
    Role.organisation_officer: _l("Organisation board officer"),
    Role.inspection_officer: _l("Inspection committee officer"),
    Role.auditor: _l("Auditor"),
    Role.admin: _l("Administrator"),
}

STATUSES = {
    PersonStatus.candidate: _l("Candidate"),
    PersonStatus.probationary: _l("Probationary member"),
    PersonStatus.official: _l("Official member"),
    PersonStatus.removed: _l("Removed from the rolls"),
    PersonStatus.expelled: _l("Expelled"),
    PersonStatus.left: _l("Left the Party"),
    PersonStatus.deceased: _l("Deceased"),
}

GENDERS = {Gender.male: _l("Male"), Gender.female: _l("Female")}

EDUCATION = {
    Education.none: _l("None"),
    Education.primary: _l("Primary"),
    Education.lower_secondary: _l("Lower secondary"),
    Education.upper_secondary: _l("Upper secondary"),
}


def level(value) -> str:
    return str(LEVELS.get(Level(value), value))


def role(value) -> str:
    return str(ROLES.get(Role(value), value))


def status(value) -> str:
    return str(STATUSES.get(PersonStatus(value), value))


def gender(value) -> str:
    return str(GENDERS.get(Gender(value), value))


def education(value) -> str:
    return str(EDUCATION.get(Education(value), value))


def unit_kind(unit) -> str:
    """Level in words, naming a chi bộ cơ sở as such."""
    if unit.grassroots_branch:
        return str(_l("Grassroots party branch"))
    return level(unit.level)
