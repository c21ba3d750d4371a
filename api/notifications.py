"""The caller's notifications: the list (newest first, with ``read`` flags) and marking one read."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from app.extensions import db
from notifications import queries, texts

from .blueprint import bp
from .caller import current
from .openapi import CURSOR, LIMIT, operation, query, ref
from .render import day, iso
from .requests import ApiError, bool_arg, in_range, limit_arg


def notification_json(item: texts.Item) -> dict:
    """A notification as the API shows it (:class:`notifications.texts.Item`)."""
    n = item.notification
    return {"id": n.id, "kind": n.kind, "case_id": n.case_id, "step": n.step, "step_label": item.step_label,
            "title": item.title, "detail": item.detail, "created_at": iso(n.created_at),
            "read": n.read_at is not None, "read_at": iso(n.read_at), "deadline": day(item.deadline)}


@bp.get("/notifications")
@operation("The caller's notifications, newest first", tags=["notifications"],
           params=[query("unread", {"type": "boolean"}, "only the unread ones (true)"), LIMIT, CURSOR],
           response=ref("NotificationPage"),
           description="Deadline reminders, cases arriving in the caller's inbox, cases the caller acted on "
                       "being decided; each with its read flag. Keyset-paginated. 400 for a malformed cursor.")
def list_notifications():
    """``{"items": [Notification], "next_cursor"}``; 400 for a malformed cursor, limit or unread flag."""
    rows, next_cursor = queries.page(db.session, current(), request.args.get("cursor") or None, limit_arg(),
                                     unread_only=bool(bool_arg("unread")))
    return jsonify({"items": [notification_json(i) for i in texts.items(db.session, rows)],
                    "next_cursor": next_cursor})


@bp.post("/notifications/<int:id>/read")
@operation("Mark one of the caller's notifications read", tags=["notifications"], response=ref("Notification"),
           body={"type": "object", "properties": {}, "description": "empty (nothing to send)"}, errors=(404,),
           description="Idempotent: a notification already read stays read (its read_at unchanged).")
def read_notification(id: int):  # noqa: A002
    """The notification, now read; 404 when it is not the caller's (absent and someone else's read the same)."""
    in_range(id)
    found = queries.owned(db.session, current(), id)
    if found is None:
        raise ApiError(404, _("No such notification."))
    queries.mark_read(db.session, current(), id)
    db.session.refresh(found)
    return jsonify(notification_json(texts.items(db.session, [found])[0]))
