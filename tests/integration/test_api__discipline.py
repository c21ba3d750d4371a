"""A whole discipline case, from a report to ``in_force``, through the JSON API alone."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.api_flow import step
from tests.demo_people import plain_member
from tests.discipline_flow import REPORT

def test_api__discipline_from_report_to_in_force(api, demo):
    member = plain_member(demo)
    api.as_user("danguy.phucthang")
    response = api.post("/cases", json={"type": "discipline", "person_id": member.id, **REPORT})
    assert response.status_code == 201, response.get_data(as_text=True)
    case = response.get_json()
    assert case["state"] == "reported" and case["type"] == "discipline"
    case_id = case["id"]
    assert api.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 201
    step(api, case_id, "danguy.phucthang", "open_review", {"note": "Xác minh việc sinh hoạt."}, "review")
    step(api, case_id, "danguy.phucthang", "conclude_review",
         {"conclusion": "violation", "findings": "Vắng 3 kỳ sinh hoạt không lý do."}, "self_review")
    step(api, case_id, "bithu.trung", "record_self_review",
         {"submitted": "yes", "self_criticism": "Tôi nhận khuyết điểm."}, "branch_vote")
    body = step(api, case_id, "bithu.trung", "record_branch_vote",
                {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand", **vote("2026-11-20", 10, 10, 9, 1)}, "decided")
    assert body["data"]["final_form"] == "reprimand"
    step(api, case_id, "bithu.trung", "announce", {"announced_on": "2026-11-20"}, "in_force")

    history = api.get(f"/cases/{case_id}/history").get_json()["items"]
    assert [e["action"] for e in history] == ["start", "upload_document", "open_review", "conclude_review",
                                              "record_self_review", "record_branch_vote", "announce"]
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {"ok": True}
    api.as_user("thuongvu.nghiahung")
    summary = api.get("/reports/summary?year=2026").get_json()
    assert summary["discipline"] == {"total": 1, "by_form": {"reprimand": 1},
                                     "people": {"total": 1, "by_form": {"reprimand": 1}}}
    assert summary["cases"]["discipline"]["opened"] == 1


def test_rule__discipline__branch_own_finding_starts_at_self_review(api, demo):
    api.as_user("bithu.trung")
    response = api.post("/cases", json={"type": "discipline", "person_id": plain_member(demo).id, **REPORT})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["state"] == "self_review"
    process = api.get("/processes/discipline").get_json()
    assert {s["state"] for s in process["starts"]} == {"reported", "self_review"}
    decide = next(t for t in process["transitions"] if t["action"] == "decide")
    assert decide["roles"] == ["inspection_officer", "standing_member"] and decide["level"] == "superior"
    assert decide["form_schema"]["properties"]["final_form"]["enum"] == ["reprimand", "warning", "dismissal",
                                                                         "expulsion"]


def test_api__discipline_report_fields_are_checked(api, demo):
    api.as_user("danguy.phucthang")
    response = api.post("/cases", json={"type": "discipline", "person_id": plain_member(demo).id,
                                        "violation_date": "2026-09-01"})
    assert response.status_code == 422
    assert {"category", "description"} <= set(response.get_json()["errors"])
    response = api.post("/cases", json={"type": "discipline", "person_id": plain_member(demo).id, **REPORT,
                                        "state": "in_force"})
    assert response.status_code == 422 and "state" in response.get_json()["errors"]
