"""Notifications (issue 19): rows created from the audit trail and the case
deadlines, shown in the app and sent by email through Celery tasks.

Layer: imports ``core`` and ``workflow`` (and Flask for the emails' templates);
``app``, ``api`` and ``tasks`` import it.
"""
