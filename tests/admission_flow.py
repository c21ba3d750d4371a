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

    def version(self, case_id: int) -> int | None:
        """The version the case page's forms carry (None when it offers no action)."""
        html = self.case_page(case_id)
        m = re.search(r'name="expected_version" value="(\d+)"', html)
        return int(m.group(1)) if m else None

    def open_admission(self, person_id: int):
        from tests.demo_people import opening

        token = self.token("/cases")
        with opening():
            return self.client.post("/cases/new/admission", data={"csrf_token": token, "person_id": person_id})

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


class Flow:
    """Drive admissions through cases.actions and cases.documents (the same calls
    the pages make), inside the app context, as the demo users."""

    def __init__(self, app, demo, clock_file):
        self.app = app
        self.demo = demo
        self.clock_file = clock_file

    def at(self, when: str):
        """Move the shared clock (ISO date or datetime, UTC)."""
        self.clock_file.write_text(when if "T" in when else f"{when}T03:00:00Z")
        return self

    def user(self, username):
        from app.extensions import db
        from core.models import User

        return db.session.scalar(sa.select(User).where(User.username == username))

    def new_candidate(self, born, *, branch="trung", certificate_on="2025-10-20", **kw):
        import datetime as dt

        from app.extensions import db
        from core.enums import Education, Gender, PersonStatus
        from core.models import Certificate, Person

        unit_id = self.demo.units[branch].id
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Person)) + 1
        person = Person(full_name=kw.pop("full_name", f"Lương Văn Thử {n}"), date_of_birth=dt.date.fromisoformat(born),
                        gender=Gender.male, national_id=f"0360{n:08d}", education=kw.pop("education", Education.upper_secondary),
                        unit_id=unit_id, status=PersonStatus.candidate, **kw)
        db.session.add(person)
        db.session.flush()
        if certificate_on:
            db.session.add(Certificate(person_id=person.id, number=f"CN-{n}", issued_on=dt.date.fromisoformat(certificate_on),
                                       issuer="Trung tâm Chính trị"))
        db.session.commit()
        return person.id

    def open(self, person_id, documents=("1-KNĐ", "2-KNĐ", "3-KNĐ", "3-KNĐ", "5-KNĐ"), docs_dated=None):
        import datetime as dt
        import io

        from app.extensions import db
        from cases.actions import open_case
        from cases.documents import add_document
        from core import clock

        from tests.demo_people import opening

        user = self.user("bithu.trung")
        with opening():
            case = open_case(db.session, user, "admission", person_id)
        for kind in documents:
            add_document(db.session, user, case, kind=kind, filename=f"{kind}.pdf", stream=io.BytesIO(PDF),
                         issued_on=dt.date.fromisoformat(docs_dated) if docs_dated else clock.today(),
                         upload_dir=self.app.config["UPLOAD_DIR"], max_bytes=10 * 1024 * 1024)
        db.session.commit()
        return case.id

    def officials(self, branch="trung"):
        return [p.id for p in self.demo.people[branch] if p.status.value == "official"]

    def act(self, case_id, action, username, **payload):
        from app.extensions import db
        from cases import actions
        from workflow.models import Case

        case = db.session.get(Case, case_id)
        db.session.refresh(case)
        return actions.take_action(db.session, self.user(username), case, action, payload)

    def submit(self, case_id, introducers=None, since="2020-01-01", union=""):
        o = self.officials()
        introducers = introducers if introducers is not None else [o[2], o[3]]
        payload = {"union_resolution": union}
        for n, pid in enumerate(introducers, start=1):
            payload[f"introducer_{n}"] = pid
            payload[f"introducer_{n}_since"] = since
        return self.act(case_id, "submit", "bithu.trung", **payload)

    def to_branch_vote(self, case_id):
        self.submit(case_id)
        self.act(case_id, "certify_background", "danguy.phucthang", findings="Rõ ràng.")
        self.act(case_id, "record_opinions", "bithu.trung", summary="Nhất trí.")

    def case(self, case_id):
        from app.extensions import db
        from workflow.models import Case

        case = db.session.get(Case, case_id)
        db.session.refresh(case)
        return case

    def last_event(self, case_id):
        from app.extensions import db
        from workflow.models import AuditEvent

        return db.session.scalar(sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
                                 .order_by(AuditEvent.seq.desc()).limit(1))
