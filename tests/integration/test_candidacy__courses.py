"""A course's class list and its results sheet: each row acts on that
candidate's case through the engine (one audit event each), all or nothing."""

import re

import pytest
import sqlalchemy as sa

from tests.admission_flow import Pages
from tests.candidacy_flow import CandidacyFlow, en


@pytest.fixture
def flow(app, demo, clock_file):
    with en(app):
        yield CandidacyFlow(app, demo, clock_file).at("2026-11-20")


@pytest.fixture
def bare_flow(app, demo, clock_file):
    """For tests that also use the test client: no context held open between
    requests (a held app context would share ``g``, and the CSRF token, with them)."""
    return CandidacyFlow(app, demo, clock_file).at("2026-11-20")


def three_in_training(flow):
    """Three candidates in training under Huyện ủy Nghĩa Hưng (two branches)."""
    return [flow.to_training(flow.candidates("trung")[3]), flow.to_training(flow.candidates("dong")[3], "dong"),
            flow.to_training(flow.candidates("dong")[1], "dong")]


def sheet(course, rows):
    """Form fields of the results sheet: rows = {enrolment id: (score, result, number, date)}."""
    data = {"enrolment_id": [str(e) for e in rows], "batch_key": "sheet-1"}
    for eid, (score, result, number, date) in rows.items():
        data.update({f"score_{eid}": score, f"result_{eid}": result, f"certificate_number_{eid}": number,
                     f"certificate_date_{eid}": date})
    return data


def enrolments(flow, course_id):
    from app.extensions import db
    from cases.candidacy.models import Enrolment

    db.session.expire_all()
    return {e.case_id: e for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.course_id == course_id))}


def record(flow, course_id, rows, key="sheet-1"):
    from app.extensions import db
    from cases.candidacy import courses
    from cases.candidacy.models import Course

    course = db.session.get(Course, course_id)
    return courses.record_results(db.session, flow.user("tochuc.nghiahung"), course,
                                  [courses.ResultRow(eid, *values) for eid, values in rows.items()], batch_key=key)


def enrol_all(flow, course_id, cases):
    from app.extensions import db
    from cases.candidacy import courses
    from cases.candidacy.models import Course

    assert courses.enrol(db.session, flow.user("tochuc.nghiahung"), db.session.get(Course, course_id), cases) == 3
    return {case_id: e.id for case_id, e in enrolments(flow, course_id).items()}


def test_rule__candidacy__class_list_recorded_at_once(flow):
    a, b, c = three_in_training(flow)
    course_id = flow.course()
    ids = enrol_all(flow, course_id, [a, b, c])
    n = record(flow, course_id, {ids[a]: ("8.5", "passed", "NH-26-001", "2026-11-19"),
                                 ids[b]: ("9", "passed", "NH-26-002", "2026-11-19"),
                                 ids[c]: ("4", "failed", "", "")})
    assert n == 3
    assert [flow.case(x).state for x in (a, b, c)] == ["certified", "certified", "nominated"]
    for case_id in (a, b, c):  # exactly one audit event per candidate
        assert [e.action for e in flow.events(case_id)].count("record_result") == 1
    event = flow.events(a)[-1]
    assert event.payload["course_name"] == "Lớp bồi dưỡng nhận thức về Đảng khóa III/2026"
    assert event.payload["score"] == 8.5
    rows = enrolments(flow, course_id)
    assert (rows[a].passed, rows[a].certificate_number, rows[c].passed, rows[c].score) == (True, "NH-26-001", False, 4.0)
    assert flow.certificates(flow.case(b).person_id)[-1].number == "NH-26-002"
    # The same sheet sent again records nothing twice.
    assert record(flow, course_id, {ids[a]: ("8.5", "passed", "NH-26-001", "2026-11-19")}) == 0
    assert [e.action for e in flow.events(a)].count("record_result") == 1


