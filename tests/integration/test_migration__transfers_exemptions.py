"""Migration 0012: a person's host unit and exemption; down and up again keeps the people,
and the columns match the model. On a SQLite file of its own (the test database is shared)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.schema import alembic_config, load_all_models, upgrade


def _migrate(eng, direction: str, revision: str) -> None:
    with eng.begin() as conn:
        getattr(command, direction)(alembic_config(conn), revision)


def test_migration__host_unit_and_exemption_down_and_up(tmp_path):
    """With people referenced by other rows (posts, cases), down and up again on SQLite, whose
    rebuild of ``person`` must not trip the foreign keys."""
    from sqlalchemy.orm import Session

    from core.models import Post
    from tests.fixtures_engine import Review, build_org, make_person
    from workflow import engine

    eng = upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(eng, expire_on_commit=False) as s:
        org = build_org(s)
        person = make_person(s, org.branch)
        s.add(Post(person_id=person.id, unit_id=org.branch.id, title="Bí thư", started_on=person.date_of_birth))
        s.commit()
        engine.start(s, Review, unit=org.branch, actor=org.secretary, person=person)
    columns = {c["name"] for c in sa.inspect(eng).get_columns("person")}
    assert {"host_unit_id", "exemption"} <= columns
    with eng.connect() as conn:  # the columns and the index match the model (SQLite has no FK: see 0012)
        diff = [d for d in compare_metadata(MigrationContext.configure(conn), load_all_models())
                if "person" in repr(d) and d[0] != "add_fk"]
    assert diff == []
    _migrate(eng, "downgrade", "0011_documents_posts")
    assert not {"host_unit_id", "exemption"} & {c["name"] for c in sa.inspect(eng).get_columns("person")}
    _migrate(eng, "upgrade", "head")
    assert {"host_unit_id", "exemption"} <= {c["name"] for c in sa.inspect(eng).get_columns("person")}
    with eng.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM post WHERE person_id = :p"), {"p": person.id}) == 1
        assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
