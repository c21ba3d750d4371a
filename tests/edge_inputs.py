"""Hostile inputs for the edge tests and the fuzzers, and a fingerprint of the
tables a refused request must leave alone."""

from __future__ import annotations

import sqlalchemy as sa

# What a careless user or an attacker types: each must be refused (or, for a
# text field, taken as text), never answered with a 5xx.
HOSTILE_TEXT = [
    "a\x00b",                       # NUL: PostgreSQL refuses it
    "\x00",
    "x\r\nSet-Cookie: a=b",         # CRLF
    "\x1b[31m\x07",                 # other control characters
    "\u202e\u0085\x9f",             # bidi override, C1 controls
    "x" * 25000,                    # over any field and the edge's limit
    "😀" * 300,
    "'; DROP TABLE person; --",
    "{{7*7}}<script>alert(1)</script>",
    " ",
    "",
]
HOSTILE_NUMBERS = ["2147483648", "-2147483649", "99999999999999999999", "1" * 5000, "-1", "0", "1e5", "0x10",
                   "١٢", "abc", " 7 ", "7.5", "NaN", "Infinity"]
HOSTILE = HOSTILE_TEXT + HOSTILE_NUMBERS
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2000-01-01", "2099-01-01", "20/11/2026"]

# The tables a refused request must leave unchanged: (label, SQL giving one number).
CASE_TABLES = [
    ("cases", "SELECT count(*) FROM wf_case"),
    ("case versions", "SELECT coalesce(sum(version), 0) FROM wf_case"),
    ("case states", "SELECT count(DISTINCT state || ':' || cast(id AS varchar(12))) FROM wf_case"),
    ("audit events", "SELECT count(*) FROM audit_event"),
    ("timers", "SELECT count(*) FROM wf_timer"),
    ("idempotency keys", "SELECT count(*) FROM wf_idempotency"),
    ("documents", "SELECT count(*) FROM document"),
    ("courses", "SELECT count(*) FROM course"),
    ("enrolments", "SELECT count(*) FROM course_enrolment"),
    ("results", "SELECT count(*) FROM course_enrolment WHERE recorded_at IS NOT NULL"),
    ("plans", "SELECT count(*) FROM admission_plan"),
    ("people", "SELECT count(*) FROM person"),
    ("posts", "SELECT count(*) FROM post"),
    ("certificates", "SELECT count(*) FROM certificate"),
]


def case_tables(app) -> dict[str, int]:
    """A fingerprint of the case tables (counts, versions), to compare before and after a request."""
    from app.extensions import db

    with app.app_context():
        out = {label: int(db.session.scalar(sa.text(sql))) for label, sql in CASE_TABLES}
        db.session.remove()
    return out


def deep_json(levels: int) -> str:
    """A JSON body nested ``levels`` deep, as an object under ``payload`` (valid JSON)."""
    return '{"payload": ' + '{"a": ' * levels + "1" + "}" * levels + "}"
