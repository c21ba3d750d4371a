"""The candidacy process: nomination, training, results, certificates, and
the admission opened from a certificate (DOMAIN.md, "Candidate training")."""

import datetime as dt

import pytest

from tests.candidacy_flow import CandidacyFlow, en
from workflow.errors import GuardFailed, NotPermitted


@pytest.fixture
def flow(app, demo, clock_file):
    with en(app):
        yield CandidacyFlow(app, demo, clock_file).at("2026-11-20")


def test_rule__candidacy__nominated_with_the_branch_resolution_and_a_helper(flow):
    third = flow.candidates()[2]
    case_id = flow.nominate(third)
    case = flow.case(case_id)
    assert case.state == "nominated"
    assert case.data["helper_id"] == flow.officials()[5]
    assert case.data["resolution_number"] == "12-NQ/CB" and case.data["resolution_date"] == "2026-11-02"
    # Only one open candidacy per person; the helper must be an official member of the branch.
    with pytest.raises(GuardFailed, match="already being developed"):
        flow.nominate(third)
    probationary = [p.id for p in flow.demo.people["trung"] if p.status.value == "probationary"]
    with pytest.raises(GuardFailed, match="official member of the branch"):
        flow.nominate(flow.candidates()[1], helper=probationary[0])
    with pytest.raises(GuardFailed, match="not a candidate"):
        flow.nominate(probationary[0])


def test_rule__candidacy__who_acts_at_each_step(flow):
    case_id = flow.nominate(flow.candidates()[2])
    with pytest.raises(NotPermitted):
        flow.act(case_id, "approve_training", "bithu.trung")  # the grassroots committee approves
    flow.act(case_id, "approve_training", "danguy.phucthang")
    with pytest.raises(NotPermitted):
        flow.result(case_id, username="danguy.phucthang")  # the superior's organisation board records
    with pytest.raises(NotPermitted):
        flow.result(case_id, username="thuongvu.nghiahung")


def test_rule__candidacy__failed_course_returns_to_nominated(flow):
    person = flow.candidates()[2]
    case_id = flow.to_training(person)
    before = len(flow.certificates(person))
    result = flow.result(case_id, result="failed", score="4")
    assert result.to_state == "nominated" and result.outcome == "failed"
    case = flow.case(case_id)
    assert case.state == "nominated" and not case.is_closed
    assert case.data["results"][-1]["result"] == "failed"
    assert len(flow.certificates(person)) == before  # no certificate for a fail
    # A later course: approved again, passed this time.
    flow.act(case_id, "approve_training", "danguy.phucthang")
    assert flow.result(case_id, number="NH-LATER-1").to_state == "certified"
    assert [e.action for e in flow.events(case_id)] == ["start", "approve_training", "record_result",
                                                        "approve_training", "record_result"]


def test_rule__candidacy__pass_records_the_certificate(flow):
    person = flow.candidates()[2]
    case_id = flow.to_training(person)
    assert flow.result(case_id, number="NH-2026-0042", score="9").to_state == "certified"
    cert = flow.certificates(person)[-1]
    assert (cert.kind, cert.number, cert.issued_on, cert.score) == ("party_knowledge", "NH-2026-0042",
                                                                    dt.date(2026, 11, 19), 9.0)
    assert cert.issuer == "Trung tâm Chính trị huyện Nghĩa Hưng"
    assert flow.case(case_id).data["certificate_id"] == cert.id
    # A pass needs its certificate; a certificate number is unique.
    other = flow.to_training(flow.candidates("dong")[2], branch="dong")
    with pytest.raises(GuardFailed, match="certificate number and its date"):
        flow.act(other, "record_result", "tochuc.nghiahung", course_name="Lớp", course_starts_on="2026-11-09",
                 course_ends_on="2026-11-13", score="8", result="passed")
    with pytest.raises(GuardFailed, match="already on file"):
        flow.result(other, number="NH-2026-0042")
    assert flow.case(other).state == "in_training"


def test_rule__candidacy__open_admission_opens_a_draft_dossier(flow):
    from app.extensions import db
    from cases.admission.registration import checklist

    person = flow.candidates()[2]
    case_id = flow.to_training(person)
    flow.result(case_id, number="NH-2026-0100")
    result = flow.act(case_id, "open_admission", "bithu.trung")
    assert result.to_state == "admission_opened"
    case = flow.case(case_id)
    assert case.is_closed
    admission = flow.case(case.data["admission_case_id"])
    assert (admission.process, admission.state, admission.person_id) == ("admission", "draft", person)
    assert admission.data["candidacy_case_id"] == case_id
    assert admission.data["certificate"]["number"] == "NH-2026-0100"
    assert flow.events(admission.id)[0].actor_id == flow.user("bithu.trung").id
    certificate = next(c for c in checklist(db.session, admission) if c.rule == "certificate")
    assert certificate.passed and "NH-2026-0100" in certificate.reason


def test_candidacy__only_the_branch_secretary_opens_the_admission(flow):
    case_id = flow.to_training(flow.candidates()[2])
    flow.result(case_id)
    with pytest.raises(NotPermitted):
        flow.act(case_id, "open_admission", "danguy.phucthang")
    assert flow.case(case_id).state == "certified"


def test_rule__candidacy__certificate_over_60_months_refused(flow):
    """At open_admission and by the admission's eligibility rule, on the same day."""
    from app.extensions import db
    from cases import certificates as admission_rules
    from core.models import Person

    person = flow.candidates()[2]
    case_id = flow.to_training(person)
    flow.result(case_id, number="NH-OLD-1", date="2026-11-19")
    cert = flow.certificates(person)[-1]

    # 60 months to the day: still valid, for both.
    assert admission_rules.certificate_check(cert, dt.date(2031, 11, 19)).passed
    # 60 months and 1 day: refused by the admission eligibility rule ...
    check = admission_rules.certificate_check(cert, dt.date(2031, 11, 20))
    assert not check.passed and "60 months" in check.reason
    # ... and at open_admission, with the same reason; nothing is opened.
    flow.at("2031-11-20")
    with pytest.raises(GuardFailed) as refused:
        flow.act(case_id, "open_admission", "bithu.trung")
    assert check.reason in refused.value.reasons
    assert flow.case(case_id).state == "certified"

    # An admission opened directly is refused at submission by the same rule.
    admission_id = flow.open(person)
    with pytest.raises(GuardFailed) as at_submit:
        flow.submit(admission_id)
    assert check.reason in at_submit.value.reasons
    assert db.session.get(Person, person).status.value == "candidate"

    # A certified case whose certificate expired can be dropped by the grassroots committee.
    assert flow.act(case_id, "drop", "danguy.phucthang", reason="Chứng chỉ đã hết hạn.").to_state == "dropped"


def test_rule__candidacy__certificate_over_60_months_refused__60_months_to_the_day_opens(flow):
    person = flow.candidates()[2]
    case_id = flow.to_training(person)
    flow.result(case_id, number="NH-EDGE-1", date="2026-11-19")
    flow.at("2031-11-19")
    assert flow.act(case_id, "open_admission", "bithu.trung").to_state == "admission_opened"


def test_rule__candidacy__drop_ends_the_candidacy(flow):
    case_id = flow.nominate(flow.candidates()[2])
    with pytest.raises(NotPermitted):
        flow.act(case_id, "drop", "bithu.trung", reason="x")
    assert flow.act(case_id, "drop", "danguy.phucthang", reason="Không còn phấn đấu.").to_state == "dropped"
    assert flow.case(case_id).is_closed
