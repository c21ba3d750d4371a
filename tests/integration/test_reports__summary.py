"""The summary report (DOMAIN.md "Reports", API.md ``/reports/summary``): any period
``from``–``to``, decisions counted by their own date, members by status,
organisations by kind, discipline as decisions and as people; aggregates
computed by the database (SQLite and PostgreSQL)."""

from __future__ import annotations


from tests.admission_flow import vote
from tests.demo_people import members, plain_member
from tests.discipline_flow import REPORT


def _decided_by_branch(api, person_id, form, meeting_date, violation_date="2025-10-01"):
    """bithu.trung's own finding, with its evidence, decided by the branch at the meeting of ``meeting_date``."""
    from tests.demo_people import opening

    api.as_user("bithu.trung")
    with opening(f"{meeting_date}T01:00:00Z"):  # opened at that meeting, entered later
        response = api.post("/cases", json={"type": "discipline", "person_id": person_id, **REPORT,
                                            "violation_date": violation_date})
    assert response.status_code == 201, response.get_data(as_text=True)
    case_id = response.get_json()["id"]
    assert api.upload(case_id, "evidence", issued_on=violation_date).status_code == 201
    assert api.act(case_id, "record_self_review", {"submitted": "yes", "self_criticism": "Nhận khuyết điểm."}
                   ).status_code == 200
    response = api.act(case_id, "record_branch_vote", {"resolution_number": "12-NQ/CB", "proposed_form": form, **vote(meeting_date, 10, 10, 9, 1)})
    assert response.status_code == 200 and response.get_json()["state"] == "decided", response.get_data(as_text=True)
    return case_id


