"""A whole admission, to probation, through the JSON API alone, as the demo accounts."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, step, submit_payload, to_superior_decision
from tests.demo_people import candidate, officials


def test_api__admission_to_probation(api, demo):
    case_id = to_superior_decision(api, demo)
    body = step(api, case_id, "thuongvu.nghiahung", "decide_admit",
                dict(decision_number="123-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
                "awaiting_ceremony")
    assert body["deadline"] is not None and body["deadline"].endswith("Z")
    body = step(api, case_id, "bithu.trung", "hold_ceremony",
                {"ceremony_date": "2026-11-20", "mentor_id": officials(demo)[4].id}, "probation")
    assert body["person"]["status"] == "probationary"
    assert body["state_label"] == "Đang dự bị"

    history = api.get(f"/cases/{case_id}/history").get_json()["items"]
    actions = [e["action"] for e in history]
    assert actions[0] == "start" and actions[-1] == "hold_ceremony"
    assert actions.count("upload_document") == 5
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))
    assert set(history[-1]) >= {"seq", "at", "actor", "action", "from_state", "to_state", "payload", "comment",
                                "hash"}
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {"ok": True}

    person = api.get(f"/people?q={candidate(demo).full_name}").get_json()["items"][0]
    assert person["status"] == "probationary" and person["admission_date"] == "2026-11-18"


def test_api__available_actions_carry_the_form_schema(api, demo):
    case_id = open_ready_case(api, demo)
    case = api.case(case_id)
    submit = next(a for a in case["available_actions"] if a["name"] == "submit")
    schema = submit["form_schema"]
    assert schema["type"] == "object"
    assert schema["properties"]["introducer_1"]["type"] == "integer"
    assert schema["properties"]["introducer_1_since"] == {"type": "string", "format": "date",
                                                          "title": schema["properties"]["introducer_1_since"]["title"]}
    assert schema["properties"]["union_resolution"]["enum"] == ["", "youth_union", "trade_union"]
    api.as_user("bithu.trung")
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    api.as_user("danguy.phucthang")
    certify = next(a for a in api.case(case_id)["available_actions"] if a["name"] == "certify_background")
    findings = certify["form_schema"]["properties"]["findings"]
    assert findings["type"] == "string" and findings["maxLength"] == 4000
    assert certify["form_schema"]["required"] == ["findings"]


def test_api__vote_schema_has_number_ranges(api, demo):
    api.as_user("bithu.trung")
    process = api.get("/processes/admission").get_json()
    branch_vote = next(t for t in process["transitions"] if t["action"] == "record_branch_vote")
    assert branch_vote["role"] == "branch_secretary" and branch_vote["level"] == "branch"
    props = branch_vote["form_schema"]["properties"]
    assert props["entitled"]["minimum"] == 1 and props["votes_for"]["minimum"] == 0
    assert props["meeting_date"]["format"] == "date"
    assert set(branch_vote["form_schema"]["required"]) == {"meeting_date", "entitled", "present", "votes_for",
                                                           "votes_against"}
    assert process["mermaid"].startswith("stateDiagram-v2")
    assert {s["name"] for s in process["steps"]} >= {"draft", "probation", "official"}


def test_api__idempotent_retry_moves_once(api, demo):
    case_id = open_ready_case(api, demo)
    first = api.act(case_id, "submit", submit_payload(demo), idempotency_key="retry-1")
    second = api.act(case_id, "submit", submit_payload(demo), version=1, idempotency_key="retry-1")
    assert first.status_code == 200 and second.status_code == 200
    assert second.get_json()["state"] == "background_check"
    history = api.get(f"/cases/{case_id}/history").get_json()["items"]
    assert [e["action"] for e in history].count("submit") == 1


def test_api__vote_figures_named_for_and_against(api, demo):
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    step(api, case_id, "danguy.phucthang", "certify_background", {"findings": "Rõ ràng."}, "opinions")
    step(api, case_id, "bithu.trung", "record_opinions", {"summary": "Nhất trí."}, "branch_vote")
    body = step(api, case_id, "bithu.trung", "record_branch_vote",
                {"meeting_date": "2026-11-10", "entitled": 10, "present": 10, "for": 9, "against": 1},
                "grassroots_vote")
    assert body["version"] > 1
