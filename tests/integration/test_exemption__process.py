"""Exemption from party work and activity through the pages (DOMAIN.md "Exemption from work and activity")."""

from __future__ import annotations

import sqlalchemy as sa

from tests.admission_flow import case_state, vote
from tests.demo_people import plain_member
from tests.discipline_flow import case_data, refusal
from tests.transfer_flow import exempted, ok, open_exemption


def exemption_of(app, person_id: int):
    from app.extensions import db
    from core.models import Person

    with app.app_context():
        return db.session.scalar(sa.select(Person.exemption).where(Person.id == person_id))


def test_rule__exemption__branch_decides_by_a_majority_of_those_present(app, pages, demo):
    member = plain_member(demo)
    response, case_id = open_exemption(app, pages, member.id)
    ok(response)
    # 4 of 8 present is not a majority: the meeting refused.
    ok(pages.act(case_id, "decide_exempt", **vote("2026-11-12", 10, 8, 4, 4)))
    assert case_state(app, case_id) == "refused" and exemption_of(app, member.id) is None
    case2 = exempted(app, pages, member.id, tally=(10, 8, 5, 3))
    assert exemption_of(app, member.id) == "work_and_activity"
    assert case_data(app, case2)["branch_vote"]["passed"] is True


def test_rule__exemption__resume_on_request_or_at_the_end_date__on_request(app, pages, demo):
    member = plain_member(demo)
    case_id = exempted(app, pages, member.id)
    ok(pages.act(case_id, "resume", resumed_on="2026-11-19"))
    assert case_state(app, case_id) == "ended" and exemption_of(app, member.id) is None


def test_rule__exemption__resume_on_request_or_at_the_end_date__timer(app, pages, demo, clock_file):
    from app.extensions import db
    from workflow.timers import fire_due_timers

    member = plain_member(demo)
    case_id = exempted(app, pages, member.id, exempt_until="2026-12-31")
    with app.app_context():
        assert fire_due_timers(db.session) == 0
    clock_file.write_text("2027-01-01T03:00:00Z")
    with app.app_context():
        assert fire_due_timers(db.session) == 1
    assert case_state(app, case_id) == "ended" and exemption_of(app, member.id) is None
    assert case_data(app, case_id)["ended_on"] == "2026-12-31"


def test_rule__exemption__exempted_not_counted_among_entitled_voters(app, pages, demo):
    """Thôn Trung has 10 official members; one exempted leaves 9 entitled to vote."""
    exempted(app, pages, plain_member(demo).id)
    other = plain_member(demo, 4)
    response, case_id = open_exemption(app, pages, other.id, kind="work")
    ok(response)
    text = refusal(pages.act(case_id, "decide_exempt", **vote("2026-11-13", 10, 8, 6, 2)))
    assert "9" in text and case_state(app, case_id) == "requested"
    ok(pages.act(case_id, "decide_exempt", **vote("2026-11-13", 9, 8, 6, 2)))
    assert case_state(app, case_id) == "exempted"


def test_rule__exemption__request_kind_reason_and_dates(app, pages, demo):
    response, _ = open_exemption(app, pages, plain_member(demo).id, exempt_until="2026-11-01")
    assert response.status_code == 422


def test_rule__exemption__exempted_stay_members(app, pages, demo):
    from tests.discipline_flow import person_status

    member = plain_member(demo)
    exempted(app, pages, member.id, kind="work")
    assert person_status(app, member.id) == "official" and exemption_of(app, member.id) == "work"
    # One open exemption per person.
    response, _ = open_exemption(app, pages, member.id)
    assert response.status_code == 422


