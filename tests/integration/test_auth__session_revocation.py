"""Sessions are revocable on the server (issue 11, class 7): a saved session
cookie replayed after logout is refused; logout, a password change and
disabling the account end every session of the user (docs/DECISIONS.md), and
the last two also end the user's API tokens."""

from __future__ import annotations

import sqlalchemy as sa

from tests.api_client import Api


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str):
    """A fresh browser that presents a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def _served(client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _change_user(app, username: str, change) -> None:
    from app.extensions import db
    from core.models import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        change(user)
        db.session.commit()


def test_session__cookie_replayed_after_logout_is_refused(app, client, auth, demo):
    assert auth.login().status_code == 302
    saved = _cookie(client)
    assert _served(_replay(app, saved))  # the saved cookie works while logged in
    assert auth.logout().status_code == 302
    replayed = _replay(app, saved)
    assert not _served(replayed)
    assert replayed.get("/cases").status_code == 302
    assert replayed.get("/api/v1/me").status_code == 401


def test_session__logout_ends_every_session_of_the_user(app, auth, demo):
    phone = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(phone).login()
    assert _served(phone)
    laptop = app.test_client()
    AuthActions(laptop).login()
    AuthActions(laptop).logout()
    assert not _served(laptop)
    assert not _served(phone)  # the other device is logged out too
    # another user's session is untouched
    AuthActions(laptop).login("bithu.dong")
    assert _served(laptop)


def test_session__logging_in_again_after_logout_works(client, auth, demo):
    auth.login()
    auth.logout()
    assert auth.login().status_code == 302
    assert _served(client)


def test_session__password_change_ends_sessions_and_tokens(app, client, auth, demo):
    api = Api(app.test_client()).as_user("bithu.trung")
    auth.login()
    assert api.get("/me").status_code == 200
    _change_user(app, "bithu.trung", lambda u: u.set_password("a-new-password"))
    assert not _served(client)
    assert api.get("/me").status_code == 401
    assert auth.login("bithu.trung", "a-new-password").status_code == 302
    assert _served(client)


def test_session__disabling_ends_sessions_and_tokens_for_good(app, client, auth, demo):
    api = Api(app.test_client()).as_user("bithu.trung")
    auth.login()
    saved = _cookie(client)
    _change_user(app, "bithu.trung", lambda u: setattr(u, "active", False))
    assert not _served(client)
    assert api.get("/me").status_code == 401  # the token check refuses a disabled user

    from api.models import ApiToken
    from app.extensions import db

    with app.app_context():
        tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == demo.users["bithu.trung"].id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)

    _change_user(app, "bithu.trung", lambda u: setattr(u, "active", True))
    assert not _served(_replay(app, saved))  # enabling again does not revive the old session
    assert api.get("/me").status_code == 401  # nor the old token
    assert auth.login().status_code == 302 and _served(client)


def test_session__logout_leaves_api_tokens_alone(app, client, auth, demo):
    api = Api(app.test_client()).as_user("bithu.trung")
    auth.login()
    auth.logout()
    assert api.get("/me").status_code == 200
