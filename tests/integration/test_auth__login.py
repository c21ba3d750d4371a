"""Login: good and bad credentials, CSRF, rate limit, cookie flags."""

import pytest

from app import create_app


def _logged_in(client) -> bool:
    with client.session_transaction() as sess:
        return "_user_id" in sess


def test_login__demo_user_logs_in_and_sees_branch(client, auth, demo):
    response = auth.login("bithu.trung", "demo")
    assert response.status_code == 302
    assert _logged_in(client)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/").get_data(as_text=True)
    assert "Chi bộ thôn Trung" in page
    assert "Bí thư chi bộ" in page  # role in Vietnamese


@pytest.mark.parametrize("username,password", [("bithu.trung", "wrong"), ("nobody.here", "demo")])
def test_login__bad_credentials_get_vietnamese_message_and_no_session(client, auth, demo, username, password):
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert not _logged_in(client)
    assert client.get("/").status_code == 302  # still sent to the login page


def test_login__missing_csrf_token_is_refused(client, demo):
    response = client.post("/login", data={"username": "bithu.trung", "password": "demo"})
    assert response.status_code == 400
    assert "thiếu mã bảo mật" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_login__sixth_attempt_in_a_minute_is_rate_limited(client, auth, demo):
    for _ in range(5):
        assert auth.login("bithu.trung", "wrong").status_code == 401
    response = auth.login("bithu.trung", "demo")  # right password, but the 6th try
    assert response.status_code == 429
    assert "Bạn đã đăng nhập quá nhiều lần. Vui lòng chờ 1 phút rồi thử lại." in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_logout__ends_the_session(client, auth, demo):
    auth.login()
    assert _logged_in(client)
    response = auth.logout()
    assert response.status_code == 302
    assert not _logged_in(client)
    assert client.get("/").status_code == 302


def test_login__english_when_chosen(client, auth, demo):
    token = auth.csrf_token()
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    response = auth.login("bithu.trung", "wrong")
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_production__refuses_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production"})


def test_production__session_cookie_is_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-only")
    from workflow import signing

    key = tmp_path / "audit.pem"
    signing.generate(key)
    app = create_app({"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
                      "UPLOAD_DIR": str(tmp_path / "u"), "RATELIMIT_STORAGE_URI": "memory://",
                      "AUDIT_SIGNING_KEY": str(key)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_config__every_setting_overridable_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("MAX_UPLOAD_MB", "3")
    app = create_app({"APP_ENV": "testing"})
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "elsewhere")
    assert app.config["MAX_UPLOAD_MB"] == 3
