"""Lists: cases with their filters and keyset pages, the inbox, the org tree, the summary report."""

from __future__ import annotations

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, step, submit_payload, to_superior_decision
from tests.demo_people import candidate


def open_cases(api, demo, n=2) -> list[int]:
    api.as_user("bithu.trung")
    ids = []
    for person in [p for p in demo.people["trung"] if p.status.value == "candidate"][:n]:
        response = api.post("/cases", json={"type": "admission", "person_id": person.id})
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    return ids


def all_pages(api, path, limit) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = api.get(path, query_string=params).get_json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_api__case_list_filters_and_pages(api, demo):
    first, second = open_cases(api, demo)
    assert [c["id"] for c in all_pages(api, "/cases", 1)] == [second, first]
    assert [c["id"] for c in api.get("/cases?type=admission&state=draft").get_json()["items"]] == [second, first]
    assert api.get("/cases?state=probation").get_json()["items"] == []
    assert api.get("/cases?type=discipline").get_json()["items"] == []
    assert api.get(f"/cases?q={first}").get_json()["items"][0]["id"] == first
    name = api.case(first)["person"]["full_name"]
    from core.text import fold

    assert [c["id"] for c in api.get("/cases", query_string={"q": fold(name)}).get_json()["items"]] == [first]
    assert api.get(f"/cases?unit={demo.units['trung'].id}").get_json()["items"][0]["id"] == second
    assert api.get(f"/cases?unit={demo.units['tdp4'].id}").get_json()["items"] == []
    assert api.get("/cases?overdue=true").get_json()["items"] == []
    assert len(api.get("/cases?overdue=false").get_json()["items"]) == 2
    item = api.get("/cases").get_json()["items"][0]
    assert {"id", "type", "state", "state_label", "person", "unit", "opened_at", "version", "deadline"} <= set(item)
    api.as_user("bithu.tdp4")
    assert api.get("/cases").get_json() == {"items": [], "next_cursor": None}


def test_api__inbox_lists_cases_to_act_on(api, demo):
    first = open_ready_case(api, demo)
    second = api.post("/cases", json={"type": "admission", "person_id": candidate(demo, index=1).id}).get_json()["id"]
    items = all_pages(api, "/inbox", 1)
    assert sorted(i["id"] for i in items) == sorted([first, second])
    assert "submit" in items[0]["actions"]
    assert [a["name"] for a in items[0]["available_actions"]] == items[0]["actions"]
    api.as_user("danguy.phucthang")
    assert api.get("/inbox").get_json()["items"] == []  # nothing at the grassroots yet
    api.as_user("bithu.trung")
    assert api.act(first, "submit", submit_payload(demo)).status_code == 200
    api.as_user("danguy.phucthang")
    inbox = api.get("/inbox").get_json()["items"]
    assert [(i["id"], i["actions"]) for i in inbox] == [(first, ["certify_background"])]


def test_api__org_tree(api, demo):
    api.as_user("danguy.phucthang")
    unit = api.get(f"/units/{demo.units['phucthang'].id}").get_json()
    assert unit["level"] == "grassroots" and unit["children_count"] == 2
    assert unit["parent_id"] == demo.units["nghiahung"].id
    children = all_pages(api, f"/units/{demo.units['phucthang'].id}/children", 1)
    assert {c["id"] for c in children} == {demo.units["trung"].id, demo.units["dong"].id}
    assert api.get(f"/units/{demo.units['nghiahung'].id}").status_code == 404  # above their scope


def test_rule__reports__admissions_opened_admitted_recognised_removed(api, demo):
    case_id = to_superior_decision(api, demo)
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
             dict(decision_number="5-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
             "awaiting_ceremony")
    api.as_user("thuongvu.nghiahung")
    summary = api.get(f"/reports/summary?unit={demo.units['nghiahung'].id}&year=2026").get_json()
    assert summary["unit"]["id"] == demo.units["nghiahung"].id and summary["year"] == 2026
    admissions = summary["admissions"]
    assert admissions["opened"] == 1 and admissions["admitted"] == 1
    assert admissions["by_stage"] == {"awaiting_ceremony": 1}
    assert admissions["average_days_branch_vote_to_decision"] == 8.0
    assert summary["overdue"]["total"] == 0
    assert api.get("/reports/summary?year=2025").get_json()["admissions"]["opened"] == 0
    api.as_user("bithu.tdp4")
    assert api.get("/reports/summary?year=2026").get_json()["admissions"]["opened"] == 0
    assert api.get(f"/reports/summary?unit={demo.units['nghiahung'].id}").status_code == 404


def test_rule__reports__overdue_by_unit_and_step(api, demo, clock_file):
    case_id = to_superior_decision(api, demo)
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
             dict(decision_number="5-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
             "awaiting_ceremony")
    clock_file.write_text("2027-03-01T03:00:00Z")  # the ceremony deadline has passed
    api.tokens.clear()  # (and the tokens have expired)
    api.as_user("thuongvu.nghiahung")
    overdue = api.get("/reports/summary").get_json()["overdue"]
    assert overdue["total"] == 1
    assert overdue["by_step"] == [{"type": "admission", "state": "awaiting_ceremony", "count": 1}]
    assert overdue["by_unit"][0]["unit_id"] == demo.units["trung"].id
    assert [c["id"] for c in api.get("/cases?overdue=true").get_json()["items"]] == [case_id]
    assert api.case(case_id)["overdue"] is True
