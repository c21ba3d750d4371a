"""Migration 0012 (issue 19): an installation that already has a history starts
notifying from the upgrade on, not about everything that happened before; the
migration goes down and up again. Run on a SQLite file of its own."""

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


def test_notifications__migration_starts_after_the_existing_history(tmp_path):
    from notifications.create import scan_events

    eng = upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    _migrate(eng, "downgrade", "0011_documents_posts")
    assert "notification" not in sa.inspect(eng).get_table_names()
    assert "email" not in {c["name"] for c in sa.inspect(eng).get_columns("user_account")}
    _migrate(eng, "upgrade", "head")
    with Session(eng, expire_on_commit=False) as s:
        org = build_org(s)
        person = make_person(s, org.branch)
        s.commit()
        engine.start(s, Review, unit=org.branch, actor=org.secretary, person=person)
        last = s.scalar(sa.select(sa.func.max(sa.text("id"))).select_from(sa.table("audit_event")))
    _migrate(eng, "downgrade", "0011_documents_posts")
    _migrate(eng, "upgrade", "head")
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT name, last_event_id FROM notification_cursor")).all() == [("audit", last)]
        assert conn.execute(sa.text("SELECT language, notify_delivery, email FROM user_account")).all()[0] == (
            "vi", "immediate", None)
    with Session(eng) as s:
        assert scan_events(s) == 0
    eng.dispose()
