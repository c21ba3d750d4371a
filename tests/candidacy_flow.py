"""Helpers to drive candidate training through cases.actions and the course
service (the calls the pages make), as the demo users."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.admission_flow import Flow, vote


def en(app):
    """A request context with English messages (the API path picks the locale from Accept-Language)."""
    return app.test_request_context("/api/v1/me", headers={"Accept-Language": "en"})


class CandidacyFlow(Flow):
    def candidates(self, branch="trung"):
        return [p.id for p in self.demo.people[branch] if p.status.value == "candidate"]

    def nominate(self, person_id, branch="trung", username=None, helper=None, **extra):
        from app.extensions import db
        from cases import actions

        user = self.user(username or {"trung": "bithu.trung", "dong": "bithu.dong", "tdp4": "bithu.tdp4"}[branch])
        payload = {"helper_id": helper or self.officials(branch)[5], "resolution_number": "12-NQ/CB",
                   "resolution_date": "2026-11-02"}
        payload.update(extra)
        case = actions.open_case(db.session, user, "candidacy", person_id, payload)
        return case.id

    def to_training(self, person_id, branch="trung"):
        case_id = self.nominate(person_id, branch)
        self.act(case_id, "approve_training", "danguy.phucthang" if branch != "tdp4" else "danguy.locvuong")
        return case_id

    def result(self, case_id, result="passed", number=None, score="8.5", date="2026-11-19",
               username="tochuc.nghiahung"):
        payload = {"course_name": "Lớp bồi dưỡng nhận thức về Đảng khóa III/2026", "course_starts_on": "2026-11-09",
                   "course_ends_on": "2026-11-13", "score": score, "result": result,
                   "issuer": "Trung tâm Chính trị huyện Nghĩa Hưng"}
        if result == "passed":
            payload.update(certificate_number=number or f"NH-2026-{case_id:04d}", certificate_date=date)
        return self.act(case_id, "record_result", username, **payload)

    def course(self, name="Lớp bồi dưỡng nhận thức về Đảng khóa III/2026", starts="2026-11-09", ends="2026-11-13"):
        from app.extensions import db
        from cases.candidacy import courses

        data = {"name": name, "organiser_unit_id": self.demo.units["nghiahung"].id,
                "starts_on": dt.date.fromisoformat(starts), "ends_on": dt.date.fromisoformat(ends), "issuer": ""}
        return courses.create_course(db.session, self.user("tochuc.nghiahung"), data).id

    def admit(self, case_id, decision_date="2026-11-18"):
        """An admission case from draft (or the branch vote) to the decision to admit."""
        if self.case(case_id).state == "draft":
            self.to_branch_vote(case_id)
        self.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-10", 10, 10, 9, 1))
        self.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-12", 9, 9, 8, 1))
        self.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Đủ điều kiện.")
        return self.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="9-QĐ/HU",
                        decision_date=decision_date, **vote(decision_date, 15, 13, 12, 1))

    def certificates(self, person_id):
        from app.extensions import db
        from core.models import Certificate

        return list(db.session.scalars(sa.select(Certificate).where(Certificate.person_id == person_id)
                                       .order_by(Certificate.id)))

    def events(self, case_id):
        from app.extensions import db
        from workflow.models import AuditEvent

        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
                                       .order_by(AuditEvent.seq)))
