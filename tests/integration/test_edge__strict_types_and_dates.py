"""Lax typing and dates (issue 11, class 11).

Strict JSON types (``true`` is never an id nor a number: one helper,
:func:`app.edge.is_int`), unknown ids are errors naming the field (never a
silent ``{"recorded": 0}``), and every vote or decision date is checked against
the case's own dates: not in the future, not before the case's earlier steps,
and for discipline not before the violation nor the opening (one guard factory,
:func:`cases.guards.event_date`, on every such transition of every process).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.admission_flow import Pages, vote
from tests.api_flow import open_ready_case, step, submit_payload
from tests.candidacy_flow import CandidacyFlow
from tests.demo_people import plain_member
from tests.discipline_flow import REPORT

EVENT_DATES = ("meeting_date", "decision_date", "ceremony_date", "announced_on", "filed_on", "requested_on")


@pytest.fixture
def course(app, demo, clock_file):
    """A course of Huyện ủy Nghĩa Hưng with two candidates of thôn Trung on its class
    list (enrolments 1 and 2), and a second course with one more (enrolment 3)."""
    from app.extensions import db
    from cases.candidacy import courses
    from cases.candidacy.models import Course, Enrolment

    flow = CandidacyFlow(app, demo, clock_file).at("2026-11-20")
    with app.test_request_context("/api/v1/me"):
        first = [flow.to_training(flow.candidates()[i]) for i in (2, 3)]
        other = flow.to_training(flow.candidates("dong")[2], "dong")
        course_id, other_id = flow.course(), flow.course(name="Lớp khóa IV/2026")
        user = flow.user("tochuc.nghiahung")
        courses.enrol(db.session, user, db.session.get(Course, course_id), first)
        courses.enrol(db.session, user, db.session.get(Course, other_id), [other])
        ids = dict(db.session.execute(sa.select(Enrolment.id, Enrolment.case_id).order_by(Enrolment.id)).all())
    assert list(ids) == [1, 2, 3]
    return {"id": course_id, "other": other_id, "flow": flow, "cases": [ids[1], ids[2], ids[3]]}


def states(app, case_ids):
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return [db.session.scalar(sa.select(Case.state).where(Case.id == c)) for c in case_ids]


def recorded(app):
    from app.extensions import db
    from cases.candidacy.models import Enrolment

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)
                                 .where(Enrolment.recorded_at.is_not(None)))


def result(enrolment_id, **extra):
    return {"enrolment_id": enrolment_id, "score": 8, "result": "failed", **extra}


# ---- strict types ----------------------------------------------------------------------------------

def test_strict__true_is_no_enrolment_id(app, api, course):
    api.as_user("tochuc.nghiahung")
    response = api.post(f"/courses/{course['id']}/results", json={"results": [result(True)]})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["errors"] == {"results[0].enrolment_id": ["Nhập một số nguyên."]}
    assert recorded(app) == 0 and states(app, course["cases"][:1]) == ["in_training"]


def test_strict__an_unknown_enrolment_is_an_error_naming_the_field(app, api, course):
    api.as_user("tochuc.nghiahung")
    url = f"/courses/{course['id']}/results"
    absent = api.post(url, json={"results": [result(1), result(999999)]})
    assert absent.status_code == 422, absent.get_data(as_text=True)
    assert absent.get_json()["errors"] == {"results[1].enrolment_id": ["Không có học viên này trong lớp."]}
    on_another_course = api.post(url, json={"results": [result(1), result(3)]})
    assert on_another_course.get_data() == absent.get_data()
    assert recorded(app) == 0 and states(app, course["cases"]) == ["in_training"] * 3
    assert api.post(url, json={"results": [result(1)]}).get_json() == {"recorded": 1}


@pytest.mark.parametrize("item, field", [
    (result(1, score=True), "score"), (result(1, score="8"), "score"), (result(1, result=1), "result"),
    (result(1, certificate_date=20261119), "certificate_date"), (result(1, extra="x"), "extra"),
    (result(1.0), "enrolment_id"), (result("1"), "enrolment_id"),
])
def test_strict__result_fields_have_their_json_types(app, api, course, item, field):
    api.as_user("tochuc.nghiahung")
    response = api.post(f"/courses/{course['id']}/results", json={"results": [item]})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == [f"results[0].{field}"]
    assert recorded(app) == 0


def test_strict__true_is_no_number_anywhere_json_holds_one(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    refusals = [
        (api.post("/cases", json={"type": "admission", "person_id": True}), "person_id"),
        (api.post(f"/cases/{case_id}/actions/submit", json={"expected_version": True, "payload": {}}),
         "expected_version"),
        (api.act(case_id, "submit", submit_payload(demo, introducer_1=True)), "introducer_1"),
    ]
    api.as_user("danguy.phucthang")
    unit = demo.units["phucthang"].id
    refusals.append((api.client.put(f"/api/v1/plans/{unit}/2026", json={"target": True}, headers=api.headers()),
                     "target"))
    refusals.append((api.client.put(f"/api/v1/plans/{unit}/2026", json={"target": 3, "targets_by_group": {
        "women": False}}, headers=api.headers()), "targets_by_group.women"))
    for response, field in refusals:
        assert response.status_code == 422, (field, response.get_data(as_text=True))
        assert field in response.get_json()["errors"], (field, response.get_json())
    api.as_user("bithu.trung")
    assert api.case(case_id)["version"] == 1


def test_strict__the_pages_refuse_unknown_ids_on_the_course_forms(app, client, auth, course):
    pages = Pages(client, auth).as_user("tochuc.nghiahung")
    url = f"/candidacy/courses/{course['id']}"
    response = client.post(f"{url}/results", data={
        "csrf_token": pages.token(url), "enrolment_id": ["1", "3"], "batch_key": "s",
        "score_1": "8", "result_1": "failed", "score_3": "8", "result_3": "failed"})
    assert response.status_code == 422
    assert recorded(app) == 0 and states(app, course["cases"]) == ["in_training"] * 3
    response = client.post(f"{url}/class", data={"csrf_token": pages.token(url), "case_id": ["999999"]})
    assert response.status_code == 422


# ---- dates of votes and decisions -------------------------------------------------------------------

def discipline_at_branch_vote(api, demo) -> int:
    """bithu.trung's own finding (violation 01/09/2026), opened on 02/11/2026, at the branch vote."""
    from tests.demo_people import opening

    api.as_user("bithu.trung")
    with opening():
        case_id = api.post("/cases", json={"type": "discipline", "person_id": plain_member(demo).id,
                                           **REPORT}).get_json()["id"]
    assert api.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 201
    step(api, case_id, "bithu.trung", "record_self_review", {"submitted": "yes", "self_criticism": "Xin nhận."},
         "branch_vote")
    return case_id