def _summary(api, query):
    response = api.get(f"/reports/summary?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_rule__reports__counted_by_the_decision_date_not_the_day_entered(api, demo, clock_file):
    clock_file.write_text("2026-01-05T03:00:00Z")  # entered on 5 January 2026 ...
    _decided_by_branch(api, plain_member(demo).id, "reprimand", "2025-12-20")  # ... decided on 20 December 2025
    api.as_user("thuongvu.nghiahung")
    assert _summary(api, "year=2025")["discipline"]["by_form"] == {"reprimand": 1}
    assert _summary(api, "year=2026")["discipline"]["total"] == 0
    assert _summary(api, "from=2025-12-20&to=2025-12-20")["discipline"]["total"] == 1
    assert _summary(api, "from=2025-12-21&to=2026-01-31")["discipline"]["total"] == 0
    # The case itself was opened at that meeting: that count is by the day it was opened.
    assert _summary(api, "year=2025")["cases"]["discipline"]["opened"] == 1
    assert _summary(api, "year=2026")["cases"]["discipline"]["opened"] == 0


def test_rule__reports__any_period_from_to(api, demo, clock_file):
    clock_file.write_text("2026-03-02T03:00:00Z")
    _decided_by_branch(api, plain_member(demo).id, "warning", "2026-02-10", violation_date="2026-01-05")
    api.as_user("thuongvu.nghiahung")
    body = _summary(api, "from=2026-02-01&to=2026-02-28")
    assert (body["from"], body["to"], body["year"]) == ("2026-02-01", "2026-02-28", None)
    assert body["discipline"]["by_form"] == {"warning": 1}
    assert _summary(api, "from=2026-02-11&to=2026-02-28")["discipline"]["total"] == 0
    year = _summary(api, "year=2026")
    assert (year["from"], year["to"], year["year"]) == ("2026-01-01", "2026-12-31", 2026)
    for bad in ("from=2026-02-01", "to=2026-02-01", "from=2026-03-01&to=2026-02-01",
                "year=2026&from=2026-01-01&to=2026-02-01", "from=2026-2-1&to=2026-03-01", "from=x&to=y"):
        response = api.get(f"/reports/summary?{bad}")
        assert response.status_code == 400, bad
        assert response.headers["Content-Type"].startswith("application/problem+json")


def test_rule__reports__members_by_status(api, demo):
    api.as_user("thuongvu.tinh")
    body = _summary(api, "year=2026")
    assert body["members"] == {"total": 36, "by_status": {"official": 30, "probationary": 6, "candidate": 12}}
    trung = _summary(api, f"unit={demo.units['trung'].id}&year=2026")
    assert trung["members"]["by_status"] == {"official": 10, "probationary": 2, "candidate": 4}
    api.as_user("bithu.trung")  # a secretary's report counts their branch only
    assert _summary(api, "year=2026")["members"]["total"] == 12


def test_rule__reports__organisations_by_kind(app, api, demo):
    from app.extensions import db
    from core.enums import Level
    from core.models import Unit, assign_path

    with app.app_context():
        school = Unit(name="Chi bộ cơ sở Trường THPT Nghĩa Hưng", level=Level.grassroots, grassroots_branch=True,
                      parent=db.session.get(Unit, demo.units["nghiahung"].id))
        assign_path(db.session, school)
        db.session.commit()
    api.as_user("thuongvu.tinh")
    assert _summary(api, "year=2026")["organisations"] == {
        "total": 3, "by_kind": {"grassroots_committee": 2, "grassroots_branch": 1}, "branches": 3}
    nghiahung = _summary(api, f"unit={demo.units['nghiahung'].id}&year=2026")["organisations"]
    assert nghiahung["by_kind"] == {"grassroots_committee": 1, "grassroots_branch": 1}
    trung = _summary(api, f"unit={demo.units['trung'].id}&year=2026")["organisations"]
    assert trung["total"] == 0 and trung["branches"] == 1


def test_rule__reports__discipline_counted_as_decisions_and_as_people(api, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    twice, once = plain_member(demo, 3), plain_member(demo, 4)
    _decided_by_branch(api, twice.id, "reprimand", "2026-10-01", violation_date="2026-09-01")
    _decided_by_branch(api, twice.id, "warning", "2026-11-02", violation_date="2026-10-10")
    _decided_by_branch(api, once.id, "reprimand", "2026-11-03", violation_date="2026-10-10")
    _decided_by_branch(api, members(demo, status="probationary")[0].id, "warning", "2026-11-04",
                       violation_date="2026-10-10")
    api.as_user("thuongvu.nghiahung")
    discipline = _summary(api, "year=2026")["discipline"]
    assert discipline["total"] == 4 and discipline["by_form"] == {"reprimand": 2, "warning": 2}
    assert discipline["people"] == {"total": 3, "by_form": {"warning": 2, "reprimand": 1}}


def _statements(app, fn) -> list[str]:
    from sqlalchemy import event

    from app.extensions import db

    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return seen


def test_reports__aggregates_in_the_database_whatever_the_number_of_cases(app, api, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    api.as_user("thuongvu.nghiahung")

    def run():
        assert api.get("/reports/summary?year=2026").status_code == 200

    _decided_by_branch(api, plain_member(demo, 3).id, "reprimand", "2026-11-02", violation_date="2026-10-10")
    api.as_user("thuongvu.nghiahung")
    few = _statements(app, run)
    for index in (4, 5, 6):
        _decided_by_branch(api, plain_member(demo, index).id, "warning", "2026-11-02", violation_date="2026-10-10")
    api.as_user("thuongvu.nghiahung")
    many = _statements(app, run)
    assert len(many) == len(few) <= 30  # a fixed number per section (transfers, exemptions and grading added)
    # Every statement reading cases or events aggregates them: no row of theirs comes back to be counted here.
    reading = [s for s in many if s.lstrip().upper().startswith("SELECT") and ("wf_case" in s or "audit_event" in s)]
    assert reading and all(any(f in s.lower() for f in ("count(", "avg(", "sum(")) for s in reading), reading


def test_rule__reports__plans_against_admissions(api, demo):
    from tests.api_flow import step, to_superior_decision

    api.as_user("tochuc.nghiahung")
    response = api.client.put(f"/api/v1/plans/{demo.units['phucthang'].id}/2026", json={"target": 5},
                              headers=api.headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    case_id = to_superior_decision(api, demo)
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         dict(decision_number="5-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
         "awaiting_ceremony")
    api.as_user("thuongvu.nghiahung")
    body = _summary(api, "year=2026")
    assert body["admissions"]["plan"] == {"year": 2026, "organisations_with_plan": 1, "target": 5, "admitted": 1}
    assert _summary(api, "year=2025")["admissions"]["plan"]["target"] == 0
    assert _summary(api, "from=2026-11-01&to=2026-11-30")["admissions"]["plan"] is None  # plans are yearly


def test_rule__reports__removals_from_the_rolls(app, pages, api, demo, clock_file):
    from tests.integration.test_removal__pages import propose
    from tests.admission_flow import latest_case_id

    member = plain_member(demo)
    assert propose(app, pages, member.id).status_code == 302
    case_id = latest_case_id(app)
    assert pages.act(case_id, "record_self_review", submitted="yes", self_criticism="Không.").status_code == 302
    assert pages.upload(case_id, "evidence", issued_on="2026-11-01").status_code == 302
    assert pages.act(case_id, "record_branch_vote", **vote("2026-11-10", 10, 10, 8, 2)).status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "record_grassroots_vote", **vote("2026-11-12", 9, 9, 8, 1)).status_code == 302
    clock_file.write_text("2027-01-04T03:00:00Z")  # entered in January 2027 ...
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(case_id, "decide_remove", decision_number="50-QĐ/HU", decision_date="2026-12-28",
                     **vote("2026-12-28", 15, 14, 12, 2)).status_code == 302  # ... decided on 28/12/2026
    api.as_user("thuongvu.nghiahung")
    assert _summary(api, "year=2026")["removals"] == {"total": 1}
    assert _summary(api, "year=2027")["removals"] == {"total": 0}
    assert _summary(api, "year=2026")["cases"]["removal"]["by_outcome"] == {"removed": 1}
