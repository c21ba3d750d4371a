"""Migration 0008: a discipline case already under appeal gets as its reviewing
unit the unit one level above the deciding body, whom ``resolve_appeal``
(now ``level=REVIEWING``) admits, as the computed level did before."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.schema import load_all_models, upgrade


def test_discipline__appeals_under_review_get_the_unit_above_the_deciding_body(tmp_path):
    load_all_models()
    engine = upgrade(f"sqlite:///{tmp_path / 'old.db'}", "0007_user_session_version")
    old = sa.MetaData()  # the tables as they are at that revision, not as the models are today
    unit, case = (sa.Table(name, old, autoload_with=engine) for name in ("unit", "wf_case"))
    tree = [(1, None, "province", "/1/"), (2, 1, "superior", "/1/2/"), (3, 2, "grassroots", "/1/2/3/"),
            (4, 3, "branch", "/1/2/3/4/")]
    cases = [  # id, state, home, reviewing unit, case data
        (10, "appeal_review", 4, 3, {"deciding_unit_id": 4}),  # the branch decided: its grassroots committee
        (11, "appeal_review", 4, 3, {"deciding_unit_id": 2}),  # the superior decided: the province
        (12, "appeal_review", 4, None, {}),  # no deciding unit recorded: above the case's unit
        (13, "appeal_review", 4, 3, {"deciding_unit_id": 1}),  # the root decided: nobody above
        (14, "in_force", 4, 3, {"deciding_unit_id": 4}),  # not under appeal: unchanged
    ]
    opened = dt.datetime(2026, 11, 1)
    with engine.begin() as conn:
        conn.execute(unit.insert(), [dict(id=i, name=f"unit {i}", level=lv, parent_id=parent, path=path,
                                          grassroots_branch=False, hardship_area=False, may_admit=False,
                                          may_expel=False) for i, parent, lv, path in tree])
        conn.execute(case.insert(), [dict(id=i, process="discipline", process_version=1, rulebook="qd294_2025",
                                          state=state, version=1, unit_id=home, reviewing_unit_id=reviewing,
                                          opened_at=opened, opened_on=opened.date(), deadline_extended=False,
                                          data=data, audit_seq=0, audit_hash="0" * 64)
                                     for i, state, home, reviewing, data in cases])
    upgrade(engine)
    with engine.connect() as conn:
        got = dict(conn.execute(sa.select(case.c.id, case.c.reviewing_unit_id).order_by(case.c.id)).all())
    engine.dispose()
    assert got == {10: 3, 11: 1, 12: 3, 13: None, 14: 3}
