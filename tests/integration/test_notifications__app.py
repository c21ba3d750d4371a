"""Notifications in the app (the bell, the list, marking read, the settings), in the
API (``GET /api/v1/notifications``), and their emails without a worker: written to
the mail folder with no SMTP server, sent once, kept when the server is down."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.api_flow import open_ready_case, step, submit_payload
from tests.notify_flow import eml_messages, rows, scan, set_email
from tests.smtp_server import SmtpServer


@pytest.fixture
def submitted(app, api, demo):
    """A dossier submitted by the branch secretary, its notifications created."""
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    scan(app)
    return case_id


def test_notifications__api_lists_the_callers_notifications_newest_first_with_read_flags(api, submitted):
    api.as_user("danguy.phucthang")
    body = api.get("/notifications").get_json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["kind"] == "actionable" and item["case_id"] == submitted and item["read"] is False
    assert item["step"] == "background_check" and item["step_label"] == "Thẩm tra lý lịch"
    assert item["title"].startswith("Cần xử lý: ") and item["created_at"].endswith("Z")
    read = api.post(f"/notifications/{item['id']}/read")
    assert read.status_code == 200 and read.get_json()["read"] is True
    assert api.get("/notifications").get_json()["items"][0]["read"] is True
    assert api.get("/notifications?unread=true").get_json()["items"] == []
    # Someone else's notification reads as absent; so does one beyond the id columns.
    api.as_user("bithu.trung")
    assert api.get("/notifications").get_json()["items"] == []
    assert api.post(f"/notifications/{item['id']}/read").status_code == 404
    assert api.post("/notifications/99999999999/read").status_code == 404
    assert api.get("/notifications?cursor=nonsense").status_code == 400
    assert api.get("/notifications?limit=0").status_code == 400


def test_notifications__api_pages_with_a_cursor(app, api, demo, submitted):
    api.as_user("danguy.phucthang")
    step(api, submitted, "danguy.phucthang", "certify_background", {"findings": "Rõ ràng."}, "opinions")
    step(api, submitted, "bithu.trung", "record_opinions", {"summary": "Nhất trí."}, "branch_vote")
    from tests.admission_flow import vote

    step(api, submitted, "bithu.trung", "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1), "grassroots_vote")
    scan(app)
    api.as_user("danguy.phucthang")
    first = api.get("/notifications?limit=1").get_json()
    assert [i["step"] for i in first["items"]] == ["grassroots_vote"] and first["next_cursor"]
    second = api.get(f"/notifications?limit=1&cursor={first['next_cursor']}").get_json()
    assert [i["step"] for i in second["items"]] == ["background_check"] and second["next_cursor"] is None


def test_notifications__the_bell_counts_unread_and_the_list_marks_them_read(client, auth, submitted):
    auth.login("danguy.phucthang")
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'data-testid="bell-count">1<', home)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'data-kind="actionable"' in page and "Cần xử lý" in page and f"hồ sơ số {submitted}" in page
    token = auth.csrf_token("/notifications")
    notification_id = int(re.search(r"/notifications/(\d+)/read", page).group(1))
    opened = client.post(f"/notifications/{notification_id}/read", data={"csrf_token": token, "open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/cases/{submitted}")
    assert 'data-testid="bell-count"' not in client.get("/").get_data(as_text=True)
    # Not someone else's.
    auth.logout()
    auth.login("bithu.trung")
    token = auth.csrf_token("/notifications")
    assert client.post(f"/notifications/{notification_id}/read", data={"csrf_token": token}).status_code == 404
    assert "Đồng chí chưa có thông báo nào." in client.get("/notifications").get_data(as_text=True)


def test_notifications__settings_page_saves_a_valid_choice_and_refuses_a_bad_address(app, client, auth, demo):
    from app.extensions import db
    from core.models import User

    auth.login("danguy.phucthang")
    token = auth.csrf_token("/notifications/settings")
    bad = client.post("/notifications/settings", data={"csrf_token": token, "email": "không phải email",
                                                       "delivery": "digest", "language": "en"})
    assert bad.status_code == 422 and "Nhập một địa chỉ email hợp lệ" in bad.get_data(as_text=True)
    wrong = client.post("/notifications/settings", data={"csrf_token": token, "email": "a@b.vn",
                                                         "delivery": "hourly", "language": "en"})
    assert wrong.status_code == 422
    with app.app_context():
        user = db.session.get(User, demo.users["danguy.phucthang"].id)
        assert (user.email, user.notify_delivery, user.language) == (None, "immediate", "vi")
    ok = client.post("/notifications/settings", data={"csrf_token": token, "email": "danguy@example.vn",
                                                      "delivery": "digest", "language": "en"})
    assert ok.status_code == 302
    with app.app_context():
        user = db.session.get(User, demo.users["danguy.phucthang"].id)
        assert (user.email, user.notify_delivery, user.language) == ("danguy@example.vn", "digest", "en")
    assert 'value="danguy@example.vn"' in client.get("/notifications/settings").get_data(as_text=True)


def _send_due(app) -> list[str]:
    from app.extensions import db
    from notifications import mail

    with app.app_context():
        return [mail.send(db.session, i) for i in mail.due(db.session, 600)]


def test_notifications__without_smtp_emails_go_to_the_mail_folder_once(app, api, demo, tmp_path):
    set_email(app, "danguy.phucthang", "danguy@example.vn")
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    scan(app)
    assert _send_due(app) == ["sent"]
    [message] = eml_messages(tmp_path / "mail")
    assert str(message["To"]) == "danguy@example.vn" and str(message["Subject"]).startswith("Cần xử lý: ")
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    # Sending it again sends nothing: the row is claimed once.
    from app.extensions import db
    from notifications import mail
    from notifications.models import NotificationEmail

    with app.app_context():
        email_id = db.session.scalar(sa.select(NotificationEmail.id))
        assert mail.send(db.session, email_id) == "skipped"
    assert _send_due(app) == []
    assert len(eml_messages(tmp_path / "mail")) == 1
    # No email for whoever chose none, or has no address; the notification is in the app all the same.
    assert [n.delivery for n in rows(app, "danguy.phucthang")] == ["immediate"]


def test_notifications__an_smtp_server_that_is_down_keeps_the_email_pending(app, api, demo):
    from app.extensions import db
    from notifications import mail
    from notifications.models import NotificationEmail

    server = SmtpServer()  # its port is chosen, nothing listens on it yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, NOTIFY_RETRY_SECONDS=60)
    mail.init_mail(app)
    set_email(app, "danguy.phucthang", "danguy@example.vn")
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    scan(app)
    with app.app_context():
        [email_id] = mail.due(db.session, 600)
        with pytest.raises(mail.TransientMailError):
            mail.send(db.session, email_id)
        row = db.session.get(NotificationEmail, email_id)
        assert (row.status, row.attempts) == ("pending", 1) and "Connection refused" in row.last_error
        db.session.rollback()
    server.controller.start()
    try:
        with app.app_context():
            assert mail.send(db.session, email_id) == "sent"
            assert mail.send(db.session, email_id) == "skipped"
        assert len(server.to("danguy@example.vn")) == 1
    finally:
        server.controller.stop()


def test_notifications__the_language_switch_is_the_language_of_the_emails(app, client, auth, demo):
    from app.extensions import db
    from core.models import User

    auth.login("danguy.phucthang")
    token = auth.csrf_token("/")
    assert client.post("/lang/en", data={"csrf_token": token, "next": "/"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, demo.users["danguy.phucthang"].id).language == "en"
