"""Candidate training and admission plans through the JSON API."""

from tests.candidacy_flow import CandidacyFlow


def test_candidacy__api_from_nomination_to_the_admission_dossier(api, demo):
    candidate = [p for p in demo.people["trung"] if p.status.value == "candidate"][3]
    helper = [p for p in demo.people["trung"] if p.status.value == "official"][5]
    api.as_user("bithu.trung")
    response = api.post("/cases", json={"type": "candidacy", "person_id": candidate.id, "helper_id": helper.id,
                                        "resolution_number": "15-NQ/CB", "resolution_date": "2026-11-05"})
    assert response.status_code == 201, response.get_data(as_text=True)
    case_id = response.get_json()["id"]
    assert response.get_json()["state"] == "nominated"
    api.as_user("danguy.phucthang")
    assert api.act(case_id, "approve_training").status_code == 200
    api.as_user("tochuc.nghiahung")
    response = api.act(case_id, "record_result", {
        "course_name": "Lớp khóa III/2026", "course_starts_on": "2026-11-09", "course_ends_on": "2026-11-13",
        "score": 8.5, "result": "passed", "certificate_number": "NH-API-1", "certificate_date": "2026-11-16"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "certified"
    api.as_user("bithu.trung")
    response = api.act(case_id, "open_admission")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "admission_opened"
    cases = api.get("/cases?type=admission").get_json()["items"]
    assert [c["state"] for c in cases if c["person"]["id"] == candidate.id] == ["draft"]


def test_plan__api_report_put_and_scope(api, demo, app, clock_file):
    api.as_user("tochuc.nghiahung")
    url = f"/api/v1/plans/{demo.units['phucthang'].id}/2026"
    response = api.client.put(url, json={"target": 2, "targets_by_group": {"women": 5}}, headers=api.headers())
    assert response.status_code == 422  # a group's target above the total
    response = api.client.put(url, json={"target": 2, "targets_by_group": {"women": 1}}, headers=api.headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["plan"]["targets_by_group"]["women"] == 1
    report = api.get(f"/plans?unit={demo.units['nghiahung'].id}&year=2026").get_json()
    row = next(o for o in report["organisations"] if o["unit"]["id"] == demo.units["phucthang"].id)
    assert (row["plan"]["target"], row["admitted"]) == (2, 0)
    assert {"id": demo.units["phucthang"].id, "name": "Đảng ủy xã Phúc Thắng", "has_plan": True} in report["admitted_no_one"]

    flow = CandidacyFlow(app, demo, clock_file)
    with app.test_request_context("/api/v1/me"):
        flow.admit(flow.open(flow.candidates()[0]))
    report = api.get(f"/plans?unit={demo.units['nghiahung'].id}&year=2026").get_json()
    row = next(o for o in report["organisations"] if o["unit"]["id"] == demo.units["phucthang"].id)
    assert row["admitted"] == 1 and report["admitted_no_one"] == []

    assert api.get("/plans").status_code == 400
    api.as_user("bithu.tdp4")
    assert api.get(f"/plans?unit={demo.units['nghiahung'].id}&year=2026").status_code == 404
    assert api.client.put(url, json={"target": 9}, headers=api.headers()).status_code == 404
    api.as_user("bithu.trung")  # in the district, but the grassroots organisation is above their branch
    assert api.client.put(url, json={"target": 9}, headers=api.headers()).status_code == 404


def test_candidacy__api_course_results_all_or_nothing_and_scope(api, demo, app, clock_file):
    flow = CandidacyFlow(app, demo, clock_file)
    with app.test_request_context("/api/v1/me"):
        from app.extensions import db
        from cases.candidacy import courses
        from cases.candidacy.models import Course

        cases = [flow.to_training(flow.candidates()[2]), flow.to_training(flow.candidates("dong")[2], "dong")]
        course_id = flow.course()
        courses.enrol(db.session, flow.user("tochuc.nghiahung"), db.session.get(Course, course_id), cases)
    api.as_user("tochuc.nghiahung")
    course = api.get(f"/courses/{course_id}").get_json()
    ids = {row["case_id"]: row["id"] for row in course["class_list"]}
    assert set(ids) == set(cases)
    assert course_id in [c["id"] for c in api.get("/courses").get_json()["items"]]
    bad = {"batch_key": "s1", "results": [
        {"enrolment_id": ids[cases[0]], "score": 8, "result": "passed", "certificate_number": "NH-A-1",
         "certificate_date": "2026-11-16"},
        {"enrolment_id": ids[cases[1]], "score": 9, "result": "passed"}]}
    response = api.post(f"/courses/{course_id}/results", json=bad)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [str(ids[cases[1]])]
    assert {r["case_state"] for r in api.get(f"/courses/{course_id}").get_json()["class_list"]} == {"in_training"}
    bad["results"][1].update(result="failed")
    response = api.post(f"/courses/{course_id}/results", json=bad)
    assert response.status_code == 200 and response.get_json() == {"recorded": 2}
    states = {r["case_id"]: r["case_state"] for r in api.get(f"/courses/{course_id}").get_json()["class_list"]}
    assert states == {cases[0]: "certified", cases[1]: "nominated"}

    for user in ("bithu.tdp4", "bithu.trung"):
        api.as_user(user)
        assert api.get(f"/courses/{course_id}").status_code == 404
        assert api.post(f"/courses/{course_id}/results", json=bad).status_code == 404
        assert course_id not in [c["id"] for c in api.get("/courses").get_json()["items"]]
    api.as_user("bithu.tdp4")
    for case_id in cases:
        assert api.get(f"/cases/{case_id}").status_code == 404
        assert api.get(f"/cases/{case_id}/history").status_code == 404
        assert api.post(f"/cases/{case_id}/actions/drop", json={"payload": {"reason": "x"}}).status_code == 404


def test_plan__api_calls_are_in_the_openapi_document(api):
    spec = api.get("/openapi.json").get_json()
    for path in ("/api/v1/plans", "/api/v1/plans/{unit_id}/{year}", "/api/v1/courses", "/api/v1/courses/{course_id}",
                 "/api/v1/courses/{course_id}/results"):
        assert path in spec["paths"], path
    assert "put" in spec["paths"]["/api/v1/plans/{unit_id}/{year}"]