def test_rule__discipline__vote_not_before_the_violation_or_the_opening__the_issues_vote_of_2000(api, demo):
    case_id = discipline_at_branch_vote(api, demo)
    payload = {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand", **vote("2000-01-01", 10, 10, 9, 1)}
    response = api.act(case_id, "record_branch_vote", payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "01/01/2000" in response.get_json()["detail"] and "01/09/2026" in response.get_json()["detail"]
    assert api.case(case_id)["state"] == "branch_vote"


@pytest.mark.parametrize("day, words", [("2026-10-01", "02/11/2026"), ("2026-11-21", "21/11/2026")])
def test_rule__discipline__vote_not_before_the_violation_or_the_opening__nor_in_the_future(api, demo, day, words):
    case_id = discipline_at_branch_vote(api, demo)
    payload = {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand", **vote(day, 10, 10, 9, 1)}
    response = api.act(case_id, "record_branch_vote", payload)
    assert response.status_code == 422 and words in response.get_json()["detail"]
    response = api.act(case_id, "record_branch_vote", {**payload, "meeting_date": "2026-11-02"})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_rule__discipline__every_vote_records_its_resolution_number(api, demo):
    """A branch vote without its resolution number is refused and changes
    nothing; with it, the number is kept in the case's proposals."""
    case_id = discipline_at_branch_vote(api, demo)
    payload = {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand", **vote("2026-11-20", 10, 10, 9, 1)}
    for missing in ({k: v for k, v in payload.items() if k != "resolution_number"}, {**payload, "resolution_number": ""}):
        response = api.act(case_id, "record_branch_vote", missing)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "resolution_number" in response.get_data(as_text=True)
        assert api.case(case_id)["state"] == "branch_vote"
    response = api.act(case_id, "record_branch_vote", payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["data"]["proposals"][-1]["resolution_number"] == "12-NQ/CB"


def test_dates__an_admission_dossier_begun_on_paper_keeps_its_dates_in_order(api, demo):
    """DOMAIN.md bounds only a discipline vote by the opening; an admission dossier
    begun before the system was adopted is entered with its real dates (a branch
    vote before the opening is accepted), but its own steps stay in order: the
    grassroots committee cannot vote before the branch did."""
    case_id = open_ready_case(api, demo)  # opened on 02/11/2026
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    step(api, case_id, "danguy.phucthang", "certify_background", {"findings": "Rõ ràng."}, "opinions")
    step(api, case_id, "bithu.trung", "record_opinions", {"summary": "Nhất trí."}, "branch_vote")
    response = api.act(case_id, "record_branch_vote", vote("2026-11-21", 10, 10, 9, 1))
    assert response.status_code == 422 and "21/11/2026" in response.get_json()["detail"]
    step(api, case_id, "bithu.trung", "record_branch_vote", vote("2026-10-30", 10, 10, 9, 1), "grassroots_vote")
    api.as_user("danguy.phucthang")
    response = api.act(case_id, "record_grassroots_vote", vote("2026-10-29", 9, 9, 9, 0))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "29/10/2026" in response.get_json()["detail"] and "30/10/2026" in response.get_json()["detail"]
    assert api.case(case_id)["state"] == "grassroots_vote"
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-10-30", 9, 9, 9, 0),
         "superior_review")


def test_dates__every_vote_and_decision_of_every_process_checks_its_dates():
    """Structural: each transition whose form records the date of its own event
    (a meeting, a decision, a ceremony, an announcement, an appeal, a request)
    carries the one guard factory for that field."""
    from cases.registry import all_entries

    checked, missing = 0, []
    for name, entry in all_entries().items():
        for ct in {id(c): c for c in entry.process.compiled.values()}.values():
            fields = [f.name for f in ct.form()] if ct.form is not None else []
            if ct.vote is not None and ct.form is None:
                fields = ["meeting_date"]
            guards = {g.__name__ for g in ct.guards}
            for field in fields:
                if field in EVENT_DATES:
                    checked += 1
                    if f"{field}_is_a_date_of_the_case" not in guards:
                        missing.append(f"{name}.{ct.action}.{field}")
    assert not missing, missing
    assert checked >= 25
