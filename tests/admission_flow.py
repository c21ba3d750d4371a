"""Helpers to drive an admission through the pages (test client)."""

from __future__ import annotations

import io
import re
import uuid

import sqlalchemy as sa

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32


class Pages:
    """A logged-in user driving case pages."""

    def __init__(self, client, auth):
        self.client = client
        self.auth = auth
        self.user = None

    def as_user(self, username: str):
        if self.user != username:
            self.client.post("/logout", data={"csrf_token": self.token("/")}) if self.user else None
            response = self.auth.login(username)
            assert response.status_code == 302, response.get_data(as_text=True)
            self.user = username
        return self

    def token(self, path="/"):
        return self.auth.csrf_token(path)

    def case_page(self, case_id: int) -> str:
        response = self.client.get(f"/cases/{case_id}")
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def version(self, case_id: int) -> int:
        html = self.case_page(case_id)
        m = re.search(r'name="expected_version" value="(\d+)"', html)
        return int(m.group(1)) if m else 0

    def open_admission(self, person_id: int):
        return self.client.post("/cases/new/admission", data={"csrf_token": self.token("/cases"),
                                                              "person_id": person_id})

    def upload(self, case_id: int, kind: str, content: bytes = PDF, filename: str = "doc.pdf",
               issued_on: str | None = None):
        data = {"csrf_token": self.token(f"/cases/{case_id}"), "kind": kind,
                "file": (io.BytesIO(content), filename)}
        if issued_on:
            data["issued_on"] = issued_on
        return self.client.post(f"/cases/{case_id}/documents", data=data, content_type="multipart/form-data")

    def act(self, case_id: int, action: str, key: str | None = None, **fields):
        data = {"csrf_token": self.token(f"/cases/{case_id}"), "expected_version": self.version(case_id),
                "idempotency_key": key or uuid.uuid4().hex}
        data.update({k: v for k, v in fields.items() if v is not None})
        return self.client.post(f"/cases/{case_id}/actions/{action}", data=data)


def case_state(app, case_id: int) -> str:
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return db.session.scalar(sa.select(Case.state).where(Case.id == case_id))


def latest_case_id(app) -> int:
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Case.id)))


def audit_count(app, case_id: int) -> int:
    from app.extensions import db
    from workflow.models import AuditEvent

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id))


def vote(meeting_date: str, entitled: int, present: int, votes_for: int, votes_against: int = 0) -> dict:
    return {"meeting_date": meeting_date, "entitled": entitled, "present": present, "votes_for": votes_for,
            "votes_against": votes_against}
