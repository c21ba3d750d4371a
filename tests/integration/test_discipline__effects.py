"""Discipline effects: announcement, appeals, lapse, "under discipline", and the
linked removal of a probationary member (SQLite and PostgreSQL)."""

import datetime as dt

import sqlalchemy as sa

from tests.admission_flow import case_state, vote
from tests.demo_people import committee_member, members, plain_member
from tests.discipline_flow import (announce, at_branch_vote, branch_vote, case_data, decided_by_branch, person_status,
                                   refusal)


def _fire(app) -> int:
    from app.extensions import db
    from workflow.timers import fire_due_timers

    with app.app_context():
        return fire_due_timers(db.session)


def _transfer_check(app, person_id, on=None):
    from app.extensions import db
    from cases.discipline.rules import is_under_discipline, transfer_check

    with app.test_request_context("/"):  # a transfer or appointment is checked within a request
        return transfer_check(db.session, person_id, on), is_under_discipline(db.session, person_id, on)


def _pending_timers(app, case_id):
    from app.extensions import db
    from workflow.timers import pending_timers

    with app.app_context():
        return [(t.action, t.due_at) for t in pending_timers(db.session, case_id)]


def test_rule__discipline__member_under_discipline_cannot_be_transferred_appointed_or_promoted(app, pages, demo,
                                                                                         clock_file):
    member = plain_member(demo)
    case_id = decided_by_branch(app, pages, member.id, form="warning")
    assert case_data(app, case_id)["final_form"] == "warning"
    assert _transfer_check(app, member.id) == (None, False)  # decided, not yet announced
    announce(pages, case_id, "2026-11-20")
    message, under = _transfer_check(app, member.id)
    assert under is True
    assert member.full_name in message and "cảnh cáo" in message and "20/11/2026" in message
    assert "không được điều động, bổ nhiệm" in message
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert 'data-testid="under-discipline"' in html and "Đang chịu kỷ luật" in html
    assert _pending_timers(app, case_id) == [("lapse", dt.datetime(2027, 11, 19, 17, 0))]

    clock_file.write_text("2027-11-19T16:00:00Z")  # 23:00 on 19/11/2027 in Vietnam: not yet
    assert _fire(app) == 0
    assert _transfer_check(app, member.id)[1] is True
    clock_file.write_text("2027-11-19T17:00:01Z")  # 12 months after the announcement
    assert _fire(app) == 1
    assert case_state(app, case_id) == "lapsed"
    assert _transfer_check(app, member.id) == (None, False)
    # Asked about a day while it was in force, the answer is still yes.
    assert _transfer_check(app, member.id, dt.date(2027, 3, 1))[1] is True
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert 'data-testid="under-discipline"' not in html and "Kỷ luật đã hết hiệu lực" in html


def test_rule__discipline__no_lapse_while_an_appeal_is_open(app, pages, demo, clock_file):
    member = plain_member(demo)
    case_id = decided_by_branch(app, pages, member.id, form="warning")
    announce(pages, case_id, "2026-11-20")
    pages.as_user("bithu.trung")
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Xin xem xét lại.").status_code == 302
    assert _pending_timers(app, case_id) == []
    clock_file.write_text("2028-01-01T03:00:00Z")
    assert _fire(app) == 0
    assert case_state(app, case_id) == "appeal_review"
    assert _transfer_check(app, member.id)[1] is True  # still in force while appealed
    # One level above the deciding branch is the Phúc Thắng committee: the district's
    # inspection officer (two levels up) may not resolve it.
    pages.as_user("kiemtra.nghiahung")
    assert 'data-action="resolve_appeal"' not in pages.case_page(case_id)
    from app.extensions import db
    from core.enums import Role
    from core.models import RoleAssignment

    with app.app_context():
        db.session.add(RoleAssignment(user_id=demo.users["danguy.phucthang"].id, unit_id=demo.units["phucthang"].id,
                                      role=Role.standing_member))
        db.session.commit()
    pages.as_user("danguy.phucthang")
    response = pages.act(case_id, "resolve_appeal", result="upheld", decision_number="3-QĐ/ĐU",
                         decision_date="2028-01-01", reasoning="Đúng người, đúng vi phạm.")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert case_state(app, case_id) == "in_force"
    # Re-armed at the announcement + 12 months, already past: it lapses at the next poll.
    assert _pending_timers(app, case_id) == [("lapse", dt.datetime(2027, 11, 19, 17, 0))]
    assert _fire(app) == 1
    assert case_state(app, case_id) == "lapsed"


def test_rule__discipline__expulsion_expels_and_is_final_once_the_appeal_window_has_passed(app, pages, demo, clock_file):
    from tests.integration.test_discipline__rules import _expulsion_at_superior

    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 8, 2))
    pages.as_user("thuongvu.nghiahung")
    response = pages.act(case_id, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                         decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2))
    assert response.status_code == 302, response.get_data(as_text=True)
    announce(pages, case_id, "2026-11-20")
    assert person_status(app, member.id) == "expelled"
    assert [a for a, _ in _pending_timers(app, case_id)] == ["close_appeal_window"]
    clock_file.write_text("2026-12-21T03:00:00Z")
    assert _fire(app) == 1
    assert case_state(app, case_id) == "in_force"
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        assert db.session.get(Case, case_id).closed_at is not None
    clock_file.write_text("2028-01-01T03:00:00Z")
    assert _fire(app) == 0
    assert case_state(app, case_id) == "in_force"


