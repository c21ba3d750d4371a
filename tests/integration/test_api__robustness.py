"""Bad input never makes a 5xx: at every step of an admission and of a discipline
case, each field of the action's form_schema is sent with edge values (beyond
32 bits, negative, dates at the ends of the calendar, empty and overlong text,
unknown choices, wrong JSON types)."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, submit_payload
from tests.demo_people import officials, plain_member
from tests.discipline_flow import REPORT

INT_EDGES = [-1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 10 ** 40, 1.5, True, "7", None, [], {}]
DATE_EDGES = ["0001-01-01", "9999-12-31", "2026-02-29", "2026-11-20T10:00:00", "", "  ", 20261120, None, ["x"]]
TEXT_EDGES = ["", " ", "x" * 5000, "😀" * 10, "'; DROP TABLE person; --", 5, None, {"a": 1}]


def edges(prop: dict) -> list:
    if prop.get("type") == "integer":
        return INT_EDGES
    if prop.get("format") == "date":
        return DATE_EDGES
    if "enum" in prop:
        return ["zzz", 0, None, " ", "x" * 5000]
    return TEXT_EDGES


def fuzz_then_take(api, case_id, user, action, payload, expect_state) -> int:
    """Send every edge value of every field, then the real payload (unless an edge value
    was accepted and already took the case where the real one would)."""
    api.as_user(user)
    case = api.case(case_id)
    schema = next(a for a in case["available_actions"] if a["name"] == action)["form_schema"]
    sent = 0
    required = set(schema.get("required", []))
    # Required fields first: an optional field's edge value may well be accepted, which ends the step.
    for field, prop in sorted(schema["properties"].items(), key=lambda item: item[0] not in required):
        for value in edges(prop):
            response = api.act(case_id, action, {**payload, field: value})
            sent += 1
            assert response.status_code < 500, (action, field, value)
            assert response.mimetype in ("application/json", "application/problem+json")
            if response.status_code == 200:
                assert response.get_json()["state"] == expect_state, (action, field, value)
                return sent
    response = api.act(case_id, action, payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == expect_state
    return sent


def test_api__edge_values_at_every_admission_step(api, demo):
    o = officials(demo)
    case_id = open_ready_case(api, demo)
    steps = [
        ("bithu.trung", "submit", submit_payload(demo), "background_check"),
        ("danguy.phucthang", "certify_background", {"findings": "Rõ ràng."}, "opinions"),
        ("bithu.trung", "record_opinions", {"summary": "Nhất trí."}, "branch_vote"),
        ("bithu.trung", "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1), "grassroots_vote"),
        ("danguy.phucthang", "record_grassroots_vote", vote("2026-11-12", 9, 9, 8, 1), "superior_review"),
        ("tochuc.nghiahung", "appraise", {"appraisal": "Đủ điều kiện."}, "superior_decision"),
        ("thuongvu.nghiahung", "decide_admit", dict(decision_number="9-QĐ/HU", decision_date="2026-11-18",
                                                    **vote("2026-11-18", 15, 13, 12, 1)), "awaiting_ceremony"),
        ("bithu.trung", "hold_ceremony", {"ceremony_date": "2026-11-20", "mentor_id": o[4].id}, "probation"),
        ("bithu.trung", "record_new_member_course", {"certificate_number": "CN-1", "issued_on": "2026-11-20"},
         "probation"),
    ]
    sent = sum(fuzz_then_take(api, case_id, *s) for s in steps)
    assert sent > 150


def test_api__edge_values_at_every_discipline_step(api, demo):
    member = plain_member(demo)
    api.as_user("danguy.phucthang")
    for key, values in (("violation_date", DATE_EDGES), ("category", ["zzz", 5, ""]),
                        ("person_id", INT_EDGES), ("description", TEXT_EDGES)):
        for value in values:
            body = {"type": "discipline", "person_id": member.id, **REPORT, key: value}
            assert api.post("/cases", json=body).status_code < 500, (key, value)
    case_id = api.post("/cases", json={"type": "discipline", "person_id": member.id, **REPORT}).get_json()["id"]
    assert api.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 201
    steps = [
        ("danguy.phucthang", "open_review", {"note": "Xác minh."}, "review"),
        ("danguy.phucthang", "conclude_review", {"conclusion": "violation", "findings": "Vắng họp."}, "self_review"),
        ("bithu.trung", "record_self_review", {"submitted": "yes", "self_criticism": "Nhận khuyết điểm."},
         "branch_vote"),
        ("bithu.trung", "record_branch_vote", {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand",
                                               **vote("2026-11-20", 10, 10, 9, 1)}, "decided"),
        ("bithu.trung", "announce", {"announced_on": "2026-11-20"}, "in_force"),
        ("bithu.trung", "file_appeal", {"filed_on": "2026-11-20", "grounds": "Xin xem xét lại."}, "appeal_review"),
    ]
    sent = sum(fuzz_then_take(api, case_id, *s) for s in steps)
    assert sent > 40


def test_api__document_dates_at_the_ends_of_the_calendar(api, demo):
    case_id = open_ready_case(api, demo)
    for day in ("0001-01-01", "1899-12-31", "9999-12-31"):
        response = api.upload(case_id, "4-KNĐ", issued_on=day)
        assert response.status_code == 422 and "issued_on" in response.get_json()["errors"], day
    api.as_user("bithu.trung")
    response = api.act(case_id, "submit", submit_payload(demo))
    assert response.status_code == 200, response.get_data(as_text=True)
