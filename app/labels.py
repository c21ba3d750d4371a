"""Words a person reads for the canonical identifiers (through Babel)."""

from __future__ import annotations

from flask_babel import gettext as _
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
    PersonStatus.transferred_out: _l("Transferred out of the system"),
}

GENDERS = {Gender.male: _l("Male"), Gender.female: _l("Female")}

EDUCATION = {
    Education.none: _l("None"),
    Education.primary: _l("Primary"),
    Education.lower_secondary: _l("Lower secondary"),
    Education.upper_secondary: _l("Upper secondary"),
}


def level(value) -> str:
    """A level in words."""
    return str(LEVELS.get(Level(value), value))


def role(value) -> str:
    """A role in words."""
    return str(ROLES.get(Role(value), value))


def status(value) -> str:
    """A person's status in words."""
    return str(STATUSES.get(PersonStatus(value), value))


def gender(value) -> str:
    """A gender in words."""
    return str(GENDERS.get(Gender(value), value))


def education(value) -> str:
    """An education level in words."""
    return str(EDUCATION.get(Education(value), value))


EXEMPTIONS = {"work": _l("Party work"), "work_and_activity": _l("Party work and activity")}


def exemption(value) -> str:
    """What a member is exempted from, in words."""
    return str(EXEMPTIONS.get(value, value))


def unit_kind(unit) -> str:
    """Level in words, naming a chi bộ cơ sở as such."""
    if unit.grassroots_branch:
        return str(_l("Grassroots party branch"))
    return level(unit.level)


PROCESSES = {
    "admission": _l("Admission"),
    "discipline": _l("Discipline"),
    "removal": _l("Removal from the rolls"),
    "candidacy": _l("Candidate training"),
    "transfer": _l("Transfer of party activity"),
    "exemption": _l("Exemption from work and activity"),
}

RULEBOOKS = {
    "qd24_2021": _l("Regulation 24-QĐ/TW (2021)"),
    "qd294_2025": _l("Regulation 294-QĐ/TW (2025)"),
    "hd21_2019": _l("Guidance 21-HD/BTCTW (2019)"),
    "qd366_2025": _l("Regulation 366-QĐ/TW (2025)"),
}

DOCUMENT_KINDS = {
    "1-KNĐ": _l("1-KNĐ Application for admission"),
    "2-KNĐ": _l("2-KNĐ Personal history"),
    "3-KNĐ": _l("3-KNĐ Introduction by a party member"),
    "4-KNĐ": _l("4-KNĐ Resolution introducing a union member"),
    "5-KNĐ": _l("5-KNĐ Summary of opinions"),
    "6-KNĐ": _l("6-KNĐ Branch resolution on admission"),
    "7-KNĐ": _l("7-KNĐ Sub-committee resolution"),
    "8-KNĐ": _l("8-KNĐ Grassroots committee resolution on admission"),
    "9-KNĐ": _l("9-KNĐ Decision on admission"),
    "10-KNĐ": _l("10-KNĐ Self-review of the probationary member"),
    "11-KNĐ": _l("11-KNĐ Mentor's comments"),
    "12-KNĐ": _l("12-KNĐ Opinions on the probationary member"),
    "13-KNĐ": _l("13-KNĐ Branch resolution on recognition"),
    "14-KNĐ": _l("14-KNĐ Sub-committee resolution on recognition"),
    "15-KNĐ": _l("15-KNĐ Grassroots committee resolution on recognition"),
    "16-KNĐ": _l("16-KNĐ Decision on recognition"),
    "certificate": _l("Training certificate"),
    "consent": _l("Written consent of the province"),
    "evidence": _l("Evidence"),
    "decision": _l("Decision"),
    "appeal": _l("Appeal"),
    "other": _l("Other document"),
}


def process(name) -> str:
    """A process in words."""
    return str(PROCESSES.get(name, name))


def inbox_rows(items, state_label) -> list[tuple]:
    """The inbox page's rows: for each ``(case, transitions)`` of ``items``, ``(case, its
    process in words, its step in words (``state_label(case)``), its actions' labels)``,
    each word translated once a page rather than once a row (up to 200 rows)."""
    words: dict = {}

    def word(key, make):
        if key not in words:
            words[key] = make()
        return words[key]

    return [(case, word(case.process, lambda: process(case.process)),
             word((case.process, case.state), lambda: state_label(case)),
             [word(id(ct), lambda: str(ct.label)) for ct in actions]) for case, actions in items]


def rulebook(code) -> str:
    """A rulebook's title."""
    return str(RULEBOOKS.get(code, code))


def document_kind(kind) -> str:
    """A document kind in words (the KNĐ form's number and title; a printed form's name)."""
    if isinstance(kind, str) and kind.startswith("print:"):
        from cases.print_forms import find_form

        form = find_form(kind.removeprefix("print:"))
        if form is not None:
            return _("%(form)s (printed)", form=str(form.label))
    return str(DOCUMENT_KINDS.get(kind, kind))


def action_labels(process) -> dict[str, str]:
    """Words for the actions of a process definition, by action name: its
    transitions' labels, plus the actions every case's audit trail holds
    (``start``, ``upload_document``, ``download_document``, ``print_document``)."""
    labels = {"start": _("Dossier opened"), "upload_document": _("Document uploaded"),
              "download_document": _("Document downloaded"), "print_document": _("Form printed")}
    for action, transitions in process.by_action.items():
        labels[action] = str(transitions[0].label)
    return labels
