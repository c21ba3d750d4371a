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
    eng = upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    columns = {c["name"] for c in sa.inspect(eng).get_columns("person")}
    assert {"host_unit_id", "exemption"} <= columns
    with eng.connect() as conn:
        diff = [d for d in compare_metadata(MigrationContext.configure(conn), load_all_models())
                if "person" in repr(d)]
    assert diff == []
    _migrate(eng, "downgrade", "0011_documents_posts")
    assert not {"host_unit_id", "exemption"} & {c["name"] for c in sa.inspect(eng).get_columns("person")}
    _migrate(eng, "upgrade", "head")
    assert {"host_unit_id", "exemption"} <= {c["name"] for c in sa.inspect(eng).get_columns("person")}
