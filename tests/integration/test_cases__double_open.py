"""Issue 11, class 2: a person has at most one open case of each type (DOMAIN.md,
"Case rules common to every type"), even when the requests arrive at the same
instant. Eight real threads open the same case through the API at once: one
201, seven refusals worded as a sequential second open's. A double-click on
the page's new-case form opens one case, and both clicks land on it.

These run on the app's database: SQLite in the default run, PostgreSQL with
``TEST_DATABASE_URL``.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.concurrency import together

THREADS = 8
NOW = "2026-11-20T03:00:00Z"


def _people(demo, status):
    return [p for p in demo.people["trung"] if p.status.value == status]


def _removal(demo):
    return {"person_id": _people(demo, "official")[5].id, "grounds": "missed_activities_or_dues",
            "months_missed": 4, "description": "Bỏ sinh hoạt và không đóng đảng phí 4 tháng."}


def _admission(demo):
    return {"person_id": _people(demo, "candidate")[0].id}


def _candidacy(demo):
    return {"person_id": _people(demo, "candidate")[3].id, "helper_id": _people(demo, "official")[5].id,
            "resolution_number": "15-NQ/CB", "resolution_date": "2026-11-05"}


OPENS = {"removal": _removal, "admission": _admission, "candidacy": _candidacy}


def open_cases(app, process: str, person_id: int) -> list[int]:
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return list(db.session.scalars(sa.select(Case.id).where(
            Case.process == process, Case.person_id == person_id, Case.closed_at.is_(None))))


@pytest.mark.parametrize("process_name", sorted(OPENS))
def test_rule__common__one_open_case_of_a_type_per_person(app, api, demo, process_name):
    body = {"type": process_name, **OPENS[process_name](demo)}
    headers = {"Authorization": f"Bearer {api.token('bithu.trung')}"}

    def post(_i):
        response = app.test_client().post("/api/v1/cases", json=body, headers=headers)
        return response.status_code, response.get_json()

    results = together(THREADS, post)
    statuses = [r[0] if isinstance(r, tuple) else repr(r) for r in results]
    assert statuses.count(201) == 1, results
    assert statuses.count(422) == THREADS - 1, results
    assert open_cases(app, process_name, body["person_id"]) == [next(b for s, b in results if s == 201)["id"]]
    # The losers read exactly what a second open, one after the other, reads.
    again = app.test_client().post("/api/v1/cases", json=body, headers=headers)
    assert again.status_code == 422
    sequential = again.get_json()
    for status, problem in results:
        if status == 422:
            assert problem["detail"] == sequential["detail"], problem
            assert problem.get("reasons") == sequential.get("reasons")
    assert len(open_cases(app, process_name, body["person_id"])) == 1


def _hidden_fields(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" data-testid="new-case-form">(.*?)</form>', html, re.S).group(1)
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def _page_fields(demo, process_name: str) -> dict:
    if process_name == "admission":
        return {"person_id": _people(demo, "candidate")[1].id}
    return {"person_id": _people(demo, "official")[4].id, "violation_date": "2026-09-01",
            "category": "party_activity",
            "description": "Không tham gia sinh hoạt chi bộ và không thực hiện nhiệm vụ được phân công."}


@pytest.mark.parametrize("process_name", ["admission", "discipline"])
def test_double_open__double_click_on_the_new_case_form_opens_one_case(app, client, auth, demo, clock_file,
                                                                       process_name):
    """Discipline has no one-open-case rule (one case per violation report): the
    form's idempotency key alone keeps the double-click to one case."""
    clock_file.write_text(NOW)
    assert auth.login("bithu.trung").status_code == 302
    html = client.get(f"/cases/new/{process_name}").get_data(as_text=True)
    data = _hidden_fields(html)
    assert data.get("idempotency_key"), "the new-case form carries no idempotency key"
    data.update(_page_fields(demo, process_name))
    cookie = client.get_cookie("session")

    def click(_i):
        browser = app.test_client()
        browser.set_cookie(cookie.key, cookie.value)
        response = browser.post(f"/cases/new/{process_name}", data=data)
        return response.status_code, response.headers.get("Location")

    results = together(2, click)
    assert [r[0] if isinstance(r, tuple) else repr(r) for r in results] == [302, 302], results
    assert results[0][1] == results[1][1] and re.search(r"/cases/\d+$", results[0][1]), results
    case_id = int(results[0][1].rsplit("/", 1)[1])
    assert open_cases(app, process_name, data["person_id"]) == [case_id]
    # A second render gives a new key: a deliberate second report is a new case.
    fresh = _hidden_fields(client.get(f"/cases/new/{process_name}").get_data(as_text=True))
    assert fresh["idempotency_key"] != data["idempotency_key"]
    # A key longer than the column is bad input, not a 500.
    too_long = client.post(f"/cases/new/{process_name}", data={**fresh, **_page_fields(demo, process_name),
                                                            "idempotency_key": "k" * 129})
    assert too_long.status_code == 400


def test_rule__common__one_discipline_case_per_violation_report(app, api, demo):
    """Two reports of two violations about one member are two open cases; the
    processes with the rule declare it, and the index covers only them."""
    from cases.registry import all_entries

    declared = {name for name, t in all_entries().items() if getattr(t.process, "one_open_per_person", False)}
    assert {"admission", "candidacy", "removal"} <= declared and "discipline" not in declared
    member = _people(demo, "official")[4]
    api.as_user("bithu.trung")
    for day in ("2026-09-01", "2026-10-01"):
        response = api.post("/cases", json={"type": "discipline", "person_id": member.id, "violation_date": day,
                                            "category": "party_activity",
                                            "description": "Không tham gia sinh hoạt chi bộ nhiều kỳ liên tiếp."})
        assert response.status_code == 201, response.get_data(as_text=True)
    assert len(open_cases(app, "discipline", member.id)) == 2
