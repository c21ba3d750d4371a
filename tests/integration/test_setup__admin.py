"""Setting up an organisation through the API and the pages (DOMAIN.md "Setting
up an organisation"): an admin's subtree, units, accounts with a one-time
password, roles with dates, disabling that ends sessions and tokens at once,
and a set-up event (actor, before, after) for every change."""

from __future__ import annotations

import sqlalchemy as sa

from core.models import Unit, User
from workflow.models import AuditEvent, Case
from workflow.setup_log import LEDGER_PROCESS


def _events(app, action=None):
    from app.extensions import db

    with app.app_context():
        stmt = (sa.select(AuditEvent).join(Case, Case.id == AuditEvent.case_id)
                .where(Case.process == LEDGER_PROCESS).order_by(AuditEvent.id))
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return [(e.action, e.actor_name, e.payload) for e in db.session.scalars(stmt)]


def _subtree_admin(api, demo, unit_key="phucthang", username="admin.phucthang"):
    """An admin of ``unit_key``'s subtree, created by the demo's admin, password changed (the token needs it)."""
    response = api.as_user("admin").post("/admin/users", json={
        "username": username, "display_name": "Quản trị xã", "unit_id": demo.units[unit_key].id, "role": "admin"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    refused = api.client.post("/api/v1/auth/token", json={"username": username, "password": body["password"]})
    assert refused.status_code == 403  # a one-time password opens no token
    from app.extensions import db

    with api.client.application.app_context():
        user = db.session.get(User, body["id"])
        user.set_password("mat-khau-moi-2026")
        user.must_change_password = False
        db.session.commit()
    api.token(username, "mat-khau-moi-2026")
    return body


def test_rule__setup__admins_manage_their_subtree__scope(api, demo, app):
    _subtree_admin(api, demo)
    mine = api.as_user("admin.phucthang").get("/admin/units").get_json()["items"]
    assert {u["name"] for u in mine} == {"Đảng ủy xã Phúc Thắng", "Chi bộ thôn Trung", "Chi bộ thôn Đông"}
    # A unit under another commune is outside: absent and outside read the same (422 on the field).
    outside = api.post("/admin/units", json={"name": "Chi bộ mới", "level": "branch",
                                             "parent_id": demo.units["locvuong"].id})
    assert outside.status_code == 422 and "parent_id" in outside.get_json()["errors"]
    assert api.post(f"/admin/users/{demo.users['bithu.tdp4'].id}/disable").status_code == 404
    # Not an admin anywhere: 403.
    assert api.as_user("bithu.trung").get("/admin/units").status_code == 403
    assert api.as_user("tochuc.nghiahung").post("/admin/users", json={}).status_code == 403


def test_rule__setup__units_with_people_or_cases_never_deleted__create_rename_move_flags_dissolve(api, demo, app):
    _subtree_admin(api, demo)
    api.as_user("admin.phucthang")
    created = api.post("/admin/units", json={"name": "Chi bộ thôn Bắc", "level": "branch",
                                             "parent_id": demo.units["phucthang"].id})
    assert created.status_code == 201, created.get_json()
    unit = created.get_json()
    assert unit["path"] == f"{demo.units['phucthang'].path}{unit['id']}/" and unit["level"] == "branch"
    bad_level = api.post("/admin/units", json={"name": "X", "level": "province", "parent_id": demo.units["phucthang"].id})
    assert bad_level.status_code == 422 and "level" in bad_level.get_json()["errors"]
    under_branch = api.post("/admin/units", json={"name": "X", "level": "branch", "parent_id": unit["id"]})
    assert under_branch.status_code == 422

    renamed = api.client.patch(f"/api/v1/admin/units/{unit['id']}", headers=api.headers(),
                               json={"name": "Chi bộ thôn Bắc Sơn", "hardship_area": True})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Chi bộ thôn Bắc Sơn"
    assert renamed.get_json()["hardship_area"] is True

    # Move a sub-unit with its people: the paths below it follow.
    sub = api.post("/admin/units", json={"name": "Đảng bộ bộ phận khu A", "level": "sub_committee",
                                         "parent_id": demo.units["phucthang"].id}).get_json()
    moved = api.client.patch(f"/api/v1/admin/units/{demo.units['dong'].id}", headers=api.headers(),
                             json={"name": "Chi bộ thôn Đông", "parent_id": sub["id"], "hardship_area": True})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["path"] == f"{sub['path']}{demo.units['dong'].id}/"
    person = api.as_user("bithu.dong").get(f"/people/{demo.people['dong'][0].id}").get_json()
    assert person["unit"]["id"] == demo.units["dong"].id
    # The own top unit cannot move (only an admin above it may).
    api.as_user("admin.phucthang")
    top = api.client.patch(f"/api/v1/admin/units/{demo.units['phucthang'].id}", headers=api.headers(),
                           json={"name": "Đảng ủy xã Phúc Thắng", "parent_id": sub["id"]})
    assert top.status_code == 422

    # Dissolve: refused while it has people; the empty one goes.
    full = api.client.delete(f"/api/v1/admin/units/{demo.units['trung'].id}", headers=api.headers())
    assert full.status_code == 422 and "It has people." in str(full.get_json()) or full.status_code == 422
    gone = api.client.delete(f"/api/v1/admin/units/{unit['id']}", headers=api.headers())
    assert gone.status_code == 200
    with app.app_context():
        from app.extensions import db

        assert db.session.get(Unit, unit["id"]) is None
        assert db.session.get(Unit, demo.units["trung"].id) is not None
    actions = [a for a, _n, _p in _events(app)]
    assert actions.count("unit.create") == 2 and "unit.update" in actions and "unit.dissolve" in actions
    update = [p for a, n, p in _events(app, "unit.update")][0]
    assert update["before"]["name"] == "Chi bộ thôn Bắc" and update["after"]["name"] == "Chi bộ thôn Bắc Sơn"
    assert [n for _a, n, _p in _events(app, "unit.create")] == ["Quản trị xã", "Quản trị xã"]


def test_rule__setup__admins_manage_their_subtree__accounts_roles_with_dates(api, demo, app):
    _subtree_admin(api, demo)
    api.as_user("admin.phucthang")
    created = api.post("/admin/users", json={"username": "bithu.bac", "display_name": "Nguyễn Văn Bắc",
                                             "unit_id": demo.units["trung"].id, "role": "branch_deputy",
                                             "start": "2026-11-01"})
    assert created.status_code == 201
    user = created.get_json()
    assert user["must_change_password"] is True and len(user["password"]) == 12
    assert user["roles"] == [{"unit_id": demo.units["trung"].id, "unit_name": "Chi bộ thôn Trung",
                              "level": "branch", "role": "branch_deputy", "start": "2026-11-01"}]
    taken = api.post("/admin/users", json={"username": "bithu.bac", "display_name": "X",
                                           "unit_id": demo.units["trung"].id, "role": "auditor"})
    assert taken.status_code == 422 and "username" in taken.get_json()["errors"]
    listed = {u["username"] for u in api.get("/admin/users").get_json()["items"]}
    assert {"bithu.bac", "bithu.trung", "admin.phucthang"} <= listed and "bithu.tdp4" not in listed
    assert all("password" not in u and "password_hash" not in u for u in api.get("/admin/users").get_json()["items"])

    granted = api.post(f"/admin/users/{user['id']}/roles", json={"unit_id": demo.units["dong"].id,
                                                                 "role": "branch_secretary"})
    assert granted.status_code == 201 and len(granted.get_json()["roles"]) == 2
    assert api.post(f"/admin/users/{user['id']}/roles", json={"unit_id": demo.units["dong"].id,
                                                              "role": "branch_secretary"}).status_code == 422
    early = api.client.delete(f"/api/v1/admin/users/{user['id']}/roles", headers=api.headers(),
                              json={"unit_id": demo.units["trung"].id, "role": "branch_deputy", "end": "2026-10-01"})
    assert early.status_code == 422 and "end" in early.get_json()["errors"]
    revoked = api.client.delete(f"/api/v1/admin/users/{user['id']}/roles", headers=api.headers(),
                                json={"unit_id": demo.units["trung"].id, "role": "branch_deputy", "end": "2026-11-15"})
    assert revoked.status_code == 200
    assert [r["role"] for r in revoked.get_json()["roles"]] == ["branch_secretary"]
    revoke = _events(app, "role.revoke")[0][2]
    assert revoke["after"]["revoked"] == {"unit_id": demo.units["trung"].id, "role": "branch_deputy",
                                          "start": "2026-11-01", "end": "2026-11-15"}
    created_event = _events(app, "user.create")[-1][2]
    assert created_event["after"]["username"] == "bithu.bac" and "'password'" not in str(created_event)
    assert "password_hash" not in str(created_event) and user["password"] not in str(created_event)


def test_rule__setup__admins_manage_their_subtree__disabling_ends_sessions_and_tokens_at_once(api, demo, app, auth):
    token = api.token("bithu.trung")
    assert auth.login("bithu.trung").status_code == 302
    assert api.client.get("/").status_code == 200
    user_id = demo.users["bithu.trung"].id
    disabled = api.as_user("admin").post(f"/admin/users/{user_id}/disable")
    assert disabled.status_code == 200 and disabled.get_json()["active"] is False
    # The page session and the token stop at once.
    assert api.client.get("/").status_code == 302
    assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert api.client.post("/api/v1/auth/token", json={"username": "bithu.trung", "password": "demo"}).status_code == 401
    assert auth.login("bithu.trung").status_code == 401
    # Never deleted: enabled again, the same account logs in.
    assert api.post(f"/admin/users/{user_id}/enable").get_json()["active"] is True
    assert auth.login("bithu.trung").status_code == 302
    assert [a for a, _n, _p in _events(app)] == ["user.disable", "user.enable"]
    assert _events(app, "user.disable")[0][2]["before"]["active"] is True


def test_rule__setup__admins_manage_their_subtree__reset_password_then_change_at_login(api, demo, app, client, auth):
    user_id = demo.users["bithu.dong"].id
    reset = api.as_user("admin").post(f"/admin/users/{user_id}/reset-password")
    assert reset.status_code == 200
    password = reset.get_json()["password"]
    assert auth.login("bithu.dong", "demo").status_code == 401
    response = auth.login("bithu.dong", password)
    assert response.status_code == 302 and response.headers["Location"].endswith("/password")
    assert client.get("/").headers["Location"].endswith("/password")  # every page waits for the change
    token = auth.csrf_token("/password")
    weak = client.post("/password", data={"csrf_token": token, "current_password": password,
                                          "new_password": "ngan", "confirm": "ngan"})
    assert weak.status_code == 422
    changed = client.post("/password", data={"csrf_token": token, "current_password": password,
                                             "new_password": "Mat-khau-2026", "confirm": "Mat-khau-2026"})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert api.client.post("/api/v1/auth/token", json={"username": "bithu.dong",
                                                       "password": "Mat-khau-2026"}).status_code == 200


def test_setup_ledger_is_no_case_and_verifies(api, demo, app):
    api.as_user("admin").post("/admin/units", json={"name": "Chi bộ thôn Bắc", "level": "branch",
                                                   "parent_id": demo.units["phucthang"].id})
    from app.extensions import db
    from workflow.verify import verify_all

    with app.app_context():
        ledger = db.session.scalar(sa.select(Case).where(Case.process == LEDGER_PROCESS))
        assert ledger is not None and ledger.audit_seq == 1
        assert verify_all(db.session).ok
    assert api.get(f"/cases/{ledger.id}").status_code == 404
    assert all(c["type"] != LEDGER_PROCESS for c in api.get("/cases?limit=200").get_json()["items"])


def test_setup_log_page_for_auditors_in_scope(api, demo, app, auth, client):
    api.as_user("admin").post("/admin/units", json={"name": "Chi bộ thôn Bắc", "level": "branch",
                                                   "parent_id": demo.units["phucthang"].id})
    auth.login("thanhtra.tinh")
    page = client.get("/admin/log").get_data(as_text=True)
    assert "unit.create" in page and "Chi bộ thôn Bắc" in page
    auth.logout()
    auth.login("bithu.trung")
    assert client.get("/admin/log").status_code == 403
