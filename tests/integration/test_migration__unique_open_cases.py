"""Migration 0009 (issue 11, class 2): the one-open-case index over the cases
that existed before it. Duplicates made before the constraint stay, unflagged,
so the upgrade never fails; every other case of a process with the rule is
covered. Run on a SQLite file of its own (the test database is shared)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from core.schema import alembic_config, upgrade
from tests.fixtures_engine import Review, build_org, make_person
from workflow import engine


def _migrate(eng, direction: str, revision: str) -> None:
    with eng.begin() as conn:
        getattr(command, direction)(alembic_config(conn), revision)


def test_migration__old_duplicates_stay_unflagged_and_the_index_holds_the_rest(tmp_path):
    eng = upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(eng, expire_on_commit=False) as s:
        org = build_org(s)
        person = make_person(s, org.branch)
        s.commit()
        review = engine.start(s, Review, unit=org.branch, actor=org.secretary, person=person)
    _migrate(eng, "downgrade", "0008_appeal_reviewing_unit")  # to just before 0009, whatever follows it
    assert "one_open_per_person" not in {c["name"] for c in sa.inspect(eng).get_columns("wf_case")}
    with eng.begin() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("wf_case") if c["name"] != "id"]
        names = ", ".join(columns)
        # A removal case and its duplicate (made before the constraint), and a closed older one.
        for _n in range(2):
            conn.execute(sa.text(f"INSERT INTO wf_case ({names}) SELECT {names} FROM wf_case WHERE id = :id"),
                         {"id": review.id})
        conn.execute(sa.text("UPDATE wf_case SET process = 'removal' WHERE id > :id"), {"id": review.id})
        conn.execute(sa.text(f"INSERT INTO wf_case ({names}) SELECT {names} FROM wf_case WHERE id = :id"),
                     {"id": review.id + 1})
        conn.execute(sa.text("UPDATE wf_case SET closed_at = opened_at WHERE id = :id"), {"id": review.id + 3})
    _migrate(eng, "upgrade", "head")
    with eng.connect() as conn:
        flags = {i: bool(f) for i, f in conn.execute(sa.text("SELECT id, one_open_per_person FROM wf_case"))}
    assert flags == {review.id: False, review.id + 1: True, review.id + 2: False, review.id + 3: True}
    index = next(i for i in sa.inspect(eng).get_indexes("wf_case") if i["name"] == "uq_wf_case_one_open")
    assert index["unique"] and index["column_names"] == ["person_id", "process"]
    eng.dispose()
