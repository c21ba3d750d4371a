"""A person follows their own case (read-only); a person outside the user's scope
is refused exactly as an id that does not exist; an admission opened directly
for a candidate with a valid certificate (SQLite and PostgreSQL)."""

import sqlalchemy as sa

from tests.demo_people import candidate, plain_member
from tests.discipline_flow import REPORT, decided_by_branch


def test_rule__organisation__a_person_follows_their_own_case(app, pages, demo, client, auth):
    from app.extensions import db
    from core.models import User

    member = plain_member(demo)
    own = decided_by_branch(app, pages, member.id)
    other = decided_by_branch(app, pages, plain_member(demo, 4).id)
    with app.app_context():
        template = db.session.get(User, demo.users["bithu.trung"].id)
        db.session.add(User(username="dangvien.trung", display_name=member.full_name, person_id=member.id,
                            password_hash=template.password_hash))
        db.session.commit()
    pages.as_user("dangvien.trung")
    html = pages.case_page(own)
    assert member.full_name in html and '<details class="action"' not in html  # read-only: no action offered
    assert client.get(f"/cases/{other}").status_code == 404
    assert client.post(f"/cases/{own}/actions/announce", data={"csrf_token": auth.csrf_token(f"/cases/{own}"),
                                                                "announced_on": "2026-11-20"}).status_code == 403


def test_rule__common__person_outside_the_scope_refused_like_an_absent_id(api, demo):
    outsider = plain_member(demo, 3)  # of thôn Trung, outside thôn Đông's secretary's scope
    api.as_user("bithu.dong")
    answers = []
    for person_id in (outsider.id, 999999):
        response = api.post("/cases", json={"type": "discipline", "person_id": person_id, **REPORT})
        assert response.status_code == 422
        answers.append(response.get_json())
    assert answers[0]["errors"] == answers[1]["errors"] and answers[0]["detail"] == answers[1]["detail"]
    assert outsider.full_name not in str(answers[0])
    assert api.get(f"/people/{outsider.id}").status_code == 404


def test_rule__candidacy__admission_opened_directly_with_a_valid_certificate(api, app, demo):
    from app.extensions import db
    from workflow.models import Case

    api.as_user("bithu.trung")
    response = api.post("/cases", json={"type": "admission", "person_id": candidate(demo).id})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["state"] == "draft"
    with app.app_context():  # no candidacy case was needed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.process == "candidacy")) == 0
