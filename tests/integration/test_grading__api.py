"""Grading through the JSON API: a branch's sheet is one action's payload (API.md
``POST /cases/{id}/actions/{name}``), refused lines are 422 with the members named,
and ``GET /reports/summary`` returns the grades decided."""

from __future__ import annotations

import sqlalchemy as sa

from tests.grading_flow import DECEMBER, rows


def _open(app, demo):
    from app.extensions import db
    from cases.grading import rounds
    from core.models import Unit, User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "danguy.phucthang"))
        opened = rounds.open_rounds(db.session, user, db.session.get(Unit, demo.units["phucthang"].id), 2026)
        return opened.opened[demo.units["trung"].id]


def test_rule__reports__grading_by_grade(api, app, demo, clock_file):
    clock_file.write_text(DECEMBER)
    case_id = _open(app, demo)
    bithu = api.as_user("bithu.trung")
    case = bithu.case(case_id)
    assert case["type"] == "grading" and case["person"] is None
    assert [a["name"] for a in case["available_actions"]] == ["record_self_assessments"]
    members = [p.id for p in demo.people["trung"] if p.status.value in ("official", "probationary")]
    grades = {pid: ("excellent" if i == 0 else "good" if i < 8 else "complete") for i, pid in enumerate(members)}
    response = bithu.act(case_id, "record_self_assessments", {"rows": rows(grades)[1:]})
    assert response.status_code == 422
    assert "No line for" in str(response.get_json()["errors"]["rows"]) or "Chưa có dòng" in str(
        response.get_json()["errors"]["rows"])
    assert bithu.act(case_id, "record_self_assessments", {"rows": rows(grades)}).status_code == 200
    assert bithu.act(case_id, "record_branch_proposal", {"rows": rows(grades), "meeting_date": "2026-12-18"}
                     ).status_code == 200
    committee = api.as_user("danguy.phucthang")
    response = committee.act(case_id, "decide_grades", {"rows": rows(grades), "decision_number": "15-QĐ/ĐU",
                                                        "decision_date": "2026-12-18"})
    assert response.status_code == 200, response.get_json()
    history = committee.get(f"/cases/{case_id}/history").get_json()["items"]
    decision = [e for e in history if e["action"] == "decide_grades"][0]
    assert len(decision["payload"]["rows"]) == len(members)

    summary = committee.get(f"/reports/summary?unit={demo.units['phucthang'].id}&year=2026").get_json()["grading"]
    assert summary["by_grade"] == {"excellent": 1, "good": 7, "complete": len(members) - 8, "not_complete": 0}
    assert summary["excellent_or_good"] == 8 and summary["graded"] == len(members)
    assert summary["by_unit"] == [{"unit_id": demo.units["phucthang"].id, "year": 2026,
                                   "by_grade": summary["by_grade"]}]
    person = committee.get(f"/people/{members[0]}").get_json()
    assert person["grading"] == [{"year": 2026, "grade": "excellent", "score": 95.0, "decided_on": "2026-12-18"}]
    # dated by the decision: nothing in 2025
    assert committee.get(f"/reports/summary?unit={demo.units['phucthang'].id}&year=2025"
                         ).get_json()["grading"]["graded"] == 0
    # outside the scope: another grassroots organisation's report sees none of it
    other = api.as_user("danguy.locvuong").get("/reports/summary?year=2026").get_json()["grading"]
    assert other["graded"] == 0
