"""Discipline rules of DOMAIN.md's table and lists not proven elsewhere: the
statute of limitations by form, the majority for other forms, the report
dismissed, the review at its reviewing unit, the superior's free choice of form
and its decision not to discipline (SQLite and PostgreSQL)."""

from tests.admission_flow import case_state, latest_case_id, vote
from tests.demo_people import plain_member
from tests.discipline_flow import at_branch_vote, branch_vote, case_data, new_case, refusal, report_fields


def test_rule__discipline__limitation_10_years_for_a_warning_or_dismissal(app, pages, demo):
    late = at_branch_vote(app, pages, plain_member(demo).id, violation_date="2016-11-19")  # 10 years and 1 day
    text = refusal(branch_vote(pages, late, "warning"))
    assert "19/11/2016" in text and "10" in text and "19/11/2026" in text
    in_time = at_branch_vote(app, pages, plain_member(demo, 4).id, violation_date="2016-11-20")  # 10 years exactly
    assert branch_vote(pages, in_time, "warning").status_code == 302
    assert case_state(app, in_time) == "decided"


def test_rule__discipline__no_limitation_for_expulsion(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id, violation_date="1998-03-01")
    assert "thời hiệu" in refusal(branch_vote(pages, case_id, "warning"))
    assert branch_vote(pages, case_id, "expulsion", tally=(10, 10, 8, 2)).status_code == 302
    assert case_state(app, case_id) == "upper_review"


def test_rule__discipline__other_forms_need_a_majority(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id)
    assert branch_vote(pages, case_id, "reprimand", tally=(10, 10, 6, 4)).status_code == 302  # 6 of 10: more than half
    assert case_state(app, case_id) == "decided"
    # A proposal of an expulsion by the same 6 of 10 goes up, failed: it needs 2/3.
    other = at_branch_vote(app, pages, plain_member(demo, 4).id)
    assert branch_vote(pages, other, "expulsion", tally=(10, 10, 6, 4)).status_code == 302
    assert case_data(app, other)["proposals"][-1]["passed"] is False


def _reported(app, pages, demo, officer="kiemtra.nghiahung", unit="nghiahung"):
    pages.as_user(officer)
    response = new_case(pages, "discipline", plain_member(demo).id, unit=demo.units[unit].id, **report_fields())
    assert response.status_code == 302, response.get_data(as_text=True)
    return latest_case_id(app)


def test_rule__discipline__dismissed_report_closes_the_case(app, pages, demo):
    case_id = _reported(app, pages, demo)
    assert pages.act(case_id, "dismiss_report", reason="Đơn nặc danh, không có căn cứ.").status_code == 302
    assert case_state(app, case_id) == "closed_no_violation"
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        assert db.session.get(Case, case_id).closed_at is not None


def test_rule__discipline__review_concluded_at_the_reviewing_unit(app, pages, demo):
    case_id = _reported(app, pages, demo)
    assert pages.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 302
    assert pages.act(case_id, "open_review", note="Xác minh.").status_code == 302  # at Huyện ủy Nghĩa Hưng
    pages.as_user("danguy.phucthang")  # a committee member below: not the reviewing unit
    response = pages.act(case_id, "conclude_review", conclusion="violation", findings="Có vi phạm.")
    assert response.status_code == 403
    assert case_state(app, case_id) == "review"
    pages.as_user("kiemtra.nghiahung")
    assert pages.act(case_id, "conclude_review", conclusion="violation", findings="Có vi phạm.").status_code == 302
    assert case_state(app, case_id) == "self_review"


def _at_superior(app, pages, demo):
    from tests.integration.test_discipline__rules import _expulsion_at_superior

    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 8, 2))
    pages.as_user("thuongvu.nghiahung")
    return case_id


def test_rule__discipline__superior_may_choose_another_form(app, pages, demo):
    case_id = _at_superior(app, pages, demo)
    response = pages.act(case_id, "decide", final_form="warning", decision_number="47-QĐ/HU",
                         decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2))
    assert response.status_code == 302, response.get_data(as_text=True)
    data = case_data(app, case_id)
    assert (data["proposed_form"], data["final_form"], data["decided_by"]) == ("expulsion", "warning", "superior")


def test_rule__discipline__superior_may_decide_no_discipline(app, pages, demo):
    case_id = _at_superior(app, pages, demo)
    assert pages.act(case_id, "decide_no_discipline", decision_number="48-QĐ/HU", decision_date="2026-11-20",
                     reason="Vi phạm chưa đến mức kỷ luật.").status_code == 302
    assert case_state(app, case_id) == "not_disciplined"
    assert "final_form" not in case_data(app, case_id)
