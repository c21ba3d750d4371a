"""A grassroots organisation has at least 3 official members (DOMAIN.md "Organisation"):
flagged below it (unit pages, admin pages, API), and a step that would take an official
member out of an organisation left below it warns its deciders, never refuses
(SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.admission_flow import vote
from tests.api_flow import step
from tests.demo_people import officials, opening, plain_member

SHORT = "Chỉ có %s đảng viên chính thức: tổ chức cơ sở đảng phải có ít nhất 3 đảng viên chính thức"


def _move(app, people, unit_id):
    """Test set-up: the registry records ``people`` at ``unit_id`` (and bithu.dong as its secretary)."""
    from app.extensions import db
    from core.enums import Role
    from core.models import Person, RoleAssignment, User

    with app.app_context():
        db.session.execute(sa.update(Person).where(Person.id.in_([p.id for p in people])).values(unit_id=unit_id))
        user = db.session.scalar(sa.select(User).where(User.username == "bithu.dong"))
        db.session.add(RoleAssignment(user_id=user.id, unit_id=unit_id, role=Role.branch_secretary))
        db.session.commit()


def _removal(api, person_id, secretary):
    api.as_user(secretary)
    with opening():
        response = api.post("/cases", json={"type": "removal", "person_id": person_id, "months_missed": 4,
                                            "grounds": "missed_activities_or_dues",
                                            "description": "Bỏ sinh hoạt và không đóng đảng phí 4 tháng."})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_rule__organisation__grassroots_has_at_least_3_official_members(app, api, pages, demo):
    # A chi bộ cơ sở created by the admin has no members yet: flagged, in the API and on the pages.
    api.as_user("admin")
    created = api.post("/admin/units", json={"name": "Chi bộ cơ sở Trường THCS Phúc Thắng", "level": "grassroots",
                                             "grassroots_branch": True, "parent_id": demo.units["nghiahung"].id})
    assert created.status_code == 201, created.get_data(as_text=True)
    unit_id = created.get_json()["id"]
    unit = api.get(f"/units/{unit_id}").get_json()
    assert unit["official_members"] == 0 and unit["below_minimum"] is True
    listed = {u["id"]: u for u in api.get("/admin/units").get_json()["items"]}
    assert listed[unit_id]["below_minimum"] is True
    assert listed[demo.units["phucthang"].id]["official_members"] == 20
    assert listed[demo.units["phucthang"].id]["below_minimum"] is False
    assert "official_members" not in listed[demo.units["trung"].id]  # a branch is no grassroots organisation
    pages.as_user("admin")
    assert SHORT % 0 in pages.client.get("/admin/").get_data(as_text=True)
    assert SHORT % 0 in pages.client.get(f"/admin/units/{unit_id}").get_data(as_text=True)
    assert 'data-testid="unit-shortfall"' not in pages.client.get(
        f"/units/{demo.units['phucthang'].id}").get_data(as_text=True)

    # Three official members: no longer flagged.
    three = officials(demo, "dong")[:3]
    _move(app, three, unit_id)
    unit = api.as_user("admin").get(f"/units/{unit_id}").get_json()
    assert unit["official_members"] == 3 and unit["below_minimum"] is False
    assert 'data-testid="unit-shortfall"' not in pages.client.get(f"/units/{unit_id}").get_data(as_text=True)

    # Removing one of the three would leave 2: the deciders are warned at every step, and the
    # case goes on (DOMAIN.md makes it the organisation's property, not a bar to any step).
    case_id = _removal(api, three[0].id, "bithu.dong")
    warnings = api.case(case_id)["warnings"]
    assert len(warnings) == 1 and "sẽ chỉ còn 2 đảng viên chính thức" in warnings[0]
    assert "Chi bộ cơ sở Trường THCS Phúc Thắng" in warnings[0]
    pages.as_user("bithu.dong")
    assert "sẽ chỉ còn 2 đảng viên chính thức" in pages.case_page(case_id)
    assert api.upload(case_id, "evidence", issued_on="2026-11-01").status_code == 201
    step(api, case_id, "bithu.dong", "record_self_review", {"submitted": "yes"}, "branch_vote")
    assert "sẽ chỉ còn 2" in api.as_user("bithu.dong").case(case_id)["warnings"][0]

    # Phúc Thắng keeps 19 of its 20: no warning.
    assert api.case(_removal(api, plain_member(demo).id, "bithu.trung"))["warnings"] == []

    # Once the removal is decided the organisation is flagged: 2 official members.
    step(api, case_id, "bithu.dong", "record_branch_vote", vote("2026-11-20", 3, 3, 3, 0), "grassroots_vote")
    _grant(app, "danguy.phucthang", unit_id)
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-11-20", 3, 3, 3, 0),
         "superior_decision")
    step(api, case_id, "thuongvu.nghiahung", "decide_remove",
         {"decision_number": "78-QĐ/HU", "decision_date": "2026-11-20", **vote("2026-11-20", 15, 13, 12, 1)},
         "removed")
    assert api.case(case_id)["warnings"] == []  # closed
    unit = api.as_user("admin").get(f"/units/{unit_id}").get_json()
    assert unit["official_members"] == 2 and unit["below_minimum"] is True
    pages.as_user("thuongvu.nghiahung")
    nghiahung = pages.client.get(f"/units/{demo.units['nghiahung'].id}").get_data(as_text=True)
    assert SHORT % 2 in nghiahung


def _grant(app, username, unit_id):
    """Test set-up: ``username`` also sits on the new chi bộ cơ sở's committee."""
    from app.extensions import db
    from core.enums import Role
    from core.models import RoleAssignment, User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        db.session.add(RoleAssignment(user_id=user.id, unit_id=unit_id, role=Role.committee_member))
        db.session.commit()
