"""Names never leak through validation (issue 11, class 1).

Every id a user sends (an introducer, a mentor, a helper, a post, the subject,
a unit, a course, an enrolment, a case) is resolved through the scope
permission before anything else reads it: an id outside the user's scope and
one that does not exist get byte-identical answers, and no answer carries the
name, status or unit of anyone outside the scope. The national id number's
uniqueness check answers the same whether the number is registered in the
user's units or in another district.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, step, submit_payload, to_superior_decision
from tests.demo_people import candidate, officials
from tests.discipline_flow import REPORT

ABSENT = 2 ** 31 - 1  # an id no row has


def outsider(demo):
    """An official member of Chi bộ tổ dân phố số 4 (Thành ủy Nam Định: another district)."""
    return officials(demo, "tdp4")[2]


def text_of(response) -> str:
    """The body as a reader sees it (JSON unescaped)."""
    raw = response.get_data(as_text=True)
    if response.is_json:
        return raw + json.dumps(response.get_json(), ensure_ascii=False)
    return raw


def assert_says_nothing_of(response, demo, person) -> None:
    text = text_of(response)
    for word in (person.full_name, "tổ dân phố", "Lộc Vượng", "Thành ủy"):
        assert word not in text, (word, text[:500])


def assert_same(a, b) -> None:
    assert a.status_code == b.status_code and a.status_code in (400, 404, 422), (a.status_code, b.status_code)
    assert a.get_data() == b.get_data(), (a.get_data(as_text=True)[:800], b.get_data(as_text=True)[:800])


def db_scalar(app, stmt):
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(stmt)


# ---- the issue's reproduction -----------------------------------------------------------------------

def test_scope__the_issues_introducer_from_another_district_is_not_named(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    out = outsider(demo)
    refused = api.act(case_id, "submit", submit_payload(demo, introducer_1=out.id))
    assert refused.status_code == 422
    assert_says_nothing_of(refused, demo, out)
    assert refused.get_json()["errors"] == {"introducer_1": ["Không có người này trong các đơn vị của bạn."]}
    assert_same(refused, api.act(case_id, "submit", submit_payload(demo, introducer_1=ABSENT)))
    assert_same(refused, api.act(case_id, "submit", submit_payload(demo, introducer_1=999999)))
    assert api.case(case_id)["state"] == "draft"


@pytest.mark.parametrize("field", ["introducer_1", "introducer_2"])
def test_scope__introducers_outside_and_absent_read_the_same(api, demo, field):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    out = outsider(demo)
    refused = api.act(case_id, "submit", submit_payload(demo, **{field: out.id}))
    assert_says_nothing_of(refused, demo, out)
    assert_same(refused, api.act(case_id, "submit", submit_payload(demo, **{field: ABSENT})))


def test_scope__an_introducer_the_form_offers_outside_the_branch_is_resolved(api, demo):
    """Introducers may come from any branch of the grassroots organisation (DOMAIN.md), which the
    form offers: an official of thôn Đông is resolved (and judged by the rules); a candidate of
    thôn Đông, whom the form does not offer, reads as absent."""
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    sibling = officials(demo, "dong")[2]
    judged = api.act(case_id, "submit", submit_payload(demo, introducer_1=sibling.id, introducer_1_since="2026-01-01"))
    assert judged.status_code == 422 and "introducer_1" not in judged.get_json().get("errors", {})
    assert sibling.full_name in text_of(judged)  # "less than 12 months": a person the form lists by name
    hidden = candidate(demo, "dong")
    assert_same(api.act(case_id, "submit", submit_payload(demo, introducer_1=hidden.id)),
                api.act(case_id, "submit", submit_payload(demo, introducer_1=ABSENT)))


def test_scope__the_mentor_outside_and_absent_read_the_same(api, demo):
    case_id = to_superior_decision(api, demo)
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         dict(decision_number="9-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
         "awaiting_ceremony")
    api.as_user("bithu.trung")
    out = outsider(demo)
    refused = api.act(case_id, "hold_ceremony", {"ceremony_date": "2026-11-20", "mentor_id": out.id})
    assert refused.status_code == 422
    assert_says_nothing_of(refused, demo, out)
    assert_same(refused, api.act(case_id, "hold_ceremony", {"ceremony_date": "2026-11-20", "mentor_id": ABSENT}))


def test_scope__the_helper_and_the_subject_outside_and_absent_read_the_same(api, demo):
    api.as_user("bithu.trung")
    out = outsider(demo)
    body = {"type": "candidacy", "person_id": candidate(demo, index=2).id, "resolution_number": "12-NQ/CB",
            "resolution_date": "2026-11-02"}
    refused = api.post("/cases", json={**body, "helper_id": out.id})
    assert refused.status_code == 422
    assert_says_nothing_of(refused, demo, out)
    assert_same(refused, api.post("/cases", json={**body, "helper_id": ABSENT}))
    for process in ("admission", "candidacy", "discipline", "removal"):
        subject = api.post("/cases", json={**body, "type": process, "person_id": out.id})
        assert_says_nothing_of(subject, demo, out)
        assert_same(subject, api.post("/cases", json={**body, "type": process, "person_id": ABSENT}))


def test_scope__a_post_outside_and_absent_read_the_same(app, api, demo):
    from core.models import Post

    holder = officials(demo)[0]  # holds the branch secretary's post of thôn Trung
    out = officials(demo, "tdp4")[0]
    their_post = db_scalar(app, sa.select(Post.id).where(Post.person_id == out.id))
    api.as_user("bithu.trung")
    case_id = api.post("/cases", json={"type": "discipline", "person_id": holder.id, **REPORT}).get_json()["id"]
    assert api.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 201
    step(api, case_id, "bithu.trung", "record_self_review", {"submitted": "yes", "self_criticism": "Xin nhận."},
         "branch_vote")
    payload = {"resolution_number": "12-NQ/CB", "proposed_form": "dismissal", **vote("2026-11-20", 10, 10, 9, 1)}
    refused = api.act(case_id, "record_branch_vote", {**payload, "post_id": their_post})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"post_id": ["Không có chức vụ này trong các đơn vị của bạn."]}
    assert_says_nothing_of(refused, demo, out)
    assert_same(refused, api.act(case_id, "record_branch_vote", {**payload, "post_id": ABSENT}))


def test_scope__units_courses_cases_and_people_in_paths_and_queries_read_the_same(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.tdp4")
    out_unit, out_person = demo.units["trung"].id, candidate(demo).id
    pairs = [
        (f"/cases/{case_id}", f"/cases/{ABSENT}"),
        (f"/cases/{case_id}/history", f"/cases/{ABSENT}/history"),
        (f"/audit/verify?case_id={case_id}", f"/audit/verify?case_id={ABSENT}"),
        (f"/people/{out_person}", f"/people/{ABSENT}"),
        (f"/units/{out_unit}", f"/units/{ABSENT}"),
        (f"/units/{out_unit}/children", f"/units/{ABSENT}/children"),
        (f"/people?unit={out_unit}", f"/people?unit={ABSENT}"),
        (f"/plans?unit={out_unit}", f"/plans?unit={ABSENT}"),
        (f"/cases?unit={out_unit}", f"/cases?unit={ABSENT}"),
    ]
    for outside, absent in pairs:
        a, b = api.get(outside), api.get(absent)
        assert a.status_code == b.status_code and a.get_data() == b.get_data(), (outside, a.status_code)


def test_scope__a_unit_in_a_registration_outside_and_absent_read_the_same(api, demo):
    api.as_user("bithu.trung")
    body = {"full_name": "Nguyễn Văn An", "date_of_birth": "2000-05-17", "gender": "male",
            "national_id": "036200001234", "education": "upper_secondary"}
    refused = api.post("/people", json={**body, "unit_id": demo.units["tdp4"].id})
    assert refused.status_code == 422
    assert_says_nothing_of(refused, demo, outsider(demo))
    assert_same(refused, api.post("/people", json={**body, "unit_id": ABSENT}))


# ---- the national id number --------------------------------------------------------------------------

def test_scope__a_national_id_registered_in_another_district_is_no_oracle(app, api, demo):
    from core.models import Person

    out, own = outsider(demo), officials(demo)[4]
    number_elsewhere = db_scalar(app, sa.select(Person.national_id).where(Person.id == out.id))
    number_here = db_scalar(app, sa.select(Person.national_id).where(Person.id == own.id))
    api.as_user("bithu.trung")
    body = {"full_name": "Nguyễn Văn An", "date_of_birth": "2000-05-17", "gender": "male",
            "education": "upper_secondary", "unit_id": demo.units["trung"].id}
    elsewhere = api.post("/people", json={**body, "national_id": number_elsewhere})
    assert elsewhere.status_code == 422
    assert elsewhere.get_json()["errors"] == {"national_id": ["Không thể đăng ký số định danh này tại đây."]}
    assert_says_nothing_of(elsewhere, demo, out)
    assert_same(elsewhere, api.post("/people", json={**body, "national_id": number_here}))
    assert api.post("/people", json={**body, "national_id": "036299990001"}).status_code == 201


# ---- the pages --------------------------------------------------------------------------------------

RANDOM_VALUES = re.compile(r'(name="(?:csrf_token|idempotency_key|batch_key)" value=")[^"]*')


def page_text(response) -> str:
    """The page without its per-rendering secrets (CSRF token, idempotency keys)."""
    return RANDOM_VALUES.sub(r"\1", response.get_data(as_text=True))


def test_scope__the_pages_read_the_same_for_outside_and_absent_ids(app, pages, demo, client):
    pages.as_user("bithu.trung")
    assert pages.open_admission(candidate(demo).id).status_code == 302
    case_id = db_scalar(app, sa.text("SELECT max(id) FROM wf_case"))
    for kind in ("1-KNĐ", "2-KNĐ", "3-KNĐ", "3-KNĐ", "5-KNĐ"):
        assert pages.upload(case_id, kind, issued_on="2026-10-01").status_code == 302
    out = outsider(demo)
    o = officials(demo)
    fields = dict(union_resolution="", introducer_1=o[2].id, introducer_1_since="2020-01-01",
                  introducer_2=o[3].id, introducer_2_since="2021-05-01")
    refused = pages.act(case_id, "submit", **{**fields, "introducer_2": out.id})
    assert refused.status_code == 422
    assert_says_nothing_of(refused, demo, out)
    absent = pages.act(case_id, "submit", **{**fields, "introducer_2": ABSENT})
    assert refused.status_code == absent.status_code and page_text(refused) == page_text(absent)

    token = pages.token("/cases/new/admission")
    opened = [client.post("/cases/new/admission", data={"csrf_token": token, "person_id": pid})
              for pid in (candidate(demo, "tdp4").id, ABSENT)]
    assert opened[0].status_code == opened[1].status_code == 422
    assert_says_nothing_of(opened[0], demo, candidate(demo, "tdp4"))
    assert page_text(opened[0]) == page_text(opened[1])
