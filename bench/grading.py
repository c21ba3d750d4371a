"""Benchmark: grading a whole grassroots organisation through the engine.

    python bench/grading.py --members 1000 --branches 10 --db /tmp/grading.db

A fresh database (built by the migrations) gets one grassroots organisation with
``--branches`` branches sharing ``--members`` party members. Then, timed: the
committee opens the round of this year for every branch at once
(:func:`cases.grading.rounds.open_rounds`), and each branch's secretary records
the self-assessments and the branch proposal and the committee decides — three
engine acts per branch, each sheet holding every member's line (scores under
``qd366_2025``), with the caps checked. At the end it checks that every member has
a grade, that the organisation's figures add up, and that every case's audit
chain verifies. Prints one JSON line; ``engine_seconds`` is the time spent in the
engine calls (open + sheets), the figure DOMAIN's target is about (< 5 s for
1,000 members on SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core import clock  # noqa: E402
from core.enums import Education, Gender, Level, PersonStatus, Role  # noqa: E402
from core.models import Person, RoleAssignment, Unit, User, assign_path  # noqa: E402
from core.schema import upgrade  # noqa: E402
from core.text import fold  # noqa: E402

SCORES = {"excellent": 92, "good": 80, "complete": 60, "not_complete": 40}


def build(session: Session, members: int, branches: int):
    """The organisation, its members (bulk) and the two officers."""
    province = Unit(name="Tỉnh ủy Bench", level=Level.province)
    session.add(province)
    assign_path(session, province)
    session.flush()
    superior = Unit(name="Đảng ủy xã Bench", level=Level.superior, parent=province)
    session.add(superior)
    assign_path(session, superior)
    session.flush()
    org = Unit(name="Đảng bộ cơ sở Bench", level=Level.grassroots, parent=superior)
    session.add(org)
    assign_path(session, org)
    session.flush()
    units = []
    for i in range(branches):
        unit = Unit(name=f"Chi bộ số {i + 1:02d}", level=Level.branch, parent=org)
        session.add(unit)
        assign_path(session, unit)
        session.flush()
        units.append(unit)
    rows = [{"full_name": f"Đảng viên {n:05d}", "name_folded": fold(f"Đảng viên {n:05d}"),
             "date_of_birth": dt.date(1980, 1 + n % 12, 1 + n % 28), "gender": Gender.male,
             "national_id": f"0361{80:02d}{n:06d}", "education": Education.upper_secondary, "ethnicity": "Kinh",
             "residence": "", "unit_id": units[n % branches].id, "status": PersonStatus.official,
             "admission_date": dt.date(2010, 1, 1), "official_date": dt.date(2011, 1, 1),
             "created_at": dt.datetime(2026, 1, 1)} for n in range(members)]
    session.execute(sa.insert(Person), rows)
    committee = User(username="bench.committee", display_name="Ủy viên", password_hash="x")
    secretary = User(username="bench.secretary", display_name="Bí thư", password_hash="x")
    session.add_all([committee, secretary])
    session.flush()
    session.add(RoleAssignment(user_id=committee.id, unit_id=org.id, role=Role.committee_member))
    session.add_all([RoleAssignment(user_id=secretary.id, unit_id=u.id, role=Role.branch_secretary) for u in units])
    session.commit()
    return org, committee, secretary


def grades_for(graded: list[int]) -> dict[int, str]:
    """4% excellent, 80% good, the rest complete and one not complete: within the 20% cap."""
    out = {}
    for i, pid in enumerate(graded):
        out[pid] = "excellent" if i % 25 == 0 else "complete" if i % 5 == 4 else "good"
    out[graded[-1]] = "not_complete"
    return out


def run(db: str, members: int, branches: int) -> dict:
    from cases.grading import rounds
    from cases.grading.models import GradingResult
    from cases.registry import load_all
    from workflow import engine
    from workflow.verify import verify_case
    from workflow.models import Case

    if os.path.exists(db):
        os.remove(db)
    bind = upgrade(f"sqlite:///{db}")
    load_all()
    year, today = clock.today().year, clock.today().isoformat()
    with Session(bind, expire_on_commit=False) as session:
        org, committee, secretary = build(session, members, branches)
        started = time.perf_counter()
        opened = rounds.open_rounds(session, committee, org, year)
        opened_s = time.perf_counter() - started
        sheets_s, acts = 0.0, 0
        for case_id in opened.opened.values():
            graded = session.get(Case, case_id).data["graded"]
            lines = [{"person_id": pid, "score": SCORES[g]} for pid, g in grades_for(graded).items()]
            t = time.perf_counter()
            engine.act(session, case_id, "record_self_assessments", secretary, {"rows": lines})
            engine.act(session, case_id, "record_branch_proposal", secretary, {"rows": lines, "meeting_date": today})
            engine.act(session, case_id, "decide_grades", committee,
                       {"rows": lines, "decision_number": "1-QĐ/ĐU", "decision_date": today})
            sheets_s += time.perf_counter() - t
            acts += 3
        engine_s = opened_s + sheets_s
        graded_n = session.scalar(sa.select(sa.func.count()).select_from(GradingResult))
        figures = rounds.figures(session, org, year)
        states = {s for (s,) in session.execute(sa.select(Case.state).where(Case.process == "grading"))}
        chains_ok = all(verify_case(session, cid) is None for cid in opened.opened.values())
    assert graded_n == members == figures["graded"], (graded_n, figures)
    assert states == {"graded"} and chains_ok
    return {"bench": "grading", "db": "sqlite", "members": members, "branches": branches, "cases": len(opened.opened),
            "acts": acts, "open_seconds": round(opened_s, 3), "sheets_seconds": round(sheets_s, 3),
            "engine_seconds": round(engine_s, 3), "by_grade": figures["by_grade"], "chains_verify": chains_ok}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--branches", type=int, default=10)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "/tmp/grading.db"))
    args = parser.parse_args(argv)
    print(json.dumps(run(args.db, args.members, args.branches)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
