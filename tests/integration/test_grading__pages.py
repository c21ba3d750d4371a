"""The grading pages: opening the rounds, a branch's sheet as a table, refusals in
Vietnamese with nothing written, the residence comment sheet, the person page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.grading_flow import DECEMBER, score_of


def _case_id(app, unit_id, year=2026):
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return db.session.scalar(sa.select(Case.id).where(Case.process == "grading", Case.unit_id == unit_id,
                                                          Case.data["year"].as_integer() == year))


def _state(app, case_id):
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).state


def _sheet_form(pages, case_id, grades: dict, **extra):
    html = pages.client.get(f"/grading/cases/{case_id}").get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', html).group(1)
    data = {"csrf_token": pages.token(f"/grading/cases/{case_id}"), "expected_version": version,
            "person_id": list(grades)}
    for pid, grade in grades.items():
        data[f"score_{pid}"] = str(score_of(grade)) if grade else ""
    data.update(extra)
    return data


def test_rule__grading__opened_for_all_branches_by_the_committee__pages_sheet_and_person(pages, app, demo, clock_file):
    clock_file.write_text(DECEMBER)
    pages.as_user("bithu.trung")
    assert pages.client.post("/grading/open", data={"csrf_token": pages.token("/grading/"), "unit_id":
                                                    demo.units["phucthang"].id, "year": 2026}).status_code == 404
    pages.as_user("danguy.phucthang")
    response = pages.client.post("/grading/open", data={"csrf_token": pages.token("/grading/"),
                                                         "unit_id": demo.units["phucthang"].id, "year": 2026})
    assert response.status_code == 302
    case_id = _case_id(app, demo.units["trung"].id)
    assert case_id and _case_id(app, demo.units["dong"].id)
    members = [p.id for p in demo.people["trung"] if p.status.value in ("official", "probationary")]

    pages.as_user("bithu.trung")
    case_page = pages.client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'data-action="record_self_assessments"><a class="button" href="/grading/cases/{case_id}"' in case_page
    html = pages.client.get(f"/grading/cases/{case_id}").get_data(as_text=True)
    assert html.count('data-testid="sheet-row"') == len(members)
    grades = {pid: "good" for pid in members}
    # a bad score: 422 in Vietnamese, nothing written
    bad = _sheet_form(pages, case_id, grades)
    bad[f"score_{members[0]}"] = "abc"
    response = pages.client.post(f"/grading/cases/{case_id}/act/record_self_assessments", data=bad)
    assert response.status_code == 422
    assert "điểm phải là một số từ 0 đến 100" in response.get_data(as_text=True)
    assert _state(app, case_id) == "self_assessment"
    response = pages.client.post(f"/grading/cases/{case_id}/act/record_self_assessments",
                                 data=_sheet_form(pages, case_id, grades))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _state(app, case_id) == "branch_review"
    response = pages.client.post(f"/grading/cases/{case_id}/act/record_branch_proposal",
                                 data=_sheet_form(pages, case_id, grades, meeting_date="2026-12-18"))
    assert response.status_code == 302
    # the secretary may not decide
    response = pages.client.post(f"/grading/cases/{case_id}/act/decide_grades",
                                 data=_sheet_form(pages, case_id, grades, decision_number="1", decision_date="2026-12-18"))
    assert response.status_code == 403
    pages.as_user("danguy.phucthang")
    response = pages.client.post(f"/grading/cases/{case_id}/act/decide_grades", data=_sheet_form(
        pages, case_id, grades, decision_number="15-QĐ/ĐU", decision_date="2026-12-18"))
    assert response.status_code == 302
    assert _state(app, case_id) == "graded"
    html = pages.client.get(f"/grading/?unit={demo.units['phucthang'].id}&year=2026").get_data(as_text=True)
    assert re.search(r'data-grade="good">%d<' % len(members), html)
    person = pages.client.get(f"/people/{members[0]}").get_data(as_text=True)
    assert 'data-testid="person-grade" data-year="2026" data-grade="good"' in person
    case_page = pages.client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="open-sheet"' in case_page
    assert case_page.count('data-testid="sheet-lines"') == 3  # self-assessments, proposal, decision


def test_rule__grading__two_years_not_complete_offers_removal__from_the_sheet_page(pages, app, demo, clock_file):
    from app.extensions import db
    from cases.grading import rounds
    from core.models import Unit, User
    from tests.grading_flow import rows
    from workflow import engine
    from workflow.models import Case

    clock_file.write_text(DECEMBER)
    failing = [p for p in demo.people["trung"] if p.status.value == "official"][1]
    with app.test_request_context("/"):
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        org = db.session.get(Unit, demo.units["phucthang"].id)
        for year in (2025, 2026):
            case_id = rounds.open_rounds(db.session, users["danguy.phucthang"], org, year).opened[demo.units["trung"].id]
            graded = db.session.get(Case, case_id).data["graded"]
            grades = {pid: "not_complete" if pid == failing.id else "complete" for pid in graded}
            engine.act(db.session, case_id, "record_self_assessments", users["bithu.trung"], {"rows": rows(grades)})
            engine.act(db.session, case_id, "record_branch_proposal", users["bithu.trung"],
                       {"rows": rows(grades), "meeting_date": "2026-12-18"})
            engine.act(db.session, case_id, "decide_grades", users["danguy.phucthang"],
                       {"rows": rows(grades), "decision_number": "1-QĐ/ĐU", "decision_date": "2026-12-18"})
    pages.as_user("bithu.trung")
    html = pages.client.get(f"/grading/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="open-removal"' in html and failing.full_name in html
    version = re.search(r'name="expected_version" value="(\d+)"', html).group(1)
    response = pages.client.post(f"/grading/cases/{case_id}/act/open_removal", data={
        "csrf_token": pages.token(f"/grading/cases/{case_id}"), "expected_version": version,
        "removal_person_id": failing.id})
    assert response.status_code == 302
    html = pages.client.get(f"/grading/cases/{case_id}").get_data(as_text=True)
    removal_id = int(re.search(r'data-testid="removal-case">#(\d+)<', html).group(1))
    assert _state(app, removal_id) == "proposed"


def test_rule__grading__registered_with_the_residence_branch__pages(pages, app, demo, clock_file):
    clock_file.write_text(DECEMBER)
    member = [p for p in demo.people["trung"] if p.status.value == "official"][0]
    pages.as_user("bithu.trung")
    response = pages.client.post(f"/grading/residence/register/{member.id}", data={
        "csrf_token": pages.token(f"/people/{member.id}"), "residence_unit_id": demo.units["dong"].id})
    assert response.status_code == 302
    assert "Chi bộ thôn Đông" in pages.client.get(f"/people/{member.id}").get_data(as_text=True)
    # outside the scope: 404
    pages.as_user("bithu.tdp4")
    assert pages.client.post(f"/grading/residence/register/{member.id}", data={
        "csrf_token": pages.token("/"), "residence_unit_id": demo.units["tdp4"].id}).status_code == 404
    pages.as_user("bithu.dong")
    path = f"/grading/residence/{demo.units['dong'].id}"
    html = pages.client.get(path + "?year=2026").get_data(as_text=True)
    assert member.full_name in html and "Thiếu nhận xét" in html
    response = pages.client.post(path, data={"csrf_token": pages.token(path), "year": 2026, "person_id": member.id,
                                              f"verdict_{member.id}": "breach", f"text_{member.id}": ""})
    assert response.status_code == 422
    response = pages.client.post(path, data={"csrf_token": pages.token(path), "year": 2026, "person_id": member.id,
                                             f"verdict_{member.id}": "fulfilled", f"text_{member.id}": "Gương mẫu."})
    assert response.status_code == 302
    assert 'data-verdict="fulfilled"' in pages.client.get(path + "?year=2026").get_data(as_text=True)


def test_rule__grading__opened_for_all_branches_by_the_committee__as_a_task(pages, app, demo, clock_file):
    """Above ``GRADING_SYNC_BRANCHES`` the page hands the opening to the Celery task (run
    eagerly here); the round's page shows the progress from the cases opened."""
    clock_file.write_text(DECEMBER)
    app.config["GRADING_SYNC_BRANCHES"] = 1
    pages.as_user("danguy.phucthang")
    response = pages.client.post("/grading/open", data={"csrf_token": pages.token("/grading/"),
                                                         "unit_id": demo.units["phucthang"].id, "year": 2026})
    assert response.status_code == 302
    html = pages.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-opened="2" data-total="2"' in html
    assert _case_id(app, demo.units["trung"].id) and _case_id(app, demo.units["dong"].id)
    from app.extensions import db
    from core.models import TaskRun
    from tasks.jobs import open_grading_rounds

    with app.app_context():
        detail = db.session.scalar(sa.select(TaskRun.detail).where(TaskRun.name == "open_grading_rounds"))
        assert detail.endswith("opened 2, existing 0")
        # run again (a retry): nothing opened twice
        assert open_grading_rounds(demo.users["danguy.phucthang"].id, demo.units["phucthang"].id, 2026) == 0
        # a user who may not open there: refused, recorded, nothing opened
        assert open_grading_rounds(demo.users["bithu.trung"].id, demo.units["phucthang"].id, 2025) == 0
        # a bad year is refused in the engine's words, outside any request (a worker's context)
        assert open_grading_rounds(demo.users["danguy.phucthang"].id, demo.units["phucthang"].id, 2031) == 0
        assert "refused" in db.session.scalars(sa.select(TaskRun.detail).where(
            TaskRun.name == "open_grading_rounds").order_by(TaskRun.id.desc())).first()