def test_candidacy__a_refused_row_applies_no_row(flow):
    a, b, c = three_in_training(flow)
    course_id = flow.course()
    ids = enrol_all(flow, course_id, [a, b, c])
    before = {x: len(flow.events(x)) for x in (a, b, c)}
    from cases.candidacy.courses import BatchRefused

    with pytest.raises(BatchRefused) as refused:
        record(flow, course_id, {ids[a]: ("8.5", "passed", "NH-26-001", "2026-11-19"),
                                 ids[b]: ("9", "passed", "", ""),  # a pass without its certificate
                                 ids[c]: ("11", "failed", "", "")})  # score out of range
    assert set(refused.value.errors) == {ids[b], ids[c]}
    assert "certificate number" in " ".join(refused.value.errors[ids[b]])
    assert [flow.case(x).state for x in (a, b, c)] == ["in_training"] * 3
    assert {x: len(flow.events(x)) for x in (a, b, c)} == before
    assert flow.certificates(flow.case(a).person_id) == []
    assert all(e.recorded_at is None for e in enrolments(flow, course_id).values())
    # Corrected, the same sheet goes through.
    assert record(flow, course_id, {ids[a]: ("8.5", "passed", "NH-26-001", "2026-11-19"),
                                    ids[b]: ("9", "passed", "NH-26-002", "2026-11-19"),
                                    ids[c]: ("4", "failed", "", "")}, key="sheet-2") == 3


def test_candidacy__results_sheet_page(app, client, auth, bare_flow):
    flow = bare_flow
    with en(app):
        a, b, c = three_in_training(flow)
        course_id = flow.course()
        ids = enrol_all(flow, course_id, [a, b, c])
    pages = Pages(client, auth).as_user("tochuc.nghiahung")
    html = client.get(f"/candidacy/courses/{course_id}").get_data(as_text=True)
    assert html.count('data-testid="class-row"') == 3
    bad = sheet(None, {ids[a]: ("8", "passed", "NH-P-1", "2026-11-19"), ids[b]: ("8", "passed", "NH-P-1", "2026-11-19"),
                       ids[c]: ("", "", "", "")})
    bad["csrf_token"] = pages.token(f"/candidacy/courses/{course_id}")
    response = client.post(f"/candidacy/courses/{course_id}/results", data=bad)
    assert response.status_code == 422  # the same certificate number twice: the second row is refused
    assert response.get_data(as_text=True).count('data-testid="row-refusal"') == 1
    with en(app):
        assert flow.case(a).state == "in_training"
    good = sheet(None, {ids[a]: ("8", "passed", "NH-P-1", "2026-11-19"), ids[b]: ("7,5", "passed", "NH-P-2", "2026-11-19"),
                        ids[c]: ("", "", "", "")})
    good["csrf_token"] = pages.token(f"/candidacy/courses/{course_id}")
    response = client.post(f"/candidacy/courses/{course_id}/results", data=good)
    assert response.status_code == 302
    with en(app):
        assert [flow.case(x).state for x in (a, b, c)] == ["certified", "certified", "in_training"]
    html = client.get(f"/candidacy/courses/{course_id}").get_data(as_text=True)
    assert len(re.findall(r'data-recorded="yes"', html)) == 2


def test_candidacy__course_pages_create_and_enrol(app, client, auth, bare_flow, demo):
    flow = bare_flow
    with en(app):
        a = flow.to_training(flow.candidates("trung")[2])
    pages = Pages(client, auth).as_user("tochuc.nghiahung")
    response = client.post("/candidacy/courses", data={
        "csrf_token": pages.token("/candidacy/courses"), "name": "Lớp khóa IV/2026",
        "organiser_unit_id": demo.units["nghiahung"].id, "starts_on": "2026-11-16", "ends_on": "2026-11-10"})
    assert response.status_code == 422  # ends before it starts
    response = client.post("/candidacy/courses", data={
        "csrf_token": pages.token("/candidacy/courses"), "name": "Lớp khóa IV/2026",
        "organiser_unit_id": demo.units["nghiahung"].id, "starts_on": "2026-11-16", "ends_on": "2026-11-18"})
    assert response.status_code == 302
    course_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    response = client.post(f"/candidacy/courses/{course_id}/class",
                           data={"csrf_token": pages.token(f"/candidacy/courses/{course_id}"), "case_id": [a]})
    assert response.status_code == 302
    with en(app):
        assert list(enrolments(flow, course_id)) == [a]
    # A branch secretary cannot create courses.
    pages.as_user("bithu.trung")
    response = client.post("/candidacy/courses", data={
        "csrf_token": pages.token("/candidacy/courses"), "name": "x",
        "organiser_unit_id": demo.units["nghiahung"].id, "starts_on": "2026-11-16", "ends_on": "2026-11-18"})
    assert response.status_code == 403
