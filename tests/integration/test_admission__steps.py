"""The admission steps after the branch vote, one rule of DOMAIN.md's table each:
appraisal, party age, probation and its timer, the new-member course,
recognition or removal, withdrawal (SQLite and PostgreSQL)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.admission_flow import Flow, vote
from workflow.errors import ActionNotAvailable, GuardFailed, NotPermitted

DECIDED = "2026-11-20"


@pytest.fixture
def flow(app, demo, clock_file):
    with app.test_request_context("/"):
        yield Flow(app, demo, clock_file).at(DECIDED)


def _person(flow, case_id):
    from app.extensions import db
    from core.models import Person

    person = db.session.get(Person, flow.case(case_id).person_id)
    db.session.refresh(person)
    return person


def _at_superior_review(flow) -> int:
    case_id = flow.open(flow.new_candidate("2000-01-01"))
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote(DECIDED, 10, 10, 9, 1))
    flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote(DECIDED, 9, 9, 8, 1))
    assert flow.case(case_id).state == "superior_review"
    return case_id


def _in_probation(flow, ceremony=DECIDED) -> int:
    case_id = _at_superior_review(flow)
    flow.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Hồ sơ đầy đủ.")
    flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="5-QĐ/HU", decision_date=DECIDED,
             **vote(DECIDED, 15, 14, 12, 2))
    flow.at(ceremony)
    flow.act(case_id, "hold_ceremony", "bithu.trung", ceremony_date=ceremony, mentor_id=flow.officials()[4])
    assert flow.case(case_id).state == "probation"
    return case_id


def _fire(when: str, flow) -> int:
    from app.extensions import db
    from workflow.timers import fire_due_timers

    flow.clock_file.write_text(when)
    return fire_due_timers(db.session)


def _probation_ended(flow) -> int:
    case_id = _in_probation(flow)
    assert _fire("2027-11-19T17:00:01Z", flow) == 1  # local midnight of 20/11/2027
    flow.at("2027-11-20")
    assert flow.case(case_id).state == "probation_branch_vote"
    return case_id


def test_rule__admission__superior_review_appraises_or_returns(flow):
    returned = _at_superior_review(flow)
    flow.act(returned, "return", "tochuc.nghiahung", reason="Thiếu xác nhận lý lịch của ông nội.")
    assert flow.case(returned).state == "draft"
    appraised = _at_superior_review(flow)
    with pytest.raises(NotPermitted):  # the organisation board appraises; the branch cannot
        flow.act(appraised, "appraise", "bithu.trung", appraisal="Đủ.")
    flow.act(appraised, "appraise", "tochuc.nghiahung", appraisal="Hồ sơ đầy đủ, đủ điều kiện.")
    assert flow.case(appraised).state == "superior_decision"


def test_rule__admission__party_age_counts_from_the_decision_date(flow):
    case_id = _in_probation(flow, ceremony="2026-11-27")
    person = _person(flow, case_id)
    assert person.status.value == "probationary"
    assert person.admission_date == dt.date(2026, 11, 20)  # the decision, not the ceremony of 27/11


def test_rule__admission__probation_ends_by_a_timer(flow):
    case_id = _in_probation(flow)
    assert _fire("2027-11-19T16:59:59Z", flow) == 0  # 23:59 on 19/11/2027 in Vietnam: not yet
    assert flow.case(case_id).state == "probation"
    assert _fire("2027-11-19T17:00:01Z", flow) == 1
    assert flow.case(case_id).state == "probation_branch_vote"


def test_rule__rulebooks__recognition_deadline_follows_the_rulebook(flow):
    from workflow import calendar

    case_id = _probation_ended(flow)
    case = flow.case(case_id)
    assert case.deadline_kind == "recognition_decision"
    assert case.deadline_at == calendar.deadline_at(dt.date(2027, 11, 20), 30)  # qd294_2025: 30 working days


def test_rule__admission__new_member_course_recorded_during_probation(flow):
    from app.extensions import db
    from core.models import Certificate

    case_id = _in_probation(flow)
    flow.at("2027-03-10")
    flow.act(case_id, "record_new_member_course", "bithu.trung", certificate_number="ĐVM-12",
             issued_on="2027-03-05", issuer="Trung tâm Chính trị huyện")
    assert flow.case(case_id).state == "probation"
    kinds = db.session.scalars(sa.select(Certificate.kind).where(
        Certificate.person_id == flow.case(case_id).person_id)).all()
    assert "new_member" in kinds


def test_rule__admission__probation_votes_two_thirds_or_removal_proposed(flow):
    case_id = _probation_ended(flow)
    flow.act(case_id, "record_probation_branch_vote", "bithu.trung", **vote("2027-11-20", 10, 10, 6, 4))
    assert flow.case(case_id).state == "removal_proposed"
    passed = _probation_ended(flow)
    flow.act(passed, "record_probation_branch_vote", "bithu.trung", **vote("2027-11-20", 10, 10, 7, 3))
    flow.act(passed, "record_probation_grassroots_vote", "danguy.phucthang", **vote("2027-11-20", 9, 9, 5, 4))
    assert flow.case(passed).state == "removal_proposed"


def test_rule__admission__not_recognised_name_removed(flow):
    case_id = _probation_ended(flow)
    flow.act(case_id, "record_probation_branch_vote", "bithu.trung", **vote("2027-11-20", 10, 10, 6, 4))
    flow.act(case_id, "decide_remove", "thuongvu.nghiahung", decision_number="9-QĐ/HU", decision_date="2027-11-20",
             reason="Không đủ tư cách đảng viên.")
    assert flow.case(case_id).state == "removed"
    assert _person(flow, case_id).status.value == "removed"


def test_rule__admission__recognition_takes_effect_when_probation_ended(flow):
    case_id = _probation_ended(flow)
    flow.act(case_id, "record_probation_branch_vote", "bithu.trung", **vote("2027-11-20", 10, 10, 9, 1))
    flow.act(case_id, "record_probation_grassroots_vote", "danguy.phucthang", **vote("2027-11-20", 9, 9, 8, 1))
    flow.at("2028-01-10")  # decided late
    flow.act(case_id, "decide_recognise", "thuongvu.nghiahung", decision_number="16-QĐ/HU",
             decision_date="2028-01-10", **vote("2028-01-10", 15, 14, 12, 2))
    person = _person(flow, case_id)
    assert flow.case(case_id).state == "official"
    assert person.status.value == "official" and person.official_date == dt.date(2027, 11, 20)


def test_rule__admission__withdraw_before_the_ceremony(flow):
    draft = flow.open(flow.new_candidate("2000-01-01"))
    flow.act(draft, "withdraw", "bithu.trung", reason="Quần chúng chuyển công tác.")
    assert flow.case(draft).state == "withdrawn"
    case_id = _at_superior_review(flow)
    flow.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Đủ.")
    flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="5-QĐ/HU", decision_date=DECIDED,
             **vote(DECIDED, 15, 14, 12, 2))
    with pytest.raises(ActionNotAvailable):  # decided: too late to withdraw
        flow.act(case_id, "withdraw", "bithu.trung", reason="x")


def test_rule__admission__education_lower_secondary_or_primary_in_hardship_areas(flow):
    from cases.admission.rules import education_check
    from core.enums import Education
    from core.models import Person, Unit

    plain, hardship = Unit(name="thôn", hardship_area=False), Unit(name="thôn khó khăn", hardship_area=True)
    primary, lower = Person(education=Education.primary), Person(education=Education.lower_secondary)
    assert education_check(lower, plain).passed and education_check(primary, hardship).passed
    refused = education_check(primary, plain)
    assert not refused.passed and "trung học cơ sở" in refused.reason
    with pytest.raises(GuardFailed) as exc:  # and the guard of submit says the same
        flow.submit(flow.open(flow.new_candidate("2000-01-01", education=Education.primary)))
    assert refused.reason in " ".join(exc.value.reasons)
