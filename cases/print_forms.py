"""The printed forms: which case each one prints from, when, and what it says.

Each :class:`PrintForm` names its process, its template (``templates/print/``),
``ready(facts)`` (None when the case holds what the form needs, else why not, in
the user's language) and ``fill(facts)`` (the template's fields). The forms:
the branch resolution on admission (6-KNĐ), the grassroots resolution (8-KNĐ),
the admission decision (9-KNĐ) and the recognition decision (16-KNĐ) of
Hướng dẫn 12-HD/BTCTW (2022); the discipline decision (Quy định 69-QĐ/TW,
2022); the removal decision (Điều lệ Đảng, Điều 8); the transfer letter
(giấy giới thiệu sinh hoạt đảng, DOMAIN.md "Transfer").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from core.enums import Level
from workflow import calendar
from workflow.i18n import _

from .dates import as_date
from .print_facts import (DISCIPLINE_REGULATION, PENALTIES, REMOVAL_GROUNDS, STATUS_WORDS, Facts, long_date,
                          numbered, party_body, percent, unit_by_id, vdate)


@dataclass(frozen=True)
class PrintForm:
    """One printable form (see the module)."""

    code: str
    process: str
    label: object
    template: str
    ready: Callable[[Facts], str | None]
    fill: Callable[[Facts], dict]

    @property
    def kind(self) -> str:
        """The document kind its PDFs are stored under (a generated kind)."""
        return f"print:{self.code}"


def header(facts: Facts, issuer, number: str | None, doc_kind: str, day) -> dict:
    """The two columns of a party document's header: the body above and the
    issuing body with the number on the left; the place and the date on the right."""
    return {"_issuer": issuer, "above": party_body(facts.above(issuer)).upper(), "issuer": issuer.name.upper(),
            "number": numbered(number, doc_kind, issuer), "place": facts.place(issuer), "date": long_date(day)}


def person_fields(facts: Facts) -> dict:
    """The person as the forms name them: name, date of birth, residence, branch."""
    p = facts.person
    return {"name": p.full_name, "born": vdate(p.date_of_birth), "residence": p.residence or "",
            "gender_word": "Đồng chí", "branch": facts.unit.name, "ethnicity": p.ethnicity or ""}


def vote_fields(event) -> dict:
    """The figures of a recorded vote (meeting date, entitled, present, for, against, the share for)."""
    p = dict(event.payload or {})
    entitled, votes_for = int(p.get("entitled") or 0), int(p.get("votes_for") or 0)
    present = int(p.get("present") or 0)
    return {"meeting_date": vdate(p.get("meeting_date")), "entitled": entitled, "present": present,
            "absent": max(entitled - present, 0), "votes_for": votes_for,
            "votes_against": int(p.get("votes_against") or 0), "share_for": percent(votes_for, entitled),
            "meeting_long": long_date(p.get("meeting_date"))}


def committee_words(unit) -> tuple[str, str]:
    """(the committee's collective name for "T/M ...", its name in a sentence) of a grassroots unit."""
    if unit.level is Level.branch or unit.grassroots_branch or unit.name.startswith("Chi bộ"):
        return "CHI BỘ", unit.name
    return "ĐẢNG ỦY", unit.name


# ---- admission -------------------------------------------------------------------------------------

def _ready_vote(action: str, passed_to: str, what):
    def ready(facts: Facts) -> str | None:
        if facts.last(action, passed_to) is None:
            return _("The %(form)s can be printed once %(what)s has been recorded as passed.",
                     form=what[0], what=str(what[1]))
        return None
    return ready


def fill_6(facts: Facts) -> dict:
    """The branch resolution (6-KNĐ): the branch meeting, its vote (passed), the candidate; its number
    when the vote recorded one (else left to be numbered by hand)."""
    event = facts.last("record_branch_vote", "grassroots_vote")
    branch = facts.unit
    grassroots = facts.unit_of(Level.grassroots) or facts.above(branch) or branch
    payload = event.payload or {}
    return {**header(facts, branch, payload.get("resolution_number"), "NQ", payload.get("meeting_date")),
            **person_fields(facts), **vote_fields(event),
            "title": "NGHỊ QUYẾT", "subtitle": "đề nghị kết nạp đảng viên", "branch": branch.name,
            "proposed_to": grassroots.name, "sign_for": "T/M CHI BỘ", "sign_title": "BÍ THƯ",
            "signer": facts.actor_name(event), "_event": event, "recipients": [grassroots.name, "Lưu chi bộ."]}


def fill_8(facts: Facts) -> dict:
    """The grassroots resolution (8-KNĐ): the committee's vote (passed), the branch resolution's date."""
    event = facts.last("record_grassroots_vote", "superior_review")
    branch_vote = facts.last("record_branch_vote", "grassroots_vote")
    grassroots = facts.unit_of(Level.grassroots) or facts.unit
    superior = facts.superior()
    collective, name = committee_words(grassroots)
    payload = event.payload or {}
    return {**header(facts, grassroots, payload.get("resolution_number"), "NQ", payload.get("meeting_date")),
            **person_fields(facts), **vote_fields(event), "title": "NGHỊ QUYẾT",
            "subtitle": "đề nghị kết nạp đảng viên", "body": name, "collective": collective.lower(),
            "branch_vote_date": vdate((branch_vote.payload or {}).get("meeting_date")) if branch_vote else "......",
            "proposed_to": f"Ban Thường vụ {superior.name}", "sign_for": f"T/M {collective}", "sign_title": "",
            "signer": facts.actor_name(event), "_event": event,
            "recipients": [f"Ban Thường vụ {superior.name}", facts.unit.name, "Lưu."]}


def _ready_data(key: str, what):
    def ready(facts: Facts) -> str | None:
        if not facts.data.get(key):
            return _("The %(form)s can be printed once %(what)s has been recorded.", form=what[0], what=str(what[1]))
        return None
    return ready


def _decision_header(facts: Facts, issuer, number, day) -> dict:
    return {**header(facts, issuer, number, "QĐ", day), "sign_for": "T/M BAN THƯỜNG VỤ", "sign_title": "",
            "regulation": facts.regulation, "decider": f"BAN THƯỜNG VỤ {issuer.name.upper()}"}


def fill_9(facts: Facts) -> dict:
    """The admission decision (9-KNĐ) of the superior committee: number, date, probation months of the rulebook."""
    d = facts.data
    superior = facts.superior()
    grassroots = facts.unit_of(Level.grassroots) or facts.unit
    event = facts.last("decide_admit")
    return {**_decision_header(facts, superior, d.get("decision_number"), d.get("decision_date")),
            **person_fields(facts), "title": "QUYẾT ĐỊNH", "subtitle": "kết nạp đảng viên",
            "grassroots": grassroots.name, "probation_months": facts.rulebook.probation_months,
            "signer": facts.actor_name(event), "_event": event,
            "recipients": [grassroots.name, facts.unit.name, f"Đồng chí {facts.person.full_name}",
                           "Lưu Văn phòng, Ban Tổ chức."]}


def fill_16(facts: Facts) -> dict:
    """The recognition decision (16-KNĐ): number and date, admitted and official dates, party card."""
    d = facts.data
    superior = facts.superior()
    grassroots = facts.unit_of(Level.grassroots) or facts.unit
    p = facts.person
    return {**_decision_header(facts, superior, d.get("recognition_decision_number"),
                               d.get("recognition_decision_date")),
            **person_fields(facts), "title": "QUYẾT ĐỊNH", "subtitle": "công nhận đảng viên chính thức",
            "grassroots": grassroots.name, "admitted_on": vdate(p.admission_date or d.get("decision_date")),
            "admission_number": numbered(d.get("decision_number"), "QĐ", superior).removeprefix("Số "),
            "official_on": vdate(p.official_date), "party_card": p.party_card_number or "",
            "signer": facts.actor_name(facts.last("decide_recognise")), "_event": facts.last("decide_recognise"),
            "recipients": [grassroots.name, facts.unit.name, f"Đồng chí {p.full_name}",
                           "Lưu Văn phòng, Ban Tổ chức."]}


# ---- discipline, removal -------------------------------------------------------------------------------

DECIDED_STATES = ("decided", "in_force", "appeal_review", "lapsed", "annulled")


def ready_discipline(facts: Facts) -> str | None:
    """None once a penalty is decided (``decided`` or later, ``final_form`` kept), else why not."""
    if facts.case.state not in DECIDED_STATES or not facts.data.get("final_form"):
        return _("The discipline decision can be printed once a penalty has been decided.")
    return None


def fill_discipline(facts: Facts) -> dict:
    """The discipline decision of the deciding unit (Quy định 69-QĐ/TW): penalty, violation, appeal right."""
    d = facts.data
    issuer = unit_by_id(facts, d.get("deciding_unit_id")) or facts.superior()
    by = d.get("decided_by") or "superior"
    sign_for, decider = {"branch": ("T/M CHI BỘ", issuer.name.upper()),
                         "grassroots": (f"T/M {committee_words(issuer)[0]}", issuer.name.upper())}.get(
        by, ("T/M BAN THƯỜNG VỤ", f"BAN THƯỜNG VỤ {issuer.name.upper()}"))
    penalty = PENALTIES.get(d.get("final_form"), d.get("final_form") or "")
    post = facts.post.title if facts.post is not None and d.get("final_form") == "dismissal" else None
    decided_event = facts.last("decide") or facts.last(f"record_{by}_vote")
    # A branch or a grassroots committee decides by its resolution (the number it recorded);
    # a committee above by decision.
    resolution = by in ("branch", "grassroots")
    return {**header(facts, issuer, d.get("decision_number"), "NQ" if resolution else "QĐ", d.get("decided_on")),
            **person_fields(facts), "title": "NGHỊ QUYẾT" if resolution else "QUYẾT ĐỊNH",
            "decides": "QUYẾT NGHỊ" if resolution else "QUYẾT ĐỊNH",
            "act": "Nghị quyết" if resolution else "Quyết định",
            "subtitle": "về việc thi hành kỷ luật đảng viên", "regulation": facts.regulation,
            "discipline_regulation": DISCIPLINE_REGULATION, "decider": decider, "sign_for": sign_for,
            "sign_title": "", "penalty": penalty.upper(), "post": post,
            "violation": d.get("description") or "", "findings": d.get("findings") or "",
            "expulsion": d.get("final_form") == "expulsion",
            "signer": facts.actor_name(decided_event), "_event": decided_event,
            "status_word": STATUS_WORDS.get(d.get("status_before") or facts.person.status.value, ""),
            "recipients": [facts.unit.name, f"Đồng chí {facts.person.full_name}", "Lưu hồ sơ kỷ luật."]}


def ready_removal(facts: Facts) -> str | None:
    """None once the name is removed (state ``removed``), else why not."""
    if facts.case.state != "removed":
        return _("The removal decision can be printed once the name has been removed by decision.")
    return None


def fill_removal(facts: Facts) -> dict:
    """The removal decision of the superior committee (Điều lệ Đảng, Điều 8): grounds and facts."""
    d = facts.data
    superior = facts.superior()
    grassroots = facts.unit_of(Level.grassroots) or facts.unit
    gvote = d.get("grassroots_vote") or {}
    return {**_decision_header(facts, superior, d.get("decision_number"), d.get("decided_on")),
            **person_fields(facts), "title": "QUYẾT ĐỊNH", "subtitle": "về việc xóa tên đảng viên",
            "grassroots": grassroots.name, "grounds": REMOVAL_GROUNDS.get(d.get("grounds"), d.get("grounds") or ""),
            "description": d.get("description") or "",
            "grassroots_vote_date": vdate(gvote.get("meeting_date")) if gvote else "",
            "signer": facts.actor_name(facts.last("decide_remove")), "_event": facts.last("decide_remove"),
            "recipients": [grassroots.name, facts.unit.name, f"Đồng chí {facts.person.full_name}",
                           "Lưu Văn phòng, Ban Tổ chức."]}


# ---- transfer ----------------------------------------------------------------------------------------

def ready_transfer(facts: Facts) -> str | None:
    """None once an introduction or transfer letter number is recorded, else why not."""
    if not (facts.data.get("letter_number") or facts.data.get("intro_number")):
        return _("The transfer letter can be printed once the introduction letter's number has been recorded.")
    return None


def fill_transfer(facts: Facts) -> dict:
    """The transfer letter: the superior's when it issued one, else the grassroots introduction
    letter; to be presented within the rulebook's ``transfer_letter`` working days."""
    d = facts.data
    superior_letter = bool(d.get("letter_number"))
    issuer = facts.superior() if superior_letter else (facts.unit_of(Level.grassroots) or facts.unit)
    number = d.get("letter_number") if superior_letter else d.get("intro_number")
    day = as_date(d.get("letter_date") if superior_letter else d.get("intro_date"))
    destination = unit_by_id(facts, d.get("destination_unit_id"))
    days = facts.rulebook.deadline("transfer_letter")[0]
    p = facts.person
    collective = "T/L BAN THƯỜNG VỤ" if superior_letter else f"T/M {committee_words(issuer)[0]}"
    event = facts.last("issue_letter") if superior_letter else facts.last("introduce")
    return {**header(facts, issuer, number, "GGT", day), **person_fields(facts),
            "title": "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG",
            "subtitle": "chính thức" if d.get("kind") == "official" else "tạm thời",
            "official": d.get("kind") == "official",
            "destination": destination.name if destination else (d.get("destination_text") or ""),
            "status_word": STATUS_WORDS.get(p.status.value, "chính thức"), "party_card": p.party_card_number or "",
            "admitted_on": vdate(p.admission_date), "official_on": vdate(p.official_date) if p.official_date else "",
            "dues_paid_to": _month(d.get("dues_paid_to")), "grounds": d.get("grounds") or "",
            "planned_until": vdate(d.get("planned_until")) if d.get("planned_until") else "",
            "valid_until": vdate(calendar.add_working_days(day, days)) if day else "......", "valid_days": days,
            "sign_for": collective, "sign_title": "TRƯỞNG BAN TỔ CHỨC" if superior_letter else "",
            "signer": facts.actor_name(event), "_event": event,
            "recipients": ["Như trên", f"Đồng chí {p.full_name}", f"Lưu {issuer.name}."]}


def _month(day) -> str:
    day = as_date(day)
    return f"{day.month:02d}/{day.year}" if day else "......"


FORMS: dict[str, PrintForm] = {f.code: f for f in (
    PrintForm("6-KNĐ", "admission", _l("6-KNĐ Branch resolution on admission"), "6-KND.html",
              _ready_vote("record_branch_vote", "grassroots_vote", ("6-KNĐ", _l("the branch vote"))), fill_6),
    PrintForm("8-KNĐ", "admission", _l("8-KNĐ Grassroots committee resolution on admission"), "8-KND.html",
              _ready_vote("record_grassroots_vote", "superior_review",
                          ("8-KNĐ", _l("the grassroots committee's vote"))), fill_8),
    PrintForm("9-KNĐ", "admission", _l("9-KNĐ Decision on admission"), "9-KND.html",
              _ready_data("decision_number", ("9-KNĐ", _l("the decision to admit"))), fill_9),
    PrintForm("16-KNĐ", "admission", _l("16-KNĐ Decision on recognition"), "16-KND.html",
              _ready_data("recognition_decision_number", ("16-KNĐ", _l("the decision on recognition"))), fill_16),
    PrintForm("discipline-decision", "discipline", _l("Discipline decision"), "discipline.html",
              ready_discipline, fill_discipline),
    PrintForm("removal-decision", "removal", _l("Decision removing the name"), "removal.html",
              ready_removal, fill_removal),
    PrintForm("transfer-letter", "transfer", _l("Transfer letter (giấy giới thiệu sinh hoạt đảng)"),
              "transfer.html", ready_transfer, fill_transfer),
)}
GENERATED_KINDS = tuple(f.kind for f in FORMS.values())


def find_form(code: str) -> PrintForm | None:
    """The form named ``code`` ("9-KNĐ"; also spelled without the Đ: "9-KND"), or None."""
    code = (code or "").strip()
    if code in FORMS:
        return FORMS[code]
    return next((f for f in FORMS.values() if f.code.replace("Đ", "D").lower() == code.lower()), None)


def forms_of(process: str) -> list[PrintForm]:
    """The forms a case of ``process`` prints, in their order."""
    return [f for f in FORMS.values() if f.process == process]
