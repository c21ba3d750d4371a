"""GET /audit/verify names the first tampered event."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api_client import Api
from tests.integration import test_api__admission as adm


@pytest.fixture
def api(client, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    return Api(client)


def tamper(app, case_id: int, seq: int) -> None:
    """Edit one event behind the triggers' back (as a database superuser could)."""
    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
            else:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("UPDATE audit_event SET comment = 'sửa lén' WHERE case_id = :c AND seq = :s"),
                         {"c": case_id, "s": seq})


def test_api__verify_names_the_first_bad_event(app, api, demo):
    case_id = adm.open_ready_case(api, demo)
    assert api.act(case_id, "submit", adm.submit_payload(demo)).status_code == 200
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {"ok": True}
    tamper(app, case_id, 3)
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {
        "ok": False, "first_bad": {"case_id": case_id, "seq": 3}}
    api.as_user("thanhtra.tinh")  # the province's auditor reads any case in the province
    assert api.get(f"/audit/verify?case_id={case_id}").get_json()["ok"] is False
    api.as_user("bithu.tdp4")
    assert api.get(f"/audit/verify?case_id={case_id}").status_code == 404
