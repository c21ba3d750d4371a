"""Notifications by email through a real worker (Celery with beat) and a real
SMTP server (aiosmtpd): a submitted dossier reaches the grassroots committee
member; the deadline reminders go out once each, whatever the ticks and
restarts; a digest gathers a day's notifications; a refusing server loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, step, submit_payload, to_superior_decision
from tests.fixtures_worker import heartbeat_count, wait_until
from tests.notify_flow import case_actors, case_deadline, set_email
from tests.smtp_server import smtp_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.worker

FAST = {"NOTIFY_POLL_SECONDS": 0.5, "NOTIFY_RETRY_SECONDS": 0.5, "NOTIFY_RETRY_MAX_SECONDS": 2,
        "NOTIFY_LEASE_SECONDS": 30, "PUBLIC_BASE_URL": "https://hoso.example.vn"}


@pytest.fixture(autouse=True)
def _worker_creates_them(app):
    """Here the worker creates the notifications, not the test's app after each write."""
    app.config["NOTIFY_SCAN_AFTER_WRITE"] = False


def _worker(worker_factory, smtp_server):
    return worker_factory.start(**smtp_server.settings(), **FAST)


def _ticks(db_engine, worker, n=4):
    """Wait for ``n`` more beats (the notification tick runs as often as the heartbeat)."""
    seen = heartbeat_count(db_engine)
    wait_until(lambda: heartbeat_count(db_engine) >= seen + n, timeout=90, worker=worker)


def _working_days_before(day: dt.date, n: int) -> dt.date:
    from workflow import calendar

    for _ in range(n):
        day -= dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
    return day


def _emails(db_engine) -> list:
    from notifications.models import NotificationEmail

    with Session(db_engine) as s:
        return list(s.execute(sa.select(NotificationEmail.key, NotificationEmail.status, NotificationEmail.attempts)
                              .order_by(NotificationEmail.id)))


def test_notifications__worker__a_submitted_dossier_emails_the_grassroots_committee_member(
        app, api, demo, db_engine, smtp_server, worker_factory):
    set_email(app, "danguy.phucthang", "danguy@example.vn")
    worker = _worker(worker_factory, smtp_server)
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")

    [message] = wait_until(lambda: smtp_server.to("danguy@example.vn"), timeout=90, worker=worker)
    person = api.case(case_id)["person"]["full_name"]
    subject = str(message["Subject"])
    # Vietnamese by default; the person's name and the step, nothing else about them.
    assert subject == f"Cần xử lý: {person}, Thẩm tra lý lịch (hồ sơ số {case_id})"
    assert str(message["X-Notification-Kinds"]) == "actionable"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://hoso.example.vn/cases/{case_id}"
    assert link in text and f'href="{link}"' in html
    assert "Kính gửi" in text
    # Once: more ticks send nothing more.
    _ticks(db_engine, worker)
    assert len(smtp_server.to("danguy@example.vn")) == 1
    assert [(k, s) for k, s, _a in _emails(db_engine)] == [(k, "sent") for k, _s, _a in _emails(db_engine)]


def test_notifications__worker__reminders_five_and_one_working_days_away_once_each(
        app, api, demo, db_engine, clock_file, smtp_server, worker_factory):
    set_email(app, "thuongvu.nghiahung", "thuongvu@example.vn")
    case_id = to_superior_decision(api, demo)
    assert demo.users["thuongvu.nghiahung"].id in case_actors(app, case_id)
    last = (case_deadline(app, case_id) + dt.timedelta(hours=7)).date() - dt.timedelta(days=1)
    worker = _worker(worker_factory, smtp_server)
    wait_until(lambda: smtp_server.to("thuongvu@example.vn", "actionable"), timeout=90, worker=worker)
    _ticks(db_engine, worker)
    assert smtp_server.to("thuongvu@example.vn", "deadline_5") == []

    # Five working days before the last day: one reminder, however many ticks, across a restart.
    clock_file.write_text(f"{_working_days_before(last, 5).isoformat()}T03:00:00Z")
    wait_until(lambda: smtp_server.to("thuongvu@example.vn", "deadline_5"), timeout=90, worker=worker)
    _ticks(db_engine, worker)
    worker_factory.stop(worker)
    worker = _worker(worker_factory, smtp_server)
    _ticks(db_engine, worker)
    assert len(smtp_server.to("thuongvu@example.vn", "deadline_5")) == 1

    # One working day before: the second reminder, and no more.
    clock_file.write_text(f"{_working_days_before(last, 1).isoformat()}T03:00:00Z")
    wait_until(lambda: smtp_server.to("thuongvu@example.vn", "deadline_1"), timeout=90, worker=worker)
    _ticks(db_engine, worker)
    worker_factory.stop(worker)
    worker = _worker(worker_factory, smtp_server)
    _ticks(db_engine, worker)
    reminders = [m for m in smtp_server.to("thuongvu@example.vn") if "deadline" in str(m["X-Notification-Kinds"])]
    assert [str(m["X-Notification-Kinds"]) for m in reminders] == ["deadline_5", "deadline_1"]
    assert all(last.strftime("%d/%m/%Y") in m.get_body(("plain",)).get_content() for m in reminders)


