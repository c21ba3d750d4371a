"""The API against its own OpenAPI document.

1. Schemathesis fuzzes every operation of the served document (WSGI, the
   fixtures' app), with a demo token, valid and invalid inputs, a bounded
   number of examples: no 5xx, and every response conforms to the document
   (status code, content type, body schema).
2. Every response of a whole admission through the API is validated against
   the same document (the fuzzer mostly meets 404s for real ids).
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import request_finished
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.api_client import Api
from tests.api_flow import to_superior_decision

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 60


@pytest.fixture
def api_token(app, demo, clock_file):
    """A token of the branch secretary of thôn Trung (not an admin: revocation is
    refused), and an admission case (id 1, the documents' example id) to act on."""
    clock_file.write_text("2026-11-20T03:00:00Z")
    from api.auth import issue_token
    from app.extensions import db
    from cases import actions
    from core.models import User

    with app.app_context():
        user = db.session.get(User, demo.users["bithu.trung"].id)
        secret, _token = issue_token(db.session, user, 12)
        db.session.commit()
        candidate = next(p for p in demo.people["trung"] if p.status.value == "candidate")
        actions.open_case(db.session, user, "admission", candidate.id, {})
    return secret


@pytest.fixture
def api_schema(app, api_token):
    app.config["API_TOKEN_RATE_LIMIT"] = "1000 per minute"
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Valid and invalid inputs: bad input must be refused with a 4xx, never a 5xx.
    loaded.config.generation.update(modes=list(GenerationMode))
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api__schemathesis(case, api_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)


def test_api__admission_responses_conform_to_the_document(app, client, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    seen, rules = [], []

    def record(sender, response, **extra):
        from flask import request

        rules.append((request.url_rule.rule, request.method) if request.url_rule is not None else None)

    def recording_open(*args, **kwargs):
        response = original_open(*args, **kwargs)
        rule = rules.pop() if rules else None
        if rule is not None and rule[0].startswith("/api/v1/"):
            seen.append((*rule, response))
        return response

    original_open = client.open
    client.open = recording_open
    request_finished.connect(record, app)
    api = Api(client)
    case_id = to_superior_decision(api, demo)
    api.as_user("thuongvu.nghiahung")
    api.act(case_id, "decide_admit", {"decision_number": "1", "decision_date": "2026-11-18",
                                      "meeting_date": "2026-11-18", "entitled": 15, "present": 13, "votes_for": 12,
                                      "votes_against": 1})
    api.act(case_id, "decide_admit", {}, version=1)  # 409
    api.as_user("bithu.trung")
    for path in ("/me", f"/units/{demo.units['trung'].id}", f"/units/{demo.units['trung'].id}/children", "/people",
                 "/people?q=nguyen", "/cases", "/cases?overdue=true", "/inbox", f"/cases/{case_id}",
                 f"/cases/{case_id}/history?limit=3", f"/audit/verify?case_id={case_id}", "/processes",
                 "/processes/admission", "/reports/summary", f"/reports/summary?unit={demo.units['trung'].id}"):
        assert api.get(path).status_code == 200, path
    api.act(case_id, "hold_ceremony", {"ceremony_date": "2026-11-20"})  # 422
    api.get("/cases/999")  # 404
    request_finished.disconnect(record, app)
    client.open = original_open

    spec = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    import re

    checked = set()
    for rule, method, response in seen:
        if rule.endswith("/openapi.json"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
        spec[path][method].validate_response(response)
        checked.add((path, method, response.status_code))
    statuses = {s for _p, _m, s in checked}
    assert {200, 201, 404, 409, 422} <= statuses, statuses
    assert len({(p, m) for p, m, _s in checked}) >= 14
