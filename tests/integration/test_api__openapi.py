"""The served OpenAPI document describes every API route completely."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_api__openapi_document_is_complete(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate(doc)  # a valid OpenAPI 3 document
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented
    expected = {
        ("/api/v1/auth/token", "post"), ("/api/v1/me", "get"), ("/api/v1/units/{id}", "get"),
        ("/api/v1/units/{id}/children", "get"), ("/api/v1/people", "get"), ("/api/v1/people", "post"),
        ("/api/v1/cases", "get"), ("/api/v1/inbox", "get"), ("/api/v1/cases", "post"),
        ("/api/v1/cases/{id}", "get"), ("/api/v1/cases/{id}/actions/{name}", "post"),
        ("/api/v1/cases/{id}/history", "get"), ("/api/v1/cases/{id}/documents", "post"),
        ("/api/v1/cases/{id}/documents/{doc_id}", "get"), ("/api/v1/audit/verify", "get"),
        ("/api/v1/processes/{type}", "get"), ("/api/v1/reports/summary", "get"), ("/api/v1/openapi.json", "get"),
    }
    assert expected <= documented
    ids = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ids.append(op["operationId"])
            assert op["summary"] and op["responses"]
            public = path in ("/api/v1/auth/token", "/api/v1/openapi.json")
            assert op["security"] == ([] if public else [{"bearerAuth": []}])
            if not public:
                assert op["responses"]["401"]["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}
            assert "400" in op["responses"] and "default" in op["responses"]
            if "{" in path:
                assert "404" in op["responses"]
            if method == "post":
                assert "requestBody" in op
            if path.endswith("/actions/{name}"):
                assert {"403", "409", "422"} <= set(op["responses"])
    assert len(ids) == len(set(ids))
    schemas = doc["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert set(schemas["Case"]["required"]) >= {"id", "type", "state", "state_label", "person", "unit", "opened_at",
                                                "version", "deadline", "available_actions"}
    assert set(schemas["Event"]["required"]) == {"seq", "at", "actor", "action", "from_state", "to_state", "payload",
                                                 "comment", "hash"}
    # The candidate schema is the registration form's, rendered by the same converter as actions'.
    assert schemas["CandidateCreate"]["properties"]["national_id"]["pattern"] == "^[0-9]{12}$"
    assert schemas["CandidateCreate"]["properties"]["date_of_birth"]["format"] == "date"


def test_api__case_create_is_described_per_type(client):
    """API.md: "POST /api/v1/cases is described per type in the OpenAPI document (one schema per
    type), so a generated client knows each type's fields"."""
    from cases.registry import all_entries

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    create = schemas["CaseCreate"]
    names = sorted(all_entries())
    assert [r["$ref"] for r in create["oneOf"]] == [f"#/components/schemas/CaseCreate_{n}" for n in names]
    assert create["discriminator"]["propertyName"] == "type"
    for name in names:
        schema = schemas[f"CaseCreate_{name}"]
        assert schema["properties"]["type"]["enum"] == [name]
        assert {"type", "person_id"} <= set(schema["required"]) and schema["additionalProperties"] is False
    discipline = schemas["CaseCreate_discipline"]
    assert "violation_date" in discipline["properties"] and "violation_date" in discipline["required"]
    assert "violation_date" not in schemas["CaseCreate_admission"]["properties"]
