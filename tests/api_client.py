"""Helpers for the API tests: tokens for the demo accounts, JSON calls."""

from __future__ import annotations

import io

from tests.admission_flow import PDF


class Api:
    """The test client speaking JSON with a bearer token per demo account."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}
        self.user: str | None = None
        self.lang: str | None = None

    def token(self, username: str, password: str = "demo") -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_data(as_text=True)
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def as_user(self, username: str) -> "Api":
        self.token(username)
        self.user = username
        return self

    def headers(self, extra=None) -> dict:
        headers = {}
        if self.user:
            headers["Authorization"] = f"Bearer {self.tokens[self.user]}"
        if self.lang:
            headers["Accept-Language"] = self.lang
        headers.update(extra or {})
        return headers

    def get(self, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def case(self, case_id: int) -> dict:
        response = self.get(f"/cases/{case_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def act(self, case_id: int, action: str, payload: dict | None = None, version: int | None = None, **kw):
        if version is None:
            version = self.case(case_id)["version"]
        body = {"expected_version": version, "payload": payload or {}}
        body.update(kw)
        return self.post(f"/cases/{case_id}/actions/{action}", json=body)

    def upload(self, case_id: int, kind: str, content: bytes = PDF, filename: str = "doc.pdf",
               issued_on: str | None = None):
        data = {"kind": kind, "file": (io.BytesIO(content), filename)}
        if issued_on:
            data["issued_on"] = issued_on
        return self.client.post(f"/api/v1/cases/{case_id}/documents", data=data, headers=self.headers(),
                                content_type="multipart/form-data")
