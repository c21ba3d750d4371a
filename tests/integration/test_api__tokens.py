"""Token auth: issue, hashed storage, expiry, revocation by an admin, rate limit."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa



def test_api__token_is_issued_and_stored_hashed(app, api):
    response = api.client.post("/api/v1/auth/token", json={"username": "bithu.trung", "password": "demo"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"] == "2026-11-20T15:00:00Z"  # API_TOKEN_HOURS = 12
    from api.models import ApiToken
    from app.extensions import db

    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert stored == [hashlib.sha256(body["token"].encode()).hexdigest()]
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()
    assert me["username"] == "bithu.trung" and me["display_name"] == "Trần Văn Trung"
    assert me["role_assignments"] == [{"unit_id": me["role_assignments"][0]["unit_id"], "unit_name": "Chi bộ thôn Trung",
                                       "level": "branch", "role": "branch_secretary"}]


@pytest.mark.parametrize("credentials", [{"username": "bithu.trung", "password": "wrong"},
                                         {"username": "nobody", "password": "demo"}])
def test_api__wrong_credentials_are_401(api, credentials):
    response = api.client.post("/api/v1/auth/token", json=credentials)
    assert response.status_code == 401
    assert response.get_json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_api__token_request_fields_are_checked(api):
    response = api.client.post("/api/v1/auth/token", json={"username": 5})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"username", "password"}


def test_api__token_expires(api, clock_file):
    api.as_user("bithu.trung")
    assert api.get("/me").status_code == 200
    clock_file.write_text("2026-11-20T14:59:00Z")
    assert api.get("/me").status_code == 200
    clock_file.write_text("2026-11-20T15:00:01Z")
    response = api.get("/me")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_api__admin_revokes_tokens(api):
    api.as_user("bithu.trung")
    victim = api.tokens["bithu.trung"]
    assert api.post("/auth/revoke", json={"username": "bithu.trung"}).status_code == 403  # not an admin
    api.as_user("admin")
    response = api.post("/auth/revoke", json={"username": "bithu.trung"})
    assert response.status_code == 200 and response.get_json() == {"revoked": 1}
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {victim}"}).status_code == 401
    assert api.post("/auth/revoke", json={"username": "ghost"}).status_code == 422
    assert api.get("/me").status_code == 200  # the admin's own token still works


def test_api__revoke_from_the_command_line(app, api):
    api.as_user("bithu.dong")
    result = app.test_cli_runner().invoke(args=["api", "revoke-tokens", "bithu.dong"])
    assert result.exit_code == 0, result.output
    assert "revoked 1" in result.output
    assert api.get("/me").status_code == 401
    assert app.test_cli_runner().invoke(args=["api", "revoke-tokens", "ghost"]).exit_code != 0


def test_api__token_endpoint_is_rate_limited(api):
    for _ in range(5):  # LOGIN_ACCOUNT_RATE_LIMIT = 5 failed attempts per minute per account
        assert api.client.post("/api/v1/auth/token", json={"username": "admin", "password": "x"}).status_code == 401
    response = api.client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo"})
    assert response.status_code == 429  # even with the right password
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert response.get_json()["detail"] == "Quá nhiều yêu cầu. Vui lòng chờ 1 phút rồi thử lại."
    other = api.client.post("/api/v1/auth/token", json={"username": "bithu.trung", "password": "demo"})
    assert other.status_code == 200  # counted per account: other accounts are not locked out


def test_api__successful_token_requests_are_not_throttled(api):
    for _ in range(12):
        assert api.client.post("/api/v1/auth/token",
                               json={"username": "admin", "password": "demo"}).status_code == 200
