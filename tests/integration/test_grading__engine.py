"""The annual grading through the engine (DOMAIN.md "Annual quality grading").

A whole grassroots organisation of the ``--scale`` district is graded; the caps refuse
what they must, naming the members and the numbers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.demo import load_demo, scale_district
from core.enums import PersonStatus
from core.models import Person
from tests.grading_flow import DECEMBER, grade_branch, grassroots_with_most_branches, officers, rows
from workflow import engine
from workflow.errors import GuardFailed, InvalidPayload
from workflow.models import AuditEvent, Case


@pytest.fixture
def december(clock_file):
    clock_file.write_text(DECEMBER)
    return clock_file


@pytest.fixture
def scaled(dbsession, december):
    load_demo(dbsession)
    scale_district(dbsession)
    dbsession.commit()
    return dbsession


def test_rule__grading__one_round_per_branch_and_year__scale_district_graded_and_reported(scaled):
    from cases.grading import rounds
    from cases.grading.rules import branches_of
    from cases.reports import Period, summary

    session = scaled
    org = grassroots_with_most_branches(session)
    branches = branches_of(session, org)
    committee, secretary = officers(session, org, branches)
    opened = rounds.open_rounds(session, committee, org, 2026)
    assert len(opened.opened) == len(branches) >= 6
    again = rounds.open_rounds(session, committee, org, 2026)
    assert again.opened == {} and again.existing == opened.opened

    expected = {"excellent": 0, "good": 0, "complete": 0, "not_complete": 0}
    members = 0
    for branch in branches:
        case = session.get(Case, opened.opened[branch.id])
        graded = case.data["graded"]
        members += len(graded)
        # 1 in 6 excellent, never more than the cap allows branch by branch
        grades = {}
        for i, pid in enumerate(graded):
            grade = "good" if i % 3 else "complete"
            if i % 10 == 1:
                grade = "excellent"
            if i == len(graded) - 1:
                grade = "not_complete"
            grades[pid] = grade
        good = sum(1 for g in grades.values() if g == "good") + expected["good"]
        while sum(1 for g in grades.values() if g == "excellent") + expected["excellent"] > good * 20 // 100:
            pid = next(p for p, g in grades.items() if g == "excellent")
            grades[pid] = "good"
            good += 1
        grade_branch(session, case, secretary, committee, grades)
        for g in grades.values():
            expected[g] += 1
        assert session.get(Case, case.id).state == "graded"
    assert members >= 200  # hundreds of members (330 in the largest đảng ủy of the scaled district)
    # one audit event per step, each member's line in its payload
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == opened.opened[branches[0].id],
                                                        AuditEvent.action == "decide_grades")).one()
    assert len(event.payload["rows"]) == len(session.get(Case, opened.opened[branches[0].id]).data["graded"])

    figures = rounds.figures(session, org, 2026)
    assert figures["by_grade"] == expected and figures["graded"] == members
    report = summary(session, committee, org, Period.year(2026))["grading"]
    assert report["graded"] == members
    assert report["by_grade"] == expected
    assert report["excellent_or_good"] == expected["excellent"] + expected["good"]


def _demo_round(session, branch_key="trung"):
    from cases.grading import rounds
    from core.models import Unit

    org = session.scalar(sa.select(Unit).where(Unit.name == "Đảng ủy xã Phúc Thắng"))
    branch = session.scalar(sa.select(Unit).where(Unit.name == "Chi bộ thôn Trung"))
    committee, secretary = officers(session, org, [branch, session.scalar(sa.select(Unit).where(
        Unit.name == "Chi bộ thôn Đông"))])
    opened = rounds.open_rounds(session, committee, org, 2026)
    return session.get(Case, opened.opened[branch.id]), committee, secretary


@pytest.fixture
def demo_db(dbsession, december):
    load_demo(dbsession)
    dbsession.commit()
    return dbsession


def test_rule__grading__excellent_capped_at_20_percent__one_too_many_refused_with_the_count(demo_db):
    session = demo_db
    case, committee, secretary = _demo_round(session)
    graded = case.data["graded"]
    assert len(graded) >= 10
    # 10 good -> at most 2 excellent; 3 excellent is one too many
    grades = {pid: "good" for pid in graded}
    for pid in graded[:3]:
        grades[pid] = "excellent"
    good = len(graded) - 3
    grade_branch(session, case, secretary, committee, grades, decide=False)
    with pytest.raises(GuardFailed) as refused:
        engine.act(session, case.id, "decide_grades", committee,
                   {"rows": rows(grades), "decision_number": "15-QĐ/ĐU", "decision_date": "2026-12-18"})
    reason = " ".join(refused.value.reasons)
    cap = good * 20 // 100
    assert f"{3} members would be graded excellent" in reason
    assert f"at most {cap} are allowed" in reason and f"of the {good} graded good" in reason
    assert f"{3 - cap} too many" in reason
    names = dict(session.execute(sa.select(Person.id, Person.full_name).where(Person.id.in_(graded[:3]))).all())
    assert all(name in reason for name in names.values())
    assert session.get(Case, case.id).state == "grassroots_decision"
    # within the cap it passes
    for pid in graded[cap:3]:
        grades[pid] = "good"
    engine.act(session, case.id, "decide_grades", committee,
               {"rows": rows(grades), "decision_number": "15-QĐ/ĐU", "decision_date": "2026-12-18"})
    assert session.get(Case, case.id).state == "graded"


def test_rule__grading__scores_under_qd366_2025__score_gives_the_grade(demo_db):
    session = demo_db
    case, committee, secretary = _demo_round(session)
    graded = case.data["graded"]
    assert case.data["grading_rulebook"] == "qd366_2025"
    sheet = [{"person_id": pid, "score": 75} for pid in graded]
    sheet[0] = {"person_id": graded[0], "score": 95, "grade": "good"}
    with pytest.raises(InvalidPayload) as refused:
        engine.act(session, case.id, "record_self_assessments", secretary, {"rows": sheet})
    assert "gives the grade" in " ".join(refused.value.errors["rows"])
    sheet[0] = {"person_id": graded[0], "score": 49.5}
    sheet[1] = {"person_id": graded[1], "score": 90}
    engine.act(session, case.id, "record_self_assessments", secretary, {"rows": sheet})
    data = session.get(Case, case.id).data
    assert data["self_assessed"][str(graded[0])] == ["not_complete", 49.5]
    assert data["self_assessed"][str(graded[1])] == ["excellent", 90]
    assert data["self_assessed"][str(graded[2])] == ["good", 75]


def test_rule__grading__who_acts_at_each_step(demo_db):
    from cases.grading import rounds
    from core.models import Unit
    from tests.grading_flow import officers
    from workflow.errors import NotPermitted

    session = demo_db
    case, committee, secretary = _demo_round(session)
    lines = rows({pid: "good" for pid in case.data["graded"]})
    with pytest.raises(NotPermitted):  # the committee does not self-assess for the branch
        engine.act(session, case.id, "record_self_assessments", committee, {"rows": lines})
    engine.act(session, case.id, "record_self_assessments", secretary, {"rows": lines})
    engine.act(session, case.id, "record_branch_proposal", secretary, {"rows": lines, "meeting_date": "2026-12-18"})
    decision = {"rows": lines, "decision_number": "1-QĐ/ĐU", "decision_date": "2026-12-18"}
    with pytest.raises(NotPermitted):  # the branch does not decide
        engine.act(session, case.id, "decide_grades", secretary, decision)
    # another grassroots organisation's committee member neither decides nor opens here
    other_org = session.scalar(sa.select(Unit).where(Unit.name == "Đảng ủy phường Lộc Vượng"))
    outsider, _ = officers(session, other_org, [])
    with pytest.raises(NotPermitted):
        engine.act(session, case.id, "decide_grades", outsider, decision)
    phuc_thang = session.get(Unit, case.data["grassroots_id"])
    with pytest.raises(NotPermitted):
        rounds.open_rounds(session, outsider, phuc_thang, 2025)
    assert session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.process == "grading", Case.data["year"].as_integer() == 2025)) == 0
    engine.act(session, case.id, "decide_grades", committee, decision)
    assert session.get(Case, case.id).state == "graded"


def test_rule__grading__exempted_or_hosted_listed_not_graded(demo_db):
    import datetime as dt

    from cases.grading import rounds
    from core.models import Unit

    session = demo_db
    trung = session.scalar(sa.select(Unit).where(Unit.name == "Chi bộ thôn Trung"))
    members = session.scalars(sa.select(Person.id).where(Person.unit_id == trung.id, Person.status.in_(
        [PersonStatus.official, PersonStatus.probationary])).order_by(Person.id)).all()
    exempted, hosted = members[0], members[1]
    # Stand-ins for the exemption and transfer processes' cases (another package builds them).
    for pid, process, state in ((exempted, "exemption", "exempted"), (hosted, "transfer", "hosted")):
        session.add(Case(process=process, process_version=1, rulebook="qd294_2025", state=state, version=2,
                         unit_id=trung.id, person_id=pid, opened_at=dt.datetime(2026, 3, 1),
                         opened_on=dt.date(2026, 3, 1), data={}, audit_seq=0))
    session.commit()
    case, committee, secretary = _demo_round(session)
    assert exempted not in case.data["graded"] and hosted not in case.data["graded"]
    assert set(case.data["not_graded"]) == {str(exempted), str(hosted)}
    lines, skipped = rounds.sheet_lines(session, case)
    assert {pid for pid, _name, _why in skipped} == {exempted, hosted}
    assert len(lines) == len(members) - 2
    with pytest.raises(InvalidPayload):  # a line for an exempted member is refused
        engine.act(session, case.id, "record_self_assessments", secretary,
                   {"rows": rows({pid: "good" for pid in [*case.data["graded"], exempted]})})
    engine.act(session, case.id, "record_self_assessments", secretary,
               {"rows": rows({pid: "good" for pid in case.data["graded"]})})


def test_rule__grading__rulebook_chosen_by_the_year_graded(demo_db):
    from cases.rulebooks import grading_rulebook_for_year

    assert grading_rulebook_for_year(2019).code == "hd21_2019"
    assert grading_rulebook_for_year(2024).code == "hd21_2019"
    assert grading_rulebook_for_year(2025).code == "qd366_2025"
    assert not grading_rulebook_for_year(2024).score_bands
    # a round of 2024 opened in December 2026 grades under hd21_2019, without scores
    from cases.grading import rounds
    from core.models import Unit
    from tests.grading_flow import officers

    session = demo_db
    org = session.scalar(sa.select(Unit).where(Unit.name == "Đảng ủy xã Phúc Thắng"))
    committee, secretary = officers(session, org, rounds.rules.branches_of(session, org))
    opened = rounds.open_rounds(session, committee, org, 2024)
    case = session.get(Case, next(iter(opened.opened.values())))
    assert case.data["grading_rulebook"] == "hd21_2019"
    engine.act(session, case.id, "record_self_assessments", secretary,
               {"rows": rows({pid: "good" for pid in case.data["graded"]}, scores=False)})
    assert session.get(Case, case.id).data["self_assessed"][str(case.data["graded"][0])] == ["good", None]
    with pytest.raises(InvalidPayload):  # a year not yet graded
        rounds.open_rounds(session, committee, org, 2027)


def test_rule__grading__one_round_per_branch_and_year__a_member_is_graded_once_a_year(demo_db):
    """A member moved to another branch after being graded is refused by name on the second
    branch's decision (no second grade for the year, no database error)."""
    from cases.grading import rounds
    from core.models import Unit
    from tests.grading_flow import grade_branch, officers

    session = demo_db
    org = session.scalar(sa.select(Unit).where(Unit.name == "Đảng ủy xã Phúc Thắng"))
    trung, dong = (session.scalar(sa.select(Unit).where(Unit.name == n)) for n in ("Chi bộ thôn Trung",
                                                                                    "Chi bộ thôn Đông"))
    committee, secretary = officers(session, org, [trung, dong])
    mover = session.scalars(sa.select(Person).where(Person.unit_id == trung.id,
                                                    Person.status == PersonStatus.official)).first()
    mover.unit_id = dong.id  # the member moved to Đông before the rounds opened
    session.commit()
    opened = rounds.open_rounds(session, committee, org, 2026)
    dong_case = session.get(Case, opened.opened[dong.id])
    assert mover.id in dong_case.data["graded"]
    grade_branch(session, dong_case, secretary, committee, {pid: "complete" for pid in dong_case.data["graded"]})
    # a second round listing the member (e.g. a branch round opened before the move) cannot grade them again
    trung_case = session.get(Case, opened.opened[trung.id])
    data = dict(trung_case.data, graded=[*trung_case.data["graded"], mover.id])
    session.execute(sa.update(Case).where(Case.id == trung_case.id).values(data=data))
    session.commit()
    session.expire_all()
    trung_case = session.get(Case, trung_case.id)
    grades = {pid: "complete" for pid in trung_case.data["graded"]}
    grade_branch(session, trung_case, secretary, committee, grades, decide=False)
    with pytest.raises(GuardFailed) as refused:
        engine.act(session, trung_case.id, "decide_grades", committee,
                   {"rows": rows(grades), "decision_number": "2-QĐ/ĐU", "decision_date": "2026-12-18"})
    assert mover.full_name in " ".join(refused.value.reasons)
