"""Discipline rules of issue 12 that refused nothing before: evidence before a
violation is established, dismissal only from a post still held at the vote,
the appeal against a branch's decision resolved by the grassroots committee,
and only the actions that apply to the case's facts offered (SQLite and PostgreSQL)."""

import re

from tests.admission_flow import case_state, latest_case_id, vote
from tests.demo_people import committee_member, members, plain_member
from tests.discipline_flow import (announce, at_branch_vote, branch_vote, case_data, decided_by_branch, new_case,
                                   refusal, report_fields)

EVIDENCE_REFUSAL = "tài liệu chứng cứ"


def offered(html: str, action: str) -> bool:
    """Does the case page offer ``action`` (a form for it, not a line of the history)?"""
    return re.search(rf'<details[^>]*data-action="{action}"', html) is not None


def _reported(app, pages, demo, person_id):
    """kiemtra.nghiahung reports the member (no evidence yet) and opens the review."""
    pages.as_user("kiemtra.nghiahung")
    response = new_case(pages, "discipline", person_id, unit=demo.units["nghiahung"].id, **report_fields())
    assert response.status_code == 302, response.get_data(as_text=True)
    case_id = latest_case_id(app)
    assert pages.act(case_id, "open_review", note="Xác minh.").status_code == 302
    return case_id


def test_rule__discipline__evidence_before_the_review_establishes_a_violation(app, pages, demo):
    case_id = _reported(app, pages, demo, plain_member(demo).id)
    text = refusal(pages.act(case_id, "conclude_review", conclusion="violation", findings="Vi phạm có thật."))
    assert EVIDENCE_REFUSAL in text
    assert case_state(app, case_id) == "review"
    assert pages.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 302
    assert pages.act(case_id, "conclude_review", conclusion="violation", findings="Vi phạm có thật.").status_code == 302
    assert case_state(app, case_id) == "self_review"


def test_rule__discipline__evidence_before_the_review_establishes_a_violation__not_to_close_the_case(app, pages, demo):
    case_id = _reported(app, pages, demo, plain_member(demo).id)
    assert pages.act(case_id, "conclude_review", conclusion="no_violation", findings="Không có vi phạm.").status_code == 302
    assert case_state(app, case_id) == "closed_no_violation"


def test_rule__discipline__evidence_before_the_review_establishes_a_violation__and_before_a_branch_decides_its_finding(app, pages, demo):
    pages.as_user("bithu.trung")
    assert new_case(pages, "discipline", plain_member(demo).id, **report_fields()).status_code == 302
    case_id = latest_case_id(app)
    assert pages.act(case_id, "record_self_review", submitted="yes", self_criticism="Nhận khuyết điểm.").status_code == 302
    assert EVIDENCE_REFUSAL in refusal(branch_vote(pages, case_id, "reprimand"))
    assert case_state(app, case_id) == "branch_vote"
    assert pages.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 302
    assert branch_vote(pages, case_id, "reprimand").status_code == 302
    assert case_state(app, case_id) == "decided"


def _post_id(pages, case_id) -> str:
    return re.search(r'<option value="(\d+)">Đảng ủy viên', pages.case_page(case_id)).group(1)


def test_rule__discipline__dismissal_names_a_post_held_at_the_vote__not_an_ended_one(app, pages, demo):
    member = committee_member(demo)
    first = at_branch_vote(app, pages, member.id)
    post_id = _post_id(pages, first)
    assert branch_vote(pages, first, "dismissal", post_id=post_id).status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(first, "record_grassroots_vote", proposed_form="dismissal", resolution_number="7-NQ/ĐU", post_id=post_id,
                     **vote("2026-11-20", 9, 9, 8, 1)).status_code == 302
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(first, "decide", final_form="dismissal", post_id=post_id, decision_number="46-QĐ/HU",
                     decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)).status_code == 302
    announce(pages, first, "2026-11-20")  # the post ends

    second = at_branch_vote(app, pages, member.id)
    assert f'<option value="{post_id}">' not in pages.case_page(second)  # no longer offered
    text = refusal(branch_vote(pages, second, "dismissal", post_id=post_id))
    assert member.full_name in text and "không còn giữ chức vụ" in text and "20/11/2026" in text
    assert case_state(app, second) == "branch_vote"


def test_rule__discipline__dismissal_names_a_post_held_at_the_vote__not_one_taken_after_it(app, pages, demo):
    import datetime as dt

    from app.extensions import db
    from core.models import Post

    member = plain_member(demo)
    with app.app_context():
        post = Post(person_id=member.id, unit_id=demo.units["trung"].id, title="Phó bí thư chi bộ",
                    committee_seat=False, started_on=dt.date(2026, 11, 15))
        db.session.add(post)
        db.session.commit()
        post_id = post.id
    case_id = at_branch_vote(app, pages, member.id)
    text = refusal(branch_vote(pages, case_id, "dismissal", meeting_date="2026-11-10", post_id=post_id))
    assert "15/11/2026" in text and "10/11/2026" in text
    assert branch_vote(pages, case_id, "dismissal", meeting_date="2026-11-16", post_id=post_id).status_code == 302


