"""The grading caps that read other records: discipline in the year, the residence
branch's comment, and last year's grade (DOMAIN.md "Annual quality grading",
"Contact with the residence branch")."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.candidacy_flow import en
from tests.discipline_flow import decided_by_branch
from tests.grading_flow import DECEMBER, rows
from workflow.errors import GuardFailed, InvalidPayload


def _user(name):
    from app.extensions import db
    from core.models import User

    return db.session.scalar(sa.select(User).where(User.username == name))


def _open(demo, year=2026):
    """The Phúc Thắng committee opens the round of ``year``; the case of Chi bộ thôn Trung."""
    from app.extensions import db
    from cases.grading import rounds
    from core.models import Unit
    from workflow.models import Case

    org = db.session.get(Unit, demo.units["phucthang"].id)
    opened = rounds.open_rounds(db.session, _user("danguy.phucthang"), org, year)
    return db.session.get(Case, opened.opened[demo.units["trung"].id])


def _to_decision(case, grades):
    from app.extensions import db
    from workflow import engine

    bithu = _user("bithu.trung")
    engine.act(db.session, case.id, "record_self_assessments", bithu, {"rows": rows(grades)})
    engine.act(db.session, case.id, "record_branch_proposal", bithu, {"rows": rows(grades),
                                                                      "meeting_date": "2026-12-18"})


def _decide(case, grades):
    from app.extensions import db
    from workflow import engine

    return engine.act(db.session, case.id, "decide_grades", _user("danguy.phucthang"),
                      {"rows": rows(grades), "decision_number": "15-QĐ/ĐU", "decision_date": "2026-12-18"})


def test_rule__grading__disciplined_or_breach_not_good_or_above__reprimand_this_year(app, pages, demo, clock_file):
    member = [p for p in demo.people["trung"] if p.status.value == "official"][2]
    decided_by_branch(app, pages, member.id, "reprimand")
    clock_file.write_text(DECEMBER)
    with en(app):
        case = _open(demo)
        grades = {pid: "complete" for pid in case.data["graded"]}
        grades[member.id] = "good"
        _to_decision(case, grades)
        with pytest.raises(GuardFailed) as refused:
            _decide(case, grades)
        reason = " ".join(refused.value.reasons)
        assert member.full_name in reason and "disciplined in 2026 (Reprimand" in reason
        grades[member.id] = "complete"
        _decide(case, grades)
        from cases.grading.models import GradingResult
        from app.extensions import db

        grade = db.session.scalar(sa.select(GradingResult.grade).where(GradingResult.person_id == member.id))
        assert grade == "complete"


def test_rule__grading__residence_branch_comment__breach_bars_good_and_missing_is_flagged(app, demo, clock_file):
    from app.extensions import db
    from cases.grading import residence, rounds
    from core.models import Unit

    clock_file.write_text(DECEMBER)
    trung = [p for p in demo.people["trung"] if p.status.value == "official"]
    breach, silent = trung[3], trung[4]
    with en(app):
        bithu = _user("bithu.trung")
        for person in (breach, silent):
            residence.register(db.session, bithu, person.id, demo.units["dong"].id)
        dong = residence.residence_unit_for(db.session, _user("bithu.dong"), demo.units["dong"].id)
        sheet = residence.comment_sheet(db.session, dong, 2026)
        assert {line.person_id for line in sheet} == {breach.id, silent.id}
        with pytest.raises(InvalidPayload) as refused:
            residence.record_comments(db.session, _user("bithu.dong"), dong, 2026,
                                      [{"person_id": breach.id, "verdict": "breach", "text": ""}])
        assert breach.full_name in " ".join(refused.value.errors["rows"])
        assert residence.record_comments(db.session, _user("bithu.dong"), dong, 2026, [
            {"person_id": breach.id, "verdict": "breach", "text": "Không tham gia sinh hoạt khu dân cư."}]) == 1
        # another branch's secretary may not comment here
        with pytest.raises(residence.NotFound):
            residence.record_comments(db.session, _user("bithu.trung"), db.session.get(Unit, dong.id), 2026, [])

        case = _open(demo)
        lines = {line.person_id: line for line in rounds.sheet_lines(db.session, case)[0]}
        assert lines[breach.id].residence["verdict"] == "breach"
        assert lines[silent.id].residence["verdict"] is None  # flagged: the comment is missing
        assert lines[breach.id].barred and lines[silent.id].barred is None
        grades = {pid: "complete" for pid in case.data["graded"]}
        grades[breach.id] = "good"
        _to_decision(case, grades)
        with pytest.raises(GuardFailed) as refused:
            _decide(case, grades)
        assert breach.full_name in " ".join(refused.value.reasons)
        assert "residence branch reported a breach" in " ".join(refused.value.reasons)


def test_rule__grading__two_years_not_complete_offers_removal(app, demo, clock_file):
    from app.extensions import db
    from workflow import engine
    from workflow.models import Case

    clock_file.write_text(DECEMBER)
    failing = [p for p in demo.people["trung"] if p.status.value == "official"][1]
    with en(app):
        for year in (2025, 2026):
            case = _open(demo, year)
            grades = {pid: "complete" for pid in case.data["graded"]}
            grades[failing.id] = "not_complete"
            _to_decision(case, grades)
            _decide(case, grades)
        case = db.session.get(Case, case.id)
        assert case.data["removal_offers"] == [failing.id]
        bithu = _user("bithu.trung")
        with pytest.raises(InvalidPayload):
            engine.act(db.session, case.id, "open_removal", bithu, {"person_id": case.data["graded"][0]
                                                                    if case.data["graded"][0] != failing.id
                                                                    else case.data["graded"][1]})
        engine.act(db.session, case.id, "open_removal", bithu, {"person_id": failing.id})
        case = db.session.get(Case, case.id)
        removal = db.session.get(Case, case.data["removal_cases"][str(failing.id)])
        assert (removal.process, removal.state, removal.person_id) == ("removal", "proposed", failing.id)
        assert removal.data["grading_case_id"] == case.id
        with pytest.raises(GuardFailed):
            engine.act(db.session, case.id, "open_removal", bithu, {"person_id": failing.id})


def test_rule__grading__excellent_capped_at_20_percent__hd21_2019_counts_the_organisation_so_far(app, demo,
                                                                                                  clock_file):
    """Under hd21_2019 (2024) grades are chosen without a score, and the cap counts the
    organisation's branches decided so far: Đông's excellent fit only with Trung's good."""
    from app.extensions import db
    from cases.grading import rounds
    from core.models import Unit
    from workflow import engine
    from workflow.models import Case

    clock_file.write_text(DECEMBER)
    with en(app):
        org = db.session.get(Unit, demo.units["phucthang"].id)
        opened = rounds.open_rounds(db.session, _user("danguy.phucthang"), org, 2024)
        trung, dong = (db.session.get(Case, opened.opened[demo.units[k].id]) for k in ("trung", "dong"))
        assert trung.data["grading_rulebook"] == "hd21_2019"
        committee = _user("danguy.phucthang")

        def grade(case, secretary, grades):
            sheet = [{"person_id": pid, "grade": g} for pid, g in grades.items()]
            if case.state == "self_assessment":
                engine.act(db.session, case.id, "record_self_assessments", _user(secretary), {"rows": sheet})
            engine.act(db.session, case.id, "record_branch_proposal", _user(secretary),
                       {"rows": sheet, "meeting_date": "2026-12-18"})
            return lambda: engine.act(db.session, case.id, "decide_grades", committee,
                                      {"rows": sheet, "decision_number": "1-QĐ/ĐU", "decision_date": "2026-12-18"})

        dong_grades = {pid: "excellent" if i < 2 else "complete" for i, pid in enumerate(dong.data["graded"])}
        decide_dong = grade(dong, "bithu.dong", dong_grades)
        with pytest.raises(GuardFailed) as refused:  # no good anywhere yet: 0 excellent allowed
            decide_dong()
        assert "at most 0 are allowed" in " ".join(refused.value.reasons)
        engine.act(db.session, dong.id, "return", committee, {"reason": "Chờ chi bộ thôn Trung."})
        trung_grades = {pid: "good" for pid in trung.data["graded"]}
        grade(trung, "bithu.trung", trung_grades)()
        good = len(trung_grades)
        assert good * 20 // 100 >= 2
        decide_dong = grade(db.session.get(Case, dong.id), "bithu.dong", dong_grades)
        decide_dong()
        assert db.session.get(Case, dong.id).state == "graded"
