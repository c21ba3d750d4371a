"""Sending the notification emails: claim, render, deliver, mark.

Delivery is Flask-Mail over SMTP (``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USE_TLS``, ``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``,
``MAIL_DEFAULT_SENDER``); with no ``MAIL_SERVER`` each message is written to
``MAIL_FOLDER`` as one ``.eml`` file, so the embedded default needs nothing else.
An email is sent once: :func:`send` claims its row (``pending`` → ``sending``)
with a conditional UPDATE before delivering, so a second call finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_mail import BadHeaderError, Mail, Message
from sqlalchemy.orm import Session

from core import clock
from core.models import User

from . import texts
from .models import FAILED, PENDING, SENDING, SENT, Notification, NotificationEmail

mail = Mail()


class TransientMailError(Exception):
    """The SMTP server could not take the message now (down, refusing, 4xx): try again later."""


def init_mail(app) -> None:
    """Wire Flask-Mail to ``app`` (its ``MAIL_*`` settings)."""
    mail.init_app(app)


def _permanent(exc: Exception) -> bool:
    """Is this failure for good: the SMTP server refuses the message (a 5xx answer),
    or the message cannot be sent at all (a header with a line break)?"""
    if isinstance(exc, BadHeaderError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(exc, smtplib.SMTPResponseException) and code is not None and code >= 500 \
        and not isinstance(exc, smtplib.SMTPServerDisconnected)


def claim(session: Session, email_id: int) -> bool:
    """Take ``email_id`` for sending (``pending`` → ``sending``), committed; False when
    another sender has it or it is already sent."""
    now = clock.now()
    claimed = session.execute(sa.update(NotificationEmail)
                              .where(NotificationEmail.id == email_id, NotificationEmail.status == PENDING)
                              .values(status=SENDING, claimed_at=now, attempts=NotificationEmail.attempts + 1)
                              ).rowcount == 1
    session.commit()
    return claimed


def backoff_seconds(attempts: int) -> float:
    """How long to wait before the next try after ``attempts`` failed ones (doubling, capped)."""
    base = float(current_app.config["NOTIFY_RETRY_SECONDS"])
    return min(base * 2 ** max(attempts - 1, 0), float(current_app.config["NOTIFY_RETRY_MAX_SECONDS"]))


def send(session: Session, email_id: int) -> str:
    """Send one email unless it is sent or being sent; returns ``sent``, ``skipped``
    (someone else has it, or it is done) or ``failed`` (refused for good).

    Raises :class:`TransientMailError` when the server could not take it: the
    row is back to ``pending`` with its next try after a backoff."""
    if not claim(session, email_id):
        return "skipped"
    email = session.get(NotificationEmail, email_id)
    try:
        message = build(session, email)
        deliver(message)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        session.rollback()
        permanent = _permanent(exc)
        wait = backoff_seconds(email.attempts)
        session.execute(sa.update(NotificationEmail).where(NotificationEmail.id == email_id).values(
            status=FAILED if permanent else PENDING, last_error=f"{type(exc).__name__}: {exc}"[:500],
            next_at=clock.now() + dt.timedelta(seconds=wait)))
        session.commit()
        if permanent:
            return "failed"
        raise TransientMailError(str(exc)) from exc
    session.execute(sa.update(NotificationEmail).where(NotificationEmail.id == email_id)
                    .values(status=SENT, sent_at=clock.now(), last_error=None))
    session.commit()
    return "sent"


def due(session: Session, lease_seconds: float) -> list[int]:
    """The pending emails whose time has come, leased for ``lease_seconds`` (so the
    next dispatch does not hand them out again meanwhile), committed. An email
    left ``sending`` longer than the lease (its sender died) is pending again."""
    now = clock.now()
    lease_end = now + dt.timedelta(seconds=lease_seconds)
    session.execute(sa.update(NotificationEmail).where(
        NotificationEmail.status == SENDING, NotificationEmail.claimed_at < now - dt.timedelta(seconds=lease_seconds)
    ).values(status=PENDING))
    ids = list(session.scalars(sa.select(NotificationEmail.id).where(
        NotificationEmail.status == PENDING, NotificationEmail.next_at <= now).order_by(NotificationEmail.id)
        .limit(500)))
    if ids:
        session.execute(sa.update(NotificationEmail).where(NotificationEmail.id.in_(ids)).values(next_at=lease_end))
    session.commit()
    return ids


def case_url(case_id: int) -> str:
    """The case page's address for a reader of the email."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/cases/{case_id}"


def build(session: Session, email: NotificationEmail) -> Message:
    """The message for ``email``, in its recipient's language (Vietnamese unless they
    chose English): plain text and HTML, one link per case; the subject names only
    the person and the step (an immediate email) or the day (a digest)."""
    user = session.get(User, email.user_id)
    notifications = list(session.scalars(sa.select(Notification).where(Notification.email_id == email.id)
                                         .order_by(Notification.id)))
    language = user.language if user.language in ("vi", "en") else "vi"
    with force_locale(language):
        found = texts.items(session, notifications)
        digest = email.key.startswith("d:")
        if digest:
            day = dt.date.fromisoformat(email.key.rsplit(":", 1)[1]) - dt.timedelta(days=1)
            subject = _("Your notifications of %(date)s (%(count)s)", date=format_date(day, "dd/MM/yyyy"),
                        count=len(found))
        else:
            subject = found[0].title if found else _("Notification")
        context = {"user": user, "items": found, "digest": digest, "subject": subject, "case_url": case_url,
                   "lang": language}
        # Straight from the Jinja environment: no request, so none of the pages' context processors.
        env = current_app.jinja_env
        text_body = env.get_template("emails/notifications.txt").render(**context)
        html_body = env.get_template("emails/notifications.html").render(**context)
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip(">") or "localhost"
    message = Message(subject=subject, recipients=[user.email], body=text_body, html=html_body,
                      sender=current_app.config["MAIL_DEFAULT_SENDER"])
    message.msgId = f"<notification-{email.key.replace(':', '-')}@{domain}>"
    message.extra_headers = {"X-Notification-Email": email.key,
                             "X-Notification-Kinds": ",".join(sorted({i.notification.kind for i in found}))}
    return message


def deliver(message: Message) -> None:
    """Hand ``message`` to the SMTP server, or write it to ``MAIL_FOLDER`` when none is configured."""
    if current_app.config.get("MAIL_SERVER"):
        # Flask-Mail opens smtplib connections with the default socket timeout: bound it.
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(float(current_app.config["MAIL_TIMEOUT"]))
        try:
            mail.send(message)
        except (smtplib.SMTPException, OSError) as exc:
            if _permanent(exc):
                raise
            raise TransientMailError(str(exc)) from exc
        finally:
            socket.setdefaulttimeout(previous)
        return
    folder = Path(current_app.config["MAIL_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    name = message.msgId.strip("<>").partition("@")[0]
    target = folder / f"{name}.eml"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(message.as_bytes())
    tmp.replace(target)
