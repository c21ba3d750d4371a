"""Auditors and administrators see the signed checkpoints (API and page); others do not."""

from __future__ import annotations

import pytest

from tests.api_client import Api


@pytest.fixture
def api(client, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    return Api(client)


def open_case(api, demo) -> int:
    person = [p for p in demo.people["trung"] if p.status.value == "candidate"][0]
    response = api.as_user("bithu.trung").post("/cases", json={"type": "admission", "person_id": person.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_api__checkpoints_are_shown_to_auditors_and_administrators(app, api, demo):
    open_case(api, demo)
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
    for user in ("thanhtra.tinh", "admin"):
        body = api.as_user(user).get("/audit/checkpoints").get_json()
        assert body["key_id"] == app.extensions["audit_key"].key_id
        assert body["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
        [cp] = body["checkpoints"]
        assert cp["signature_valid"] is True and cp["count"] >= 1 and len(cp["root"]) == 64
    response = api.as_user("bithu.trung").get("/audit/checkpoints")
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert api.as_user("thanhtra.tinh").get("/audit/checkpoints?limit=0").status_code == 400


def test_pages__checkpoints_page_log_and_key_for_auditors_only(app, api, demo, auth, client):
    open_case(api, demo)
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
    auth.login("bithu.trung")
    assert client.get("/audit/checkpoints").status_code == 403
    assert client.get("/audit/checkpoints.jsonl").status_code == 403
    assert "audit-checkpoints-link" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("thanhtra.tinh")
    assert "audit-checkpoints-link" in client.get("/").get_data(as_text=True)
    page = client.get("/audit/checkpoints")
    assert page.status_code == 200 and app.extensions["audit_key"].key_id in page.get_data(as_text=True)
    log = client.get("/audit/checkpoints.jsonl")
    assert log.status_code == 200 and b'"signature"' in log.data
    assert b"BEGIN PUBLIC KEY" in client.get("/audit/public-key.pem").data
