"""A removal from the rolls (xóa tên) through the API, counted by the summary report."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.api_flow import step
from tests.demo_people import plain_member


def test_api__removal_to_removed(api, demo):
    member = plain_member(demo, index=5)
    api.as_user("bithu.trung")
    response = api.post("/cases", json={"type": "removal", "person_id": member.id,
                                        "grounds": "missed_activities_or_dues", "months_missed": 4,
                                        "description": "Bỏ sinh hoạt và không đóng đảng phí 4 tháng."})
    assert response.status_code == 201, response.get_data(as_text=True)
    case_id = response.get_json()["id"]
    assert api.upload(case_id, "evidence", issued_on="2026-11-01").status_code == 201
    step(api, case_id, "bithu.trung", "record_self_review", {"submitted": "yes"}, "branch_vote")
    step(api, case_id, "bithu.trung", "record_branch_vote", vote("2026-11-20", 10, 10, 9, 1), "grassroots_vote")
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-11-20", 9, 9, 8, 1),
         "superior_decision")
    body = step(api, case_id, "thuongvu.nghiahung", "decide_remove",
                {"decision_number": "77-QĐ/HU", "decision_date": "2026-11-20", **vote("2026-11-20", 15, 13, 12, 1)},
                "removed")
    assert body["person"]["status"] == "removed" and body["closed_at"] is not None
    summary = api.get("/reports/summary?year=2026").get_json()
    assert summary["removals"] == {"total": 1}
    assert summary["cases"]["removal"]["by_outcome"] == {"removed": 1}
