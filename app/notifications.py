"""Notification pages: the list, marking read, the email settings; the bell's count."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cases.cursor import BadCursor
from forms.notifications import NotificationSettingsForm
from notifications import queries, texts
from notifications.mail import init_mail

from .extensions import db

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
log = logging.getLogger(__name__)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def init_notifications(app) -> None:
    """Wire the email sender, the pages, and the bell's unread count into every page."""
    init_mail(app)
    app.register_blueprint(bp)

    @app.after_request
    def _scan_when_eager(response):
        # With tasks run eagerly (tests, no worker) a write's notifications exist when it
        # answers; with a worker, its beat creates them (NOTIFY_POLL_SECONDS): a request never waits.
        config = current_app.config
        if (request.method in WRITES and response.status_code < 400 and config.get("NOTIFY_SCAN_AFTER_WRITE")
                and config.get("CELERY_TASK_ALWAYS_EAGER")):
            from tasks.notify import notifications_scan

            try:
                notifications_scan.delay()
            except Exception:  # noqa: BLE001 - a notification must never fail the write it follows
                log.exception("notifications scan after %s %s failed", request.method, request.path)
        return response

    @app.context_processor
    def _bell():
        if not current_user.is_authenticated:
            return {"unread_notifications": 0}
        return {"unread_notifications": queries.unread_count(db.session, current_user)}


@bp.get("")
@login_required
def notification_list():
    """The user's notifications, newest first, 50 a page; 400 for a malformed cursor."""
    try:
        rows, next_cursor = queries.page(db.session, current_user, request.args.get("cursor") or None)
    except BadCursor:
        abort(400)
    return render_template("notifications/list.html", items=texts.items(db.session, rows), next_cursor=next_cursor)


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    """Mark one notification read and go to its case (404 when it is not the user's)."""
    found = queries.owned(db.session, current_user, notification_id)
    if found is None:
        abort(404)
    queries.mark_read(db.session, current_user, notification_id)
    if request.form.get("open") == "1":
        return redirect(url_for("cases.case_page", case_id=found.case_id))
    return redirect(url_for("notifications.notification_list"))


@bp.post("/read")
@login_required
def mark_all_read():
    """Mark every notification of the user read."""
    changed = queries.mark_read(db.session, current_user)
    flash(_("%(count)s notification(s) marked as read.", count=changed), "success")
    return redirect(url_for("notifications.notification_list"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The user's email settings: address, immediate / daily digest / none, language."""
    form = NotificationSettingsForm(obj=None if request.method == "POST" else _settings_of(current_user))
    if form.validate_on_submit():
        current_user.email = (form.email.data or "").strip() or None
        current_user.notify_delivery = form.delivery.data
        current_user.language = form.language.data
        db.session.commit()
        flash(_("Your notification settings were saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form), (422 if form.errors else 200)


class _Settings:
    def __init__(self, user):
        self.email = user.email or ""
        self.delivery = user.notify_delivery
        self.language = user.language


def _settings_of(user) -> _Settings:
    return _Settings(user)

