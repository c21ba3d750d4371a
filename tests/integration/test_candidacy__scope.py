"""Out of scope, everything of candidate training answers 404: the case, its
actions, courses, class lists, results, plans, and the person's certificates."""

import pytest

from tests.admission_flow import Pages
from tests.candidacy_flow import CandidacyFlow, en


@pytest.fixture
def setup(app, demo, clock_file):
    flow = CandidacyFlow(app, demo, clock_file).at("2026-11-20")
    with en(app):
        from app.extensions import db
        from cases.candidacy import courses
        from cases.candidacy.models import Course

        person = flow.candidates()[3]
        case_id = flow.to_training(person)
        course_id = flow.course()
        courses.enrol(db.session, flow.user("tochuc.nghiahung"), db.session.get(Course, course_id), [case_id])
        enrolment = db.session.get(Course, course_id).enrolments[0].id
        certified = flow.to_training(flow.candidates("dong")[2], "dong")
        flow.result(certified, number="NH-SCOPE-1")
        from cases.candidacy import plans

        plans.save_plan(db.session, flow.user("tochuc.nghiahung"), demo.units["phucthang"].id, 2026, {"target": 2})
    return {"person": person, "case": case_id, "course": course_id, "enrolment": enrolment, "certified": certified,
            "certified_person": flow.candidates("dong")[2]}


@pytest.mark.parametrize("username", ["bithu.tdp4", "danguy.locvuong", "thuongvu.thanhpho"])
def test_candidacy__out_of_scope_users_get_404(client, auth, demo, setup, username):
    pages = Pages(client, auth).as_user(username)
    token = pages.token("/")
    ids = setup
    gets = [f"/cases/{ids['case']}", f"/cases/{ids['case']}/history", f"/cases/{ids['certified']}",
            f"/candidacy/courses/{ids['course']}", f"/people/{ids['person']}", f"/people/{ids['certified_person']}",
            f"/candidacy/plans?unit={demo.units['nghiahung'].id}&year=2026",
            f"/candidacy/plans?unit={demo.units['phucthang'].id}&year=2026",
            f"/candidacy/plans/{demo.units['phucthang'].id}/2026"]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        f"/cases/{ids['case']}/actions/record_result": {"course_name": "x", "score": "9", "result": "passed"},
        f"/cases/{ids['certified']}/actions/open_admission": {},
        f"/candidacy/courses/{ids['course']}/class": {"case_id": ids["case"]},
        f"/candidacy/courses/{ids['course']}/results": {"enrolment_id": ids["enrolment"],
                                                         f"score_{ids['enrolment']}": "9",
                                                         f"result_{ids['enrolment']}": "failed"},
        f"/candidacy/plans/{demo.units['phucthang'].id}/2026": {"target": "9"},
    }
    for url, data in posts.items():
        assert client.post(url, data=dict(data, csrf_token=token)).status_code == 404, url
    listing = client.get("/candidacy/courses").get_data(as_text=True)
    assert f"/candidacy/courses/{ids['course']}" not in listing


def test_candidacy__a_branch_secretary_sees_the_case_not_the_course(client, auth, setup):
    Pages(client, auth).as_user("bithu.trung")
    assert client.get(f"/cases/{setup['case']}").status_code == 200
    assert client.get(f"/candidacy/courses/{setup['course']}").status_code == 404
    html = client.get(f"/people/{setup['person']}").get_data(as_text=True)
    assert 'data-testid="certificates"' not in html  # no certificate yet


def test_candidacy__certificates_on_the_person_page_expire_after_60_months(client, auth, setup, clock_file):
    Pages(client, auth).as_user("bithu.dong")
    html = client.get(f"/people/{setup['certified_person']}").get_data(as_text=True)
    assert 'data-number="NH-SCOPE-1" data-expired="no"' in html
    clock_file.write_text("2031-11-20T03:00:00Z")  # 60 months and 1 day after 19/11/2026
    html = client.get(f"/people/{setup['certified_person']}").get_data(as_text=True)
    assert 'data-number="NH-SCOPE-1" data-expired="yes"' in html
