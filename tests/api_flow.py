"""Helpers to drive cases through the JSON API (the ``api`` fixture's client)."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.demo_people import candidate, officials, opening

DISCIPLINE_REPORT = {"violation_date": "2026-09-01", "category": "party_activity",
                     "description": "Không tham gia sinh hoạt chi bộ và không thực hiện nhiệm vụ được phân công."}


def step(api, case_id, user, action, payload, expect_state):
    """``user`` sees ``action`` among the available ones, takes it, and the case moves to ``expect_state``."""
    api.as_user(user)
    names = [a["name"] for a in api.case(case_id)["available_actions"]]
    assert action in names, (user, action, names)
    response = api.act(case_id, action, payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["state"] == expect_state
    return body


def open_ready_case(api, demo) -> int:
    """bithu.trung opens an admission for the first candidate and uploads the dossier."""
    api.as_user("bithu.trung")
    with opening():
        response = api.post("/cases", json={"type": "admission", "person_id": candidate(demo).id})
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert case["state"] == "draft" and case["version"] == 1
    for kind in ("1-KNĐ", "2-KNĐ", "3-KNĐ", "3-KNĐ", "5-KNĐ"):
        upload = api.upload(case["id"], kind, issued_on="2026-10-01")
        assert upload.status_code == 201, upload.get_data(as_text=True)
    return case["id"]


def submit_payload(demo, **override) -> dict:
    o = officials(demo)
    payload = {"introducer_1": o[2].id, "introducer_1_since": "2020-01-01", "introducer_2": o[3].id,
               "introducer_2_since": "2021-05-01", "union_resolution": ""}
    payload.update(override)
    return payload


def to_superior_decision(api, demo) -> int:
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    step(api, case_id, "danguy.phucthang", "certify_background", {"findings": "Lý lịch rõ ràng."}, "opinions")
    step(api, case_id, "bithu.trung", "record_opinions",
         {"summary": "Đoàn thanh niên và chi bộ nơi cư trú nhất trí."}, "branch_vote")
    step(api, case_id, "bithu.trung", "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1), "grassroots_vote")
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-11-12", 9, 9, 8, 1),
         "superior_review")
    step(api, case_id, "tochuc.nghiahung", "appraise", {"appraisal": "Hồ sơ đầy đủ, đủ điều kiện."},
         "superior_decision")
    return case_id