def test_rule__discipline__appeal_upheld_changed_or_annulled__changed_restores_membership(app, pages, demo, clock_file):
    from tests.integration.test_discipline__rules import _expulsion_at_superior

    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 8, 2))
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(case_id, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                     decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)).status_code == 302
    announce(pages, case_id, "2026-11-20")
    pages.as_user("bithu.trung")
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Xin giảm hình thức.").status_code == 302
    pages.as_user("kiemtra.tinh")
    assert "Giải quyết khiếu nại" in pages.case_page(case_id)
    response = pages.act(case_id, "resolve_appeal", result="changed", new_form="warning", decision_number="7-QĐ/TU",
                         decision_date="2026-11-20", reasoning="Vi phạm lần đầu, thành khẩn.")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert person_status(app, member.id) == "official"
    data = case_data(app, case_id)
    assert data["final_form"] == "warning" and data["appeal"]["previous_form"] == "expulsion"
    assert [a for a, _ in _pending_timers(app, case_id)] == ["lapse"]
    # Only one appeal.
    pages.as_user("bithu.trung")
    assert "đã được khiếu nại" in refusal(pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Lần 2."))


def test_rule__posts__ended_by_a_dismissals_announcement(app, pages, demo):
    import re

    member = committee_member(demo)
    case_id = at_branch_vote(app, pages, member.id)
    post_id = re.search(r'<option value="(\d+)">Đảng ủy viên', pages.case_page(case_id)).group(1)
    assert branch_vote(pages, case_id, "dismissal", post_id=post_id).status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "record_grassroots_vote", proposed_form="dismissal", resolution_number="7-NQ/ĐU",
                     post_id=post_id, **vote("2026-11-20", 9, 9, 8, 1)).status_code == 302
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(case_id, "decide", final_form="dismissal", post_id=post_id, decision_number="46-QĐ/HU",
                     decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)).status_code == 302
    announce(pages, case_id, "2026-11-20")
    from app.extensions import db
    from core.models import Post

    with app.app_context():
        assert db.session.get(Post, int(post_id)).ended_on == dt.date(2026, 11, 20)
    pages.as_user("bithu.trung")
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Không đúng sự thật.").status_code == 302
    pages.as_user("thuongvu.tinh")
    assert pages.act(case_id, "resolve_appeal", result="annulled", decision_number="8-QĐ/TU",
                     decision_date="2026-11-20", reasoning="Không đủ căn cứ.").status_code == 302
    assert case_state(app, case_id) == "annulled"
    with app.app_context():
        assert db.session.get(Post, int(post_id)).ended_on is None
    assert _transfer_check(app, member.id) == (None, False)


def test_rule__discipline__probationary_member_removed_instead(app, pages, demo):
    member = members(demo, status="probationary")[0]
    case_id = at_branch_vote(app, pages, member.id)
    other = at_branch_vote(app, pages, plain_member(demo).id)
    assert "dự bị" in refusal(pages.act(other, "propose_removal", meeting_date="2026-11-20", reason="x"))
    response = pages.act(case_id, "propose_removal", meeting_date="2026-11-20",
                         reason="Vi phạm nghiêm trọng, cảnh cáo là chưa tương xứng.")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert case_state(app, case_id) == "not_disciplined"
    removal_id = case_data(app, case_id)["removal_case_id"]
    removal = case_data(app, removal_id)
    assert removal["discipline_case_id"] == case_id and removal["grounds"] == "probationary_serious_violation"
    assert case_state(app, removal_id) == "proposed"
    assert f'/cases/{removal_id}"' in pages.case_page(case_id)
    assert f'/cases/{case_id}"' in pages.case_page(removal_id)
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert f"/cases/{case_id}" in html and f"/cases/{removal_id}" in html


def test_discipline__the_person_page_links_every_case_of_the_member(app, pages, demo):
    member = plain_member(demo)
    first = decided_by_branch(app, pages, member.id)
    second = at_branch_vote(app, pages, member.id)
    html = pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    assert 'data-testid="person-cases"' in html
    assert f'href="/cases/{first}"' in html and f'href="/cases/{second}"' in html
    assert "Kỷ luật đảng viên" in html
    from app.extensions import db
    from workflow.models import AuditEvent

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.case_id == first)) >= 3


def test_rule__discipline__appeal_resolved_one_level_above_the_deciding_body(app, pages, demo):
    from tests.integration.test_discipline__rules import _expulsion_at_superior

    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 8, 2))
    pages.as_user("thuongvu.nghiahung")
    inbox = pages.client.get("/inbox").get_data(as_text=True)
    assert f'/cases/{case_id}"' in inbox and "Quyết định kỷ luật" in inbox
    listing = pages.client.get("/cases?type=discipline&state=superior_decision").get_data(as_text=True)
    assert f'/cases/{case_id}"' in listing
    assert pages.act(case_id, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                     decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)).status_code == 302
    assert f'/cases/{case_id}"' not in pages.client.get("/inbox").get_data(as_text=True)
    pages.as_user("bithu.trung")
    assert f'/cases/{case_id}"' in pages.client.get("/inbox").get_data(as_text=True)
    from tests.discipline_flow import announce

    announce(pages, case_id)
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Xin xem xét lại.").status_code == 302
    pages.as_user("kiemtra.tinh")
    assert f'/cases/{case_id}"' in pages.client.get("/inbox").get_data(as_text=True)
    pages.as_user("kiemtra.nghiahung")  # the deciding level itself may not resolve the appeal
    assert f'/cases/{case_id}"' not in pages.client.get("/inbox").get_data(as_text=True)
