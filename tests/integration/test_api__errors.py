"""The API's refusals: each status code of API.md, as problem+json, in Vietnamese or English."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.api_client import Api
from tests.api_flow import open_ready_case, submit_payload, to_superior_decision
from tests.demo_people import candidate, officials


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and {"type", "title", "detail"} <= set(body)
    return body


def test_api__missing_or_bad_token_is_401(api, demo):
    assert_problem(api.get("/me"), 401)
    assert_problem(api.get("/cases"), 401)
    assert_problem(api.get("/me", headers={"Authorization": "Bearer nonsense"}), 401)
    assert_problem(api.get("/me", headers={"Authorization": "Basic YWRtaW46ZGVtbw=="}), 401)
    assert api.get("/me", headers={"Authorization": "Bearer nonsense"}).headers["WWW-Authenticate"].startswith("Bearer")


def test_api__out_of_scope_ids_are_404(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.tdp4")  # another district
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/history", f"/cases/{case_id}/documents/1",
                 f"/audit/verify?case_id={case_id}", f"/units/{demo.units['trung'].id}",
                 f"/units/{demo.units['trung'].id}/children", "/cases/999999", "/units/2147483647"):
        assert_problem(api.get(path), 404)
    assert_problem(api.act(case_id, "submit", submit_payload(demo), version=1), 404)
    assert_problem(api.upload(case_id, "1-KNĐ"), 404)
    listed = api.get("/cases").get_json()["items"]
    assert case_id not in [c["id"] for c in listed]
    outsider = candidate(demo).full_name
    assert all(p["unit"]["id"] != demo.units["trung"].id
               for p in api.get(f"/people?q={outsider}").get_json()["items"])


def test_api__absent_and_malformed_ids_are_404(api, demo):
    api.as_user("bithu.trung")
    for path in ("/cases/abc", "/cases/-1", "/cases/99999999999999999999999", "/units/0",
                 "/cases/1/documents/xyz", "/nowhere"):
        assert_problem(api.get(path), 404)


def test_api__someone_elses_step_is_403(api, demo):
    case_id = to_superior_decision(api, demo)
    api.as_user("bithu.trung")
    version = api.case(case_id)["version"]
    body = assert_problem(api.act(case_id, "decide_admit", dict(decision_number="1", decision_date="2026-11-18",
                                                                **vote("2026-11-18", 15, 13, 12, 1))), 403)
    assert "vai trò" in body["detail"]
    assert api.case(case_id)["version"] == version
    assert "decide_admit" not in [a["name"] for a in api.case(case_id)["available_actions"]]


def test_api__stale_version_and_wrong_state_are_409(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    body = assert_problem(api.act(case_id, "submit", submit_payload(demo), version=7), 409)
    assert "7" in body["detail"]
    assert api.case(case_id)["state"] == "draft"
    # In scope and their role, but not from this state.
    assert_problem(api.act(case_id, "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1)), 409)


def test_api__broken_rule_is_422_with_the_reason(api, demo):
    case_id = open_ready_case(api, demo)
    o = officials(demo)
    body = assert_problem(api.act(case_id, "submit", {"introducer_1": o[2].id, "introducer_1_since": "2020-01-01",
                                                      "union_resolution": ""}), 422)
    reason = "Cần 2 đảng viên chính thức giới thiệu; hiện chỉ có 1 người hợp lệ."
    assert reason in body["detail"]
    assert reason in body["errors"]["payload"]
    assert api.case(case_id)["state"] == "draft"


def test_api__broken_form_is_422_per_field(api, demo):
    case_id = open_ready_case(api, demo)
    api.act(case_id, "submit", submit_payload(demo))
    api.as_user("danguy.phucthang")
    body = assert_problem(api.act(case_id, "certify_background", {}), 422)
    assert body["errors"] == {"findings": ["Trường này là bắt buộc."]}
    body = assert_problem(api.act(case_id, "certify_background", {"findings": "x" * 4001}), 422)
    assert list(body["errors"]) == ["findings"]
    body = assert_problem(api.act(case_id, "certify_background", {"findings": "ok", "extra": 1}), 422)
    assert list(body["errors"]) == ["extra"]


def test_api__malformed_json_is_400(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    url = f"/api/v1/cases/{case_id}/actions/submit"
    for raw in ("{not json", "[1, 2]", '"text"', "", "null"):
        response = api.client.post(url, data=raw, content_type="application/json", headers=api.headers())
        assert_problem(response, 400)
    assert_problem(api.post(f"/cases/{case_id}/actions/submit", json={"payload": [1, 2]}), 400)
    assert_problem(api.post("/people", json=["x"]), 400)
    deep = "[" * 100000 + "]" * 100000
    assert_problem(api.client.post("/api/v1/people", data=deep, content_type="application/json",
                                   headers=api.headers()), 400)
    assert_problem(api.client.post("/api/v1/auth/token", data=deep, content_type="application/json"), 400)
    assert_problem(api.client.post("/api/v1/auth/token", data="{", content_type="application/json"), 400)
    body = assert_problem(api.post("/people", json={"full_name": "A\u0000B"}), 400)  # refused at the edge
    assert list(body["errors"]) == ["full_name"]


def test_api__bad_input_never_500(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    huge = 10 ** 30
    cases = [
        api.act(case_id, "submit", submit_payload(demo, introducer_1=huge)),
        api.act(case_id, "submit", submit_payload(demo, introducer_1="12")),
        api.act(case_id, "submit", submit_payload(demo, introducer_1_since="2020-13-45")),
        api.act(case_id, "submit", submit_payload(demo, introducer_1_since="99999-01-01")),
        api.act(case_id, "submit", submit_payload(demo, union_resolution="nope")),
        api.post(f"/cases/{case_id}/actions/submit", json={"expected_version": huge}),
        api.post(f"/cases/{case_id}/actions/submit", json={"expected_version": "1"}),
        api.post(f"/cases/{case_id}/actions/submit", json={"comment": 5}),
        api.post(f"/cases/{case_id}/actions/submit", json={"surprise": True}),
        api.post("/cases", json={"type": "admission", "person_id": huge}),
        api.post("/cases", json={"type": "nope", "person_id": 1}),
        api.post("/cases", json={"type": "admission", "person_id": "x"}),
    ]
    for response in cases:
        assert_problem(response, 422)
    for path in ("/cases?unit=99999999999999", "/cases?limit=0", "/cases?limit=abc", "/cases?cursor=%%%",
                 "/cases?overdue=maybe", "/people?cursor=eyJ4Ijox", "/people?status=king", "/audit/verify",
                 "/audit/verify?case_id=abc", "/reports/summary?year=abc", "/inbox?cursor=zzz"):
        assert_problem(api.get(path), 400)
    assert api.get("/cases?q=99999999999999999999").status_code == 200
    for weird in ("²", "١٢", "9999999999"):
        assert api.get("/cases", query_string={"q": weird}).status_code == 200
        assert_problem(api.get("/cases", query_string={"unit": weird}), 400)
    from cases.cursor import encode_cursor
    from cases.cursor import encode_cursor as encode_key

    for cursor in (encode_cursor("9999999999"), encode_cursor("²"), "x" * 600):
        assert_problem(api.get("/cases", query_string={"cursor": cursor}), 400)
    for cursor in (encode_key("a", 2 ** 40), "W" * 600, encode_key("a")):
        assert_problem(api.get("/people", query_string={"cursor": cursor}), 400)
    for cursor in (encode_key(0, "2026-01-01T00:00:00", 2 ** 40), encode_key(0, "noon", 1), encode_key(2, None, 1)):
        assert_problem(api.get("/inbox", query_string={"cursor": cursor}), 400)
    assert api.get("/inbox", query_string={"cursor": encode_key(0, "2026-01-01T00:00:00+07:00", 1)}).status_code == 200
    assert api.get("/cases?q=%E1%BA%A1").status_code == 200
    assert_problem(api.act(case_id, "fly_to_the_moon", {}), 404)
    assert_problem(api.upload(case_id, "1-KNĐ", issued_on="someday"), 422)
    assert_problem(api.upload(case_id, "unknown-kind"), 422)
    assert_problem(api.upload(case_id, "1-KNĐ", content=b"MZ not a pdf", filename="x.exe"), 422)
    assert_problem(api.post(f"/cases/{case_id}/documents", json={"kind": "1-KNĐ"}), 400)


def _raw_cursor(json_text: str) -> str:
    """A cursor of any JSON text (a client can send what no list ever made)."""
    import base64

    return base64.urlsafe_b64encode(json_text.encode("ascii")).decode().rstrip("=")


# What no cursor of the app holds: a bool where an id or a rank goes, a NUL or a lone surrogate in
# a name (the database cannot take them), a float, a list: each was a 500 on some list.
FORGED_CURSORS = {
    "/people": ('[0,"a\\u0000b",1]', '[0,"\\ud800",1]', '[true,"a",1]', '[1.0,"a",1]', '[0,["a"],1]'),
    "/cases": ("[true]", "[1.5]", "[null]"),
    "/inbox": ('[0,"2026-01-01",true]', '[true,null,1]', '[0,"2026-01-01\\u0000",1]'),
}


def test_api__forged_cursors_are_400_on_every_list(api, auth, client, demo):
    api.as_user("thuongvu.nghiahung")
    for path, cursors in FORGED_CURSORS.items():
        for text in cursors:
            assert_problem(api.get(path, query_string={"cursor": _raw_cursor(text)}), 400)
            if path == "/cases":
                assert_problem(api.get(path, query_string={"cursor": _raw_cursor(text), "overdue": "true"}), 400)
                assert_problem(api.get(path, query_string={"cursor": _raw_cursor(text), "q": "nguyen"}), 400)
    auth.login("thuongvu.nghiahung")
    for path in ("/people", "/cases"):
        for text in FORGED_CURSORS[path]:
            assert client.get(path, query_string={"cursor": _raw_cursor(text)}).status_code == 400


def test_api__english_with_accept_language(api, demo):
    case_id = open_ready_case(api, demo)
    o = officials(demo)
    api.lang = "en"
    body = assert_problem(api.act(case_id, "submit", {"introducer_1": o[2].id, "introducer_1_since": "2020-01-01",
                                                      "union_resolution": ""}), 422)
    assert "2 official members must introduce the candidate" in body["detail"] or "official" in body["detail"]
    assert api.case(case_id)["state_label"] == "Dossier being prepared"
    unauthenticated = Api(api.client)
    unauthenticated.lang = "en"
    assert unauthenticated.get("/me").get_json()["detail"] == "Log in first: a valid token is required."
    api.lang = None
    assert api.case(case_id)["state_label"] != "Dossier being prepared"
    body = assert_problem(api.act(case_id, "submit", submit_payload(demo, introducer_1_since="bad")), 422)
    assert body["errors"]["introducer_1_since"] == ["Nhập ngày theo dạng YYYY-MM-DD."]


def test_api__refusal_order_matches_the_engine(api, demo):
    """Someone else's step is 403 and a stale version 409 whatever the payload holds."""
    case_id = open_ready_case(api, demo)
    api.as_user("danguy.phucthang")
    assert_problem(api.act(case_id, "submit", {"introducer_1": 10 ** 30, "bogus": 1}), 403)
    api.as_user("bithu.trung")
    assert_problem(api.act(case_id, "submit", {"introducer_1": 10 ** 30}, version=5), 409)
    assert_problem(api.act(case_id, "record_branch_vote", {"entitled": "many"}), 409)