def test_rule__exemption__grassroots_committee_informed(app, pages, demo):
    """The grassroots committee (its committee members and standing members at Đảng ủy xã Phúc
    Thắng) is told of the branch meeting's decision, either way; no one else is."""
    from tests.notify_flow import rows, scan

    member = plain_member(demo)
    case_id = exempted(app, pages, member.id)
    scan(app)
    informed = rows(app, kind="informed")
    told = {n.recipient_id for n in informed}
    assert told == {demo.users["danguy.phucthang"].id, demo.users["thuongvu.phucthang"].id}
    assert {(n.case_id, n.step) for n in informed} == {(case_id, "exempted")}
    # Not the secretary who recorded it, not the inspection officer, not the committee above.
    for other in ("bithu.trung", "kiemtra.phucthang", "thuongvu.nghiahung", "bithu.dong"):
        assert demo.users[other].id not in told
    assert scan(app) == 0 and len(rows(app, kind="informed")) == 2  # once each
    # A refusal is a decision too.
    other = plain_member(demo, 4)
    response, refused = open_exemption(app, pages, other.id)
    ok(response)
    ok(pages.act(refused, "decide_refuse", meeting_date="2026-11-13", reason="Còn đủ sức khỏe."))
    scan(app)
    assert {(n.case_id, n.step) for n in rows(app, "thuongvu.phucthang", kind="informed")} == {
        (case_id, "exempted"), (refused, "refused")}
    # The words, in Vietnamese, on the recipient's list.
    pages.as_user("thuongvu.phucthang")
    html = pages.client.get("/notifications").get_data(as_text=True)
    assert f"Để biết: {member.full_name}" in html and "cấp ủy đồng chí được thông báo" in html


def test_rule__exemption__exempted_not_graded(app, api, pages, demo, clock_file):
    """A member exempted before the round opens, and one exempted while it is open, are listed
    but not graded: not on the sheet, refused on it, not in the API's graded list, the round's
    count or the decided grades and the report's counts."""
    import re

    from tests.admission_flow import case_state
    from tests.grading_flow import DECEMBER, rows

    members = sorted(p.id for p in demo.people["trung"] if p.status.value in ("official", "probationary"))
    before, during = plain_member(demo).id, plain_member(demo, 4).id
    exempted(app, pages, before)
    clock_file.write_text(DECEMBER)
    pages.as_user("danguy.phucthang")
    assert pages.client.post("/grading/open", data={"csrf_token": pages.token("/grading/"), "year": 2026,
                                                    "unit_id": demo.units["phucthang"].id}).status_code == 302
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        case_id = db.session.scalar(sa.select(Case.id).where(Case.process == "grading",
                                                             Case.unit_id == demo.units["trung"].id))
    api.as_user("bithu.trung")
    assert set(api.case(case_id)["data"]["not_graded"]) == {str(before)}
    exempted(app, pages, during, tally=(9, 8, 6, 2), meeting_date="2026-12-15", exempt_from="2026-12-15")

    data = api.case(case_id)["data"]
    assert data["not_graded"] == {str(before): "exempted", str(during): "exempted"}
    graded = sorted(data["graded"])
    assert graded == [pid for pid in members if pid not in (before, during)]
    html = pages.client.get(f"/grading/cases/{case_id}").get_data(as_text=True)
    assert html.count('data-testid="sheet-row"') == len(graded)
    skipped = re.search(r'data-testid="not-graded">(.*?)</p>', html, re.S).group(1)
    assert skipped.count("miễn công tác và sinh hoạt đảng") == 2
    pages.as_user("danguy.phucthang")
    index = pages.client.get(f"/grading/?unit={demo.units['phucthang'].id}&year=2026").get_data(as_text=True)
    row = re.search(rf'data-unit="{demo.units["trung"].id}".*?data-testid="members-graded">(\d+)<', index, re.S)
    assert int(row.group(1)) == len(graded)

    refused = api.act(case_id, "record_self_assessments", {"rows": rows({pid: "good" for pid in [*graded, during]})})
    assert refused.status_code == 422 and case_state(app, case_id) == "self_assessment"
    sheet = {"rows": rows({pid: "good" for pid in graded})}
    assert api.act(case_id, "record_self_assessments", sheet).status_code == 200
    assert api.act(case_id, "record_branch_proposal", {**sheet, "meeting_date": "2026-12-16"}).status_code == 200
    api.as_user("danguy.phucthang")
    decided = api.act(case_id, "decide_grades", {**sheet, "decision_number": "20-QĐ/ĐU",
                                                 "decision_date": "2026-12-18"})
    assert decided.status_code == 200, decided.get_json()
    summary = api.get("/reports/summary?from=2026-12-01&to=2026-12-31").get_json()["grading"]
    assert summary["graded"] == len(graded) and summary["by_grade"]["good"] == len(graded)
    for pid in (before, during):
        assert api.get(f"/people/{pid}").get_json()["grading"] == []
