"""Admission through the pages, step by step, with the permission and
idempotency rules of the issue."""

import datetime as dt

import pytest

from tests.admission_flow import audit_count, case_state, latest_case_id, vote
from tests.demo_people import candidate, officials

TODAY = dt.date(2026, 11, 20)  # the controllable clock is set to this day (a Friday)


def open_ready_case(app, pages, demo) -> int:
    pages.as_user("bithu.trung")
    response = pages.open_admission(candidate(demo).id)
    assert response.status_code == 302, response.get_data(as_text=True)
    case_id = latest_case_id(app)
    for kind in ("1-KNĐ", "2-KNĐ", "3-KNĐ", "3-KNĐ", "5-KNĐ"):
        assert pages.upload(case_id, kind, issued_on="2026-10-01").status_code == 302
    return case_id


def submit(pages, case_id, demo, **override):
    o = officials(demo)
    fields = {"introducer_1": o[2].id, "introducer_1_since": "2020-01-01",
              "introducer_2": o[3].id, "introducer_2_since": "2021-05-01", "union_resolution": ""}
    fields.update(override)
    return pages.act(case_id, "submit", **fields)


def to_superior_decision(app, pages, demo) -> int:
    case_id = open_ready_case(app, pages, demo)
    assert submit(pages, case_id, demo).status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "certify_background", findings="Lý lịch rõ ràng.").status_code == 302
    pages.as_user("bithu.trung")
    assert pages.act(case_id, "record_opinions", summary="Nhất trí.").status_code == 302
    assert pages.act(case_id, "record_branch_vote", **vote("2026-11-10", 10, 10, 9, 1)).status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "record_grassroots_vote", **vote("2026-11-12", 9, 9, 8, 1)).status_code == 302
    pages.as_user("tochuc.nghiahung")
    assert pages.act(case_id, "appraise", appraisal="Đủ điều kiện.").status_code == 302
    return case_id


def to_probation(app, pages, demo) -> int:
    case_id = to_superior_decision(app, pages, demo)
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(case_id, "decide_admit", decision_number="123-QĐ/HU", decision_date="2026-11-18",
                     **vote("2026-11-18", 15, 13, 12, 1)).status_code == 302
    pages.as_user("bithu.trung")
    response = pages.act(case_id, "hold_ceremony", ceremony_date="2026-11-20", mentor_id=officials(demo)[4].id)
    assert response.status_code == 302, response.get_data(as_text=True)
    return case_id


def test_admission__pages_take_a_candidate_to_probation(app, pages, demo):
    case_id = to_probation(app, pages, demo)
    assert case_state(app, case_id) == "probation"
    html = pages.case_page(case_id)
    assert "Đang dự bị" in html
    assert "Quyết định số 123-QĐ/HU" in html
    from app.extensions import db
    from core.models import Person

    with app.app_context():
        person = db.session.get(Person, candidate(demo).id)
        assert person.status.value == "probationary"
        assert person.admission_date == dt.date(2026, 11, 18)  # party age from the decision date


def test_admission__checklist_shows_every_rule_before_submit(app, pages, demo):
    pages.as_user("bithu.trung")
    pages.open_admission(candidate(demo, index=3).id)  # the fourth candidate has no certificate
    html = pages.case_page(latest_case_id(app))
    for rule in ("age", "education", "certificate", "introducers", "documents", "documents_fresh"):
        assert f'data-rule="{rule}"' in html
    assert 'data-rule="certificate" data-passed="no"' in html
    assert "Chưa có giấy chứng nhận" in html


@pytest.mark.parametrize("at_decision", [True, False])
def test_rule__admission__who_acts_at_each_step(app, pages, demo, at_decision):
    case_id = to_superior_decision(app, pages, demo) if at_decision else open_ready_case(app, pages, demo)
    state = case_state(app, case_id)
    pages.as_user("bithu.trung")
    before = audit_count(app, case_id)
    response = pages.act(case_id, "decide_admit", decision_number="1", decision_date="2026-11-18",
                         **vote("2026-11-18", 15, 13, 12, 1))
    assert response.status_code == 403
    assert audit_count(app, case_id) == before
    assert case_state(app, case_id) == state


def test_admission__double_submitted_form_moves_once(app, pages, demo):
    case_id = open_ready_case(app, pages, demo)
    o = officials(demo)
    fields = dict(introducer_1=o[2].id, introducer_1_since="2020-01-01", introducer_2=o[3].id,
                  introducer_2_since="2020-01-01", union_resolution="")
    first = pages.act(case_id, "submit", key="same-key-123", **fields)
    events = audit_count(app, case_id)
    second = pages.client.post(f"/cases/{case_id}/actions/submit", data=dict(
        fields, csrf_token=pages.token(f"/cases/{case_id}"), expected_version=2, idempotency_key="same-key-123"))
    assert first.status_code == 302 and second.status_code == 302
    assert audit_count(app, case_id) == events
    assert case_state(app, case_id) == "background_check"


def test_admission__other_district_gets_404(app, pages, demo):
    case_id = open_ready_case(app, pages, demo)
    pages.as_user("bithu.tdp4")
    assert pages.client.get(f"/cases/{case_id}").status_code == 404
    assert pages.client.get(f"/cases/{case_id}/history").status_code == 404
    assert pages.client.get(f"/cases/{case_id}/documents/1").status_code == 404
    response = pages.client.post(f"/cases/{case_id}/actions/submit", data={"csrf_token": pages.token("/")})
    assert response.status_code == 404


def test_admission__refusal_explained_and_input_kept(app, pages, demo):
    case_id = open_ready_case(app, pages, demo)
    o = officials(demo)
    response = pages.act(case_id, "submit", introducer_1=o[2].id, introducer_1_since="2020-01-01",
                         union_resolution="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cần 2 đảng viên chính thức giới thiệu; hiện chỉ có 1 người hợp lệ." in html
    assert 'value="2020-01-01"' in html  # the user's input is kept
    assert case_state(app, case_id) == "draft"
