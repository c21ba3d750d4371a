"""People: accent-insensitive, index-backed search; registering a candidate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import is_postgres


@pytest.fixture
def api(api):
    """Here every call is made as bithu.trung."""
    return api.as_user("bithu.trung")


def new_candidate(demo, **override) -> dict:
    body = {"full_name": "Nguyễn Văn An", "date_of_birth": "2000-05-17", "gender": "male",
            "national_id": "036200001234", "education": "upper_secondary", "unit_id": demo.units["trung"].id,
            "residence": "Thôn Trung, xã Phúc Thắng", "youth_union_member": True}
    body.update(override)
    return body


def test_api__register_a_candidate(api, demo):
    response = api.post("/people", json=new_candidate(demo))
    assert response.status_code == 201, response.get_data(as_text=True)
    person = response.get_json()
    assert person["status"] == "candidate" and person["unit"]["id"] == demo.units["trung"].id
    assert person["date_of_birth"] == "2000-05-17" and person["youth_union_member"] is True
    assert person["ethnicity"] == "Kinh"


@pytest.mark.parametrize("query", ["nguyen van an", "Nguyễn Văn An", "NGUYEN VAN", "nguyễn  văn a", "Nguyen"])
def test_api__search_ignores_diacritics_and_case(api, demo, query):
    api.post("/people", json=new_candidate(demo))
    items = api.get("/people", query_string={"q": query, "limit": 200}).get_json()["items"]
    assert "Nguyễn Văn An" in [p["full_name"] for p in items]
    assert all(p["full_name"].lower().startswith("nguy") for p in items)


def test_api__search_pages_by_keyset(api, demo):
    seen, cursor = [], None
    while True:
        params = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/people", query_string=params).get_json()
        seen.extend(p["id"] for p in body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) > 7
    assert len(seen) == len(demo.people["trung"])  # the branch secretary sees their branch


def test_api__name_search_uses_an_index(app, demo):
    from app.extensions import db
    from cases.people import name_prefix
    from core.models import Person

    with app.app_context():
        stmt = sa.select(Person.id).where(name_prefix(Person.name_folded, "nguyen van", db.engine.dialect.name))
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        with db.engine.connect() as conn:
            if is_postgres():
                conn.execute(sa.text("SET enable_seqscan = off"))
                plan = "\n".join(r[0] for r in conn.execute(sa.text(f"EXPLAIN {compiled}")))
                assert "ix_person_name_folded" in plan, plan
            else:
                plan = "\n".join(str(r[-1]) for r in conn.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
                assert "USING COVERING INDEX ix_person_name_folded" in plan or \
                       "USING INDEX ix_person_name_folded" in plan, plan


@pytest.mark.parametrize("override, field, message", [
    ({"national_id": "12345"}, "national_id", "Nhập đúng 12 chữ số."),
    ({"national_id": "03620000123x"}, "national_id", "Nhập đúng 12 chữ số."),
    ({"date_of_birth": "2030-01-01"}, "date_of_birth", "Ngày này ở tương lai."),
    ({"date_of_birth": "20-01-2000"}, "date_of_birth", "Nhập ngày theo dạng YYYY-MM-DD."),
    ({"gender": "other"}, "gender", "Chọn một trong các giá trị cho phép."),
    ({"full_name": "   "}, "full_name", None),
    ({"unit_id": "4"}, "unit_id", "Nhập một số nguyên."),
    ({"unit_id": 10 ** 20}, "unit_id", "Nhập một số nguyên."),
    ({"nickname": "An"}, "nickname", "Trường không xác định."),
])
def test_api__candidate_fields_are_checked(api, demo, override, field, message):
    response = api.post("/people", json=new_candidate(demo, **override))
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert field in errors
    if message:
        assert errors[field] == [message]


def test_api__candidate_missing_fields(api, demo):
    response = api.post("/people", json={})
    assert response.status_code == 422
    assert {"full_name", "date_of_birth", "gender", "national_id", "education", "unit_id"} <= set(
        response.get_json()["errors"])


def test_api__national_id_is_unique(api, demo):
    assert api.post("/people", json=new_candidate(demo)).status_code == 201
    response = api.post("/people", json=new_candidate(demo, full_name="Trần Thị Bình"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["national_id"] == ["Không thể đăng ký số định danh này tại đây."]


def test_api__candidate_unit_must_be_a_branch_in_scope(api, demo):
    other = api.post("/people", json=new_candidate(demo, unit_id=demo.units["tdp4"].id))
    assert other.status_code == 422 and "unit_id" in other.get_json()["errors"]
    api.as_user("danguy.phucthang")
    grassroots = api.post("/people", json=new_candidate(demo, unit_id=demo.units["phucthang"].id))
    assert grassroots.status_code == 422 and "unit_id" in grassroots.get_json()["errors"]
    assert api.post("/people", json=new_candidate(demo)).status_code == 201  # a branch below them
    api.as_user("thanhtra.tinh")  # an auditor: read-only
    assert api.post("/people", json=new_candidate(demo, national_id="036200009999")).status_code == 403


def test_api__get_a_person(api, demo):
    created = api.post("/people", json=new_candidate(demo))
    person = api.client.get(created.headers["Location"], headers=api.headers()).get_json()
    assert person["national_id"] == "036200001234"
    api.as_user("bithu.tdp4")
    assert api.get(f"/people/{person['id']}").status_code == 404
