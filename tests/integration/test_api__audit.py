"""GET /audit/verify names the first tampered event."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api_client import Api
from tests.integration import test_api__admission as adm


@pytest.fixture
def api(client, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    return Api(client)


def tamper(app, case_id: int, seq: int) -> None:
    """Edit one event behind the triggers' back (as a database superuser could)."""
    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
            else:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("UPDATE audit_event SET comment = 'sửa lén' WHERE case_id = :c AND seq = :s"),
                         {"c": case_id, "s": seq})


def test_api__verify_names_the_first_bad_event(app, api, demo):
    case_id = adm.open_ready_case(api, demo)
    assert api.act(case_id, "submit", adm.submit_payload(demo)).status_code == 200
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {"ok": True}
    tamper(app, case_id, 3)
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {
        "ok": False, "first_bad": {"case_id": case_id, "seq": 3}}
    api.as_user("thanhtra.tinh")  # the province's auditor reads any case in the province
    assert api.get(f"/audit/verify?case_id={case_id}").get_json()["ok"] is False
    api.as_user("bithu.tdp4")
    assert api.get(f"/audit/verify?case_id={case_id}").status_code == 404


def test_api__checkpoints_are_shown_to_auditors_and_administrators(app, api, demo, auth, client):
    case_id = adm.open_ready_case(api, demo)
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
    assert case_id

    auth.login("bithu.trung")
    assert client.get("/audit/checkpoints").status_code == 403
    assert "audit-checkpoints-link" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("thanhtra.tinh")
    assert "audit-checkpoints-link" in client.get("/").get_data(as_text=True)
    page = client.get("/audit/checkpoints")
    assert page.status_code == 200 and app.extensions["audit_key"].key_id in page.get_data(as_text=True)
    log = client.get("/audit/checkpoints.jsonl")
    assert log.status_code == 200 and b'"signature"' in log.data
    assert b"BEGIN PUBLIC KEY" in client.get("/audit/public-key.pem").data
