"""Bad input is refused at the edge, never a 500 (issue 11, class 8).

The issue's reproductions, each on the pages and the API where it applies: a
NUL character in text or a query parameter (PostgreSQL refuses it), ids of
2**31 and more in paths and query parameters, JSON nested ~1,000 levels deep
on every JSON POST, an idempotency key over 128 characters on a page,
``case_id=abc`` on the course class form, CRLF in ``next``. One layer
(:mod:`app.edge`) answers them with a Vietnamese 400 (a problem document under
``/api``, the error page otherwise, or no route: 404) and nothing is written.
"""

from __future__ import annotations

import pytest

from tests.api_flow import open_ready_case, submit_payload
from tests.candidacy_flow import CandidacyFlow
from tests.edge_inputs import case_tables, deep_json

BIG = 2 ** 31


@pytest.fixture
def case_id(api, demo):
    return open_ready_case(api, demo)


def assert_refused(response, status=400):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    return response


# ---- NUL and other characters that cannot be stored ------------------------------------------------

def test_edge__nul_in_a_query_is_400_on_pages_and_api(app, api, pages, case_id):
    pages.as_user("bithu.trung")
    page = assert_refused(pages.client.get("/cases?q=Nguy%00n"))
    assert "không thể lưu" in page.get_data(as_text=True)  # the Vietnamese words
    assert_refused(pages.client.get("/cases?state=draft%00"))
    assert_refused(pages.client.get(f"/cases/{case_id}?x=%00"))
    api.as_user("bithu.trung")
    problem = assert_refused(api.get("/cases?q=Nguy%00n"))
    assert problem.mimetype == "application/problem+json" and "q" in problem.get_json()["errors"]
    assert_refused(api.get("/people?q=%00"))


def test_edge__nul_in_a_form_or_a_body_is_400_and_nothing_is_written(app, api, pages, case_id, demo):
    pages.as_user("bithu.trung")
    before = case_tables(app)
    assert_refused(pages.act(case_id, "withdraw", reason="Rút\x00hồ sơ"))
    assert_refused(pages.act(case_id, "submit", **submit_payload(demo, introducer_1_since="2020-01-01\x00")))
    assert_refused(pages.upload(case_id, "1-KNĐ", filename="a\x00.pdf"))
    api.as_user("bithu.trung")
    assert_refused(api.act(case_id, "withdraw", {"reason": "Rút\x00hồ sơ"}))
    assert_refused(api.act(case_id, "withdraw", {"reason": "lone \ud800 surrogate"}))
    assert_refused(api.post("/people", json={"full_name": "A\x00B"}))
    assert case_tables(app) == before


