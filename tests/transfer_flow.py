"""Helpers to drive transfers and exemptions through the pages (test client)."""

from __future__ import annotations

import datetime as dt

from tests.admission_flow import case_state, latest_case_id
from tests.discipline_flow import new_case

# A transfer opened on a Monday in September, so that the letter and a presentation
# 31 working days later both lie before the tests' today (2026-11-20).
T_OPENED = "2026-09-14T03:00:00Z"
MOVED_ON = "2026-09-10"
INTRO_ON = "2026-09-15"
LETTER_ON = "2026-09-16"


def working_day_after(day: str, n: int) -> str:
    """The n-th working day after ``day`` (ISO), as ISO."""
    from workflow.calendar import add_working_days

    return add_working_days(dt.date.fromisoformat(day), n).isoformat()


def request_fields(destination_unit_id=None, kind="official", **override) -> dict:
    fields = {"kind": kind, "grounds": "Chuyển đến nơi ở mới tại thành phố Nam Định.", "moved_on": MOVED_ON,
              "destination_unit_id": destination_unit_id, "dues_paid_to": "2026-09-01"}
    if kind == "temporary":
        fields.update(purpose="work_or_residence", planned_until="2027-03-10")
    fields.update(override)
    return {k: v for k, v in fields.items() if v is not None}


def open_transfer(app, pages, person_id: int, destination_unit_id=None, opened=T_OPENED, user="bithu.trung",
                  **override):
    """``user`` records the member's request; returns the response and the new case's id."""
    pages.as_user(user)
    response = new_case(pages, "transfer", person_id, opened=opened,
                        **request_fields(destination_unit_id, **override))
    return response, latest_case_id(app)


def to_in_transit(app, pages, demo, person_id: int, *, kind="official", letter=True, **override) -> int:
    """A transfer to tổ dân phố số 4 (another district), up to ``in_transit``."""
    response, case_id = open_transfer(app, pages, person_id, demo.units["tdp4"].id, kind=kind, **override)
    assert response.status_code == 302, response.get_data(as_text=True)
    ok(pages.act(case_id, "confirm", note="Đã kiểm tra đảng phí."))
    pages.as_user("danguy.phucthang")
    ok(pages.act(case_id, "introduce", intro_number="12-GGT/ĐU", intro_date=INTRO_ON))
    if letter:
        assert case_state(app, case_id) == "superior_review"
        pages.as_user("tochuc.nghiahung")
        ok(pages.act(case_id, "issue_letter", letter_number="45-GGT/HU", letter_date=LETTER_ON))
    assert case_state(app, case_id) == "in_transit"
    return case_id


def ok(response):
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return response


def open_exemption(app, pages, person_id: int, user="bithu.trung", **override):
    """``user`` records the member's request for exemption; returns the response and the case id."""
    fields = {"kind": "work_and_activity", "reason": "Tuổi cao, sức khỏe yếu (82 tuổi).",
              "exempt_from": "2026-11-10"}
    fields.update(override)
    pages.as_user(user)
    response = new_case(pages, "exemption", person_id, **{k: v for k, v in fields.items() if v is not None})
    return response, latest_case_id(app)


def exempted(app, pages, person_id: int, tally=(10, 8, 6, 2), meeting_date="2026-11-12", **override) -> int:
    """A member exempted by the branch meeting (majority of those present)."""
    from tests.admission_flow import vote

    response, case_id = open_exemption(app, pages, person_id, **override)
    ok(response)
    ok(pages.act(case_id, "decide_exempt", **vote(meeting_date, *tally)))
    assert case_state(app, case_id) == "exempted"
    return case_id
