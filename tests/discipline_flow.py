"""Helpers to drive discipline and removal cases through the pages (test client)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.admission_flow import case_state, latest_case_id, vote
from tests.demo_people import OPENED, TODAY, opening

REPORT = {"violation_date": "2026-09-01", "category": "party_activity",
          "description": "Không tham gia sinh hoạt chi bộ và không thực hiện nhiệm vụ được phân công."}


def case_data(app, case_id: int) -> dict:
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return dict(db.session.scalar(sa.select(Case.data).where(Case.id == case_id)) or {})


def person_status(app, person_id: int) -> str:
    from app.extensions import db
    from core.models import Person

    with app.app_context():
        return db.session.scalar(sa.select(Person.status).where(Person.id == person_id)).value


def new_case(pages, process_name: str, person_id: int, *, unit=None, start=None, opened=OPENED, **fields):
    """Open a case through the new-case page, on the day ``opened`` (see :func:`tests.demo_people.opening`)."""
    query = "&".join(f"{k}={v}" for k, v in (("unit", unit), ("start", start)) if v)
    path = f"/cases/new/{process_name}" + (f"?{query}" if query else "")
    data = {"csrf_token": pages.token(path), "person_id": person_id}
    if unit:
        data["unit"] = unit
    if start:
        data["start"] = start
    data.update({k: v for k, v in fields.items() if v is not None})
    with opening(opened):
        return pages.client.post(path, data=data)


def report_fields(**override) -> dict:
    return {**REPORT, **override}


def own_finding(app, pages, person_id: int, opened=OPENED, **override) -> int:
    """bithu.trung opens a case from the branch's own finding (starts at self_review) on the day ``opened``."""
    pages.as_user("bithu.trung")
    response = new_case(pages, "discipline", person_id, opened=opened, **report_fields(**override))
    assert response.status_code == 302, response.get_data(as_text=True)
    case_id = latest_case_id(app)
    assert case_state(app, case_id) == "self_review"
    assert pages.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 302
    return case_id


def self_review(pages, case_id: int) -> None:
    pages.as_user("bithu.trung")
    response = pages.act(case_id, "record_self_review", submitted="yes",
                         self_criticism="Tôi nhận thấy khuyết điểm và xin nhận hình thức kỷ luật.")
    assert response.status_code == 302, response.get_data(as_text=True)


def at_branch_vote(app, pages, person_id: int, opened=OPENED, **override) -> int:
    case_id = own_finding(app, pages, person_id, opened=opened, **override)
    self_review(pages, case_id)
    assert case_state(app, case_id) == "branch_vote"
    return case_id


def branch_vote(pages, case_id, form, tally=(10, 10, 9, 1), meeting_date=TODAY, **extra):
    """bithu.trung records the branch's vote on ``form``; where it goes follows from the rules."""
    pages.as_user("bithu.trung")
    return pages.act(case_id, "record_branch_vote", proposed_form=form, resolution_number="12-NQ/CB", **vote(meeting_date, *tally), **extra)


def decided_by_branch(app, pages, person_id: int, form="reprimand", meeting_date=TODAY, opened=OPENED,
                      **override) -> int:
    case_id = at_branch_vote(app, pages, person_id, opened=opened, **override)
    response = branch_vote(pages, case_id, form, meeting_date=meeting_date)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert case_state(app, case_id) == "decided"
    return case_id


def announce(pages, case_id: int, day: str = TODAY) -> None:
    pages.as_user("bithu.trung")
    response = pages.act(case_id, "announce", announced_on=day)
    assert response.status_code == 302, response.get_data(as_text=True)


def refusal(response) -> str:
    """The text of the refusal box of a 422 page."""
    import html
    import re

    assert response.status_code == 422, response.status_code
    text = response.get_data(as_text=True)
    m = re.search(r'data-testid="refusal">(.*?)</div>', text, re.S)
    assert m, "no refusal shown"
    return html.unescape(re.sub(r"<[^>]+>", " ", m.group(1)))
