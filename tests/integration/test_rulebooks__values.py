"""Each rulebook value lives in the rulebook only: change it in a fixture and the
admission's decision and ceremony deadlines, probation end (its timer), document
and certificate validity (in a case and on a person) follow."""

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from tests.admission_flow import Flow, vote
from workflow.errors import GuardFailed

PROBATION_MONTHS, CERTIFICATE_MONTHS, DOCUMENT_MONTHS, DECISION_DAYS, CEREMONY_DAYS = 6, 24, 3, (20, 5), (10, 0)


@pytest.fixture
def flow(app, demo, clock_file):
    with app.test_request_context("/"):
        yield Flow(app, demo, clock_file).at("2026-11-20")


@pytest.fixture
def changed_rules(monkeypatch):
    """The party's one rulebook set (every process and every reader of
    ``cases.rulebooks``), with other values than DOMAIN.md's."""
    from cases.rulebooks import RULEBOOKS

    changed = [dataclasses.replace(rulebook, probation_months=PROBATION_MONTHS,
                                   certificate_valid_months=CERTIFICATE_MONTHS, document_valid_months=DOCUMENT_MONTHS,
                                   deadlines={**rulebook.deadlines, "admission_decision": DECISION_DAYS,
                                              "ceremony": CEREMONY_DAYS})
               for rulebook in RULEBOOKS]
    monkeypatch.setattr(RULEBOOKS, "_by_date", changed)
    monkeypatch.setattr(RULEBOOKS, "_by_code", {r.code: r for r in changed})
    return RULEBOOKS


def test_rule__rulebooks__decision_deadline_and_probation_follow_the_rulebook(flow, changed_rules):
    from app.extensions import db
    from cases.dates import local_midnight
    from workflow import calendar
    from workflow.models import Timer

    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-19", 10, 10, 9, 1))
    case = flow.case(case_id)
    assert changed_rules.get(case.rulebook).deadline("admission_decision") == DECISION_DAYS
    assert (case.deadline_kind, case.deadline_at) == ("admission_decision",
                                                      calendar.deadline_at(dt.date(2026, 11, 19), 20))

    flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-19", 9, 9, 9, 0))
    flow.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Đủ điều kiện.")
    flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="9-QĐ/HU", decision_date="2026-11-20",
             **vote("2026-11-20", 15, 13, 12, 1))
    case = flow.case(case_id)
    assert (case.deadline_kind, case.deadline_at) == ("ceremony", calendar.deadline_at(dt.date(2026, 11, 20), 10))
    flow.act(case_id, "hold_ceremony", "bithu.trung", ceremony_date="2026-11-20", mentor_id=flow.officials()[4])
    case = flow.case(case_id)
    assert case.state == "probation"
    assert case.data["probation_ends"] == "2027-05-20"  # 6 months after the decision, not 12
    due = db.session.scalar(sa.select(Timer.due_at).where(Timer.case_id == case_id, Timer.action == "end_probation"))
    assert due == local_midnight(dt.date(2027, 5, 20))


def test_rule__rulebooks__certificate_validity_follows_the_rulebook(flow, changed_rules):
    from app.extensions import db
    from cases.admission.registration import checklist

    # 25 months old on 20/11/2026: valid for 60 months, not for 24.
    old = flow.open(flow.new_candidate("1998-01-01", certificate_on="2024-10-15"))
    certificate = next(c for c in checklist(db.session, flow.case(old)) if c.rule == "certificate")
    assert not certificate.passed and "chỉ có giá trị 24 tháng" in certificate.reason
    assert "không quá 24 tháng" in certificate.title
    with pytest.raises(GuardFailed):
        flow.submit(old)
    assert flow.case(old).state == "draft"

    # 23 months old: valid, until 24 months after its issue.
    recent = flow.open(flow.new_candidate("1998-01-01", certificate_on="2024-12-20"))
    certificate = next(c for c in checklist(db.session, flow.case(recent)) if c.rule == "certificate")
    assert certificate.passed and "20/12/2026" in certificate.reason
    flow.submit(recent)
    assert flow.case(recent).state == "background_check"


def test_rule__rulebooks__appeal_window_and_lapse_follow_the_rulebook():
    from types import SimpleNamespace

    from cases.dates import local_midnight
    from cases.discipline import effects, guards
    from cases.rulebooks import QD294_2025

    rulebook = dataclasses.replace(QD294_2025, appeal_window_months=2, lapse_months=6)
    ctx = SimpleNamespace(data={"announced_on": "2026-11-20", "final_form": "warning"}, rulebook=rulebook,
                          payload={"filed_on": "2027-01-20"})
    assert effects.lapse_due(ctx) == local_midnight(dt.date(2027, 5, 20))
    assert effects.appeal_window_end(ctx) == local_midnight(dt.date(2027, 1, 21))
    assert guards.appeal_in_window(ctx) is None  # two months after being told, not one
    ctx.payload = {"filed_on": "2027-01-21"}
    assert "20/01/2027" in guards.appeal_in_window(ctx)


def test_rulebook__document_validity_follows_the_rulebook(flow, changed_rules):
    from app.extensions import db
    from cases.admission.registration import checklist

    # Documents dated four months before the vote: fresh for 12 months, stale for 3.
    case_id = flow.open(flow.new_candidate("1998-01-01"), docs_dated="2026-07-20")
    documents = next(c for c in checklist(db.session, flow.case(case_id)) if c.rule == "documents_fresh")
    assert not documents.passed and "1-KNĐ" in documents.reason
    with pytest.raises(GuardFailed):
        flow.submit(case_id)


def test_rulebook__a_persons_certificate_follows_the_rulebook_in_force(changed_rules):
    from cases.certificates import certificate_check

    issued = dt.date(2024, 10, 15)
    check = certificate_check(type("Cert", (), {"issued_on": issued, "number": "X", "issuer": "Y"})(),
                              dt.date(2026, 11, 20))
    assert not check.passed  # 25 months old: valid for 60 months, not for 24
