"""A whole admission, to probation, through the JSON API alone, as the demo accounts."""

from __future__ import annotations

import pytest

from tests.api_client import Api


@pytest.fixture
def api(client, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    return Api(client)


def candidate(demo, key="trung", index=0):
    return [p for p in demo.people[key] if p.status.value == "candidate"][index]


def officials(demo, key="trung"):
    return [p for p in demo.people[key] if p.status.value == "official"]


def vote(meeting_date, entitled, present, votes_for, votes_against=0) -> dict:
    return {"meeting_date": meeting_date, "entitled": entitled, "present": present, "votes_for": votes_for,
            "votes_against": votes_against}


def open_ready_case(api, demo) -> int:
    api.as_user("bithu.trung")
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


def step(api, case_id, user, action, payload, expect_state):
    api.as_user(user)
    names = [a["name"] for a in api.case(case_id)["available_actions"]]
    assert action in names, (user, action, names)
    response = api.act(case_id, action, payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["state"] == expect_state
    return body


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


def test_api__admission_to_probation(api, demo):
    case_id = to_superior_decision(api, demo)
    body = step(api, case_id, "thuongvu.nghiahung", "decide_admit",
                dict(decision_number="123-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
                "awaiting_ceremony")
    assert body["deadline"] is not None and body["deadline"].endswith("Z")
    body = step(api, case_id, "bithu.trung", "hold_ceremony",
                {"ceremony_date": "2026-11-20", "mentor_id": officials(demo)[4].id}, "probation")
    assert body["person"]["status"] == "probationary"
    assert body["state_label"] == "Đang dự bị (12 tháng)"

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
