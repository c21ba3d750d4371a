"""Benchmark: an 8-step approval process driven through the workflow engine.

    python bench/approval8.py --n 2000 --db /tmp/approval8.db
    python bench/approval8.py --n 2000 --db postgresql://postgres@127.0.0.1:5432/bench

N cases are opened, each in its own transaction; then every case takes step 1,
then every case step 2, ... step 8: one ``engine.act`` per transaction, with
the full role-at-level permission check from the org tree, the version check
and the hash-chained audit event -- the same code path the web app uses.
At the end it checks that the N cases are in the final state, that 8N
transition events (plus N opening events) exist and every chain verifies, and
that a wrong role, a wrong state and an action on a closed case are refused
and leave no rows. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.enums import Level, Role  # noqa: E402
from core.models import RoleAssignment, Unit, User, assign_path  # noqa: E402
from core.schema import upgrade  # noqa: E402
from workflow import audit, engine  # noqa: E402
from workflow.verify import verify_all  # noqa: E402
from workflow.definition import Process, Start, Transition  # noqa: E402
from workflow.errors import ActionNotAvailable, NotPermitted  # noqa: E402

# (action, role, level) of the 8 steps: each a different role-at-level pair.
STEPS = [
    ("submit", Role.branch_secretary, Level.branch),
    ("certify_background", Role.committee_member, Level.grassroots),
    ("record_opinions", Role.branch_deputy, Level.branch),
    ("grassroots_review", Role.standing_member, Level.grassroots),
    ("appraise", Role.organisation_officer, Level.superior),
    ("inspect", Role.inspection_officer, Level.superior),
    ("decide", Role.standing_member, Level.superior),
    ("countersign", Role.admin, Level.superior),
]


class Approval8(Process):
    name = "bench_approval8"
    version = 1

    State = enum.Enum("State", {f"s{i}": f"s{i}" for i in range(9)}, type=str)

    starts = [Start("s0", Role.branch_secretary, Level.branch)]
    ends = ["s8"]
    transitions = [
        Transition(action, f"s{i}", f"s{i + 1}", role=role, level=level)
        for i, (action, role, level) in enumerate(STEPS)
    ]


def _normalise(db: str) -> str:
    if db.startswith("postgresql://"):
        return "postgresql+psycopg://" + db[len("postgresql://"):]
    if "://" in db:
        return db
    return f"sqlite:///{db}"


def prepare_database(db: str) -> sa.Engine:
    url = _normalise(db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        base, dbname = url.rsplit("/", 1)
        admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": dbname}).scalar():
                conn.execute(sa.text(f'CREATE DATABASE "{dbname}"'))
        admin.dispose()
        eng = sa.create_engine(url)
        with eng.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        eng.dispose()
    return upgrade(url)


def build_org(session: Session):
    """1 province, 2 superiors x 5 grassroots x 4 branches; a user per role per unit."""
    def unit(name, level, parent=None):
        u = Unit(name=name, level=level, parent=parent)
        session.add(u)
        assign_path(session, u)
        return u

    users: dict[tuple[str, int], User] = {}

    def user(role: Role, u: Unit):
        usr = User(username=f"{role.value}-{u.id}", display_name=f"{role.value} of {u.name}", password_hash="x")
        session.add(usr)
        session.flush()
        session.add(RoleAssignment(user_id=usr.id, unit_id=u.id, role=role))
        users[(role.value, u.id)] = usr

    province = unit("Province", Level.province)
    branches = []
    for s in range(2):
        sup = unit(f"Superior {s}", Level.superior, province)
        for role in (Role.organisation_officer, Role.inspection_officer, Role.standing_member, Role.admin):
            user(role, sup)
        for g in range(5):
            gr = unit(f"Grassroots {s}.{g}", Level.grassroots, sup)
            for role in (Role.committee_member, Role.standing_member):
                user(role, gr)
            for b in range(4):
                br = unit(f"Branch {s}.{g}.{b}", Level.branch, gr)
                for role in (Role.branch_secretary, Role.branch_deputy):
                    user(role, br)
                branches.append(br)
    session.commit()
    return branches, users


def actor_for(users, branch: Unit, role: Role, level: Level) -> User:
    ids = branch.ancestor_ids  # root .. branch
    unit_id = {Level.branch: ids[-1], Level.grassroots: ids[-2], Level.superior: ids[-3]}[level]
    return users[(role.value, unit_id)]


def counts(session: Session) -> tuple:
    row = session.execute(sa.text(
        "SELECT (SELECT count(*) FROM wf_case), (SELECT count(*) FROM audit_event), "
        "(SELECT coalesce(sum(version), 0) FROM wf_case)")).one()
    session.rollback()
    return tuple(row)


def run(n: int, db: str) -> dict:
    # As in the app, every event is MAC'd (the key normally comes from the signing key file).
    audit.set_mac_key(os.urandom(32))
    eng = prepare_database(db)
    with Session(eng, expire_on_commit=False) as session:
        branches, users = build_org(session)
        plan = []  # (case_id, branch)

        t0 = time.perf_counter()
        for i in range(n):
            branch = branches[i % len(branches)]
            case = engine.start(session, Approval8, unit=branch, actor=actor_for(users, branch, *STEPS[0][1:]))
            plan.append((case.id, branch))
        t1 = time.perf_counter()
        actors = [[actor_for(users, branch, role, level) for (_a, role, level) in STEPS] for (_c, branch) in plan]
        t2 = time.perf_counter()
        for k, (action, _role, _level) in enumerate(STEPS):
            for j, (case_id, _branch) in enumerate(plan):
                engine.act(session, case_id, action, actors[j][k], expected_version=k + 1)
        t3 = time.perf_counter()

        # Checks (not timed).
        final = session.execute(sa.text("SELECT count(*) FROM wf_case WHERE state = 's8' AND closed_at IS NOT NULL")).scalar()
        transition_events = session.execute(sa.text("SELECT count(*) FROM audit_event WHERE action <> 'start'")).scalar()
        report = verify_all(session)
        session.rollback()
        ok = final == n and transition_events == 8 * n and report.ok and report.events == 9 * n

        # Refusals on a fresh case and on a closed one leave no rows.
        branch = branches[0]
        probe = engine.start(session, Approval8, unit=branch, actor=actor_for(users, branch, *STEPS[0][1:]))
        before = counts(session)
        refused = 0
        attempts = [
            (probe.id, "submit", actor_for(users, branch, Role.committee_member, Level.grassroots), NotPermitted),
            (probe.id, "appraise", actor_for(users, branch, Role.organisation_officer, Level.superior),
             ActionNotAvailable),
            (plan[0][0], "countersign", actor_for(users, branch, Role.admin, Level.superior), ActionNotAvailable),
        ]
        for case_id, action, actor, expected in attempts:
            try:
                engine.act(session, case_id, action, actor)
            except expected:
                refused += 1
        ok = ok and refused == 3 and counts(session) == before
    eng.dispose()
    transitions = 8 * n
    return {
        "impl": f"workflow.engine (SQLAlchemy Core hot path, {eng.dialect.name})",
        "n": n,
        "transitions": transitions,
        "create_s": round(t1 - t0, 3),
        "transitions_s": round(t3 - t2, 3),
        "total_s": round((t1 - t0) + (t3 - t2), 3),
        "transitions_per_s": round(transitions / (t3 - t2)),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "verified": bool(ok),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "/tmp/approval8.db"))
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run to FILE")
    args = parser.parse_args(argv)
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        result = prof.runcall(run, args.n, args.db)
        prof.dump_stats(args.profile)
    else:
        result = run(args.n, args.db)
    print(json.dumps(result))
    return 0 if result["verified"] else 1


if __name__ == "__main__":
    sys.exit(main())