def test_edge__a_multipart_part_named_with_a_line_break_is_400(app, api, pages, case_id):
    """Werkzeug reads such a part's name as None (schemathesis found it as a 500 on
    POST /cases/{id}/documents): refused like any text that cannot be stored."""
    body = (b'--B\r\nContent-Disposition: form-data; name="a\rb"\r\n\r\nv\r\n'
            b'--B\r\nContent-Disposition: form-data; name="kind"\r\n\r\n2-KN\xc4\x90\r\n'
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--B--\r\n')
    before = case_tables(app)
    api.as_user("bithu.trung")
    assert_refused(api.client.post(f"/api/v1/cases/{case_id}/documents", data=body, headers=api.headers(),
                                   content_type="multipart/form-data; boundary=B"))
    pages.as_user("bithu.trung")
    assert_refused(pages.client.post(f"/cases/{case_id}/documents", data=body,
                                     content_type="multipart/form-data; boundary=B"))
    assert case_tables(app) == before


def test_edge__json_constants_and_huge_numbers_are_400(api, case_id):
    api.as_user("bithu.trung")
    url = f"/api/v1/cases/{case_id}/actions/withdraw"
    for raw in ('{"payload": {"reason": "x"}, "expected_version": NaN}', '{"expected_version": Infinity}',
                '{"expected_version": 1e999}', '{"expected_version": ' + "9" * 5000 + "}"):
        assert_refused(api.client.post(url, data=raw, content_type="application/json", headers=api.headers()))


# ---- ids beyond 32 bits ------------------------------------------------------------------------------

def test_edge__ids_beyond_32_bits_in_paths_are_404(api, pages, case_id, demo):
    pages.as_user("bithu.trung")
    for path in (f"/cases/{BIG}", f"/cases/{10 ** 30}", f"/cases/{BIG}/history", f"/people/{BIG}",
                 f"/units/{10 ** 30}", f"/cases/{case_id}/documents/{10 ** 20}", f"/candidacy/courses/{BIG}",
                 f"/candidacy/plans/{BIG}/2026", f"/candidacy/plans/{demo.units['phucthang'].id}/{10 ** 12}"):
        assert_refused(pages.client.get(path), 404)
    api.as_user("bithu.trung")
    for path in (f"/cases/{BIG}", f"/units/{10 ** 30}", f"/people/{BIG}", f"/courses/{10 ** 20}"):
        assert_refused(api.get(path), 404)


def test_edge__ids_beyond_32_bits_in_queries_are_400(api, pages, case_id):
    pages.as_user("bithu.trung")
    for path in ("/cases?unit=99999999999999999999", f"/cases?unit={BIG}", f"/candidacy/plans?unit={BIG}",
                 f"/cases/new/admission?person_id={BIG}", "/cases?unit=abc"):
        assert_refused(pages.client.get(path))
    api.as_user("bithu.trung")
    for path in (f"/cases?unit={BIG}", f"/people?unit={BIG}", f"/audit/verify?case_id={BIG}",
                 f"/plans?unit={BIG}", f"/reports/summary?unit={BIG}"):
        assert_refused(api.get(path))


def test_edge__a_case_number_beyond_32_bits_finds_nothing(api, pages, case_id):
    pages.as_user("bithu.trung")
    response = pages.client.get(f"/cases?q={BIG}")
    assert response.status_code == 200 and f"/cases/{case_id}" not in response.get_data(as_text=True)
    api.as_user("bithu.trung")
    assert api.get(f"/cases?q={10 ** 15}").get_json()["items"] == []


# ---- deep JSON -------------------------------------------------------------------------------------

def test_edge__deep_json_on_every_json_post_is_400(app, api, case_id, demo, clock_file):
    flow = CandidacyFlow(app, demo, clock_file).at("2026-11-20")
    with app.test_request_context("/api/v1/me"):
        course_id = flow.course()
    values = {"id": case_id, "course_id": course_id, "unit_id": demo.units["phucthang"].id, "year": 2026,
              "name": "withdraw", "doc_id": 1, "post_id": 1, "form": "9-KNĐ"}
    api.as_user("tochuc.nghiahung")
    before = case_tables(app)
    sent = 0
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH"}
        if not rule.rule.startswith("/api/") or not methods:
            continue
        path = rule.rule.replace("/api/v1", "")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name])).replace(f"<{name}>", str(values[name]))
        for levels in (25, 500, 990, 1000, 100000):
            for method in methods:
                response = api.client.open(f"/api/v1{path}", method=method, data=deep_json(levels),
                                           content_type="application/json", headers=api.headers())
                sent += 1
                assert response.status_code == 400, (rule.rule, levels, response.status_code)
    assert sent >= 8 * 5
    assert case_tables(app) == before


# ---- the pages' own fields --------------------------------------------------------------------------

def test_edge__an_idempotency_key_over_128_characters_is_400(app, pages, case_id, demo):
    pages.as_user("bithu.trung")
    before = case_tables(app)
    assert_refused(pages.act(case_id, "withdraw", key="k" * 129, reason="Rút hồ sơ."))
    token = pages.token("/cases/new/removal")
    assert_refused(pages.client.post("/cases/new/removal", data={
        "csrf_token": token, "idempotency_key": "k" * 500, "person_id": demo.people["trung"][3].id}))
    assert case_tables(app) == before
    assert pages.act(case_id, "withdraw", key="k" * 128, reason="Rút hồ sơ.").status_code == 302


def test_edge__a_case_id_that_is_no_number_on_the_class_form_is_400(app, client, auth, demo, clock_file):
    from tests.admission_flow import Pages

    flow = CandidacyFlow(app, demo, clock_file).at("2026-11-20")
    with app.test_request_context("/api/v1/me"):
        course_id = flow.course()
    pages = Pages(client, auth).as_user("tochuc.nghiahung")
    url = f"/candidacy/courses/{course_id}"
    before = case_tables(app)
    for value in ("abc", str(BIG), "1.5", "", "١"):
        response = client.post(f"{url}/class", data={"csrf_token": pages.token(url), "case_id": value})
        assert response.status_code in ((400,) if value else (302,)), (value, response.status_code)
    response = client.post(f"{url}/results", data={"csrf_token": pages.token(url), "enrolment_id": "abc"})
    assert_refused(response)
    assert case_tables(app) == before


def test_edge__crlf_in_next_goes_home(client, auth, demo):
    token = auth.csrf_token()
    response = client.post("/lang/en?next=/x%0d%0aSet-Cookie:%20a=b", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_edge__a_long_request_id_header_is_replaced_not_stored(app, api, case_id):
    from app.extensions import db
    from workflow.models import AuditEvent

    api.as_user("bithu.trung")
    response = api.post(f"/cases/{case_id}/actions/withdraw", json={"payload": {"reason": "Rút hồ sơ."}},
                        headers={"X-Request-Id": "r" * 300})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(AuditEvent.__table__.select().with_only_columns(AuditEvent.request_id)
                                   .where(AuditEvent.case_id == case_id, AuditEvent.action == "withdraw"))
    assert stored and len(stored) <= 64 and "r" * 65 not in stored
