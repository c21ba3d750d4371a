"""Issue 11, class 3: an idempotency key is bound to its request (case, action,
payload). The same key with another request is refused (422) and changes
nothing; eight simultaneous identical retries all get the first result, and
the case moves once.

These run on the app's database: SQLite in the default run, PostgreSQL with
``TEST_DATABASE_URL``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.concurrency import together

NOW = "2026-11-20T03:00:00Z"
REVIEWED = {"submitted": "yes"}


@pytest.fixture
def api(api):
    """The shared API fixture, as the secretary of Chi bộ thôn Trung."""
    return api.as_user("bithu.trung")


def open_removal(api, demo, index: int) -> int:
    member = [p for p in demo.people["trung"] if p.status.value == "official"][index]
    response = api.post("/cases", json={"type": "removal", "person_id": member.id,
                                        "grounds": "missed_activities_or_dues", "months_missed": 4,
                                        "description": "Bỏ sinh hoạt và không đóng đảng phí 4 tháng."})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def trail(app, case_id: int) -> tuple:
    """The case's state, version and audit events: what must not change."""
    from app.extensions import db
    from workflow.models import AuditEvent, Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        events = db.session.execute(sa.select(AuditEvent.seq, AuditEvent.action)
                                    .where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)).all()
        return case.state, case.version, tuple(events)


def assert_refused_as_reused(response) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 422 and "idempotency" in body["detail"].lower()


def test_idempotency__a_key_used_on_one_case_is_refused_on_another(api, app, demo):
    first, second = open_removal(api, demo, 5), open_removal(api, demo, 6)
    assert api.act(first, "record_self_review", REVIEWED, idempotency_key="K").status_code == 200
    before = trail(app, second), trail(app, first)
    assert_refused_as_reused(api.act(second, "record_self_review", REVIEWED, idempotency_key="K"))
    assert (trail(app, second), trail(app, first)) == before
    assert trail(app, second)[0] == "proposed"


def test_idempotency__a_key_is_refused_with_another_action_or_payload(api, app, demo):
    case_id = open_removal(api, demo, 5)
    assert api.act(case_id, "record_self_review", REVIEWED, version=1, idempotency_key="K").status_code == 200
    before = trail(app, case_id)
    # The retry of the same request replays the first result...
    again = api.act(case_id, "record_self_review", REVIEWED, version=1, idempotency_key="K")
    assert again.status_code == 200 and again.get_json()["state"] == "branch_vote"
    # ...but another payload or another action under the same key is refused.
    other_payload = {"submitted": "yes", "self_criticism": "Tôi xin nhận khuyết điểm."}
    assert_refused_as_reused(api.act(case_id, "record_self_review", other_payload, version=1, idempotency_key="K"))
    vote = {"meeting_date": "2026-11-20", "entitled": 10, "present": 10, "votes_for": 9, "votes_against": 1}
    assert_refused_as_reused(api.act(case_id, "record_branch_vote", vote, version=2, idempotency_key="K"))
    assert trail(app, case_id) == before


def test_idempotency__a_start_key_is_bound_to_its_case(api, app, demo):
    members = [p for p in demo.people["trung"] if p.status.value == "official"]
    body = {"type": "removal", "person_id": members[5].id, "grounds": "missed_activities_or_dues",
            "months_missed": 4, "description": "Bỏ sinh hoạt 4 tháng.", "idempotency_key": "open-1"}
    first = api.post("/cases", json=body)
    assert first.status_code == 201, first.get_data(as_text=True)
    replay = api.post("/cases", json=body)
    assert replay.status_code == 201 and replay.get_json()["id"] == first.get_json()["id"]
    assert_refused_as_reused(api.post("/cases", json={**body, "person_id": members[6].id}))
    assert_refused_as_reused(api.post("/cases", json={**body, "months_missed": 5}))
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1


def test_idempotency__eight_simultaneous_identical_retries_get_the_first_result(api, app, demo):
    """Five rounds (five members' cases): a race lost once is a failure."""
    headers = api.headers()
    for member in range(5, 10):
        case_id = open_removal(api, demo, member)
        body = {"expected_version": 1, "payload": REVIEWED, "idempotency_key": f"retry-{member}"}

        def post(_i, case_id=case_id, body=body):
            response = app.test_client().post(f"/api/v1/cases/{case_id}/actions/record_self_review", json=body,
                                              headers=headers)
            return response.status_code, response.get_json()

        results = together(8, post)
        statuses = [r[0] if isinstance(r, tuple) else repr(r) for r in results]
        assert statuses == [200] * 8, [r if s != 200 else s for s, r in zip(statuses, results)]
        assert all(r[1] == results[0][1] for r in results), results
        assert results[0][1]["state"] == "branch_vote" and results[0][1]["version"] == 2
        state, version, events = trail(app, case_id)
        assert (state, version) == ("branch_vote", 2)
        assert [action for _seq, action in events].count("record_self_review") == 1
