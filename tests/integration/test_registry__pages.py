"""The registry in the pages and the API (DOMAIN.md "Setting up an
organisation"): a branch secretary registers candidates of their branch and
corrects their details; the organisation board corrects anyone's; the status
never changes there; each correction is a set-up event with before and after.
And ``flask demo load --scale`` after ``scripts/run`` has loaded the demo."""

from __future__ import annotations

import sqlalchemy as sa

from core.enums import PersonStatus
from core.models import Person
from workflow.models import AuditEvent


def _candidate(demo, branch="trung"):
    return next(p for p in demo.people[branch] if p.status is PersonStatus.candidate)


def _official(demo, branch="trung"):
    return next(p for p in demo.people[branch] if p.status is PersonStatus.official)


def test_rule__setup__registry_by_the_organisation_board_and_branch_secretaries__register_page(pages, demo, client,
                                                                                             auth, app):
    auth.login("bithu.trung")
    url = f"/units/{demo.units['trung'].id}/people/new"
    assert 'data-testid="register-candidate"' in client.get(f"/units/{demo.units['trung'].id}").get_data(as_text=True)
    token = auth.csrf_token(url)
    form = {"csrf_token": token, "full_name": "Lò Thị Mai", "date_of_birth": "2000-02-03", "gender": "female",
            "national_id": "036300000123", "education": "upper_secondary", "ethnicity": "Thái"}
    bad = client.post(url, data=dict(form, national_id="12345", date_of_birth="2099-01-01"))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Ngày này ở tương lai." in html and "Nhập đúng 12 chữ số." in html
    done = client.post(url, data=form)
    assert done.status_code == 302
    from app.extensions import db

    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.national_id == "036300000123"))
        assert person.status is PersonStatus.candidate and person.unit_id == demo.units["trung"].id
        assert person.ethnicity == "Thái"
    # Another branch: not theirs (not visible: 404); a unit that is not a branch: 403.
    assert client.get(f"/units/{demo.units['tdp4'].id}/people/new").status_code == 404
    auth.logout()
    auth.login("tochuc.nghiahung")
    assert client.get(f"/units/{demo.units['phucthang'].id}/people/new").status_code == 403
    auth.logout()
    auth.login("thanhtra.tinh")  # an auditor only reads
    assert client.get(url).status_code == 403


def test_rule__setup__registry_by_the_organisation_board_and_branch_secretaries__corrections(api, demo, app):
    candidate, official = _candidate(demo), _official(demo)
    api.as_user("bithu.trung")
    fixed = api.client.patch(f"/api/v1/people/{candidate.id}", headers=api.headers(),
                             json={"full_name": "Nguyễn Văn Sửa", "residence": "Xóm 3, thôn Trung"})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["full_name"] == "Nguyễn Văn Sửa" and fixed.get_json()["status"] == "candidate"
    # A secretary does not correct a member's details; the organisation board does.
    assert api.client.patch(f"/api/v1/people/{official.id}", headers=api.headers(),
                            json={"residence": "X"}).status_code == 403
    # The status is not a field here.
    status = api.client.patch(f"/api/v1/people/{candidate.id}", headers=api.headers(), json={"status": "official"})
    assert status.status_code == 422 and "status" in status.get_json()["errors"]
    taken = api.client.patch(f"/api/v1/people/{candidate.id}", headers=api.headers(),
                             json={"national_id": _official_nid(app, official.id)})
    assert taken.status_code == 422 and "national_id" in taken.get_json()["errors"]
    api.as_user("tochuc.nghiahung")
    board = api.client.patch(f"/api/v1/people/{official.id}", headers=api.headers(),
                             json={"education": "lower_secondary"})
    assert board.status_code == 200 and board.get_json()["education"] == "lower_secondary"
    from app.extensions import db

    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.correct")
                                    .order_by(AuditEvent.id)).all()
        assert [e.actor_name for e in events] == ["Trần Văn Trung", "Nguyễn Thị Hưng"]
        assert events[0].payload["before"]["full_name"] == candidate.full_name
        assert events[0].payload["after"]["full_name"] == "Nguyễn Văn Sửa"
        assert db.session.get(Person, official.id).status is PersonStatus.official


def _official_nid(app, person_id):
    from app.extensions import db

    with app.app_context():
        return db.session.get(Person, person_id).national_id


def test_correct_details_page(pages, demo, client, auth, app):
    candidate = _candidate(demo)
    auth.login("bithu.trung")
    page = client.get(f"/people/{candidate.id}").get_data(as_text=True)
    assert 'data-testid="correct-details"' in page
    url = f"/people/{candidate.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert candidate.full_name in form
    token = auth.csrf_token(url)
    from app.extensions import db

    with app.app_context():
        p = db.session.get(Person, candidate.id)
        data = {"csrf_token": token, "full_name": p.full_name, "date_of_birth": p.date_of_birth.isoformat(),
                "gender": p.gender.value, "national_id": p.national_id, "education": p.education.value,
                "ethnicity": p.ethnicity, "residence": "Xóm 5"}
    assert client.post(url, data=dict(data, date_of_birth="2099-01-01")).status_code == 422
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Person, candidate.id).residence == "Xóm 5"
    # A member's page offers no correction to the secretary.
    assert 'data-testid="correct-details"' not in client.get(f"/people/{_official(demo).id}").get_data(as_text=True)
    assert client.get(f"/people/{_official(demo).id}/edit").status_code == 403


def test_demo_load_scale_after_the_demo_is_loaded(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--scale"])
    assert result.exit_code == 0, result.output
    assert "District built: 71 grassroots organisations" in result.output and "8741 members" in result.output
    again = runner.invoke(args=["demo", "load", "--scale"])
    assert again.exit_code != 0 and "already scaled" in again.output
