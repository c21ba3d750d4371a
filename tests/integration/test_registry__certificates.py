"""A certificate earned before the system (DOMAIN.md "Admission"): the
organisation board records it on the person (number, date, issuer), through the
API and the person page, and the admission's certificate rule reads it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.api_flow import submit_payload


@pytest.fixture
def api(api):
    return api.as_user("bithu.trung")


CERTIFICATE = {"number": "CN-2023-117", "issued_on": "2023-06-15", "issuer": "Trung tâm Chính trị huyện Nghĩa Hưng"}


def registered_candidate(api, demo) -> int:
    """bithu.trung registers a candidate through the API (no course in the system)."""
    response = api.as_user("bithu.trung").post("/people", json={
        "full_name": "Đoàn Thị Hương", "date_of_birth": "1996-04-02", "gender": "female",
        "national_id": "036196004321", "education": "upper_secondary", "unit_id": demo.units["trung"].id})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def dossier(api, person_id: int) -> int:
    response = api.as_user("bithu.trung").post("/cases", json={"type": "admission", "person_id": person_id})
    assert response.status_code == 201, response.get_data(as_text=True)
    case_id = response.get_json()["id"]
    for kind in ("1-KNĐ", "2-KNĐ", "3-KNĐ", "5-KNĐ"):
        assert api.upload(case_id, kind, issued_on="2026-10-01").status_code == 201
    return case_id


def test_rule__admission__prior_certificate_recorded_on_the_person__by_the_organisation_board(api, demo):
    person_id = registered_candidate(api, demo)
    case_id = dossier(api, person_id)
    refused = api.act(case_id, "submit", submit_payload(demo))
    assert refused.status_code == 422
    assert "Chưa có giấy chứng nhận" in refused.get_json()["detail"]

    response = api.as_user("tochuc.nghiahung").post(f"/people/{person_id}/certificates", json=CERTIFICATE)
    assert response.status_code == 201, response.get_data(as_text=True)
    cert = response.get_json()
    assert (cert["number"], cert["issued_on"], cert["issuer"]) == (
        "CN-2023-117", "2023-06-15", "Trung tâm Chính trị huyện Nghĩa Hưng")
    assert cert["kind"] == "party_knowledge" and cert["valid_until"] == "2028-06-15"

    person = api.get(f"/people/{person_id}").get_json()
    assert [c["number"] for c in person["certificates"]] == ["CN-2023-117"]
    assert person["certificates"][0]["recorded_by"]

    accepted = api.as_user("bithu.trung").act(case_id, "submit", submit_payload(demo))
    assert accepted.status_code == 200, accepted.get_data(as_text=True)
    assert accepted.get_json()["state"] == "background_check"


@pytest.mark.parametrize("username", ["bithu.trung", "danguy.phucthang", "thuongvu.nghiahung", "thanhtra.tinh"])
def test_rule__admission__prior_certificate_recorded_on_the_person__only_the_organisation_board(api, demo, username):
    person_id = registered_candidate(api, demo)
    response = api.as_user(username).post(f"/people/{person_id}/certificates", json=CERTIFICATE)
    assert response.status_code == 403
    assert api.get(f"/people/{person_id}").get_json()["certificates"] == []


def test_rule__admission__prior_certificate_recorded_on_the_person__outside_the_scope_not_found(api, demo):
    person_id = registered_candidate(api, demo)
    assert api.as_user("kiemtra.thanhpho").post(f"/people/{person_id}/certificates",
                                                json=CERTIFICATE).status_code == 404


@pytest.mark.parametrize("override, field", [
    ({"issuer": ""}, "issuer"),
    ({"issued_on": "2026-11-21"}, "issued_on"),  # tomorrow
    ({"number": None}, "number"),
    ({"issued_on": 20230615}, "issued_on"),
    ({"score": 9}, "score"),
])
def test_rule__admission__prior_certificate_recorded_on_the_person__needs_number_date_issuer(api, demo, override, field):
    person_id = registered_candidate(api, demo)
    body = {**CERTIFICATE, **override}
    response = api.as_user("tochuc.nghiahung").post(f"/people/{person_id}/certificates", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]


def test_rule__admission__prior_certificate_recorded_on_the_person__number_recorded_once(api, demo):
    person_id = registered_candidate(api, demo)
    api.as_user("tochuc.nghiahung")
    assert api.post(f"/people/{person_id}/certificates", json=CERTIFICATE).status_code == 201
    again = api.post(f"/people/{person_id}/certificates", json=CERTIFICATE)
    assert again.status_code == 422 and "number" in again.get_json()["errors"]


# ---- through the person page ---------------------------------------------------------------------------

def test_rule__admission__prior_certificate_recorded_on_the_person__through_the_person_page(app, pages, demo, api):
    person_id = registered_candidate(api, demo)
    pages.as_user("bithu.trung")
    html = pages.client.get(f"/people/{person_id}").get_data(as_text=True)
    assert 'data-testid="certificate-form"' not in html  # not the branch's to record
    forbidden = pages.client.post(f"/people/{person_id}/certificates",
                                  data={"csrf_token": pages.token(f"/people/{person_id}"), **CERTIFICATE})
    assert forbidden.status_code == 403

    pages.as_user("tochuc.nghiahung")
    html = pages.client.get(f"/people/{person_id}").get_data(as_text=True)
    assert 'data-testid="certificate-form"' in html
    token = pages.token(f"/people/{person_id}")
    refused = pages.client.post(f"/people/{person_id}/certificates",
                                data={"csrf_token": token, **CERTIFICATE, "issuer": ""})
    assert refused.status_code == 422
    assert 'value="CN-2023-117"' in refused.get_data(as_text=True)  # what was sent is kept
    response = pages.client.post(f"/people/{person_id}/certificates", data={"csrf_token": token, **CERTIFICATE})
    assert response.status_code == 302
    html = pages.client.get(f"/people/{person_id}").get_data(as_text=True)
    assert re.search(r'data-testid="certificate" data-number="CN-2023-117" data-expired="no"', html)
    assert 'data-testid="recorded-by"' in html

    from app.extensions import db
    from core.models import Certificate

    with app.app_context():
        cert = db.session.scalar(sa.select(Certificate).where(Certificate.person_id == person_id))
        assert cert.recorded_by_id == demo.users["tochuc.nghiahung"].id


def test_permissions__the_organisation_board_records_certificates_and_posts(app, demo):
    from core import permissions as p
    from tests.integration.test_permissions__named import _holders

    for permission in (p.RECORD_PRIOR_CERTIFICATE, p.MANAGE_POSTS):
        holders = _holders(app, permission)
        for key in ("nghiahung", "phucthang", "trung", "dong"):
            assert holders[key] == {"tochuc.nghiahung"}, (permission.name, key)
        assert not any(holders[k] for k in ("tinh", "thanhpho", "locvuong", "tdp4"))