def _appealed_branch_decision(app, pages, demo):
    case_id = decided_by_branch(app, pages, plain_member(demo).id, form="warning")
    announce(pages, case_id, "2026-11-20")
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Xin xem xét lại.").status_code == 302
    assert case_state(app, case_id) == "appeal_review"
    return case_id


def test_rule__discipline__appeal_against_a_branch_decision_resolved_by_the_grassroots_committee(app, pages, demo):
    case_id = _appealed_branch_decision(app, pages, demo)
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        assert db.session.get(Case, case_id).reviewing_unit_id == demo.units["phucthang"].id
    for username in ("kiemtra.phucthang", "thuongvu.phucthang", "danguy.phucthang"):
        pages.as_user(username)
        assert offered(pages.case_page(case_id), "resolve_appeal"), username
        assert f'/cases/{case_id}"' in pages.client.get("/inbox").get_data(as_text=True), username
    for username in ("kiemtra.nghiahung", "thuongvu.nghiahung", "bithu.trung"):
        pages.as_user(username)
        assert not offered(pages.case_page(case_id), "resolve_appeal"), username
    pages.as_user("danguy.phucthang")  # a committee member of the grassroots committee
    response = pages.act(case_id, "resolve_appeal", result="upheld", decision_number="3-QĐ/ĐU",
                         decision_date="2026-11-20", reasoning="Đúng người, đúng vi phạm.")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert case_state(app, case_id) == "in_force"
    assert case_data(app, case_id)["appeal"]["result"] == "upheld"


def test_rule__discipline__appeal_against_a_branch_decision_resolved_by_the_grassroots_committee__committee_members_only_there(app, pages, demo):
    from app.extensions import db
    from core.enums import Role
    from core.models import RoleAssignment

    with app.app_context():  # a committee member of the Nghĩa Hưng committee (no such demo account)
        db.session.add(RoleAssignment(user_id=demo.users["tochuc.nghiahung"].id, unit_id=demo.units["nghiahung"].id,
                                      role=Role.committee_member))
        db.session.commit()
    case_id = at_branch_vote(app, pages, plain_member(demo).id, category="assigned_task")
    assert branch_vote(pages, case_id, "warning").status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "record_grassroots_vote", proposed_form="warning", resolution_number="7-NQ/ĐU",
                     **vote("2026-11-20", 11, 11, 9, 2)).status_code == 302
    announce(pages, case_id, "2026-11-20")
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Xin xem xét lại.").status_code == 302
    # The grassroots committee decided: the appeal goes to Nghĩa Hưng, where only its standing members and
    # inspection officers resolve it.
    pages.as_user("tochuc.nghiahung")
    assert not offered(pages.case_page(case_id), "resolve_appeal")
    pages.as_user("danguy.phucthang")
    assert not offered(pages.case_page(case_id), "resolve_appeal")
    pages.as_user("thuongvu.nghiahung")
    assert offered(pages.case_page(case_id), "resolve_appeal")


def test_rule__discipline__probationary_member_removed_instead__offered_only_for_one(app, pages, demo, api):
    official = at_branch_vote(app, pages, plain_member(demo).id)
    assert not offered(pages.case_page(official), "propose_removal")
    api.as_user("bithu.trung")
    assert "propose_removal" not in [a["name"] for a in api.case(official)["available_actions"]]
    # What is not offered is refused, with the reason, and changes nothing.
    text = refusal(pages.act(official, "propose_removal", meeting_date="2026-11-20", reason="Quá nặng."))
    assert "không phải đảng viên dự bị" in text
    assert case_state(app, official) == "branch_vote"
    probationary = at_branch_vote(app, pages, members(demo, status="probationary")[0].id)
    assert offered(pages.case_page(probationary), "propose_removal")
    assert "propose_removal" in [a["name"] for a in api.case(probationary)["available_actions"]]


def test_rule__discipline__one_appeal_per_discipline(app, pages, demo):
    case_id = _appealed_branch_decision(app, pages, demo)
    pages.as_user("kiemtra.phucthang")
    assert pages.act(case_id, "resolve_appeal", result="upheld", decision_number="3-QĐ/ĐU",
                     decision_date="2026-11-20", reasoning="Đúng.").status_code == 302
    pages.as_user("bithu.trung")
    assert not offered(pages.case_page(case_id), "file_appeal")
    # The case is no longer in the secretary's inbox: nothing there applies to it.
    assert f'/cases/{case_id}"' not in pages.client.get("/inbox").get_data(as_text=True)
    assert "đã được khiếu nại" in refusal(pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Lần 2."))