def test_notifications__worker__a_daily_digest_gathers_a_days_notifications(
        app, api, demo, db_engine, clock_file, smtp_server, worker_factory):
    set_email(app, "danguy.phucthang", "danguy@example.vn", delivery="digest", language="en")
    worker = _worker(worker_factory, smtp_server)
    from notifications.models import Notification

    def danguy_rows():
        with Session(db_engine) as s:
            return s.scalars(sa.select(Notification.step).where(
                Notification.recipient_id == demo.users["danguy.phucthang"].id).order_by(Notification.id)).all()

    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    wait_until(lambda: len(danguy_rows()) == 1, timeout=90, worker=worker)
    step(api, case_id, "danguy.phucthang", "certify_background", {"findings": "Lý lịch rõ ràng."}, "opinions")
    step(api, case_id, "bithu.trung", "record_opinions", {"summary": "Nhất trí."}, "branch_vote")
    step(api, case_id, "bithu.trung", "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1), "grassroots_vote")
    # Both steps waiting for the committee member are notified in the app, and no email goes yet.
    wait_until(lambda: danguy_rows() == ["background_check", "grassroots_vote"], timeout=90, worker=worker)
    _ticks(db_engine, worker)
    assert smtp_server.to("danguy@example.vn") == []

    # The next morning (08:00 in Vietnam): one email with both.
    clock_file.write_text("2026-11-21T01:00:00Z")
    [digest] = wait_until(lambda: smtp_server.to("danguy@example.vn"), timeout=90, worker=worker)
    _ticks(db_engine, worker)
    assert len(smtp_server.to("danguy@example.vn")) == 1
    assert str(digest["Subject"]) == "Your notifications of 20/11/2026 (2)"
    text = digest.get_body(("plain",)).get_content()
    assert text.count(f"https://hoso.example.vn/cases/{case_id}") == 2
    assert "Dear " in text and "Background check" in text and "Grassroots committee vote" in text


def test_notifications__worker__a_refusing_smtp_server_loses_no_email(
        app, api, demo, db_engine, smtp_server, worker_factory):
    set_email(app, "danguy.phucthang", "danguy@example.vn")
    set_email(app, "bithu.trung", "bithu@example.vn", language="en")
    smtp_server.refuse(True)
    worker = _worker(worker_factory, smtp_server)
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    wait_until(lambda: len(_emails(db_engine)) == 1, timeout=90, worker=worker)
    step(api, case_id, "danguy.phucthang", "certify_background", {"findings": "Lý lịch rõ ràng."}, "opinions")

    # Refused several times each, kept pending.
    wait_until(lambda: len(_emails(db_engine)) == 2 and all(a >= 3 for _k, _s, a in _emails(db_engine))
               and smtp_server.handler.refused >= 6, timeout=120, worker=worker)
    assert smtp_server.messages == []
    assert {s for _k, s, _a in _emails(db_engine)} <= {"pending", "sending"}

    smtp_server.refuse(False)
    wait_until(lambda: smtp_server.to("danguy@example.vn") and smtp_server.to("bithu@example.vn"),
               timeout=120, worker=worker)
    _ticks(db_engine, worker, 6)
    assert len(smtp_server.to("danguy@example.vn")) == 1 and len(smtp_server.to("bithu@example.vn")) == 1
    assert [s for _k, s, _a in _emails(db_engine)] == ["sent", "sent"]
    assert str(smtp_server.to("bithu@example.vn")[0]["Subject"]).startswith("To act on:")
